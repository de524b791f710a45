"""Loss functions of nn.functional.

binary_cross_entropy and mse_loss call C++ kernels; the others are compositions of tensor ops
(log_softmax, gather, masked_fill, ...), so autograd, double backward included, comes for free.
Formulas, argument checks and error messages follow PyTorch's ATen implementations.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import _C
from . import _reduction

Tensor = _C.Tensor

_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "int64": "Long", "bool": "Bool"}


def _check_tensors(op: str, input: Any, target: Any) -> None:  # noqa: A002
    # Checked first, so a wrong type is a TypeError naming the argument, not an AttributeError.
    # The common case first, without the loop: F.mse_loss on two elements 14.9k -> 12.6k
    # instructions.
    if isinstance(input, Tensor) and isinstance(target, Tensor):
        return
    for pos, (name, value) in enumerate((("input", input), ("target", target)), 1):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"{op}(): argument '{name}' (position {pos}) must be Tensor, "
                f"not {type(value).__name__}"
            )


def _warn_size_mismatch(input: Tensor, target: Tensor) -> None:  # noqa: A002
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )


def _weighted(errors: Tensor, input: Tensor, weight: Tensor, reduction: str) -> Tensor:  # noqa: A002
    # The elementwise `weight=` of l1_loss/mse_loss: the weighted mean divides by sum(weight).
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    weighted = errors * weight
    if reduction == "mean":
        return weighted.sum() / weight.sum()
    return _reduction.apply(weighted, reduction)


def binary_cross_entropy(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean (or sum/none) of -w (y log x + (1 - y) log(1 - x)); each log is clamped at -100."""
    if size_average is not None or reduce is not None:
        reduction = _reduction.resolve(size_average, reduce, reduction)
    # Checks the arguments' types and sizes and broadcasts `weight` (in C++: this is on every
    # training step's path).
    return _C._binary_cross_entropy(input, target, weight, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """BCE on logits: (1 - y) x + (1 + (pos_weight - 1) y) softplus(-x), times weight.

    softplus(z) = max(z, 0) + log(1 + exp(-|z|)) never overflows. It is written as
    z m + log(1 + exp(-z s)) with the mask m = [z >= 0] and sign s = 2m - 1 held constant, so
    autograd gets the exact derivative sigmoid(z) everywhere, 0 included (a relu/abs form
    would give a subgradient there: wrong gradients for zero logits).
    """
    _check_tensors("binary_cross_entropy_with_logits", input, target)
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    z = -input
    m = (z >= 0).to(input.dtype)
    softplus = z * m + (-(z * (2 * m - 1))).exp().log1p()
    if pos_weight is not None:
        softplus = softplus * ((pos_weight - 1) * target + 1)
    loss = (1 - target) * input + softplus
    if weight is not None:
        loss = loss * weight
    return _reduction.apply(loss, reduction)


def mse_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean (or sum/none) of the squared differences (weighted mean with `weight`)."""
    _check_tensors("mse_loss", input, target)
    _warn_size_mismatch(input, target)
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if weight is not None:
        return _weighted((input - target) ** 2, input, weight, reduction)
    return _C._mse_loss(input, target, reduction)


def l1_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean (or sum/none) of the absolute differences (weighted mean with `weight`)."""
    _check_tensors("l1_loss", input, target)
    _warn_size_mismatch(input, target)
    reduction = _reduction.resolve(size_average, reduce, reduction)
    errors = (input - target).abs()
    if weight is not None:
        return _weighted(errors, input, weight, reduction)
    return _reduction.apply(errors, reduction)


def _check_class_weight(weight: Tensor | None, n_classes: int, prefix: str = "") -> None:
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise RuntimeError(
            f"{prefix}weight tensor should be defined either for all {n_classes} classes or no "
            f"classes but got weight tensor of shape: {list(weight.shape)}"
        )


def _check_class_target(input: Tensor, target: Tensor, ignore_index: int) -> None:  # noqa: A002
    """PyTorch's nll_loss checks: dimensions, batch sizes, dtype, then target range."""
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if input.dim() != 1 and target.dim() > 0 and input.shape[0] != target.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
            f"({target.shape[0]})."
        )
    if input.dim() <= 2:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        no_batch_dim = input.dim() == 1 and target.dim() == 0
        if not no_batch_dim and (target.dim() == 0 or input.shape[0] != target.shape[0]):
            raise RuntimeError(
                f"size mismatch (got input: {list(input.shape)}, target: {list(target.shape)})"
            )
    elif tuple(target.shape[1:]) != tuple(input.shape[2:]) or target.dim() == 0:
        expected = [input.shape[0], *input.shape[2:]]
        raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")
    if target.dtype is not _C.int64:
        raise RuntimeError(
            "expected target dtype to be Long or Byte, but got "
            f"{_SCALAR_NAMES.get(target.dtype._name, target.dtype._name)}"
        )
    # A data-dependent check, as PyTorch's CPU kernel makes; it reads the (integer) targets only.
    n_classes = input.shape[0] if input.dim() == 1 else input.shape[1]
    t = target.detach().numpy()
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {t[bad].flat[0]} is out of bounds.")


def _pick_class(
    logp: Tensor,
    target: Tensor,
    weight: Tensor | None,
    ignore_index: int,
) -> tuple[Tensor, Tensor, Tensor]:
    """(-logp at each target class * its weight, the weights (0 where ignored), ignore mask)."""
    class_dim = 0 if logp.dim() == 1 else 1
    ignored = target == ignore_index
    safe = target.masked_fill(ignored, 0)  # any valid class: its value is masked out below
    picked = logp.gather(class_dim, safe.unsqueeze(class_dim)).squeeze(class_dim)
    if weight is None:
        w = (target != ignore_index).to(logp.dtype)
    else:
        w = weight.gather(0, safe.reshape(-1)).reshape(safe.shape).masked_fill(ignored, 0)
    return -picked * w, w, ignored


def nll_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood of class-index targets, given log-probabilities.

    input (C,), (N, C) or (N, C, d1, ...); target (), (N) or (N, d1, ...) of int64. Targets
    equal to ignore_index contribute 0; the weighted mean divides by the sum of the weights of
    the targets that are not ignored (nan when every target is ignored, as in PyTorch).
    """
    _check_tensors("nll_loss", input, target)
    reduction = _reduction.resolve(size_average, reduce, reduction)
    _check_class_target(input, target, ignore_index)
    _check_class_weight(weight, input.shape[0] if input.dim() == 1 else input.shape[1])
    loss, w, _ = _pick_class(input, target, weight, ignore_index)
    if reduction == "mean":
        return loss.sum() / w.sum()
    return _reduction.apply(loss, reduction)


def _class_shape(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002
    # weight (C,) viewed to broadcast along the class dimension of input.
    shape = [1] * input.dim()
    shape[0 if input.dim() == 1 else 1] = weight.shape[0]
    return weight.reshape(shape)


def cross_entropy(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy between logits and class indices or class probabilities.

    A target of the same shape as input holds class probabilities (float); otherwise it holds
    class indices (int64), as nll_loss(log_softmax(input, class_dim), target) takes them.
    label_smoothing mixes the target with the uniform distribution over the C classes.
    """
    _check_tensors("cross_entropy", input, target)
    reduction = _reduction.resolve(size_average, reduce, reduction)
    class_dim = 0 if input.dim() == 1 else 1
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if target.shape == input.shape:
        return _cross_entropy_probs(input, target, weight, reduction, ignore_index, label_smoothing)
    if label_smoothing <= 0.0:
        return nll_loss(
            input.log_softmax(class_dim), target, weight, None, ignore_index, None, reduction
        )

    # Class indices with smoothing: (1 - eps) nll + eps/C * (-sum_c w_c log p_c), ignored -> 0.
    _check_class_target(input, target, ignore_index)
    n_classes = input.shape[class_dim]
    _check_class_weight(weight, n_classes)
    logp = input.log_softmax(class_dim)
    loss, w, ignored = _pick_class(logp, target, weight, ignore_index)
    weighted_logp = logp if weight is None else logp * _class_shape(input, weight)
    smooth = (-weighted_logp.sum(class_dim)).masked_fill(ignored, 0.0)
    if reduction == "mean":
        total = w.sum()
        nll, smooth = loss.sum() / total, smooth.sum() / total
    else:
        nll, smooth = _reduction.apply(loss, reduction), _reduction.apply(smooth, reduction)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def _cross_entropy_probs(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None,
    reduction: str,
    ignore_index: int,
    label_smoothing: float,
) -> Tensor:
    """-sum_c w_c t_c log_softmax(x)_c; the mean divides by the number of samples (N * d1...)."""
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{_SCALAR_NAMES.get(target.dtype._name, target.dtype._name)}"
        )
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    _check_class_weight(weight, n_classes, prefix="cross_entropy: ")
    logp = input.log_softmax(class_dim)
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:
        prod = prod * _class_shape(input, weight)
    if reduction == "none":
        return -prod.sum(class_dim)
    if reduction == "sum":
        return -prod.sum()
    if input.numel() == 0:
        return -prod.sum() * float("nan")
    return -prod.sum() / (input.numel() // n_classes)
