"""fastgrad.Size: the tuple subclass tensor shapes are reported as (torch.Size)."""

from __future__ import annotations


class Size(tuple):
    """The shape of a tensor: a tuple of ints that prints as torch.Size([2, 3])."""

    __slots__ = ()  # no instance __dict__, like torch.Size: smaller and quicker to make

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        """Returns the number of elements of a tensor of this shape (the product of the sizes)."""
        n = 1
        for s in self:
            n *= s
        return n
