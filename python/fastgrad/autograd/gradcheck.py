"""gradcheck / gradgradcheck: compare analytical gradients with float64 finite differences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from .. import _C

Tensor = _C.Tensor


class GradcheckError(RuntimeError):
    """Raised by gradcheck when an analytical gradient disagrees with the numerical one."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _differentiable_outputs(fn: Callable[..., Any], inputs: Sequence[Any]) -> list[Tensor]:
    return [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor) and o.requires_grad]


def _numerical_jacobian(
    fn: Callable[..., Any], inputs: Sequence[Any], i: int, eps: float, n_out: list[int]
) -> list[np.ndarray]:
    """Central differences d(output_k)/d(input_i), one (numel_in, numel_out) matrix per output."""
    x = inputs[i]
    data = x.detach().numpy()  # shares memory with x: perturb in place
    flat_idx = list(np.ndindex(*data.shape)) if data.ndim else [()]
    jac = [np.zeros((len(flat_idx), n)) for n in n_out]
    for r, idx in enumerate(flat_idx):
        orig = float(data[idx])
        data[idx] = orig + eps
        plus = [o.detach().numpy().astype(np.float64).ravel().copy() for o in _outs(fn, inputs)]
        data[idx] = orig - eps
        minus = [o.detach().numpy().astype(np.float64).ravel().copy() for o in _outs(fn, inputs)]
        data[idx] = orig
        for k in range(len(n_out)):
            jac[k][r] = (plus[k] - minus[k]) / (2 * eps)
    return jac


def _outs(fn: Callable[..., Any], inputs: Sequence[Any]) -> list[Tensor]:
    return [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor)]


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    fast_mode: bool = False,
) -> bool:
    """True if the gradients of func at inputs match central finite differences.

    Inputs that require grad should be float64 (float32 differences are too coarse)."""
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff_idx:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but "
            "none of the them have requires_grad=True."
        )
    for i in diff_idx:
        if inputs[i].dtype is not _C.float64:
            import warnings

            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point. "
                "This check will likely fail if all the inputs are not of double precision "
                "floating point. ",
                UserWarning,
                stacklevel=2,
            )
    outputs = _outs(func, inputs)
    n_out = [o.numel() for o in outputs]

    def fail(msg: str) -> bool:
        if raise_exception:
            raise GradcheckError(msg)
        return False

    for i in diff_idx:
        numerical = _numerical_jacobian(func, inputs, i, eps, n_out)
        x = inputs[i]
        for k, out in enumerate(outputs):
            analytical = np.zeros((x.numel(), out.numel()))
            if out.requires_grad:
                for j in range(out.numel()):
                    seed = np.zeros(out.numel())
                    seed[j] = 1.0
                    g_out = _C.tensor(seed.reshape(tuple(out.shape)), dtype=out.dtype)
                    fresh = _outs(func, inputs)[k]
                    (g,) = _C._grad([fresh], [x], [g_out], None, False, True)
                    if g is not None:
                        analytical[:, j] = g.detach().numpy().astype(np.float64).ravel()
            if not np.allclose(analytical, numerical[k], rtol=rtol, atol=atol):
                return fail(
                    f"Jacobian mismatch for output {k} with respect to input {i},\n"
                    f"numerical:{numerical[k]}\nanalytical:{analytical}\n"
                )
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """gradcheck of the first derivative: checks second derivatives via create_graph."""
    inputs = _as_tuple(inputs)
    outputs = _outs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [
            _C.tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype, requires_grad=True)
            for o in outputs
        ]
    grad_outputs = list(_as_tuple(grad_outputs))
    diff_inputs = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    n = len(inputs)

    def first_derivative(*args: Any) -> tuple[Any, ...]:
        ins, gos = args[:n], args[n:]
        outs = [o for o in _outs(func, ins) if o.requires_grad]
        diff = [x for x in ins if isinstance(x, Tensor) and x.requires_grad]
        grads = _C._grad(outs, diff, list(gos)[: len(outs)], True, True, True)
        return tuple(g for g in grads if g is not None)

    del diff_inputs
    return gradcheck(
        first_derivative,
        tuple(inputs) + tuple(grad_outputs),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
