"""Graph semantics: accumulation, retain_graph, leaves, sharing, broadcasting, op gradients."""

import numpy as np
import pytest

import fastgrad as torch

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed"
)
SECOND_BACKWARD = "Trying to backward through the graph a second time"


def f64(data, requires_grad=True):
    return torch.tensor(data, dtype=torch.float64, requires_grad=requires_grad)


def sigmoid_np(x):
    return 1 / (1 + np.exp(-x))


# --- the seed tutorials --------------------------------------------------------------------------


def test_seed_scalar_chain():
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    z = x**2 * y + y**3
    assert z.item() == 39.0
    z.backward()
    assert (x.grad.item(), y.grad.item()) == (12.0, 31.0)


def test_seed_sin_of_square():
    x = torch.tensor(6.0, requires_grad=True)
    z = torch.sin(x**2)
    z.backward()
    assert x.grad.item() == pytest.approx(2 * 6.0 * np.cos(36.0), rel=1e-5)


def test_seed_linear_with_int_bias():
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0)  # int64 bias promotes to float32
    z = w * torch.tensor(6.6) + b
    assert z.dtype == torch.float32
    y_pred = torch.sigmoid(z)
    loss = -(1 - torch.tensor(0.0)) * torch.log(1 - y_pred)
    loss.backward()
    assert w.grad.item() == pytest.approx(6.6 * sigmoid_np(6.6), rel=1e-4)


def test_seed_matmul_sum():
    a = torch.tensor([[2.0, 3.0], [1.0, 4.0]], requires_grad=True)
    b = torch.tensor([[1.0, 2.0], [3.0, 1.0]], requires_grad=True)
    c = torch.matmul(a, b)
    assert c.tolist() == [[11.0, 7.0], [13.0, 6.0]]
    c.sum().backward()
    assert a.grad.tolist() == [[3.0, 4.0], [3.0, 4.0]]
    assert b.grad.tolist() == [[3.0, 3.0], [7.0, 7.0]]


def test_seed_mean_of_squares():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x**2).mean().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2 / 3, 4 / 3, 2.0], rtol=1e-6)


# --- accumulation and retain_graph ---------------------------------------------------------------


def test_gradients_accumulate_across_backward_calls():
    w = torch.tensor(2.0, requires_grad=True)
    (w * 3).backward()
    assert w.grad.item() == 3.0
    (w * 4).backward()
    assert w.grad.item() == 7.0
    w.grad.zero_()
    (w * 5).backward()
    assert w.grad.item() == 5.0


@pytest.mark.parametrize(
    "make_grad",
    [
        lambda: torch.ones(2, 3),  # the direct path: same dtype and shape, contiguous
        lambda: torch.ones(3, 2).t(),  # not contiguous: through add_
    ],
    ids=["contiguous", "transposed"],
)
def test_backward_accumulates_into_the_existing_grad_in_place(make_grad):
    # PyTorch adds into the .grad tensor that is already there when backward runs without
    # create_graph: a tensor the user set as .grad sees the sum and keeps its layout.
    x = torch.ones(2, 3, requires_grad=True)
    g = make_grad()
    x.grad = g
    version = g._version
    (x * torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    assert g.tolist() == [[2.0, 3.0, 4.0], [5.0, 6.0, 7.0]]
    assert x.grad.data_ptr() == g.data_ptr() and x.grad.stride() == g.stride()
    assert g._version > version


def test_retain_graph_allows_second_backward_and_doubles_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    assert x.grad.tolist() == [2.0, 4.0]
    y.backward(retain_graph=True)
    assert x.grad.tolist() == [4.0, 8.0]
    y.backward()  # last use frees the graph
    assert x.grad.tolist() == [6.0, 12.0]
    with pytest.raises(RuntimeError, match=SECOND_BACKWARD):
        y.backward()


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x * x,
        lambda x: x * 2,  # MulBackward0 saves the wrapped scalar
        lambda x: x.sin(),
        lambda x: x.exp(),
        lambda x: x.sigmoid(),
        lambda x: x**2,
        lambda x: (x + 1).log(),
        lambda x: x.tanh() + 1,
        lambda x: x / 3,
    ],
)
def test_second_backward_without_retain_graph_raises(fn):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = fn(x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=SECOND_BACKWARD):
        y.backward()


@pytest.mark.parametrize(
    ("fn", "grad"),
    [
        (lambda x: x + 1, [1.0, 1.0]),
        (lambda x: -x, [-1.0, -1.0]),
        (lambda x: x - 1, [1.0, 1.0]),
        (lambda x: x.sum() + x.sum(), [2.0, 2.0]),
    ],
)
def test_second_backward_without_saved_tensors_is_allowed(fn, grad):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = fn(x).sum()
    y.backward()
    y.backward()
    assert x.grad.tolist() == [2 * g for g in grad]


def test_saved_tensors_freed_in_shared_subgraph():
    x = torch.tensor(2.0, requires_grad=True)
    h = x * x
    a = h + 1
    b = h + 2
    a.backward()
    with pytest.raises(RuntimeError, match=SECOND_BACKWARD):
        b.backward()


# --- leaves and non-leaves -----------------------------------------------------------------------


def test_non_leaf_grad_is_none_and_warns():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y.sum()
    z.backward()
    assert x.is_leaf and not y.is_leaf and not z.is_leaf
    assert x.grad.tolist() == [2.0, 2.0]
    with pytest.warns(UserWarning, match=NON_LEAF_GRAD_WARNING):
        assert y.grad is None
    with pytest.warns(UserWarning, match="use .retain_grad\\(\\) on the non-leaf Tensor"):
        assert z.grad is None


def test_leaf_without_requires_grad_gets_no_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    c = torch.tensor([3.0, 4.0])
    (x * c).sum().backward()
    assert c.grad is None and c.is_leaf  # no warning: c is a leaf


def test_retain_grad_on_intermediate():
    x = torch.tensor(2.0, requires_grad=True)
    y = x**2
    y.retain_grad()
    z = y * 3
    z.retain_grad()
    (z + 1).backward()
    assert (x.grad.item(), y.grad.item(), z.grad.item()) == (12.0, 3.0, 1.0)


# --- graph shapes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "grad"),
    [
        (lambda x: x * x, 6.0),
        (lambda x: x + x, 2.0),
        (lambda x: x - x, 0.0),
        (lambda x: x / x, 0.0),
        (lambda x: x * x * x, 27.0),
        (lambda x: (x + x) * x, 12.0),
        (lambda x: x.sin() * x.sin() + x.cos() * x.cos(), 0.0),
    ],
)
def test_tensor_used_twice_sums_grads(fn, grad):
    x = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    fn(x).backward()
    assert x.grad.item() == pytest.approx(grad, abs=1e-12)


def test_diamond_graph():
    x = torch.tensor(2.0, requires_grad=True)
    a = x * 3
    b = a.exp()
    c = a * a
    d = b + c  # exp(3x) + 9x^2
    d.backward()
    assert x.grad.item() == pytest.approx(3 * np.exp(6.0) + 36.0, rel=1e-6)


def test_wide_fan_in_and_fan_out():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    parts = [x * k for k in range(1, 11)]
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    total.sum().backward()
    assert x.grad.tolist() == [55.0, 55.0]


def test_two_leaves_share_a_subgraph():
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(2.0, requires_grad=True)
    y_pred = w * 3.0 + b
    loss = (y_pred - 10.0) ** 2
    loss.backward()
    assert (w.grad.item(), b.grad.item()) == (-30.0, -10.0)


def test_detach_stops_gradient():
    x = torch.tensor(2.0, requires_grad=True)
    y = x * x
    z = y.detach() * x + y  # d/dx = y + 2x = 4 + 4
    z.backward()
    assert x.grad.item() == 8.0
    d = x.detach() ** 2
    assert not d.requires_grad
    with pytest.raises(
        RuntimeError, match="element 0 of tensors does not require grad and does not have a grad_fn"
    ):
        d.backward()


def test_no_grad_section_is_constant():
    x = torch.tensor(2.0, requires_grad=True)
    with torch.no_grad():
        c = x * x
        with torch.enable_grad():
            tracked = x * 5
        untracked = x * 7
    (c * x + tracked + untracked).backward()  # only c*x and tracked are in the graph
    assert x.grad.item() == 4.0 + 5.0
    assert not untracked.requires_grad and tracked.requires_grad


# --- errors --------------------------------------------------------------------------------------


def test_backward_on_tensor_without_grad_raises():
    x = torch.tensor(2.0, requires_grad=True)
    x.requires_grad_(False)
    y = x**2
    with pytest.raises(
        RuntimeError, match="element 0 of tensors does not require grad and does not have a grad_fn"
    ):
        y.backward()
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        torch.tensor([1.0]).sum().backward()


@pytest.mark.parametrize("shape", [(2,), (1, 2), (3, 1)])
def test_backward_non_scalar_without_gradient_raises(shape):
    x = torch.ones(shape, requires_grad=True)
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        (x * 2).backward()


def test_backward_on_one_element_non_scalar_is_allowed():
    x = torch.ones(1, 1, requires_grad=True)
    (x * 2).backward()
    assert x.grad.tolist() == [[2.0]]


# --- broadcasting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sa", "sb"),
    [
        ((3, 1), (1, 4)),
        ((2, 3), (3,)),
        ((2, 3), ()),
        ((), (2, 3)),
        ((2, 1, 3), (4, 1)),
        ((1,), (5,)),
        ((2, 3), (1, 1)),
    ],
)
@pytest.mark.parametrize(
    "op", [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b]
)
def test_broadcast_grad_reduced_to_input_shape(sa, sb, op):
    rng = np.random.default_rng(0)
    a = f64(rng.uniform(1, 2, sa).tolist())
    b = f64(rng.uniform(1, 2, sb).tolist())
    op(a, b).sum().backward()
    assert a.grad.shape == sa and b.grad.shape == sb
    assert torch.autograd.gradcheck(op, (a.detach().requires_grad_(), b.detach().requires_grad_()))


def test_broadcast_grad_values():
    a = torch.tensor([[1.0], [2.0], [3.0]], requires_grad=True)  # (3, 1)
    b = torch.tensor([10.0, 20.0], requires_grad=True)  # (2,)
    (a * b).sum().backward()
    assert a.grad.tolist() == [[30.0], [30.0], [30.0]]
    assert b.grad.tolist() == [6.0, 6.0]


def test_python_scalar_operands():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (2 - x) + (3 / x) + (2**x) + (x**2) * 0.5 + (1 + x) - (x - 1)
    y.sum().backward()
    xs = np.array([1.0, 2.0])
    expected = -1 - 3 / xs**2 + np.log(2) * 2**xs + xs
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)


# --- op forward values and gradients -------------------------------------------------------------

A = [[0.2, -1.3, 0.7], [1.1, 0.4, -0.6]]
P = [[0.2, 1.3, 0.7], [1.1, 0.4, 0.6]]  # positive, for log/sqrt/pow

UNARY = [
    ("neg", lambda t: -t, lambda a: -a, A),
    ("neg_method", lambda t: t.neg(), lambda a: -a, A),
    ("exp", torch.exp, np.exp, A),
    ("log", torch.log, np.log, P),
    ("sin", torch.sin, np.sin, A),
    ("cos", torch.cos, np.cos, A),
    ("tanh", torch.tanh, np.tanh, A),
    ("sigmoid", torch.sigmoid, sigmoid_np, A),
    ("relu", torch.relu, lambda a: np.maximum(a, 0), A),
    ("sqrt", torch.sqrt, np.sqrt, P),
    ("abs", torch.abs, np.abs, A),
    ("clamp", lambda t: t.clamp(-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5), A),
    ("clamp_min", lambda t: t.clamp(min=0.3), lambda a: np.maximum(a, 0.3), A),
    ("clamp_max", lambda t: torch.clamp(t, max=0.3), lambda a: np.minimum(a, 0.3), A),
    ("pow2", lambda t: t**2, lambda a: a**2, A),
    ("pow_frac", lambda t: t**1.5, lambda a: a**1.5, P),
    ("pow_neg", lambda t: t.pow(-2), lambda a: a**-2.0, P),
    ("rpow", lambda t: 3**t, lambda a: 3.0**a, A),
    ("rdiv", lambda t: 2 / t, lambda a: 2 / a, P),
    ("rsub", lambda t: 2 - t, lambda a: 2 - a, A),
    ("sum", lambda t: t.sum(), np.sum, A),
    ("sum_dim0", lambda t: t.sum(0), lambda a: a.sum(0), A),
    ("sum_dim1_keep", lambda t: t.sum(dim=1, keepdim=True), lambda a: a.sum(1, keepdims=True), A),
    ("sum_neg_dim", lambda t: t.sum(-1), lambda a: a.sum(-1), A),
    ("mean", lambda t: t.mean(), np.mean, A),
    ("mean_dim", lambda t: t.mean(1), lambda a: a.mean(1), A),
    ("mean_keep", lambda t: t.mean(0, keepdim=True), lambda a: a.mean(0, keepdims=True), A),
    ("max", lambda t: t.max(), np.max, A),
    ("max_dim", lambda t: t.max(dim=1).values, lambda a: a.max(1), A),
    ("min", lambda t: t.min(), np.min, A),
    ("min_dim", lambda t: t.min(0)[0], lambda a: a.min(0), A),
    ("t", lambda t: t.t(), lambda a: a.T, A),
    ("T", lambda t: t.T, lambda a: a.T, A),
    ("transpose", lambda t: t.transpose(0, 1), lambda a: a.T, A),
    ("transpose_neg", lambda t: t.transpose(-1, -2), lambda a: a.T, A),
    ("reshape", lambda t: t.reshape(3, 2), lambda a: a.reshape(3, 2), A),
    ("reshape_infer", lambda t: t.reshape(-1), lambda a: a.reshape(-1), A),
    ("view", lambda t: t.view(6), lambda a: a.reshape(6), A),
    ("view_tuple", lambda t: t.view((3, 2)), lambda a: a.reshape(3, 2), A),
    ("reshape_of_t", lambda t: t.t().reshape(6), lambda a: a.T.reshape(6), A),
    ("contiguous", lambda t: t.t().contiguous(), lambda a: a.T, A),
    ("expand", lambda t: t.sum(0).expand(4, 3), lambda a: np.tile(a.sum(0), (4, 1)), A),
    (
        "expand_neg1",
        lambda t: t.sum(1, keepdim=True).expand(-1, 5),
        lambda a: np.tile(a.sum(1, keepdims=True), (1, 5)),
        A,
    ),
    ("mm_self", lambda t: t.mm(t.t()), lambda a: a @ a.T, A),
    ("matmul_self", lambda t: torch.matmul(t.t(), t), lambda a: a.T @ a, A),
    ("at_self", lambda t: t @ t.T, lambda a: a @ a.T, A),
    (
        "composite",
        lambda t: (t.sigmoid() * t.tanh()).exp().mean(),
        lambda a: np.exp(sigmoid_np(a) * np.tanh(a)).mean(),
        A,
    ),
]


@pytest.mark.parametrize(("name", "fn", "ref", "data"), UNARY, ids=[u[0] for u in UNARY])
def test_unary_op_value_and_grad(name, fn, ref, data):
    x32 = torch.tensor(data, requires_grad=True)
    y32 = fn(x32)
    expected = ref(np.array(data, dtype=np.float64))
    assert y32.dtype == torch.float32 and y32.shape == np.shape(expected)
    np.testing.assert_allclose(y32.detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    y32.sum().backward()
    assert x32.grad.shape == x32.shape and x32.grad.dtype == torch.float32
    x64 = f64(data)
    assert torch.autograd.gradcheck(fn, (x64,))
    (g64,) = torch.autograd.grad(fn(x64).sum(), x64)
    np.testing.assert_allclose(x32.grad.numpy(), g64.numpy(), rtol=1e-4, atol=1e-5)


B = [[0.5, 1.5, -0.8], [-0.3, 2.0, 0.9]]

BINARY = [
    ("add", lambda a, b: a + b, np.add),
    ("sub", lambda a, b: a - b, np.subtract),
    ("mul", lambda a, b: a * b, np.multiply),
    ("div", lambda a, b: a / b, np.divide),
    ("pow", lambda a, b: a.abs() ** b, lambda a, b: np.abs(a) ** b),
    ("maximum", torch.maximum, np.maximum),
    ("minimum", torch.minimum, np.minimum),
    ("mm", lambda a, b: a.mm(b.t()), lambda a, b: a @ b.T),
    ("matmul", lambda a, b: torch.matmul(a.t(), b), lambda a, b: a.T @ b),
    ("matmul_op", lambda a, b: a @ b.transpose(0, 1), lambda a, b: a @ b.T),
    ("torch_mm", lambda a, b: torch.mm(a, b.T), lambda a, b: a @ b.T),
]


@pytest.mark.parametrize(("name", "fn", "ref"), BINARY, ids=[b[0] for b in BINARY])
def test_binary_op_value_and_grad(name, fn, ref):
    a32 = torch.tensor(A, requires_grad=True)
    b32 = torch.tensor(B, requires_grad=True)
    out = fn(a32, b32)
    expected = ref(np.array(A), np.array(B))
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    out.sum().backward()
    assert a32.grad.shape == (2, 3) and b32.grad.shape == (2, 3)
    assert torch.autograd.gradcheck(fn, (f64(A), f64(B)))


@pytest.mark.parametrize(
    ("fn", "data", "grad"),
    [
        (lambda x: x.max(), [1.0, 3.0, 3.0], [0.0, 0.5, 0.5]),  # ties share the gradient evenly
        (lambda x: x.min(), [1.0, 1.0, 3.0], [0.5, 0.5, 0.0]),
        (lambda x: x.max(0).values, [[1.0, 3.0], [3.0, 3.0]], [[0.0, 1.0], [1.0, 0.0]]),
        (lambda x: x.relu(), [-1.0, 0.0, 2.0], [0.0, 0.0, 1.0]),
        (lambda x: x.abs(), [-1.0, 0.0, 2.0], [-1.0, 0.0, 1.0]),
        (lambda x: x.clamp(0, 1), [-1.0, 0.0, 0.5, 1.0, 2.0], [0.0, 1.0, 1.0, 1.0, 0.0]),
        (lambda x: torch.maximum(x, torch.full((3,), 2.0)), [1.0, 2.0, 3.0], [0.0, 0.5, 1.0]),
        (lambda x: torch.minimum(x, torch.full((3,), 2.0)), [1.0, 2.0, 3.0], [1.0, 0.5, 0.0]),
        (lambda x: x.sqrt(), [0.0, 4.0], [float("inf"), 0.25]),
        (lambda x: x.log(), [0.0, 2.0], [float("inf"), 0.5]),
        (lambda x: x**2, [0.0, -3.0], [0.0, -6.0]),
        (lambda x: x**0, [0.0, -3.0], [0.0, 0.0]),
        (lambda x: x.tanh(), [0.0], [1.0]),
    ],
)
def test_gradient_at_special_points(fn, data, grad):
    x = torch.tensor(data, requires_grad=True)
    fn(x).sum().backward()
    assert x.grad.tolist() == grad


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda x: x.sigmoid(), [0.0, 0.5, 1.0]),
        (lambda x: x.tanh(), [-1.0, 0.0, 1.0]),
        (lambda x: x.exp(), [0.0, 1.0, float("inf")]),
    ],
)
def test_extreme_inputs_do_not_overflow(fn, expected):
    x = torch.tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    y = fn(x)
    assert y.tolist() == expected
    y.sum().backward()
    assert not np.isnan(x.grad.numpy()).any()


def test_max_min_with_dim_return_values_and_indices():
    m = torch.tensor([[1.0, 5.0], [7.0, 2.0]])
    r = m.max(1)
    assert r.values.tolist() == [5.0, 7.0] and r.indices.tolist() == [1, 0]
    assert r.indices.dtype == torch.int64
    v, i = m.min(dim=0)
    assert v.tolist() == [1.0, 2.0] and i.tolist() == [0, 1]
    assert m.max(1, keepdim=True).values.shape == (2, 1)
    assert m.max().item() == 7.0 and m.min().item() == 1.0


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        (lambda a, b: a < b, [True, False, False]),
        (lambda a, b: a <= b, [True, True, False]),
        (lambda a, b: a > b, [False, False, True]),
        (lambda a, b: a >= b, [False, True, True]),
        (lambda a, b: a == b, [False, True, False]),
        (lambda a, b: a != b, [True, False, True]),
        (lambda a, b: a > 2.0, [False, False, True]),
    ],
)
def test_comparisons(op, expected):
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = torch.tensor([2.0, 2.0, 2.0])
    out = op(a, b)
    assert out.dtype == torch.bool and not out.requires_grad and out.grad_fn is None
    assert out.tolist() == expected


def test_float64_graph_stays_float64():
    x = f64([0.5, 1.5])
    y = (x.exp() * x).sum()
    assert y.dtype == torch.float64
    y.backward()
    assert x.grad.dtype == torch.float64
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, 1.5]) * (1 + np.array([0.5, 1.5])))


def test_mixed_precision_grads_keep_input_dtypes():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = f64([3.0, 4.0])
    y = a * b
    assert y.dtype == torch.float64
    y.sum().backward()
    assert a.grad.dtype == torch.float32 and b.grad.dtype == torch.float64
    assert a.grad.tolist() == [3.0, 4.0] and b.grad.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("steps", range(1, 14))
def test_diamond_chains_across_the_engines_small_graph_limit(steps):
    # The engine keeps the first few nodes' states in a vector and moves them to a hash map
    # past that (engine.cpp, NodeStates): every size around the switch, with each node
    # reached twice, must give the exact gradient.
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)  # exact powers of 2.5
    w = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(steps):
        y = y * 1.5 + y  # two paths from each step to the previous one
    (y * w).backward()
    assert x.grad.item() == 2.0 * 2.5**steps
    assert w.grad.item() == 2.5**steps
