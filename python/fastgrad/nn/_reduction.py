"""The `reduction` argument of the losses, and the legacy size_average/reduce flags."""

from __future__ import annotations

import warnings
from typing import Any

from .. import _C

Tensor = _C.Tensor

_REDUCTIONS = ("none", "mean", "sum")


def legacy_get_string(size_average: Any, reduce: Any, emit_warning: bool = True) -> str:
    """The reduction that the deprecated size_average/reduce flags stand for (warns, as PyTorch)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use reduction='{ret}' "
            "instead.",
            UserWarning,
            stacklevel=3,
        )
    return ret


def resolve(size_average: Any, reduce: Any, reduction: str) -> str:
    """`reduction`, unless a legacy flag was given; raises PyTorch's error for a bad value."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def apply(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
