"""torch.utils.dlpack's functions: `to_dlpack(tensor)` gives a capsule, `from_dlpack(x)` takes
a capsule or any object with `__dlpack__`."""

from __future__ import annotations

from typing import Any

from .. import _C
from .._interop import from_dlpack

__all__ = ["from_dlpack", "to_dlpack"]


def to_dlpack(tensor: _C.Tensor) -> Any:
    """A DLPack capsule (unversioned, for any consumer) sharing `tensor`'s memory."""
    return tensor.__dlpack__()
