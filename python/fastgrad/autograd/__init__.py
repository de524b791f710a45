"""fastgrad.autograd: backward/grad entry points, custom Functions, gradcheck, anomaly mode."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import _C
from .._grad_mode import enable_grad, no_grad, set_grad_enabled
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .function import Function, FunctionCtx
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

Tensor = _C.Tensor
Node = _C.Node

__all__ = [
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "Node",
    "backward",
    "detect_anomaly",
    "is_anomaly_enabled",
    "set_detect_anomaly",
    "enable_grad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "no_grad",
    "set_grad_enabled",
]


def _as_list(x: Any) -> list[Any]:
    if x is None:
        return []
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _grads_for(outputs: list[Any], grads: Any) -> list[Any]:
    g = _as_list(grads) if not isinstance(grads, Tensor) else [grads]
    if not g:
        return [None] * len(outputs)
    if len(g) != len(outputs):
        raise RuntimeError(f"got {len(g)} gradients for {len(outputs)} outputs")
    return g


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Tensor | Sequence[Tensor] | None = None,
) -> None:
    """Accumulates the gradients of `tensors` into the .grad of the leaves they depend on."""
    outs = _as_list(tensors)
    _C._backward(outs, _grads_for(outs, grad_tensors), retain_graph, create_graph, _as_list(inputs))


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """Returns d(outputs)/d(inputs) without touching .grad."""
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    unused_ok = bool(allow_unused) or materialize_grads
    result = _C._grad(
        outs, ins, _grads_for(outs, grad_outputs), retain_graph, create_graph, unused_ok
    )
    if materialize_grads:
        result = [
            _C._zeros(list(i.shape), i.dtype, False) if r is None else r
            for r, i in zip(result, ins)
        ]
    return tuple(result)
