"""Elementwise ops: unary, binary with broadcasting, comparisons, scalars and type promotion.

Forward values are checked against NumPy, gradients against float64 finite differences
(see op_helpers.check_op). Expectations were validated against PyTorch.
"""

import operator

import numpy as np
import pytest
from op_helpers import BOOL, F32, F64, I64, T, assert_matches, check_op, expand, make, sample

import fastgrad as torch


def np_sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


# ---------------------------------------------------------------------------------------------
# Unary ops: name -> (forms: function / method / operator, numpy oracle, low, high, kinks)
# ---------------------------------------------------------------------------------------------
UNARY = {
    "neg": ([torch.neg, lambda x: x.neg(), operator.neg], np.negative, -2, 2, ()),
    "exp": ([torch.exp, lambda x: x.exp()], np.exp, -2, 2, ()),
    "log": ([torch.log, lambda x: x.log()], np.log, 0.1, 3, ()),  # positive: log's domain
    "sin": ([torch.sin, lambda x: x.sin()], np.sin, -3, 3, ()),
    "cos": ([torch.cos, lambda x: x.cos()], np.cos, -3, 3, ()),
    "tanh": ([torch.tanh, lambda x: x.tanh()], np.tanh, -2, 2, ()),
    "sigmoid": ([torch.sigmoid, lambda x: x.sigmoid()], np_sigmoid, -4, 4, ()),
    "relu": ([torch.relu, lambda x: x.relu()], lambda a: np.maximum(a, 0.0), -2, 2, (0,)),
    "sqrt": ([torch.sqrt, lambda x: x.sqrt()], np.sqrt, 0.1, 3, ()),  # away from sqrt'(0) = inf
    "abs": ([torch.abs, lambda x: x.abs(), abs], np.abs, -2, 2, (0,)),
    "clamp": (
        [
            lambda x: torch.clamp(x, -0.5, 0.8),
            lambda x: x.clamp(-0.5, 0.8),
            lambda x: torch.clamp(x, min=-0.5, max=0.8),
            lambda x: x.clamp(min=-0.5, max=0.8),
        ],
        lambda a: np.clip(a, -0.5, 0.8),
        -2,
        2,
        (-0.5, 0.8),
    ),
    "clamp_min": (
        [lambda x: torch.clamp(x, min=-0.5), lambda x: x.clamp(min=-0.5)],
        lambda a: np.maximum(a, -0.5),
        -2,
        2,
        (-0.5,),
    ),
    "clamp_max": (
        [lambda x: torch.clamp(x, max=0.8), lambda x: x.clamp(max=0.8)],
        lambda a: np.minimum(a, 0.8),
        -2,
        2,
        (0.8,),
    ),
}

UNARY_FORMS = [(name, i) for name, spec in UNARY.items() for i in range(len(spec[0]))]

# Layouts: (leaf shape, view applied before the op).
LAYOUTS_1 = {
    "0dim": ((), None),
    "empty0": ((0,), None),
    "empty2x0": ((2, 0), None),
    "transposed": ((4, 3), T),
    "expanded": ((3, 1), expand(3, 4)),
}


@pytest.mark.parametrize(("name", "form"), UNARY_FORMS, ids=[f"{n}-{i}" for n, i in UNARY_FORMS])
def test_unary_forms(name, form):
    forms, np_fn, low, high, avoid = UNARY[name]
    check_op(forms[form], np_fn, [(2, 3)], low, high, avoid=avoid)


# clamp_min/clamp_max share clamp's kernel path; their forms above are enough.
@pytest.mark.parametrize("layout", LAYOUTS_1)
@pytest.mark.parametrize("name", [n for n in UNARY if n not in ("clamp_min", "clamp_max")])
def test_unary_layouts(name, layout):
    forms, np_fn, low, high, avoid = UNARY[name]
    shape, view = LAYOUTS_1[layout]
    check_op(forms[0], np_fn, [shape], low, high, avoid=avoid, views=[view])


@pytest.mark.parametrize("dtype", [F32, F64])
def test_sigmoid_overflow_safe(dtype):
    # exp(1000) overflows; a stable sigmoid still gives exactly 1 and 0 and a zero gradient.
    x = torch.tensor([1000.0, -1000.0, 0.0], dtype=dtype, requires_grad=True)
    y = torch.sigmoid(x)
    assert y.tolist() == [1.0, 0.0, 0.5]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.25]


def test_unary_int64_dtypes():
    x = torch.tensor([-2, 0, 3])
    # Sign-like ops keep int64; transcendental ones promote to the default float dtype.
    assert_matches(-x, np.array([2, 0, -3]), I64)
    assert_matches(x.abs(), np.array([2, 0, 3]), I64)
    assert_matches(x.relu(), np.array([0, 0, 3]), I64)
    assert_matches(torch.clamp(x, min=-1, max=2), np.array([-1, 0, 2]), I64)
    assert_matches(x.exp(), np.exp([-2.0, 0.0, 3.0]), F32)
    assert_matches(torch.sqrt(torch.tensor([0, 4, 9])), np.array([0.0, 2.0, 3.0]), F32)


# ---------------------------------------------------------------------------------------------
# Binary ops with broadcasting: name -> (forms, numpy oracle, per-input domains, kinks)
# ---------------------------------------------------------------------------------------------
SYM = [(-2, 2), (-2, 2)]
BINARY = {
    "add": ([torch.add, lambda a, b: a.add(b), operator.add], np.add, SYM, ()),
    "sub": ([torch.sub, lambda a, b: a.sub(b), operator.sub], np.subtract, SYM, ()),
    "mul": ([torch.mul, lambda a, b: a.mul(b), operator.mul], np.multiply, SYM, ()),
    # Both inputs keep away from 0 so the divisor does.
    "div": ([torch.div, lambda a, b: a.div(b), operator.truediv], np.divide, SYM, (0,)),
    # Positive base: fractional and negative exponents must stay real.
    "pow": ([torch.pow, lambda a, b: a.pow(b), operator.pow], np.power, [(0.5, 2), SYM[1]], ()),
    "maximum": ([torch.maximum, lambda a, b: a.maximum(b)], np.maximum, None, ()),
    "minimum": ([torch.minimum, lambda a, b: a.minimum(b)], np.minimum, None, ()),
}

BINARY_FORMS = [(name, i) for name, spec in BINARY.items() for i in range(len(spec[0]))]

# Layouts: (leaf shapes, views).
LAYOUTS_2 = {
    "bcast_3x1_1x4": (((3, 1), (1, 4)), None),
    "bcast_2x3_3": (((2, 3), (3,)), None),
    "bcast_4x1x3_2x1": (((4, 1, 3), (2, 1)), None),
    "0dim_2x3": (((), (2, 3)), None),
    "2x3_0dim": (((2, 3), ()), None),
    "empty0": (((0,), (0,)), None),
    "empty2x0_2x1": (((2, 0), (2, 1)), None),
    "expand_and_t": (((1, 3), (3, 2)), (expand(2, 3), T)),
}


def _binary(name, form, shapes, views=None):
    forms, np_fn, domains, avoid = BINARY[name]
    # maximum/minimum share one grid (domains=None) so no element ties across the inputs.
    check_op(forms[form], np_fn, shapes, domains=domains, avoid=avoid, views=views)


@pytest.mark.parametrize(("name", "form"), BINARY_FORMS, ids=[f"{n}-{i}" for n, i in BINARY_FORMS])
def test_binary_forms(name, form):
    _binary(name, form, [(2, 3), (2, 3)])


@pytest.mark.parametrize("layout", LAYOUTS_2)
@pytest.mark.parametrize("name", BINARY)
def test_binary_layouts(name, layout):
    shapes, views = LAYOUTS_2[layout]
    _binary(name, 0, shapes, views)


# alpha: out = a + alpha * b (and a - alpha * b), differentiable in both operands. The big
# shape takes the vectorised loops (alpha is converted once, not per element).
ALPHA = {
    "add": (lambda a, b: torch.add(a, b, alpha=2.5), lambda a, b: a + 2.5 * b),
    "sub": (lambda a, b: torch.sub(a, b, alpha=-0.5), lambda a, b: a + 0.5 * b),
    "method_add": (lambda a, b: a.add(b, alpha=3), lambda a, b: a + 3 * b),
    "method_sub": (lambda a, b: a.sub(b, alpha=2), lambda a, b: a - 2 * b),
}


@pytest.mark.parametrize("shapes", [[(2, 3), (2, 3)], [(2, 3), (3,)], [(1000,), (1000,)]])
@pytest.mark.parametrize("case", ALPHA)
def test_alpha(case, shapes):
    fn, np_fn = ALPHA[case]
    check_op(fn, np_fn, shapes, grad=shapes[0] != (1000,))


def test_alpha_int_and_inplace():
    a = np.arange(-500, 500)
    b = np.arange(1000)[::-1].copy()
    assert_matches(torch.add(torch.tensor(a), torch.tensor(b), alpha=3), a + 3 * b, I64)
    assert_matches(torch.sub(torch.tensor(a), torch.tensor(b), alpha=-2), a + 2 * b, I64)
    for dtype, np_dtype in ((F32, np.float32), (F64, np.float64), (I64, np.int64)):
        x = torch.tensor(a.tolist(), dtype=dtype)
        x.add_(torch.tensor(b.tolist(), dtype=dtype), alpha=2)
        assert_matches(x, (a + 2 * b).astype(np_dtype), dtype)
        x.sub_(torch.tensor(b.tolist(), dtype=dtype), alpha=3)
        assert_matches(x, (a - b).astype(np_dtype), dtype)
    f = torch.tensor([1.0, 2.0])
    f.sub_(torch.tensor([1.0, 1.0]), alpha=0.25)
    assert_matches(f, np.array([0.75, 1.75]), F32)
    c = torch.tensor([True, False])
    assert_matches(torch.add(c, c, alpha=True), np.array([True, False]), BOOL)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: torch.add(torch.tensor([1, 2]), torch.tensor([3, 4]), alpha=0.5), "For integral"),
        (lambda: torch.sub(torch.tensor([1, 2]), torch.tensor([3, 4]), alpha=1.0), "For integral"),
        (lambda: torch.tensor([1, 2]).add_(torch.tensor([3, 4]), alpha=2.0), "For integral"),
        (lambda: torch.add(torch.tensor([1.0]), torch.tensor([3.0]), alpha=True), "Boolean alpha"),
        (lambda: torch.tensor([1]).sub_(torch.tensor([3]), alpha=False), "Boolean alpha"),
    ],
)
def test_alpha_errors(call, message):
    # PyTorch's alpha_check: a silently truncated alpha would be a wrong answer.
    with pytest.raises(RuntimeError, match=message):
        call()


# Python numbers on either side; the result keeps the tensor's float dtype.
SCALAR = {
    "x+2": (lambda x: x + 2, lambda a: a + 2, -2, 2),
    "2+x": (lambda x: 2 + x, lambda a: 2 + a, -2, 2),
    "x-1.5": (lambda x: x - 1.5, lambda a: a - 1.5, -2, 2),
    "2-x": (lambda x: 2 - x, lambda a: 2 - a, -2, 2),
    "x*3": (lambda x: x * 3, lambda a: a * 3, -2, 2),
    "3*x": (lambda x: 3 * x, lambda a: 3 * a, -2, 2),
    "x/4": (lambda x: x / 4, lambda a: a / 4, -2, 2),
    "2/x": (lambda x: 2 / x, lambda a: 2 / a, 0.5, 2),
    "x**2": (lambda x: x**2, lambda a: a**2, -2, 2),
    "x**0": (lambda x: x**0, lambda a: a**0, -2, 2),
    "x**0.5": (lambda x: x**0.5, np.sqrt, 0.2, 2),
    "x**-1.5": (lambda x: x**-1.5, lambda a: a**-1.5, 0.5, 2),
    "2**x": (lambda x: 2**x, lambda a: 2.0**a, -2, 2),
    "2.5**x": (lambda x: 2.5**x, lambda a: 2.5**a, -2, 2),
    "pow(x,2)": (lambda x: torch.pow(x, 2), lambda a: a**2, -2, 2),
    "pow(2,x)": (lambda x: torch.pow(2.0, x), lambda a: 2.0**a, -2, 2),
    "x.pow(1.5)": (lambda x: x.pow(1.5), lambda a: a**1.5, 0.2, 2),
    "x.add(2)": (lambda x: x.add(2), lambda a: a + 2, -2, 2),
    "x.div(2)": (lambda x: x.div(2), lambda a: a / 2, -2, 2),
}


@pytest.mark.parametrize("case", SCALAR)
def test_scalar_operands(case):
    fn, np_fn, low, high = SCALAR[case]
    check_op(fn, np_fn, [(2, 3)], low, high)


# ---------------------------------------------------------------------------------------------
# Comparisons: bool results, no gradient
# ---------------------------------------------------------------------------------------------
CMP = {
    "gt": (torch.gt, lambda a, b: a.gt(b), operator.gt, np.greater),
    "lt": (torch.lt, lambda a, b: a.lt(b), operator.lt, np.less),
    "ge": (torch.ge, lambda a, b: a.ge(b), operator.ge, np.greater_equal),
    "le": (torch.le, lambda a, b: a.le(b), operator.le, np.less_equal),
    "eq": (torch.eq, lambda a, b: a.eq(b), operator.eq, np.equal),
    "ne": (torch.ne, lambda a, b: a.ne(b), operator.ne, np.not_equal),
}


@pytest.mark.parametrize("name", CMP)
def test_comparisons(name):
    # A broadcast grid with shared values guarantees ties, so eq/ge/le see both outcomes.
    a = np.array([[-1.0], [0.0], [1.0]])
    b = np.array([[-1.0, 0.0, 1.0, 0.5]])
    np_fn = CMP[name][3]
    for fn in CMP[name][:3]:  # function, method, operator
        for dtype in (F32, F64):
            assert_matches(fn(make(a, dtype), make(b, dtype)), np_fn(a, b), BOOL)
        out = fn(make(a, F64, requires_grad=True), make(b, F64))
        assert not out.requires_grad


@pytest.mark.parametrize("name", CMP)
def test_comparisons_with_numbers_and_ints(name):
    fn, np_fn = CMP[name][2], CMP[name][3]
    x = np.array([-1.0, 0.5, 1.0])
    assert_matches(fn(make(x, F32), 0.5), np_fn(x, 0.5), BOOL)
    assert_matches(fn(0.5, make(x, F32)), np_fn(0.5, x), BOOL)  # reflected operator
    # int64 vs float compares values, not truncated values.
    assert_matches(fn(torch.tensor([0, 1, 2]), 1.0), np_fn([0, 1, 2], 1.0), BOOL)
    assert_matches(
        fn(torch.tensor([1, 2]), torch.tensor([1.5, 2.0])), np_fn([1, 2], [1.5, 2]), BOOL
    )


# ---------------------------------------------------------------------------------------------
# Type promotion (PyTorch's rules: categories bool < int < float; Python numbers and 0-dim
# tensors only decide the dtype when they are of a higher category than dimensioned operands)
# ---------------------------------------------------------------------------------------------
def t(data, dtype=None):
    return torch.tensor(data, dtype=dtype)


PROMOTION = {
    "i64*f32": (lambda: t([1, 2]) * t([1.5, 2.0]), F32, [1.5, 4.0]),
    "f32*pyfloat": (lambda: t([1.0, 2.0]) * 1.5, F32, [1.5, 3.0]),
    "f64*pyfloat": (lambda: t([1.0, 2.0], F64) * 1.5, F64, [1.5, 3.0]),
    "f32*pyint": (lambda: t([1.0, 2.0]) * 2, F32, [2.0, 4.0]),
    "i64+pyfloat": (lambda: t([1, 2]) + 1.5, F32, [2.5, 3.5]),
    "pyfloat+i64": (lambda: 1.5 + t([1, 2]), F32, [2.5, 3.5]),
    "i64+pyint": (lambda: t([1, 2]) + 3, I64, [4, 5]),
    "f32+f64_0dim": (lambda: t([1.0, 2.0]) + t(0.5, F64), F32, [1.5, 2.5]),
    "f64_0dim+f32": (lambda: t(0.5, F64) + t([1.0, 2.0]), F32, [1.5, 2.5]),
    "f32+f64": (lambda: t([1.0, 2.0]) + t([0.5, 0.5], F64), F64, [1.5, 2.5]),
    "f32_0dim+f64_0dim": (lambda: t(1.0) + t(0.5, F64), F64, 1.5),
    "i64+f64_0dim": (lambda: t([1, 2]) + t(0.5, F64), F64, [1.5, 2.5]),  # higher category wins
    "i64_0dim+f32": (lambda: t(2) + t([1.0, 2.0]), F32, [3.0, 4.0]),
    "i64-i64": (lambda: t([5, 2]) - t([1, 7]), I64, [4, -5]),
    "i64*i64": (lambda: t([5, 2]) * t([3, -7]), I64, [15, -14]),
    "bool+bool": (lambda: t([True, True, False]) + t([True, False, False]), BOOL, [1, 1, 0]),
    "bool*bool": (lambda: t([True, True, False]) * t([True, False, False]), BOOL, [1, 0, 0]),
    "bool+i64": (lambda: t([True, False]) + t([2, 2]), I64, [3, 2]),
    "bool+pyint": (lambda: t([True, False]) + 1, I64, [2, 1]),
    "bool*pyfloat": (lambda: t([True, False]) * 1.5, F32, [1.5, 0.0]),
    "i64/i64": (lambda: t([7, -7, 1]) / t([2, 2, 4]), F32, [3.5, -3.5, 0.25]),
    "i64/pyint": (lambda: t([1, 2]) / 2, F32, [0.5, 1.0]),
    "pyint/i64": (lambda: 1 / t([2, 4]), F32, [0.5, 0.25]),
    "i64**pyint": (lambda: t([2, 3]) ** 2, I64, [4, 9]),
    "i64**pyfloat": (lambda: t([4, 9]) ** 0.5, F32, [2.0, 3.0]),
    "pyint**i64": (lambda: 2 ** t([2, 3]), I64, [4, 8]),
    "pyfloat**i64": (lambda: 2.0 ** t([2, 3]), F32, [4.0, 8.0]),
    "maximum(i64,f32)": (lambda: torch.maximum(t([1, 2]), t([1.5, 0.0])), F32, [1.5, 2.0]),
    "minimum(f32,f64)": (lambda: torch.minimum(t([1.0, 2.0]), t([1.5, 0.0], F64)), F64, [1.0, 0.0]),
}


@pytest.mark.parametrize("case", PROMOTION)
def test_type_promotion(case):
    fn, dtype, values = PROMOTION[case]
    ref = np.asarray(values, dtype=bool) if dtype == BOOL else np.asarray(values)
    assert_matches(fn(), ref, dtype)


def test_from_numpy_inputs():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = torch.from_numpy(a)
    assert x.dtype == F64
    assert_matches(x * x + 1, a * a + 1, F64)
    assert_matches(torch.from_numpy(a.astype(np.float32)).exp(), np.exp(a), F32)


# ---------------------------------------------------------------------------------------------
# Gradients in closed form
# ---------------------------------------------------------------------------------------------
def leaves(*shapes, low=-2.0, high=2.0, seed=1):
    return [make(a, F64, requires_grad=True) for a in sample(shapes, low, high, seed=seed)]


def test_grad_mul_is_other_operand():
    x, y = leaves((2, 3), (2, 3))
    gx, gy = torch.autograd.grad((x * y).sum(), (x, y))
    np.testing.assert_array_equal(gx.numpy(), y.detach().numpy())
    np.testing.assert_array_equal(gy.numpy(), x.detach().numpy())


def test_grad_broadcast_sums_over_expanded_dims():
    x, y = leaves((3, 1), (1, 4))
    (x + 2 * y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((3, 1), 4.0))
    np.testing.assert_array_equal(y.grad.numpy(), np.full((1, 4), 6.0))


def test_grad_reused_input_accumulates():
    (x,) = leaves((4,))
    (x * x + x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy() + 1, rtol=1e-12)


def test_grad_div():
    x, y = leaves((3,), (3,), low=0.5, high=2.0)
    gx, gy = torch.autograd.grad((x / y).sum(), (x, y))
    xv, yv = x.detach().numpy(), y.detach().numpy()
    np.testing.assert_allclose(gx.numpy(), 1 / yv, rtol=1e-12)
    np.testing.assert_allclose(gy.numpy(), -xv / yv**2, rtol=1e-12)


def test_grad_pow_both_operands():
    x, y = leaves((3,), (3,), low=0.5, high=2.0)
    gx, gy = torch.autograd.grad((x**y).sum(), (x, y))
    xv, yv = x.detach().numpy(), y.detach().numpy()
    np.testing.assert_allclose(gx.numpy(), yv * xv ** (yv - 1), rtol=1e-12)
    np.testing.assert_allclose(gy.numpy(), xv**yv * np.log(xv), rtol=1e-12)


@pytest.mark.parametrize(
    ("fn", "deriv"),
    [
        (torch.tanh, lambda a: 1 - np.tanh(a) ** 2),
        (torch.sigmoid, lambda a: np_sigmoid(a) * (1 - np_sigmoid(a))),
        (torch.exp, np.exp),
        (torch.relu, lambda a: (a > 0).astype(np.float64)),
        (torch.abs, np.sign),
        (lambda x: x.clamp(-0.5, 0.8), lambda a: ((a > -0.5) & (a < 0.8)).astype(np.float64)),
    ],
    ids=["tanh", "sigmoid", "exp", "relu", "abs", "clamp"],
)
def test_grad_unary_closed_form(fn, deriv):
    a = sample([(8,)], avoid=(0, -0.5, 0.8), seed=2)[0]
    x = make(a, F64, requires_grad=True)
    fn(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), deriv(a), rtol=1e-12, atol=1e-15)


def test_grad_maximum_routes_to_larger():
    x = torch.tensor([1.0, 5.0, -2.0], dtype=F64, requires_grad=True)
    y = torch.tensor([3.0, 4.0, -1.0], dtype=F64, requires_grad=True)
    torch.maximum(x, y).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]
    assert y.grad.tolist() == [1.0, 0.0, 1.0]


def test_requires_grad_propagation_and_no_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    c = torch.tensor([3.0, 4.0])
    assert (x * c).requires_grad
    assert not (c * c).requires_grad
    with torch.no_grad():
        y = x * c + x.exp()
    assert not y.requires_grad
    assert y.dtype == F32


def test_python_number_operands_convert_like_to_dtype():
    # Python numbers of another dtype are converted to the op's dtype without a cast tensor;
    # the value must be what a cast gives (int64 -> float directly, not through float64).
    big = (1 << 60) + (1 << 36) + 1
    for dtype, np_dtype in ((torch.float32, np.float32), (torch.float64, np.float64)):
        x = torch.tensor([1.0, -2.0], dtype=dtype)
        want = np.array([1.0, -2.0], dtype=np_dtype) * np_dtype(np.int64(big))
        np.testing.assert_array_equal((x * big).numpy(), want)
        np.testing.assert_array_equal((big * x).numpy(), want)
        np.testing.assert_array_equal((x + True).numpy(), np.array([2.0, -1.0], dtype=np_dtype))
    # Broadcast against a strided (non-contiguous) tensor takes the geometry path.
    m = torch.arange(6).reshape(2, 3).t() * 2.5
    np.testing.assert_array_equal(m.numpy(), np.arange(6).reshape(2, 3).T * 2.5)
    assert m.dtype == torch.float32


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_square_backward_fast_path_matches_recorded_formula(dtype):
    # x ** 2 without create_graph runs g * (2 * x) in one loop; with create_graph the recorded
    # formula g * (2 * x ** 1). Same bits, also when the gradient arrives expanded (from sum).
    rng = np.random.default_rng(3)
    a = (rng.standard_normal((7, 5)) * 3).astype(np.float32 if dtype == torch.float32 else None)
    grads = []
    for create_graph in (False, True):
        x = torch.tensor(a.tolist(), dtype=dtype, requires_grad=True)
        (g,) = torch.autograd.grad((x**2 * 1.7).sum(), x, create_graph=create_graph)
        grads.append(g.detach().numpy())
    np.testing.assert_array_equal(grads[0], grads[1])
    np.testing.assert_allclose(grads[0], 2 * 1.7 * a, rtol=1e-6)
