"""fastgrad.Size: the tuple subclass tensor shapes are reported as (torch.Size)."""

from __future__ import annotations


class Size(tuple):
    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n
