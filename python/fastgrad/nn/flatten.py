"""Flatten: merges dims start_dim..end_dim into one."""

from __future__ import annotations

from .. import _C
from .module import Module

Tensor = _C.Tensor


class Flatten(Module):
    """Flattens the dimensions from `start_dim` to `end_dim` of its input into one.

    The defaults keep the first (batch) dimension: (N, C, H, W) becomes (N, C * H * W).
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
