"""More reductions: prod, var/std, argmax/argmin, max/min with dim, logsumexp, softmax and
log_softmax, cumsum, norm.

Forward values are checked against NumPy in float32 and float64, gradients against float64 finite
differences (see op_helpers.check_op). Expectations (dtypes, ties, messages, warnings, grad_fn
names) were validated against PyTorch. Ops are looked up lazily inside lambdas.
"""

import math
import re

import numpy as np
import pytest
from op_helpers import F32, F64, I64, T, assert_matches, check_op, expand, make, sample

import fastgrad as torch
from fastgrad import _C

INF = float("inf")


def np_logsumexp(a, axis=None, keepdims=False):
    m = np.max(a, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def np_softmax(a, axis):
    e = np.exp(a - np.max(a, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(a, axis):
    return a - np_logsumexp(a, axis=axis, keepdims=True)


def np_norm(a, p=2, axis=None, keepdims=False):
    a = np.abs(a)
    if p == INF:
        return np.max(a, axis=axis, keepdims=keepdims)
    return np.sum(a**p, axis=axis, keepdims=keepdims) ** (1 / p)


# ---------------------------------------------------------------------------------------------
# Differentiable reductions: case -> (fn, numpy oracle[, leaf shape[, view]]); leaf (2, 3, 4).
# ---------------------------------------------------------------------------------------------
REDUCE = {
    # prod
    "prod()": (lambda x: x.prod(), np.prod),
    "torch.prod(x)": (lambda x: torch.prod(x), np.prod),
    "prod(1)": (lambda x: x.prod(1), lambda a: a.prod(1)),
    "prod(-1,keepdim)": (lambda x: x.prod(-1, keepdim=True), lambda a: a.prod(-1, keepdims=True)),
    "torch.prod(x,dim=0)": (lambda x: torch.prod(x, dim=0), lambda a: a.prod(0)),
    "T.prod(0)": (lambda x: x.prod(0), lambda a: a.prod(0), (4, 3), T),
    "expand.prod(1)": (lambda x: x.prod(1), lambda a: a.prod(1), (3, 1), expand(3, 4)),
    "0dim.prod()": (lambda x: x.prod(), np.prod, ()),
    "0dim.prod(0)": (lambda x: x.prod(0), np.prod, ()),
    "empty.prod()": (lambda x: x.prod(), np.prod, (0,)),
    "empty.prod(1)": (lambda x: x.prod(1), lambda a: a.prod(1), (2, 0)),
    # var / std
    "var()": (lambda x: x.var(), lambda a: a.var(ddof=1)),
    "std()": (lambda x: x.std(), lambda a: a.std(ddof=1)),
    "torch.var(x)": (lambda x: torch.var(x), lambda a: a.var(ddof=1)),
    "torch.std(x)": (lambda x: torch.std(x), lambda a: a.std(ddof=1)),
    "var(1)": (lambda x: x.var(1), lambda a: a.var(1, ddof=1)),
    "std(-1,keepdim)": (
        lambda x: x.std(-1, keepdim=True),
        lambda a: a.std(-1, ddof=1, keepdims=True),
    ),
    "var(dim=(0,2))": (lambda x: x.var(dim=(0, 2)), lambda a: a.var((0, 2), ddof=1)),
    "var(correction=0)": (lambda x: x.var(correction=0), lambda a: a.var()),
    "std(correction=0)": (lambda x: x.std(correction=0), lambda a: a.std()),
    "var(1,correction=1)": (lambda x: x.var(1, correction=1), lambda a: a.var(1, ddof=1)),
    "std(0,correction=2)": (lambda x: x.std(0, correction=2), lambda a: a.std(0, ddof=2), (3, 4)),
    "var(unbiased=False)": (lambda x: x.var(unbiased=False), lambda a: a.var()),
    "std(2,unbiased=False)": (lambda x: x.std(2, unbiased=False), lambda a: a.std(2)),
    "var(0,False)": (lambda x: x.var(0, False), lambda a: a.var(0)),
    "std(0,True,True)": (lambda x: x.std(0, True, True), lambda a: a.std(0, ddof=1, keepdims=True)),
    "torch.var(x,1,keepdim)": (
        lambda x: torch.var(x, 1, keepdim=True),
        lambda a: a.var(1, ddof=1, keepdims=True),
    ),
    "torch.std(x,dim=0,correction=0)": (
        lambda x: torch.std(x, dim=0, correction=0),
        lambda a: a.std(0),
    ),
    "T.var(1)": (lambda x: x.var(1), lambda a: a.var(1, ddof=1), (4, 3), T),
    "T.std()": (lambda x: x.std(), lambda a: a.std(ddof=1), (4, 3), T),
    # logsumexp
    "logsumexp(1)": (lambda x: x.logsumexp(1), lambda a: np_logsumexp(a, 1)),
    "logsumexp(-1,keepdim)": (
        lambda x: x.logsumexp(-1, keepdim=True),
        lambda a: np_logsumexp(a, -1, True),
    ),
    "torch.logsumexp(x,0)": (lambda x: torch.logsumexp(x, 0), lambda a: np_logsumexp(a, 0)),
    "torch.logsumexp(x,dim=(0,2))": (
        lambda x: torch.logsumexp(x, dim=(0, 2)),
        lambda a: np_logsumexp(a, (0, 2)),
    ),
    "T.logsumexp(0)": (lambda x: x.logsumexp(0), lambda a: np_logsumexp(a, 0), (4, 3), T),
    "0dim.logsumexp(0)": (lambda x: x.logsumexp(0), lambda a: a, ()),
    # softmax / log_softmax: Tensor methods, torch.*, torch.nn.functional.*
    "softmax(1)": (lambda x: x.softmax(1), lambda a: np_softmax(a, 1)),
    "softmax(dim=-1)": (lambda x: x.softmax(dim=-1), lambda a: np_softmax(a, -1)),
    "torch.softmax(x,0)": (lambda x: torch.softmax(x, 0), lambda a: np_softmax(a, 0)),
    "torch.softmax(x,dim=2)": (lambda x: torch.softmax(x, dim=2), lambda a: np_softmax(a, 2)),
    "F.softmax(x,dim=1)": (
        lambda x: torch.nn.functional.softmax(x, dim=1),
        lambda a: np_softmax(a, 1),
    ),
    "F.softmax(x,-1)": (lambda x: torch.nn.functional.softmax(x, -1), lambda a: np_softmax(a, -1)),
    "T.softmax(0)": (lambda x: x.softmax(0), lambda a: np_softmax(a, 0), (4, 3), T),
    "T.softmax(1)": (lambda x: x.softmax(1), lambda a: np_softmax(a, 1), (4, 3), T),
    "0dim.softmax(0)": (lambda x: x.softmax(0), lambda a: np.ones(()), ()),
    "empty.softmax(1)": (lambda x: x.softmax(1), lambda a: a, (2, 0)),
    "log_softmax(1)": (lambda x: x.log_softmax(1), lambda a: np_log_softmax(a, 1)),
    "log_softmax(dim=-1)": (lambda x: x.log_softmax(dim=-1), lambda a: np_log_softmax(a, -1)),
    "torch.log_softmax(x,0)": (lambda x: torch.log_softmax(x, 0), lambda a: np_log_softmax(a, 0)),
    "torch.log_softmax(x,dim=2)": (
        lambda x: torch.log_softmax(x, dim=2),
        lambda a: np_log_softmax(a, 2),
    ),
    "F.log_softmax(x,dim=1)": (
        lambda x: torch.nn.functional.log_softmax(x, dim=1),
        lambda a: np_log_softmax(a, 1),
    ),
    "F.log_softmax(x,-1)": (
        lambda x: torch.nn.functional.log_softmax(x, -1),
        lambda a: np_log_softmax(a, -1),
    ),
    "T.log_softmax(0)": (lambda x: x.log_softmax(0), lambda a: np_log_softmax(a, 0), (4, 3), T),
    # cumsum
    "cumsum(0)": (lambda x: x.cumsum(0), lambda a: a.cumsum(0)),
    "cumsum(-1)": (lambda x: x.cumsum(-1), lambda a: a.cumsum(-1)),
    "cumsum(dim=1)": (lambda x: x.cumsum(dim=1), lambda a: a.cumsum(1)),
    "torch.cumsum(x,1)": (lambda x: torch.cumsum(x, 1), lambda a: a.cumsum(1)),
    "torch.cumsum(x,dim=-3)": (lambda x: torch.cumsum(x, dim=-3), lambda a: a.cumsum(0)),
    "T.cumsum(1)": (lambda x: x.cumsum(1), lambda a: a.cumsum(1), (4, 3), T),
    "expand.cumsum(1)": (lambda x: x.cumsum(1), lambda a: a.cumsum(1), (3, 1), expand(3, 4)),
    "0dim.cumsum(0)": (lambda x: x.cumsum(0), lambda a: a, ()),
    "empty.cumsum(1)": (lambda x: x.cumsum(1), lambda a: a, (2, 0)),
}


@pytest.mark.parametrize("case", REDUCE)
def test_reduce(case):
    fn, np_fn, *layout = REDUCE[case]
    shape = layout[0] if layout else (2, 3, 4)
    view = layout[1] if len(layout) > 1 else None
    check_op(fn, np_fn, [shape], views=[view])


# norm: |x| has a kink at 0, and the inf-norm needs a unique largest |x| (an asymmetric range
# keeps |a| != |b| for a != b on the sampling grid).
NORM = {
    "norm()": (lambda x: x.norm(), lambda a: np_norm(a)),
    "torch.norm(x)": (lambda x: torch.norm(x), lambda a: np_norm(a)),
    "norm(p=1)": (lambda x: x.norm(p=1), lambda a: np_norm(a, 1)),
    "norm(1)": (lambda x: x.norm(1), lambda a: np_norm(a, 1)),
    "norm(p=3)": (lambda x: x.norm(p=3), lambda a: np_norm(a, 3)),
    "norm(p=inf)": (lambda x: x.norm(p=INF), lambda a: np_norm(a, INF)),
    "norm(dim=1)": (lambda x: x.norm(dim=1), lambda a: np_norm(a, axis=1)),
    "norm(dim=-1,keepdim)": (
        lambda x: x.norm(dim=-1, keepdim=True),
        lambda a: np_norm(a, axis=-1, keepdims=True),
    ),
    "norm(p=1,dim=0)": (lambda x: x.norm(p=1, dim=0), lambda a: np_norm(a, 1, 0)),
    "norm(inf,dim=2,keepdim)": (
        lambda x: x.norm(INF, dim=2, keepdim=True),
        lambda a: np_norm(a, INF, 2, True),
    ),
    "norm(dim=(0,2))": (lambda x: x.norm(dim=(0, 2)), lambda a: np_norm(a, axis=(0, 2))),
    "torch.norm(x,2,0)": (lambda x: torch.norm(x, 2, 0), lambda a: np_norm(a, 2, 0)),
    "torch.norm(x,p=1,dim=1,keepdim)": (
        lambda x: torch.norm(x, p=1, dim=1, keepdim=True),
        lambda a: np_norm(a, 1, 1, True),
    ),
}


@pytest.mark.parametrize("case", NORM)
def test_norm(case):
    fn, np_fn = NORM[case]
    check_op(fn, np_fn, [(2, 3, 4)], -1.7, 2.3, avoid=(0,))


@pytest.mark.parametrize(
    ("fn", "np_fn"),
    [
        (lambda x: x.norm(), lambda a: np_norm(a)),
        (lambda x: x.norm(p=1, dim=0), lambda a: np_norm(a, 1, 0)),
        (lambda x: x.norm(INF, dim=1), lambda a: np_norm(a, INF, 1)),
    ],
    ids=["all", "p1-dim0", "inf-dim1"],
)
def test_norm_transposed(fn, np_fn):
    check_op(fn, np_fn, [(4, 3)], -1.7, 2.3, avoid=(0,), views=[T])


def test_norm_gradient_at_zero_is_zero():
    # The 2-norm is not differentiable at 0; PyTorch returns a zero (sub)gradient, not nan.
    x = torch.zeros(3, dtype=F64, requires_grad=True)
    n = x.norm()
    assert n.item() == 0.0
    n.backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_norm_closed_form():
    x = torch.tensor([[3.0, -4.0], [0.0, 12.0]], dtype=F64, requires_grad=True)
    assert x.norm().item() == 13.0
    assert x.norm(p=1).item() == 19.0
    assert x.norm(p=INF).item() == 12.0
    assert x.norm(dim=1).tolist() == [5.0, 12.0]
    (g,) = torch.autograd.grad(x.norm(dim=1).sum(), x)
    np.testing.assert_allclose(g.numpy(), [[0.6, -0.8], [0.0, 1.0]], rtol=1e-15)
    y = torch.tensor([3.0, -3.0, 1.0], dtype=F64, requires_grad=True)
    (g,) = torch.autograd.grad(y.norm(p=INF), y)
    assert g.tolist() == [0.5, -0.5, 0.0]  # ties in |y| share the gradient


# ---------------------------------------------------------------------------------------------
# prod with zeros: the gradient of prod is not prod / x
# ---------------------------------------------------------------------------------------------
ONE_ZERO = np.array([[0.5, 0.0, 1.5], [2.0, -1.25, 0.75]])
TWO_ZEROS_ROW = np.array([[0.5, 0.0, 0.0], [2.0, -1.25, 0.75]])
TWO_ZEROS_SPLIT = np.array([[0.5, 0.0, 1.5], [0.0, -1.25, 0.75]])
ALL_ZERO = np.zeros((2, 3))


@pytest.mark.parametrize(
    "data",
    [ONE_ZERO, TWO_ZEROS_ROW, TWO_ZEROS_SPLIT, ALL_ZERO],
    ids=["one-zero", "two-zeros-one-row", "two-zeros-two-rows", "all-zero"],
)
@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.prod(),
        lambda x: x.prod(1),
        lambda x: x.prod(0, keepdim=True),
        lambda x: x.t().prod(0),
    ],
    ids=["all", "dim1", "dim0-keepdim", "t-dim0"],
)
def test_prod_gradcheck_with_zeros(fn, data):
    x = make(data, F64, requires_grad=True)
    assert torch.autograd.gradcheck(fn, (x,))


def test_prod_gradient_closed_form_with_zeros():
    x = torch.tensor([2.0, 0.0, 3.0, 4.0], dtype=F64, requires_grad=True)
    (g,) = torch.autograd.grad(x.prod(), x)
    assert g.tolist() == [0.0, 24.0, 0.0, 0.0]  # only the zero entry sees a gradient
    y = torch.tensor([0.0, 5.0, 0.0], dtype=F64, requires_grad=True)
    (g,) = torch.autograd.grad(y.prod(), y)
    assert g.tolist() == [0.0, 0.0, 0.0]
    z = torch.tensor([[2.0, 0.0], [3.0, 4.0]], dtype=F64, requires_grad=True)
    (g,) = torch.autograd.grad(z.prod(1).sum(), z)
    assert g.tolist() == [[0.0, 2.0], [4.0, 3.0]]


# ---------------------------------------------------------------------------------------------
# argmax / argmin: int64 results, no gradient, ties give the first index
# ---------------------------------------------------------------------------------------------
def np_arg(np_fn, axis=None, keepdims=False):
    return lambda a: np_fn(a, axis=axis, keepdims=keepdims)


ARG = {
    "argmax()": (lambda x: x.argmax(), np_arg(np.argmax)),
    "argmin()": (lambda x: x.argmin(), np_arg(np.argmin)),
    "torch.argmax(x)": (lambda x: torch.argmax(x), np_arg(np.argmax)),
    "torch.argmin(x)": (lambda x: torch.argmin(x), np_arg(np.argmin)),
    "argmax(1)": (lambda x: x.argmax(1), np_arg(np.argmax, 1)),
    "argmin(-1)": (lambda x: x.argmin(-1), np_arg(np.argmin, -1)),
    "argmax(dim=0,keepdim)": (lambda x: x.argmax(dim=0, keepdim=True), np_arg(np.argmax, 0, True)),
    "argmin(2,keepdim)": (lambda x: x.argmin(2, keepdim=True), np_arg(np.argmin, 2, True)),
    "torch.argmax(x,dim=-2)": (lambda x: torch.argmax(x, dim=-2), np_arg(np.argmax, -2)),
    "torch.argmin(x,1,keepdim)": (
        lambda x: torch.argmin(x, 1, keepdim=True),
        np_arg(np.argmin, 1, True),
    ),
    "argmax(keepdim)": (lambda x: x.argmax(keepdim=True), np_arg(np.argmax, None, True)),
}


@pytest.mark.parametrize("case", ARG)
def test_argmax_argmin(case):
    fn, np_fn = ARG[case]
    check_op(fn, np_fn, [(2, 3, 4)], out_dtype=I64, grad=False)
    x = make(sample([(2, 3, 4)])[0], F64, requires_grad=True)
    assert not fn(x).requires_grad


@pytest.mark.parametrize(
    ("fn", "np_fn"),
    [
        (lambda x: x.argmax(), np_arg(np.argmax)),
        (lambda x: x.argmin(), np_arg(np.argmin)),
        (lambda x: x.argmax(0), np_arg(np.argmax, 0)),
        (lambda x: x.argmin(1, keepdim=True), np_arg(np.argmin, 1, True)),
    ],
    ids=["argmax()", "argmin()", "argmax(0)", "argmin(1,keepdim)"],
)
def test_argmax_argmin_transposed(fn, np_fn):
    # The flat index is into the (3, 4) view, not into its storage.
    check_op(fn, np_fn, [(4, 3)], out_dtype=I64, grad=False, views=[T])


TIES = np.array([[1.0, 3.0, 3.0, -2.0], [2.0, 2.0, -2.0, -2.0], [5.0, 5.0, 5.0, 5.0]])


@pytest.mark.parametrize("dtype", [F32, F64, I64])
def test_ties_give_first_index(dtype):
    x = make(TIES, dtype)
    assert x.argmax(1).tolist() == [1, 0, 0]
    assert x.argmin(1).tolist() == [3, 2, 0]
    assert x.argmax(0).tolist() == [2, 2, 2, 2]
    assert x.argmin(0).tolist() == [0, 1, 1, 0]
    assert x.argmax().item() == 8  # first 5 in row-major order
    assert x.argmin().item() == 3
    assert x.max(1).indices.tolist() == [1, 0, 0]
    assert x.min(1).indices.tolist() == [3, 2, 0]
    assert torch.max(x, 0).indices.tolist() == [2, 2, 2, 2]


def test_max_with_dim_gradient_goes_to_first_tie():
    x = make(TIES, F64, requires_grad=True)
    x.max(1).values.sum().backward()
    assert x.grad.tolist() == [[0, 1, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]]
    x.grad = None
    x.min(dim=1, keepdim=True).values.sum().backward()
    assert x.grad.tolist() == [[0, 0, 0, 1], [0, 0, 1, 0], [1, 0, 0, 0]]


def test_arg_reductions_of_int64():
    assert_matches(torch.tensor([3, 7, 7]).argmax(), np.array(1), I64)
    assert_matches(torch.tensor([[4, -1], [0, 7]]).argmin(1), np.array([1, 0]), I64)


# ---------------------------------------------------------------------------------------------
# max/min with a dim return named (values, indices) tuples
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fn", "is_max", "dim", "keep"),
    [
        (lambda x: x.max(1), True, 1, False),
        (lambda x: torch.max(x, 1), True, 1, False),
        (lambda x: torch.max(x, dim=0, keepdim=True), True, 0, True),
        (lambda x: x.max(dim=-1), True, -1, False),
        (lambda x: x.min(0), False, 0, False),
        (lambda x: torch.min(x, 1), False, 1, False),
        (lambda x: torch.min(x, dim=-1, keepdim=True), False, -1, True),
    ],
    ids=[
        "max(1)",
        "torch.max(x,1)",
        "torch.max-keepdim",
        "max(dim=-1)",
        "min(0)",
        "torch.min(x,1)",
        "torch.min-keepdim",
    ],
)
def test_max_min_named_tuple(fn, is_max, dim, keep):
    a = sample([(3, 4)], seed=5)[0]
    res = fn(make(a, F32))
    np_val = (np.max if is_max else np.min)(a, axis=dim, keepdims=keep)
    np_idx = (np.argmax if is_max else np.argmin)(a, axis=dim, keepdims=keep)
    assert isinstance(res, tuple) and len(res) == 2
    assert_matches(res.values, np_val, F32)
    assert_matches(res.indices, np_idx, I64)
    values, indices = res
    assert_matches(values, np_val, F32)
    assert_matches(indices, np_idx, I64)
    assert_matches(res[0], np_val, F32)
    assert_matches(res[1], np_idx, I64)


# ---------------------------------------------------------------------------------------------
# Numerical stability: logsumexp, softmax, log_softmax
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [F32, F64])
def test_logsumexp_is_stable(dtype):
    x = torch.tensor([[1000.0, 1000.0], [-1000.0, -1000.0], [1000.0, 0.0]], dtype=dtype)
    out = x.logsumexp(1)
    np.testing.assert_allclose(
        out.numpy(), [1000 + math.log(2), -1000 + math.log(2), 1000.0], rtol=1e-6
    )
    assert out.dtype == dtype
    ninf = torch.tensor([-INF, -INF], dtype=dtype).logsumexp(0)
    assert ninf.item() == -INF
    xg = torch.tensor([1000.0, 1000.0, -1000.0], dtype=dtype, requires_grad=True)
    xg.logsumexp(0).backward()
    # exp(x - logsumexp) with the result rounded to dtype: float32 is off by ~1e-5 here
    np.testing.assert_allclose(xg.grad.numpy(), [0.5, 0.5, 0.0], atol=1e-4)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_softmax_is_stable(dtype):
    x = torch.tensor(
        [[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -1000.0], [1000.0, 0.0, -1000.0]], dtype=dtype
    )
    ref = np_softmax(np.array(x.tolist()), 1)
    s = x.softmax(1)
    assert s.dtype == dtype
    np.testing.assert_allclose(s.numpy(), ref, rtol=1e-5, atol=1e-30)
    np.testing.assert_allclose(s.numpy().sum(1), np.ones(3), rtol=1e-6)
    ls = torch.log_softmax(x, 1)
    np.testing.assert_allclose(ls.numpy(), np_log_softmax(np.array(x.tolist()), 1), rtol=1e-5)
    assert np.isfinite(ls.numpy()).all()
    assert ls.numpy()[2].tolist() == [0.0, -1000.0, -2000.0]


@pytest.mark.parametrize("dtype", [F32, F64])
def test_softmax_gradients_at_large_inputs_are_finite(dtype):
    x = torch.tensor(
        [[1000.0, 0.0, -1000.0], [500.0, 500.0, 500.0]], dtype=dtype, requires_grad=True
    )
    w = torch.tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], dtype=dtype)
    (gs,) = torch.autograd.grad((x.softmax(1) * w).sum(), x)
    (gl,) = torch.autograd.grad((x.log_softmax(1) * w).sum(), x)
    assert np.isfinite(gs.numpy()).all() and np.isfinite(gl.numpy()).all()
    # softmax row 0 is (1, 0, 0): its gradient vanishes; row 1 is uniform: (w - mean(w)) / 3
    np.testing.assert_allclose(gs.numpy(), [[0, 0, 0], [-1 / 3, 0, 1 / 3]], atol=1e-6)
    # log_softmax: w - softmax * sum(w)
    np.testing.assert_allclose(gl.numpy(), [[-5, 2, 3], [-1, 0, 1]], atol=1e-5)


def test_softmax_rows_sum_to_one():
    a = sample([(5, 7)], -30, 30, seed=3)[0]
    for dtype in (F32, F64):
        s = make(a, dtype).softmax(-1)
        np.testing.assert_allclose(s.sum(-1).numpy(), np.ones(5), rtol=1e-6)
        c = torch.nn.functional.softmax(make(a, dtype), dim=0)
        np.testing.assert_allclose(c.sum(0).numpy(), np.ones(7), rtol=1e-6)
        ls = torch.nn.functional.log_softmax(make(a, dtype), dim=1)
        np.testing.assert_allclose(ls.exp().sum(1).numpy(), np.ones(5), rtol=1e-5)


def test_softmax_dtype_argument():
    x = torch.tensor([[1.0, 2.0, 3.0]])
    for out in (
        x.softmax(1, dtype=F64),
        torch.softmax(x, 1, dtype=F64),
        torch.nn.functional.log_softmax(x, dim=1, dtype=F64),
    ):
        assert out.dtype == F64


# ---------------------------------------------------------------------------------------------
# cumsum
# ---------------------------------------------------------------------------------------------
def test_cumsum_gradient_is_reversed_cumsum():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=F64, requires_grad=True)
    w = torch.tensor([1.0, 10.0, 100.0, 1000.0], dtype=F64)
    (x.cumsum(0) * w).sum().backward()
    assert x.grad.tolist() == [1111.0, 1110.0, 1100.0, 1000.0]


def test_cumsum_int_and_bool_give_int64():
    assert_matches(torch.tensor([[1, 2], [3, 4]]).cumsum(0), np.array([[1, 2], [4, 6]]), I64)
    assert_matches(torch.tensor([True, False, True]).cumsum(0), np.array([1, 1, 2]), I64)


# ---------------------------------------------------------------------------------------------
# dtypes and errors
# ---------------------------------------------------------------------------------------------
DTYPES = {
    "prod(i64)": (lambda: torch.tensor([[1, 2], [3, 4]]).prod(), I64, 24),
    "prod(i64,1)": (lambda: torch.tensor([[1, 2], [3, 4]]).prod(1), I64, [2, 12]),
    "prod(bool)": (lambda: torch.tensor([True, True]).prod(), I64, 1),
    "argmax(f32)": (lambda: torch.tensor([1.0, 3.0]).argmax(), I64, 1),
    "logsumexp(i64)": (lambda: torch.tensor([0, 0]).logsumexp(0), F32, math.log(2)),
    "max(i64,0).values": (lambda: torch.tensor([[1, 5], [4, 2]]).max(0).values, I64, [4, 5]),
    "var(f64)": (lambda: torch.tensor([1.0, 3.0], dtype=F64).var(), F64, 2.0),
    "std(f32)": (lambda: torch.tensor([1.0, 3.0]).std(correction=0), F32, 1.0),
    "norm(f64)": (lambda: torch.tensor([3.0, 4.0], dtype=F64).norm(), F64, 5.0),
    "softmax(f64)": (lambda: torch.tensor([0.0, 0.0], dtype=F64).softmax(0), F64, [0.5, 0.5]),
    "cumsum(f64)": (lambda: torch.tensor([0.5, 0.25], dtype=F64).cumsum(0), F64, [0.5, 0.75]),
}


@pytest.mark.parametrize("case", DTYPES)
def test_dtypes(case):
    fn, dtype, values = DTYPES[case]
    assert_matches(fn(), np.asarray(values), dtype)


def test_var_with_too_few_degrees_of_freedom_warns_and_gives_nan():
    with pytest.warns(UserWarning, match=re.escape("var(): degrees of freedom is <= 0")):
        v = torch.tensor([1.0]).var()
    assert math.isnan(v.item())
    with pytest.warns(UserWarning, match=re.escape("std(): degrees of freedom is <= 0")):
        s = torch.tensor([[1.0, 2.0]]).std(0)
    assert np.isnan(s.numpy()).all()
    # correction=0 is fine on one element
    assert torch.tensor([1.0]).var(correction=0).item() == 0.0


ERRORS = {
    "var(i64)": (
        lambda: torch.tensor([1, 2]).var(),
        RuntimeError,
        "std and var only support floating point and complex dtypes",
    ),
    "std(i64)": (
        lambda: torch.tensor([1, 2]).std(0),
        RuntimeError,
        "std and var only support floating point and complex dtypes",
    ),
    "norm(i64)": (
        lambda: torch.tensor([1, 2]).norm(),
        RuntimeError,
        "Expected a floating point or complex tensor as input. Got Long",
    ),
    "argmax(empty)": (
        lambda: torch.zeros(0).argmax(),
        IndexError,
        "argmax(): Expected reduction dim to be specified for input.numel() == 0.",
    ),
    "argmin(empty,1)": (
        lambda: torch.zeros(2, 0).argmin(1),
        IndexError,
        "argmin(): Expected reduction dim 1 to have non-zero size.",
    ),
    "cumsum(dim)": (
        lambda: torch.zeros(2, 3).cumsum(2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    "softmax(dim)": (
        lambda: torch.zeros(2, 3).softmax(-3),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got -3)",
    ),
    "prod(dim)": (
        lambda: torch.zeros(2, 3).prod(2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
}


@pytest.mark.parametrize("case", ERRORS)
def test_errors(case):
    fn, exc, msg = ERRORS[case]
    with pytest.raises(exc, match=re.escape(msg)):
        fn()


# ---------------------------------------------------------------------------------------------
# grad_fn names
# ---------------------------------------------------------------------------------------------
GRAD_FN = {
    "prod()": (lambda m: m.prod(), "ProdBackward0"),
    "prod(1)": (lambda m: m.prod(1), "ProdBackward1"),
    "var()": (lambda m: m.var(), "VarBackward0"),
    "var(1)": (lambda m: m.var(1), "VarBackward0"),
    "std()": (lambda m: m.std(), "StdBackward0"),
    "std(0,correction=0)": (lambda m: m.std(0, correction=0), "StdBackward0"),
    "logsumexp": (lambda m: m.logsumexp(1), "LogsumexpBackward0"),
    "softmax": (lambda m: m.softmax(1), "SoftmaxBackward0"),
    "torch.softmax": (lambda m: torch.softmax(m, 0), "SoftmaxBackward0"),
    "F.softmax": (lambda m: torch.nn.functional.softmax(m, dim=1), "SoftmaxBackward0"),
    "log_softmax": (lambda m: m.log_softmax(1), "LogSoftmaxBackward0"),
    "F.log_softmax": (lambda m: torch.nn.functional.log_softmax(m, dim=1), "LogSoftmaxBackward0"),
    "cumsum": (lambda m: m.cumsum(0), "CumsumBackward0"),
    "norm()": (lambda m: m.norm(), "LinalgVectorNormBackward0"),
    "norm(p=1)": (lambda m: m.norm(p=1), "LinalgVectorNormBackward0"),
    "norm(inf,dim=1)": (lambda m: m.norm(INF, dim=1), "LinalgVectorNormBackward0"),
    "max(1).values": (lambda m: m.max(1).values, "MaxBackward0"),
    "min(1).values": (lambda m: m.min(1)[0], "MinBackward0"),
}


@pytest.mark.parametrize("case", GRAD_FN)
def test_grad_fn_names(case):
    fn, name = GRAD_FN[case]
    m = torch.tensor([[1.0, 2.0, 3.0], [4.0, 6.0, 5.0]], requires_grad=True)
    y = fn(m * 1)
    assert y.requires_grad and not y.is_leaf
    assert type(y.grad_fn).__name__ == name
    assert y.grad_fn.name() == name


def test_argmax_and_indices_do_not_require_grad():
    m = torch.tensor([[1.0, 2.0, 3.0], [4.0, 6.0, 5.0]], requires_grad=True)
    assert not m.argmax(1).requires_grad and m.argmax(1).grad_fn is None
    assert not m.max(1).indices.requires_grad
    assert m.max(1).values.requires_grad


def _chunked_sum_f32(row: np.ndarray) -> float:
    """fastgrad's float32 contiguous sum, written out: 64 float32 lanes over each 1024-element
    chunk (lane l adds elements l, l + 64, ... in order; the last chunk may be partial, its
    missing elements zeros), the lanes folded in halves, chunk totals added in double, in
    order. Returns that double total (a sum rounds it to float32 once, a mean divides first)."""
    total = 0.0
    for c in range(0, row.size, 1024):
        chunk = np.zeros(1024, np.float32)
        part = row[c : c + 1024]
        chunk[: part.size] = part
        lanes = np.zeros(64, np.float32)
        for step in chunk[: -(-part.size // 64) * 64].reshape(-1, 64):
            lanes = lanes + step  # float32, one rounding per lane per step
        for w in (32, 16, 8, 4, 2, 1):
            lanes[:w] = lanes[:w] + lanes[w : 2 * w]
        total += float(lanes[0])
    return total


def _row_sums_f32(rows: np.ndarray, mean: bool) -> np.ndarray:
    return np.array(
        [np.float32(_chunked_sum_f32(r) / (r.size if mean else 1)) for r in rows], np.float32
    )


@pytest.fixture(params=["scalar", _C._vector_isa()] if _C._vector_isa() != "scalar" else ["scalar"])
def vector_level(request):
    """Runs the test with the portable sum kernels and with the vector ones this CPU has."""
    previous = _C._set_vector_isa(request.param)
    yield request.param
    _C._set_vector_isa(previous)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize(
    "length",
    [1, 2, 3, 8, 9, 10, 16, 17, 33, 63, 64, 65, 256, 784, 1023, 1024, 1031, 4096, 5000],
)
def test_float32_row_sums_follow_the_documented_order_exactly(length, threads, vector_level):
    # Rows shorter than a lane step, partial chunks, whole chunks, chunks and a partial one:
    # every row must give the order's exact float32 result (the AVX2 chunk and the portable
    # loop add alike), as a sum and as a mean, however the rows are split between threads.
    # Some rows are all -0.0 (lanes start at +0.0: the sum is +0.0) and some hold an inf.
    rng = np.random.default_rng(length)
    a = (rng.standard_normal((4099 // length + 21, length)) * 1000).astype(np.float32)
    a[3] = -0.0
    a[5, length // 2] = np.inf
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        for mean in (False, True):
            got = (torch.from_numpy(a).mean(1) if mean else torch.from_numpy(a).sum(1)).numpy()
            want = _row_sums_f32(a, mean)
            np.testing.assert_array_equal(got.view(np.int32), want.view(np.int32))
    finally:
        torch.set_num_threads(previous)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("length", [1000, 16384, 16385, 100_000, 3 * 16384 + 1025])
def test_float32_whole_sums_follow_the_documented_order_exactly(length, threads, vector_level):
    # sum() and mean() of a whole tensor: 16K-element blocks, each summed as a row is (chunk
    # totals added in double, in order), the block totals added in double in block order,
    # whatever the thread count.
    rng = np.random.default_rng(length)
    a = (rng.standard_normal(length) * 1000).astype(np.float32)
    total = 0.0
    for b in range(0, length, 16384):
        total += _chunked_sum_f32(a[b : b + 16384])
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        t = torch.from_numpy(a.reshape(-1, 5) if length % 5 == 0 else a)
        for got, want in ((t.sum(), np.float32(total)), (t.mean(), np.float32(total / length))):
            assert got.numpy().view(np.int32) == want.view(np.int32)
    finally:
        torch.set_num_threads(previous)


@pytest.mark.parametrize(
    "shape, dim",
    [
        ((4, 5, 10), -1),  # kept dims 4 and 5 merge: 20 rows of 10
        ((3, 1, 7, 33), 3),  # a kept dim of 1 drops out
        ((2, 6, 1, 17), (2, 3)),  # a reduced dim of 1 as well
    ],
)
def test_sums_over_the_last_dim_of_a_batch_are_row_sums(shape, dim):
    # Kept dims that form one run are merged into rows; the result must be what summing the
    # rows of the reshaped matrix gives, and a non-contiguous view (kept dims not one run)
    # must agree with it too.
    rng = np.random.default_rng(len(shape))
    a = (rng.standard_normal(shape) * 1000).astype(np.float32)
    t = torch.from_numpy(a)
    rows = a.reshape(-1, shape[-1])
    for mean in (False, True):
        got = (t.mean(dim) if mean else t.sum(dim)).numpy()
        want = _row_sums_f32(rows, mean).reshape(got.shape)
        np.testing.assert_array_equal(got.view(np.int32), want.view(np.int32))
    strided = torch.from_numpy(np.ascontiguousarray(np.swapaxes(a, 0, 1))).transpose(0, 1)
    np.testing.assert_array_equal(strided.sum(dim).numpy(), t.sum(dim).numpy())


def _sum_over_leading_dims(a: np.ndarray, n_reduced: int, mean: bool) -> np.ndarray:
    """fastgrad's sum over leading dims of a contiguous tensor, written out: each output adds
    its elements in double, one reduced row after another (row-major order of the reduced
    dims); a mean divides that double by the count; then one rounding to the dtype."""
    rows = a.reshape(-1, *a.shape[n_reduced:])
    acc = np.zeros(rows.shape[1:], np.float64)
    for r in rows:
        acc = acc + r.astype(np.float64)
    if mean:
        acc = acc / rows.shape[0]
    return acc.astype(a.dtype)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "shape, dims",
    [
        ((1, 33), (0,)),
        ((7, 15), (0,)),  # fewer rows than a pass of eight, columns below a strip of 16
        ((8, 16), (0,)),
        ((9, 17), (0,)),
        ((20, 100), (0,)),
        ((37, 4100), (0,)),  # wider than one block of outputs
        ((3, 5, 40), (0, 1)),  # two reduced dims, one run each
        ((6, 4, 3, 24), (0,)),  # several kept dims
    ],
)
def test_sums_over_leading_dims_follow_the_documented_order_exactly(
    shape, dims, dtype, threads, vector_level
):
    # Summing over leading dims adds eight rows per pass on AVX2 machines; every output must
    # still see the row-at-a-time additions, whatever the block and thread split. (float32
    # inputs add up exactly in double at these sizes, so only float64 would see another order;
    # reversing the rows of a pass fails the float64 cases.)
    rng = np.random.default_rng(sum(shape))
    a = (rng.standard_normal(shape) * 1000).astype(dtype)
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        t = torch.from_numpy(a)
        for mean in (False, True):
            got = (t.mean(dims) if mean else t.sum(dims)).numpy()
            want = _sum_over_leading_dims(a, len(dims), mean)
            view = np.int32 if dtype == np.float32 else np.int64
            np.testing.assert_array_equal(got.view(view), want.view(view))
    finally:
        torch.set_num_threads(previous)
