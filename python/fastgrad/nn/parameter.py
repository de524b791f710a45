"""nn.Parameter: the Tensor subclass that Modules register as their trainable state."""

from __future__ import annotations

from typing import Any

from .. import _C

Tensor = _C.Tensor


class Parameter(Tensor):
    """A Tensor that a Module registers as one of its parameters (requires grad by default).

    It shares storage with `data` (as in PyTorch); results of ops on it are plain Tensors.
    """

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = _C._empty([0], None, False)
        super().__init__(data.detach())
        self.requires_grad_(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    # Tensor.__str__ is Tensor.__repr__ itself, so print() would skip the override above.
    __str__ = __repr__

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        # The C++ Tensor cannot be pickled; copy.deepcopy(model) needs this to clone weights.
        if id(self) not in memo:
            memo[id(self)] = Parameter(self.detach().clone(), self.requires_grad)
        return memo[id(self)]
