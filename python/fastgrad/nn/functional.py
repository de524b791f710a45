"""fastgrad.nn.functional: stateless versions of the nn layers and losses."""

from __future__ import annotations

import warnings
from typing import Any

from .. import _C
from .._creation import rand_like
from ._loss_functions import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)

Tensor = _C.Tensor

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "embedding",
    "l1_loss",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """Returns the logistic sigmoid 1 / (1 + exp(-x)) of each element of `input`."""
    return input.sigmoid()


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """Returns the rectified linear unit max(x, 0) of each element of `input`.

    `inplace` is accepted for compatibility, but the result is always a new tensor (`input` is
    left unchanged).
    """
    return input.relu()


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """Returns the hyperbolic tangent of each element of `input`."""
    return input.tanh()


def _get_softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    # The implicit dim of PyTorch's legacy softmax(x) without dim: 0 for 0/1/3-D, else 1.
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_family(name: str, input: Tensor, dim: Any, stacklevel: int, dtype: Any) -> Tensor:  # noqa: A002
    if dim is None:
        dim = _get_softmax_dim(name, input.dim(), stacklevel + 1)
    if dtype is not None:
        input = input.to(dtype)  # noqa: A001
    return getattr(input, name)(dim)


def softmax(
    input: Tensor,  # noqa: A002
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
) -> Tensor:
    """Returns the softmax of `input` along `dim`: exp(x) / sum(exp(x)), computed stably.

    dim=None picks PyTorch's legacy implicit dimension (0 for 0-, 1- and 3-D inputs, else 1),
    with its deprecation warning. `dtype` casts `input` first.
    """
    return _softmax_family("softmax", input, dim, _stacklevel, dtype)


def log_softmax(
    input: Tensor,  # noqa: A002
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
) -> Tensor:
    """Returns the logarithm of the softmax of `input` along `dim`, computed stably.

    `dim=None` and `dtype` work as for softmax().
    """
    return _softmax_family("log_softmax", input, dim, _stacklevel, dtype)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """input @ weight.T + bias, weight of shape (out_features, in_features)."""
    out = input.matmul(weight.t())
    return out if bias is None else out + bias


def dropout(
    input: Tensor,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
) -> Tensor:
    """Training: zero each element with probability p and scale the rest by 1/(1-p)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        scale = _C._zeros([], input.dtype, False)
    else:
        # The mask is scaled, then multiplied in: one op on the graph, as in ATen's dropout.
        scale = (rand_like(input) < 1 - p).to(input.dtype) / (1 - p)
    return input.mul_(scale) if inplace else input * scale


def embedding(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of weight picked by the int64 indices in input: shape input.shape + (dim,).

    The row padding_idx gets no gradient (its value is still returned as stored).
    """
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError(
            "fastgrad's embedding supports padding_idx only (max_norm, scale_grad_by_freq and "
            "sparse are not implemented)"
        )
    if input.dtype is not _C.int64:
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.type()} instead (while checking arguments for "
            "embedding)"
        )
    if padding_idx is not None:
        if padding_idx > 0 and padding_idx >= weight.size(0):
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            if padding_idx < -weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.size(0) + padding_idx
    rows = weight.index_select(0, input.reshape(-1))
    if padding_idx is not None:
        # Same values, but the padding rows come from a detached copy: no gradient flows there.
        pad = (input.reshape(-1) == padding_idx).unsqueeze(1)
        rows = rows.detach().where(pad, rows)
    return rows.reshape(*input.shape, weight.shape[1])
