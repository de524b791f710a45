"""Reductions (sum, mean, max, min) and matmul: values vs NumPy, gradients vs finite differences.

Expectations (dtypes, empty-input results, error types and messages) were validated against PyTorch.
"""

import numpy as np
import pytest
from op_helpers import F32, F64, I64, T, assert_matches, check_op, expand, make, sample

import fastgrad as torch

# ---------------------------------------------------------------------------------------------
# Reductions over all elements: name -> (forms, numpy oracle)
# ---------------------------------------------------------------------------------------------
REDUCE_ALL = {
    "sum": ([torch.sum, lambda x: x.sum()], np.sum),
    "mean": ([torch.mean, lambda x: x.mean()], np.mean),
    "max": ([torch.max, lambda x: x.max()], np.max),
    "min": ([torch.min, lambda x: x.min()], np.min),
}
REDUCE_ALL_FORMS = [(n, i) for n in REDUCE_ALL for i in range(2)]

LAYOUTS = {
    "0dim": ((), None),
    "transposed": ((4, 3), T),
    # Rows of the expanded view tie; the leaf's gradient is still well defined.
    "expanded": ((3, 1), expand(3, 4)),
}


@pytest.mark.parametrize(
    ("name", "form"), REDUCE_ALL_FORMS, ids=[f"{n}-{i}" for n, i in REDUCE_ALL_FORMS]
)
def test_reduce_all_forms(name, form):
    forms, np_fn = REDUCE_ALL[name]
    check_op(forms[form], np_fn, [(2, 3, 4)])


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", REDUCE_ALL)
def test_reduce_all_layouts(name, layout):
    forms, np_fn = REDUCE_ALL[name]
    shape, view = LAYOUTS[layout]
    check_op(forms[0], np_fn, [shape], views=[view])


# ---------------------------------------------------------------------------------------------
# Reductions over dims, on a (2, 3, 4) input unless a case says otherwise: one line per case.
# ---------------------------------------------------------------------------------------------
def np_max(a, axis, keepdims=False):
    return np.max(a, axis=axis, keepdims=keepdims)


def np_min(a, axis, keepdims=False):
    return np.min(a, axis=axis, keepdims=keepdims)


REDUCE_DIM = {
    "sum(1)": (lambda x: x.sum(1), lambda a: a.sum(1)),
    "sum(-1)": (lambda x: x.sum(-1), lambda a: a.sum(-1)),
    "sum(dim=0,keepdim)": (lambda x: x.sum(dim=0, keepdim=True), lambda a: a.sum(0, keepdims=True)),
    "sum(-2,keepdim)": (lambda x: x.sum(-2, keepdim=True), lambda a: a.sum(-2, keepdims=True)),
    "sum((0,2))": (lambda x: x.sum((0, 2)), lambda a: a.sum((0, 2))),
    "sum((-1,0),keepdim)": (
        lambda x: x.sum(dim=(-1, 0), keepdim=True),
        lambda a: a.sum((-1, 0), keepdims=True),
    ),
    "torch.sum(x,dim=2)": (lambda x: torch.sum(x, dim=2), lambda a: a.sum(2)),
    "torch.sum(x,(0,1,2))": (lambda x: torch.sum(x, (0, 1, 2)), lambda a: a.sum((0, 1, 2))),
    "mean(0)": (lambda x: x.mean(0), lambda a: a.mean(0)),
    "mean(-1,keepdim)": (lambda x: x.mean(-1, keepdim=True), lambda a: a.mean(-1, keepdims=True)),
    "mean((1,2))": (lambda x: x.mean(dim=(1, 2)), lambda a: a.mean((1, 2))),
    "mean((0,-1),keepdim)": (
        lambda x: x.mean((0, -1), keepdim=True),
        lambda a: a.mean((0, -1), keepdims=True),
    ),
    "torch.mean(x,1)": (lambda x: torch.mean(x, 1), lambda a: a.mean(1)),
    "max(1).values": (lambda x: x.max(1).values, lambda a: np_max(a, 1)),
    "max(dim=-1,keepdim)[0]": (
        lambda x: x.max(dim=-1, keepdim=True)[0],
        lambda a: np_max(a, -1, True),
    ),
    "torch.max(x,0).values": (lambda x: torch.max(x, 0).values, lambda a: np_max(a, 0)),
    "torch.max(x,dim=2,keepdim)": (
        lambda x: torch.max(x, dim=2, keepdim=True).values,
        lambda a: np_max(a, 2, True),
    ),
    "min(0).values": (lambda x: x.min(0).values, lambda a: np_min(a, 0)),
    "min(dim=-2,keepdim)[0]": (
        lambda x: x.min(dim=-2, keepdim=True)[0],
        lambda a: np_min(a, -2, True),
    ),
    "torch.min(x,dim=1).values": (lambda x: torch.min(x, dim=1).values, lambda a: np_min(a, 1)),
    # Non-contiguous inputs reduced along a dim.
    "t().sum(0)": (lambda x: x.sum(0), lambda a: a.sum(0), (4, 3), T),
    "t().max(1)": (lambda x: x.max(1).values, lambda a: np_max(a, 1), (4, 3), T),
    "expand.mean(0)": (lambda x: x.mean(0), lambda a: a.mean(0), (1, 4), expand(3, 4)),
    "expand.min(1)": (lambda x: x.min(1).values, lambda a: np_min(a, 1), (3, 1), expand(3, 4)),
    # 1-D and 0-dim inputs: dim 0 / -1 is the only dim.
    "1d.sum(0)": (lambda x: x.sum(0), lambda a: a.sum(0), (5,), None),
    "1d.max(-1)": (lambda x: x.max(-1).values, lambda a: np_max(a, -1), (5,), None),
    # Empty inputs: reducing the zero-size dim gives zeros, keeping it gives an empty result.
    "empty.sum(1)": (lambda x: x.sum(1), lambda a: a.sum(1), (2, 0), None),
    "empty.sum(0)": (lambda x: x.sum(0), lambda a: a.sum(0), (2, 0), None),
    "empty.mean(0)": (lambda x: x.mean(0), lambda a: np.zeros((0,)), (2, 0), None),
    "empty.max(0)": (lambda x: x.max(0).values, lambda a: np.zeros((0,)), (2, 0), None),
}


@pytest.mark.parametrize("case", REDUCE_DIM)
def test_reduce_dim(case):
    fn, np_fn, *layout = REDUCE_DIM[case]
    shape, view = layout or ((2, 3, 4), None)
    check_op(fn, np_fn, [shape], views=[view])


@pytest.mark.parametrize(
    ("fn", "np_arg"),
    [
        (lambda x: x.max(1), np.argmax),
        (lambda x: torch.max(x, dim=-1, keepdim=True), np.argmax),
        (lambda x: x.min(dim=1), np.argmin),
        (lambda x: torch.min(x, -1, keepdim=True), np.argmin),
    ],
    ids=["max", "torch.max-keepdim", "min", "torch.min-keepdim"],
)
def test_max_min_dim_returns_values_and_indices(fn, np_arg):
    a = sample([(3, 4)])[0]
    res = fn(make(a, F32))
    values, indices = res  # unpacks like a tuple
    keep = values.dim() == 2
    idx = np_arg(a, axis=1)
    idx = idx[:, None] if keep else idx
    assert_matches(res.indices, idx, I64)
    assert_matches(indices, idx, I64)
    assert_matches(res.values, np.take_along_axis(a, idx.reshape(3, 1), 1).reshape(idx.shape), F32)
    assert_matches(res[0], values.detach().numpy(), F32)


def test_max_dim_grad_goes_to_argmax():
    x = torch.tensor([[1.0, 7.0, 3.0], [9.0, 2.0, 4.0]], dtype=F64, requires_grad=True)
    x.max(1).values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    assert x.max(1).indices.tolist() == [1, 0]


def test_reduce_grads_closed_form():
    x = torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], dtype=F64, requires_grad=True)
    (g_sum,) = torch.autograd.grad(x.sum(), (x,))
    (g_mean,) = torch.autograd.grad(x.mean(), (x,))
    (g_max,) = torch.autograd.grad(x.max(), (x,))
    (g_min,) = torch.autograd.grad(x.min(), (x,))
    (g_mean1,) = torch.autograd.grad(x.mean(1).sum(), (x,))
    np.testing.assert_array_equal(g_sum.numpy(), np.ones((2, 3)))
    np.testing.assert_allclose(g_mean.numpy(), np.full((2, 3), 1 / 6), rtol=1e-15)
    np.testing.assert_allclose(g_mean1.numpy(), np.full((2, 3), 1 / 3), rtol=1e-15)
    np.testing.assert_array_equal(g_max.numpy(), [[0, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(g_min.numpy(), [[0, 0, 0], [0, 0, 1]])


# ---------------------------------------------------------------------------------------------
# Reduction dtypes, empty inputs and errors
# ---------------------------------------------------------------------------------------------
def test_integer_and_bool_reductions_keep_int64():
    x = torch.tensor([[1, -2, 3], [4, 5, -6]])
    assert_matches(x.sum(), np.array(5), I64)
    assert_matches(torch.sum(x, 0), np.array([5, 3, -3]), I64)
    assert_matches(x.sum(1, keepdim=True), np.array([[2], [3]]), I64)
    assert_matches(x.max(), np.array(5), I64)
    assert_matches(x.min(1).values, np.array([-2, -6]), I64)
    assert_matches(torch.tensor([True, True, False]).sum(), np.array(2), I64)
    assert_matches(torch.zeros(0, dtype=I64).sum(), np.array(0), I64)


@pytest.mark.parametrize("fn", [lambda x: x.mean(), lambda x: torch.mean(x, 0)], ids=["all", "dim"])
def test_mean_of_int64_raises(fn):
    # PyTorch cannot infer a float output dtype for mean of an integer tensor.
    with pytest.raises(RuntimeError, match=r"mean.*floating point"):
        fn(torch.tensor([1, 2, 3]))


@pytest.mark.parametrize("dtype", [F32, F64])
def test_empty_reductions(dtype):
    x = torch.zeros(0, dtype=dtype)
    assert_matches(x.sum(), np.array(0.0), dtype)
    # mean of nothing is 0/0.
    assert np.isnan(x.mean().item()) and x.mean().dtype == dtype
    y = torch.zeros(2, 0, dtype=dtype)
    assert np.isnan(y.mean(1).numpy()).all() and tuple(y.mean(1).shape) == (2,)
    assert_matches(y.sum((0, 1)), np.array(0.0), dtype)


def test_empty_sum_backward():
    x = torch.tensor([[], []], dtype=F64, requires_grad=True)
    x.sum().backward()
    assert tuple(x.grad.shape) == (2, 0)
    y = torch.tensor([[], []], dtype=F64, requires_grad=True)
    y.sum(1).sum().backward()
    assert tuple(y.grad.shape) == (2, 0)


@pytest.mark.parametrize("fn", [torch.max, torch.min], ids=["max", "min"])
def test_max_min_of_empty_raise(fn):
    # There is no identity for max/min over zero elements.
    with pytest.raises(RuntimeError):
        fn(torch.zeros(0))
    with pytest.raises(IndexError):  # PyTorch raises IndexError for a zero-size reduced dim
        fn(torch.zeros(2, 0), 1)


# ---------------------------------------------------------------------------------------------
# matmul: case -> (leaf shapes, views); forms: @, torch.matmul, .matmul
# ---------------------------------------------------------------------------------------------
MATMUL = {
    "1d@1d": (((4,), (4,)), None),
    "2d@1d": (((3, 4), (4,)), None),
    "1d@2d": (((4,), (4, 2)), None),
    "2d@2d": (((3, 4), (4, 2)), None),
    "1x1@1x1": (((1, 1), (1, 1)), None),
    "3d@3d": (((2, 3, 4), (2, 4, 5)), None),
    "3d@2d": (((2, 3, 4), (4, 5)), None),
    "2d@3d": (((3, 4), (2, 4, 5)), None),
    "3d@1d": (((2, 3, 4), (4,)), None),
    "1d@3d": (((4,), (2, 4, 5)), None),
    "bcast_4d@3d": (((2, 1, 3, 4), (5, 4, 2)), None),
    "bcast_3d@4d": (((5, 3, 4), (2, 1, 4, 2)), None),
    "t@2d": (((4, 3), (4, 2)), (T, None)),
    "2d@t": (((3, 4), (2, 4)), (None, T)),
    "t@t": (((4, 3), (2, 4)), (T, T)),
    "expand@2d": (((1, 4), (4, 2)), (expand(3, 4), None)),
    "empty_k": (((3, 0), (0, 2)), None),  # zero-size contraction gives zeros
    "empty_m": (((0, 4), (4, 2)), None),
    "empty_batch": (((0, 3, 4), (4, 2)), None),
}
# The @ operator is covered by test_matmul_shapes.
MATMUL_FORMS = {
    "torch.matmul": torch.matmul,
    "method": lambda a, b: a.matmul(b),
}
# float32 accumulation over K terms of size ~4: absolute error a few ulps of the partial sums.
MM_ATOL = 1e-5


@pytest.mark.parametrize("case", MATMUL)
def test_matmul_shapes(case):
    shapes, views = MATMUL[case]
    check_op(lambda a, b: a @ b, np.matmul, shapes, views=views, atol=MM_ATOL)


@pytest.mark.parametrize("form", MATMUL_FORMS)
@pytest.mark.parametrize("case", ["1d@1d", "2d@2d", "bcast_4d@3d"])
def test_matmul_forms(case, form):
    shapes, views = MATMUL[case]
    check_op(MATMUL_FORMS[form], np.matmul, shapes, views=views, atol=MM_ATOL)


@pytest.mark.parametrize("form", [torch.mm, lambda a, b: a.mm(b)], ids=["torch.mm", "method"])
@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((1, 5), (5, 1)), ((2, 0), (0, 3))])
def test_mm(shapes, form):
    check_op(form, np.matmul, shapes, atol=MM_ATOL)


def test_matmul_grad_closed_form():
    a, b = (make(v, F64, requires_grad=True) for v in sample([(3, 4), (4, 2)], seed=3))
    ga, gb = torch.autograd.grad((a @ b).sum(), (a, b))
    av, bv = a.detach().numpy(), b.detach().numpy()
    np.testing.assert_allclose(ga.numpy(), np.ones((3, 2)) @ bv.T, rtol=1e-12)
    np.testing.assert_allclose(gb.numpy(), av.T @ np.ones((3, 2)), rtol=1e-12)


def test_matmul_promotes_like_binary_ops():
    a = torch.tensor([[1.0, 2.0]], dtype=F32)
    b = torch.tensor([[3.0], [4.0]], dtype=F32)
    assert_matches(a @ b, np.array([[11.0]]), F32)
    assert_matches(a.double() @ b.double(), np.array([[11.0]]), F64)
    assert_matches(torch.tensor([[1, 2]]) @ torch.tensor([[3], [4]]), np.array([[11]]), I64)


# PyTorch's messages differ per rank; only the 2-D ones share the phrase we match.
MATMUL_ERRORS = [
    (lambda: torch.ones(2, 3) @ torch.ones(4, 5), "cannot be multiplied"),
    (lambda: torch.matmul(torch.ones(3), torch.ones(4, 2)), "cannot be multiplied"),
    (lambda: torch.mm(torch.ones(2, 3), torch.ones(4, 5)), "cannot be multiplied"),
    (lambda: torch.ones(3) @ torch.ones(4), None),
    (lambda: torch.ones(2, 3) @ torch.ones(4), None),
    (lambda: torch.ones(2, 3, 4) @ torch.ones(2, 5, 2), None),
    (lambda: torch.ones(2, 2, 3) @ torch.ones(3, 3, 2), None),  # batch dims do not broadcast
]


@pytest.mark.parametrize(
    ("fn", "match"),
    MATMUL_ERRORS,
    ids=["2d@2d", "1d@2d", "mm", "1d@1d", "2d@1d", "3d@3d-inner", "3d@3d-batch"],
)
def test_matmul_shape_mismatch_raises(fn, match):
    with pytest.raises(RuntimeError, match=match):
        fn()
