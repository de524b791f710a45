"""Shared oracle for the op tests (in the spirit of tinygrad's helper_test_op).

`check_op` builds inputs from a seeded grid, checks the forward pass against NumPy in float32 and
float64 (values, dtype, shape), then checks the backward pass against float64 finite differences
with `torch.autograd.gradcheck` and once more through `.backward()`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

import fastgrad as torch

F32, F64, I64, BOOL = torch.float32, torch.float64, torch.int64, torch.bool

# Forward tolerances against a float64 NumPy oracle.
TOL = {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)}
GRADCHECK = {"eps": 1e-6, "atol": 1e-5, "rtol": 1e-3}
# Sampled values stay this far from kinks (relu at 0, clamp bounds, ...), far beyond eps.
KINK_MARGIN = 0.1


def np_dtype(dtype) -> type:
    # A chain of ==, not a dict: the library's dtype objects need not be hashable.
    if dtype == F32:
        return np.float32
    if dtype == F64:
        return np.float64
    if dtype == I64:
        return np.int64
    if dtype == BOOL:
        return np.bool_
    raise AssertionError(f"no NumPy dtype for {dtype}")


def dtype_name(dtype) -> str:
    return np.dtype(np_dtype(dtype)).name


class View(NamedTuple):
    """A view applied to a leaf before the op, mirrored on the NumPy side."""

    name: str
    torch_fn: Callable
    np_fn: Callable


T = View("t", lambda t: t.t(), lambda a: a.T)


def expand(*sizes: int) -> View:
    return View(f"expand{sizes}", lambda t: t.expand(*sizes), lambda a: np.broadcast_to(a, sizes))


def sample(shapes, low=-2.0, high=2.0, avoid=(), seed=0) -> list[np.ndarray]:
    """float64 arrays of the given shapes, every element distinct and away from `avoid`.

    All elements of all inputs are drawn without replacement from one grid, so there are no ties
    within or across inputs (max/min/maximum/minimum stay differentiable) by construction.
    """
    rng = np.random.default_rng(seed)
    sizes = [math.prod(s) for s in shapes]
    grid = np.linspace(low, high, 4 * sum(sizes) + 16)
    for k in avoid:
        grid = grid[np.abs(grid - k) > KINK_MARGIN]
    vals = rng.choice(grid, size=sum(sizes), replace=False)
    out, start = [], 0
    for shape, n in zip(shapes, sizes):
        out.append(vals[start : start + n].reshape(shape))
        start += n
    return out


def make(a: np.ndarray, dtype, requires_grad=False):
    # Via nested lists so that only torch.tensor(data, dtype, requires_grad) is relied on.
    if a.size == 0 and 0 in a.shape[:-1]:
        # Nested lists cannot spell shape (0, n): [] would come back as shape (0,).
        return torch.zeros(*a.shape, dtype=dtype, requires_grad=requires_grad)
    return torch.tensor(a.tolist(), dtype=dtype, requires_grad=requires_grad)


def assert_matches(out, ref, dtype, rtol=None, atol=None) -> None:
    """`out` (a fastgrad tensor) equals `ref` (NumPy) in dtype, shape and values."""
    ref = np.asarray(ref)
    assert out.dtype == dtype, f"dtype {out.dtype}, expected {dtype}"
    assert tuple(out.shape) == ref.shape, f"shape {tuple(out.shape)}, expected {ref.shape}"
    got = out.detach().numpy()
    if dtype in (I64, BOOL):
        np.testing.assert_array_equal(got, ref)
        return
    d_rtol, d_atol = TOL[dtype_name(dtype)]
    np.testing.assert_allclose(
        got, ref, rtol=d_rtol if rtol is None else rtol, atol=d_atol if atol is None else atol
    )


def check_op(
    torch_fn: Callable,
    np_fn: Callable,
    shapes,
    low=-2.0,
    high=2.0,
    *,
    domains=None,
    avoid=(),
    views=None,
    dtypes=(F32, F64),
    out_dtype=None,
    grad=True,
    rtol=None,
    atol=None,
    seed=0,
) -> None:
    """Forward vs NumPy for each dtype in `dtypes`; backward vs finite differences in float64.

    shapes: leaf shapes (one per input). domains: optional per-input (low, high) pairs.
    views: optional per-input View (or None) applied to the leaf before `torch_fn`.
    out_dtype: expected result dtype; defaults to the input dtype.
    """
    if domains is None:
        arrays = sample(shapes, low, high, avoid, seed)
    else:
        arrays = [
            sample([s], lo, hi, avoid, seed + i)[0]
            for i, (s, (lo, hi)) in enumerate(zip(shapes, domains))
        ]
    views = list(views) if views is not None else [None] * len(shapes)
    t_view = [v.torch_fn if v else (lambda t: t) for v in views]
    n_view = [v.np_fn if v else (lambda a: a) for v in views]

    for dtype in dtypes:
        # The oracle sees exactly the (rounded) values fastgrad sees, computed in float64.
        rounded = [a.astype(np_dtype(dtype)).astype(np.float64) for a in arrays]
        out = torch_fn(*[f(make(a, dtype)) for f, a in zip(t_view, rounded)])
        ref = np_fn(*[f(a) for f, a in zip(n_view, rounded)])
        assert_matches(out, ref, dtype if out_dtype is None else out_dtype, rtol, atol)

    if not grad:
        return
    leaves = [make(a, F64, requires_grad=True) for a in arrays]

    def fn(*xs):
        return torch_fn(*[f(x) for f, x in zip(t_view, xs)])

    assert torch.autograd.gradcheck(fn, tuple(leaves), **GRADCHECK)
    # The path users take: .backward() fills .grad with each leaf's shape and dtype.
    fn(*leaves).sum().backward()
    for leaf in leaves:
        assert leaf.grad is not None
        assert tuple(leaf.grad.shape) == tuple(leaf.shape)
        assert leaf.grad.dtype == F64
