"""fastgrad.nn.functional: stateless versions of the nn layers and losses."""

from __future__ import annotations

import warnings
from typing import Any

from .. import _C

Tensor = _C.Tensor

__all__ = ["binary_cross_entropy", "mse_loss", "relu", "sigmoid", "tanh"]


def _reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    # The legacy size_average/reduce flags map onto reduction, as in PyTorch.
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def binary_cross_entropy(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean (or sum/none) of -w (y log x + (1 - y) log(1 - x)); each log is clamped at -100."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    if weight is not None and weight.shape != input.shape:
        weight = weight.expand(*input.shape)
    return _C._binary_cross_entropy(input, target, weight, reduction)


def mse_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Any = None,
) -> Tensor:
    """Mean (or sum/none) of the squared differences."""
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=2,
        )
    return _C._mse_loss(input, target, _reduction(size_average, reduce, reduction))


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    return input.sigmoid()


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return input.relu()


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    return input.tanh()
