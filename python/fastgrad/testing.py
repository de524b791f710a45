"""Testing helpers for users' own tests: `assert_close` as torch.testing.assert_close.

For gradients, use `fastgrad.autograd.gradcheck` / `gradgradcheck` (finite differences in
float64, PyTorch's signatures); see docs/autograd.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np

from . import _C

__all__ = ["assert_close"]

Tensor = _C.Tensor

# (rtol, atol) per dtype, PyTorch's defaults; integer and bool dtypes compare exactly.
_DTYPE_PRECISIONS = {"float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}


def _fail(message: str, msg: str | Callable[[str], str] | None) -> NoReturn:
    if callable(msg):
        raise AssertionError(msg(message))
    raise AssertionError(msg if msg is not None else message)


def _as_tensor(x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    from ._creation import tensor

    if isinstance(x, (bool, int, float)):
        return tensor(x, dtype=_C.float64 if isinstance(x, float) else None)
    if isinstance(x, np.ndarray) or isinstance(x, (list, tuple)):
        return tensor(x)
    raise TypeError(f"assert_close: cannot compare objects of type {type(x).__name__}")


def _fmt_size(t: Tensor) -> str:
    return "torch.Size([" + ", ".join(str(s) for s in t.shape) + "])"


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Asserts `actual` and `expected` are close: |actual - expected| <= atol + rtol * |expected|
    elementwise, after checking shape and (unless check_dtype=False) dtype. Default tolerances
    follow the dtype as in PyTorch (float32: rtol 1.3e-6, atol 1e-5; float64: 1e-7, 1e-7;
    integers and bool: exact); give both rtol and atol or neither. Raises AssertionError with
    PyTorch's message, or `msg` (a string, or a callable given the default message)."""
    if (rtol is None) ^ (atol is None):
        raise ValueError(
            "Both 'rtol' and 'atol' must be either specified or omitted, "
            f"but got no {'rtol' if rtol is None else 'atol'}."
        )
    a = _as_tensor(actual)
    e = _as_tensor(expected)
    if tuple(a.shape) != tuple(e.shape):
        _fail(
            f"The values for attribute 'shape' do not match: {_fmt_size(a)} != {_fmt_size(e)}.",
            msg,
        )
    if check_dtype and a.dtype != e.dtype:
        _fail(f"The values for attribute 'dtype' do not match: {a.dtype} != {e.dtype}.", msg)
    if check_stride and a.stride() != e.stride():
        _fail(
            f"The values for attribute 'stride()' do not match: {a.stride()} != {e.stride()}.",
            msg,
        )
    if rtol is None or atol is None:
        precisions = [_DTYPE_PRECISIONS.get(t.dtype._name, (0.0, 0.0)) for t in (a, e)]
        rtol = max(p[0] for p in precisions)
        atol = max(p[1] for p in precisions)

    an = np.asarray(a.detach())
    en = np.asarray(e.detach())
    common = np.result_type(an.dtype, en.dtype)
    an, en = an.astype(common), en.astype(common)
    if common.kind == "f":
        with np.errstate(invalid="ignore", over="ignore"):
            matches = np.isclose(an, en, rtol=rtol, atol=atol, equal_nan=equal_nan)
    elif rtol == 0 and atol == 0:
        matches = an == en
    else:
        wide_a, wide_e = an.astype(np.float64), en.astype(np.float64)
        matches = np.abs(wide_a - wide_e) <= atol + rtol * np.abs(wide_e)
    matches = np.asarray(matches)
    if matches.all():
        return
    _fail(_mismatch_message(an, en, matches, rtol, atol), msg)


def _diff_line(kind: str, diff: Any, idx: tuple[int, ...] | None, tol: float, equal: bool) -> str:
    if idx is None:
        line = f"{kind.title()} difference: {diff}"
    else:
        line = f"Greatest {kind} difference: {diff} at index {idx}"
    return line if equal else f"{line} (up to {tol} allowed)"


def _index(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat, shape))


def _mismatch_message(
    a: np.ndarray, e: np.ndarray, matches: np.ndarray, rtol: float, atol: float
) -> str:
    equal = rtol == 0 and atol == 0
    if a.shape == ():
        # PyTorch reports 0-dim tensors (and Python numbers) as scalars.
        x, y = a.item(), e.item()
        abs_diff = abs(x - y)
        rel_diff = float("inf") if y == 0 else abs_diff / abs(y)
        lines = [
            f"Scalars are not {'equal' if equal else 'close'}!",
            "",
            f"Expected {y} but got {x}.",
            _diff_line("absolute", abs_diff, None, atol, equal),
            _diff_line("relative", rel_diff, None, rtol, equal),
        ]
        return "\n".join(lines)
    total = matches.size
    mismatched = total - int(matches.sum())
    af, ef, mf = a.reshape(-1), e.reshape(-1), matches.reshape(-1)
    if af.dtype.kind != "f":  # differences of integers and bools in int64, as PyTorch
        af, ef = af.astype(np.int64), ef.astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        abs_diff = np.abs(af - ef)
        abs_diff[mf] = 0
        # Integer quotients come out in the default dtype (float32), as in PyTorch.
        den = np.abs(ef) if af.dtype.kind == "f" else np.abs(ef).astype(np.float32)
        rel_diff = (abs_diff if af.dtype.kind == "f" else abs_diff.astype(np.float32)) / den
        rel_diff[mf] = 0
    abs_i = (
        int(np.argmax(abs_diff))
        if not np.isnan(abs_diff).any()
        else int(np.argmax(np.isnan(abs_diff)))
    )
    rel_i = (
        int(np.argmax(rel_diff))
        if not np.isnan(rel_diff).any()
        else int(np.argmax(np.isnan(rel_diff)))
    )
    lines = [
        f"Tensor-likes are not {'equal' if equal else 'close'}!",
        "",
        f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})",
        _diff_line("absolute", abs_diff[abs_i].item(), _index(abs_i, a.shape), atol, equal),
        _diff_line("relative", rel_diff[rel_i].item(), _index(rel_i, a.shape), rtol, equal),
    ]
    return "\n".join(lines)
