"""Activation layers: ReLU, Tanh, Sigmoid, Softmax, LogSoftmax."""

from __future__ import annotations

from .. import _C
from . import functional as F
from .module import Module

Tensor = _C.Tensor


class ReLU(Module):
    """Applies the rectified linear unit max(x, 0) elementwise.

    `inplace` is accepted for compatibility, but the result is always a new tensor.
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """Applies the hyperbolic tangent elementwise."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.tanh()


class Sigmoid(Module):
    """Applies the logistic sigmoid 1 / (1 + exp(-x)) elementwise."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.sigmoid()


class Softmax(Module):
    """Applies softmax along `dim`, so that the values along it are positive and sum to one.

    dim=None picks PyTorch's legacy implicit dimension, with its deprecation warning.
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softmax(input, self.dim, _stacklevel=4)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """Applies the logarithm of softmax along `dim`, computed stably.

    dim=None picks PyTorch's legacy implicit dimension, with its deprecation warning.
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.log_softmax(input, self.dim, _stacklevel=4)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
