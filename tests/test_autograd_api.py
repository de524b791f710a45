"""Autograd API surface: tensor flags, grad modes, autograd.grad/backward/gradcheck, Function."""

import threading

import numpy as np
import pytest

import fastgrad as torch

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed"
)
CREATE_GRAPH_WARNING = r"Using backward\(\) with create_graph=True will create a reference cycle"


def f64(data, requires_grad=True):
    return torch.tensor(data, dtype=torch.float64, requires_grad=requires_grad)


# --- requires_grad / is_leaf / grad --------------------------------------------------------------


def test_requires_grad_property_on_leaf():
    x = torch.tensor([1.0, 2.0])
    assert not x.requires_grad and x.is_leaf
    x.requires_grad = True
    assert x.requires_grad and x.is_leaf
    x.requires_grad = False
    assert not x.requires_grad
    assert x.requires_grad_() is x and x.requires_grad
    assert x.requires_grad_(False) is x and not x.requires_grad


@pytest.mark.parametrize("flag", [True, False])
def test_requires_grad_on_non_leaf_raises(flag):
    y = torch.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(
        RuntimeError, match="you can only change requires_grad flags of leaf variables."
    ):
        y.requires_grad = flag
    assert y.requires_grad


def test_requires_grad_false_on_non_leaf_via_method_raises():
    y = torch.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(
        RuntimeError, match="you can only change requires_grad flags of leaf variables."
    ):
        y.requires_grad_(False)


def test_requires_grad_propagates():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0])
    assert (a + b).requires_grad and not (b + b).requires_grad
    assert not (a + b).is_leaf and (b + b).is_leaf
    assert (a + b).grad_fn is not None and (b + b).grad_fn is None


def test_grad_assignment():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    assert x.grad is None
    x.grad = torch.tensor([5.0, 6.0])
    assert x.grad.tolist() == [5.0, 6.0]
    (x * 2).sum().backward()
    assert x.grad.tolist() == [7.0, 8.0]
    x.grad = None
    assert x.grad is None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_grad_assignment_wrong_shape_raises():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="attempting to assign a gradient of size"):
        x.grad = torch.ones(3)


def test_grad_is_not_tracked():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert not x.grad.requires_grad and x.grad.grad_fn is None
    assert x.grad.dtype == x.dtype and x.grad.shape == x.shape


# --- grad_fn -------------------------------------------------------------------------------------

X = [0.5, 0.25, 0.75]


@pytest.mark.parametrize(
    ("fn", "name"),
    [
        (lambda x, m: x**2, "PowBackward0"),
        (lambda x, m: x.pow(3), "PowBackward0"),
        (lambda x, m: x ** x.detach(), "PowBackward1"),
        (lambda x, m: x**x, "PowBackward1"),
        (lambda x, m: 2**x, "PowBackward2"),
        (lambda x, m: x * 2, "MulBackward0"),
        (lambda x, m: 2 * x, "MulBackward0"),
        (lambda x, m: x * x, "MulBackward0"),
        (lambda x, m: x + 1, "AddBackward0"),
        (lambda x, m: 1 + x, "AddBackward0"),
        (lambda x, m: x + x, "AddBackward0"),
        (lambda x, m: x - 1, "SubBackward0"),
        (lambda x, m: x - x, "SubBackward0"),
        (lambda x, m: 1 - x, "RsubBackward1"),
        (lambda x, m: x / 2, "DivBackward0"),
        (lambda x, m: x / x, "DivBackward0"),
        (lambda x, m: -x, "NegBackward0"),
        (lambda x, m: x.neg(), "NegBackward0"),
        (lambda x, m: x.exp(), "ExpBackward0"),
        (lambda x, m: torch.exp(x), "ExpBackward0"),
        (lambda x, m: x.log(), "LogBackward0"),
        (lambda x, m: torch.log(x), "LogBackward0"),
        (lambda x, m: torch.sin(x), "SinBackward0"),
        (lambda x, m: x.cos(), "CosBackward0"),
        (lambda x, m: x.tanh(), "TanhBackward0"),
        (lambda x, m: torch.tanh(x), "TanhBackward0"),
        (lambda x, m: x.sigmoid(), "SigmoidBackward0"),
        (lambda x, m: torch.sigmoid(x), "SigmoidBackward0"),
        (lambda x, m: x.relu(), "ReluBackward0"),
        (lambda x, m: torch.relu(x), "ReluBackward0"),
        (lambda x, m: x.sqrt(), "SqrtBackward0"),
        (lambda x, m: x.abs(), "AbsBackward0"),
        (lambda x, m: x.clamp(0.3, 0.6), "ClampBackward1"),
        (lambda x, m: torch.clamp(x, min=0.3), "ClampBackward1"),
        (lambda x, m: torch.maximum(x, x * 2), "MaximumBackward0"),
        (lambda x, m: torch.minimum(x, x * 2), "MinimumBackward0"),
        (lambda x, m: x.sum(), "SumBackward0"),
        (lambda x, m: m.sum(1), "SumBackward1"),
        (lambda x, m: m.sum(dim=0, keepdim=True), "SumBackward1"),
        (lambda x, m: x.mean(), "MeanBackward0"),
        (lambda x, m: m.mean(0), "MeanBackward1"),
        (lambda x, m: x.max(), "MaxBackward1"),
        (lambda x, m: m.max(1).values, "MaxBackward0"),
        (lambda x, m: x.min(), "MinBackward1"),
        (lambda x, m: m.min(dim=0)[0], "MinBackward0"),
        (lambda x, m: m.mm(m), "MmBackward0"),
        (lambda x, m: torch.mm(m, m), "MmBackward0"),
        (lambda x, m: torch.matmul(m, m), "MmBackward0"),
        (lambda x, m: m @ m, "MmBackward0"),
        (lambda x, m: m.t(), "TBackward0"),
        (lambda x, m: m.transpose(0, 1), "TransposeBackward0"),
        (lambda x, m: x.sum().expand(3), "ExpandBackward0"),
        (lambda x, m: m.view(9), "ViewBackward0"),
        (lambda x, m: m.reshape(9), "ViewBackward0"),
        (lambda x, m: m.t().contiguous(), "CloneBackward0"),
    ],
)
def test_grad_fn_names(fn, name):
    x = torch.tensor(X, requires_grad=True)
    m = torch.tensor([X, X, X], requires_grad=True)
    y = fn(x, m)
    assert y.requires_grad and not y.is_leaf
    assert type(y.grad_fn).__name__ == name
    assert y.grad_fn.name() == name


def test_next_functions():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    c = a * b
    d = c.sin()
    (fa, ia), (fb, ib) = c.grad_fn.next_functions
    assert type(fa).__name__ == "AccumulateGrad" and type(fb).__name__ == "AccumulateGrad"
    assert (ia, ib) == (0, 0) and fa is not fb
    ((fc, ic),) = d.grad_fn.next_functions
    assert fc is c.grad_fn and ic == 0
    # a leaf's AccumulateGrad node is reused across ops
    assert (a + 1).grad_fn.next_functions[0][0] is fa
    # an input that does not require grad has no edge
    e = a - torch.tensor([1.0, 1.0])
    assert type(e.grad_fn.next_functions[0][0]).__name__ == "AccumulateGrad"
    assert e.grad_fn.next_functions[1][0] is None


def test_no_grad_fn_without_requires_grad():
    assert (torch.tensor([1.0]) * 2).grad_fn is None
    assert torch.tensor([1.0], requires_grad=True).grad_fn is None


# --- backward ------------------------------------------------------------------------------------


def test_backward_with_gradient_argument():
    a = torch.tensor([2.0, 3.0], requires_grad=True)
    b = torch.tensor([6.0, 4.0], requires_grad=True)
    q = 3 * a**3 - b**2
    assert q.tolist() == [-12.0, 65.0]
    q.backward(gradient=torch.tensor([1.0, 1.0]))
    assert a.grad.tolist() == [36.0, 81.0]
    assert b.grad.tolist() == [-12.0, -8.0]
    a.grad = None
    (a * 2).backward(torch.tensor([1.0, 0.5]))
    assert a.grad.tolist() == [2.0, 1.0]


def test_backward_scalar_gradient_argument():
    x = torch.tensor(3.0, requires_grad=True)
    (x**2).backward(torch.tensor(2.0))
    assert x.grad.item() == 12.0


def test_retain_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    z = y * y
    assert not y.retains_grad and not x.retains_grad
    y.retain_grad()
    assert y.retains_grad
    x.retain_grad()  # no-op on a leaf
    assert not x.retains_grad
    z.sum().backward()
    assert y.grad.tolist() == [6.0, 12.0]
    assert x.grad.tolist() == [18.0, 36.0]
    with pytest.warns(UserWarning, match=NON_LEAF_GRAD_WARNING):
        assert z.grad is None


def test_retain_grad_without_requires_grad_raises():
    with pytest.raises(
        RuntimeError, match="can't retain_grad on Tensor that has requires_grad=False"
    ):
        torch.tensor([1.0]).retain_grad()


def test_detach():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert d.tolist() == [2.0, 4.0]
    d.add_(1)  # shares storage with y
    assert y.tolist() == [3.0, 5.0]
    assert not x.detach().requires_grad and x.requires_grad


def test_detach_inplace():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.detach_() is y
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None
    assert y.tolist() == [2.0, 4.0]


def test_data_get_and_set():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.is_leaf
    d.mul_(10)  # no leaf in-place error, and x sees the write
    assert x.tolist() == [10.0, 20.0]
    x.data = torch.tensor([3.0, 4.0, 5.0])
    assert x.tolist() == [3.0, 4.0, 5.0] and x.shape == (3,)
    assert x.requires_grad and x.is_leaf
    (x * x).sum().backward()
    assert x.grad.tolist() == [6.0, 8.0, 10.0]
    y = x * 2
    assert not y.data.requires_grad and y.data.grad_fn is None


# --- grad mode -----------------------------------------------------------------------------------


def test_no_grad_context():
    x = torch.tensor(3.0, requires_grad=True)
    assert torch.is_grad_enabled()
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        y = x * 2
        z = y + 1
    assert torch.is_grad_enabled()
    assert not y.requires_grad and not z.requires_grad and y.grad_fn is None
    assert (x * 2).requires_grad
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        z.backward()


def test_no_grad_keeps_explicit_requires_grad():
    with torch.no_grad():
        w = torch.ones(2, requires_grad=True)
        assert w.requires_grad and not (w * 2).requires_grad


def test_nested_grad_modes():
    x = torch.tensor(1.0, requires_grad=True)
    with torch.no_grad():
        with torch.enable_grad():
            assert torch.is_grad_enabled()
            a = x * 2
            with torch.no_grad():
                b = x * 2
            c = x * 2
        d = x * 2
        with torch.set_grad_enabled(True):
            e = x * 2
    assert [t.requires_grad for t in (a, b, c, d, e)] == [True, False, True, False, True]
    assert torch.is_grad_enabled()


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with torch.no_grad():
            raise ValueError
    assert torch.is_grad_enabled()


def test_set_grad_enabled_as_function_and_context():
    x = torch.tensor(1.0, requires_grad=True)
    try:
        torch.set_grad_enabled(False)
        assert not torch.is_grad_enabled() and not (x * 2).requires_grad
        torch.set_grad_enabled(True)
        assert torch.is_grad_enabled() and (x * 2).requires_grad
    finally:
        torch.set_grad_enabled(True)
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
        with torch.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    assert torch.is_grad_enabled()


def test_grad_modes_as_decorators():
    x = torch.tensor(1.0, requires_grad=True)

    @torch.no_grad()
    def f(a):
        return a * 2

    @torch.no_grad
    def f_bare(a):
        return a * 2

    @torch.enable_grad()
    def g(a):
        return a * 2

    @torch.set_grad_enabled(False)
    def h(a):
        return a * 2

    assert not f(x).requires_grad and not f_bare(x).requires_grad and not h(x).requires_grad
    assert torch.is_grad_enabled()
    with torch.no_grad():
        assert g(x).requires_grad
        assert not torch.is_grad_enabled()
    assert f.__name__ == "f" and g.__name__ == "g"


def test_grad_mode_contexts_reused_subclassed_and_bare():
    # The contexts' construction, __enter__ and __exit__ are C (_C._GradModeBase): an
    # instance can be entered again, a user subclass keeps the mode of the class it extends,
    # and both switches work as bare decorators.
    x = torch.tensor(1.0, requires_grad=True)
    ctx = torch.no_grad()
    for _ in range(2):
        with ctx:
            assert not (x * 2).requires_grad
        assert torch.is_grad_enabled()

    class Quiet(torch.no_grad):
        pass

    with Quiet():
        assert not torch.is_grad_enabled()
    assert isinstance(Quiet(), torch.no_grad) and torch.is_grad_enabled()

    @torch.enable_grad
    def tracked(a):
        return a * 2

    with torch.no_grad():
        assert tracked(x).requires_grad and not torch.is_grad_enabled()
    assert tracked.__name__ == "tracked"
    with pytest.raises(KeyError):  # an exception inside the block is not swallowed
        with torch.enable_grad():
            raise KeyError
    assert torch.is_grad_enabled()
    assert not torch.no_grad(orig_func=lambda: torch.is_grad_enabled())()
    with pytest.raises(TypeError, match="no_grad.. takes at most 1 argument"):
        torch.no_grad(1, 2)
    with pytest.raises(TypeError, match="enable_grad.. takes at most 1 argument"):
        torch.enable_grad(f=tracked)


def test_grad_mode_is_thread_local():
    seen = {}

    def worker():
        seen["enabled"] = torch.is_grad_enabled()
        x = torch.tensor(1.0, requires_grad=True)
        seen["tracked"] = (x * 2).requires_grad
        with torch.no_grad():
            seen["inner"] = torch.is_grad_enabled()

    with torch.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert not torch.is_grad_enabled()
    assert seen == {"enabled": True, "tracked": True, "inner": False}
    assert torch.is_grad_enabled()


# --- torch.autograd.grad / backward --------------------------------------------------------------


def test_autograd_grad_basic():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad((x * x).sum(), x)
    assert g.tolist() == [2.0, 4.0]
    assert x.grad is None  # autograd.grad does not accumulate into .grad
    assert not g.requires_grad


def test_autograd_grad_multiple_inputs_and_outputs():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    gx, gy = torch.autograd.grad((x * y).sum(), [x, y])
    assert gx.tolist() == [3.0, 3.0] and gy.item() == 3.0
    (g,) = torch.autograd.grad([x.sum(), (x * x).sum()], x)
    assert g.tolist() == [3.0, 5.0]
    (g,) = torch.autograd.grad(x * x, x, grad_outputs=torch.tensor([1.0, 0.5]))
    assert g.tolist() == [2.0, 2.0]


def test_autograd_grad_errors():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        torch.autograd.grad(x * x, x)
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        torch.autograd.grad(torch.tensor(1.0), x)
    with pytest.raises(
        RuntimeError, match="One of the differentiated Tensors does not require grad"
    ):
        torch.autograd.grad((x * x).sum(), torch.tensor(1.0))
    y = x * x
    torch.autograd.grad(y.sum(), x)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        torch.autograd.grad(y.sum(), x)


def test_autograd_grad_retain_graph():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    (g1,) = torch.autograd.grad(y, x, retain_graph=True)
    (g2,) = torch.autograd.grad(y, x)
    assert g1.tolist() == g2.tolist() == [2.0, 4.0]


def test_autograd_backward():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.autograd.backward((x * x).sum())
    assert x.grad.tolist() == [2.0, 4.0]
    torch.autograd.backward([(x * x).sum(), x.sum()])
    assert x.grad.tolist() == [5.0, 9.0]
    x.grad = None
    torch.autograd.backward(x * 3, grad_tensors=torch.ones(2))
    assert x.grad.tolist() == [3.0, 3.0]
    torch.autograd.backward([x * 3], [torch.tensor([1.0, 0.0])])
    assert x.grad.tolist() == [6.0, 3.0]


# --- gradcheck -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: (a * b).sin(),
        lambda a, b: a.exp() / (b + 2),
        lambda a, b: (a - b).tanh() ** 2,
        lambda a, b: (a @ b.t()).sigmoid(),
        lambda a, b: (a.abs() + 1).log() * b.cos(),
        lambda a, b: torch.maximum(a, b) - torch.minimum(a, b).relu(),
        lambda a, b: (a * a + 1).sqrt().sum(1),
        lambda a, b: (a.t() @ b).mean(0),
        lambda a, b: a.clamp(-0.5, 0.5) * b.max() + b.min(1).values.sum(),
    ],
)
def test_gradcheck(fn):
    torch.manual_seed(0)
    a = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    b = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(fn, (a, b))


def test_gradcheck_detects_wrong_gradient():
    class WrongSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * a

        @staticmethod
        def backward(ctx, g):
            return g

    a = f64([0.3, 0.7, 1.1])
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        torch.autograd.gradcheck(WrongSquare.apply, (a,))
    assert torch.autograd.gradcheck(WrongSquare.apply, (a,), raise_exception=False) is False


# --- higher-order gradients ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "d1", "d2"),
    [
        (lambda x: x**3, lambda x: 3 * x**2, lambda x: 6 * x),
        (lambda x: x.sin(), np.cos, lambda x: -np.sin(x)),
        (lambda x: x.exp(), np.exp, np.exp),
        (lambda x: x * x * x, lambda x: 3 * x**2, lambda x: 6 * x),
        (
            lambda x: x.tanh(),
            lambda x: 1 - np.tanh(x) ** 2,
            lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2),
        ),
        (
            lambda x: x.sigmoid(),
            lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s),
            lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s),
        ),
        (lambda x: x.log(), lambda x: 1 / x, lambda x: -1 / x**2),
        (lambda x: 1 / x, lambda x: -1 / x**2, lambda x: 2 / x**3),
        (lambda x: x.sqrt(), lambda x: 0.5 / np.sqrt(x), lambda x: -0.25 * x**-1.5),
    ],
)
def test_second_derivative(fn, d1, d2):
    xs = np.array([0.5, 1.0, 2.0])
    x = f64(xs.tolist())
    (g,) = torch.autograd.grad(fn(x).sum(), x, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    np.testing.assert_allclose(g.detach().numpy(), d1(xs), rtol=1e-10)
    (gg,) = torch.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), d2(xs), rtol=1e-10)


def test_third_derivative_of_cube():
    x = torch.tensor(2.0, requires_grad=True)
    (g1,) = torch.autograd.grad(x**3, x, create_graph=True)
    (g2,) = torch.autograd.grad(g1, x, create_graph=True)
    (g3,) = torch.autograd.grad(g2, x)
    assert (g1.item(), g2.item(), g3.item()) == (12.0, 12.0, 6.0)


def test_mixed_second_derivative():
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    (gx,) = torch.autograd.grad(x * x * y, x, create_graph=True)  # 2xy
    assert gx.item() == 12.0
    gx.backward()
    assert x.grad.item() == 6.0 and y.grad.item() == 4.0


def test_grad_without_create_graph_is_constant():
    x = torch.tensor(2.0, requires_grad=True)
    (g,) = torch.autograd.grad(x**3, x)
    assert not g.requires_grad and g.grad_fn is None


def test_backward_create_graph_warns_and_builds_graph():
    x = torch.tensor(2.0, requires_grad=True)
    with pytest.warns(UserWarning, match=CREATE_GRAPH_WARNING):
        (x**3).backward(create_graph=True)
    g = x.grad
    assert g.item() == 12.0 and g.requires_grad
    x.grad = None
    g.backward()
    assert x.grad.item() == 12.0


def test_gradcheck_of_a_grad():
    def first_grad(x):
        (g,) = torch.autograd.grad((x.sin() * x.exp()).sigmoid().sum(), x, create_graph=True)
        return g

    x = f64([0.1, -0.4, 0.9])
    assert torch.autograd.gradcheck(first_grad, (x,))


# --- autograd.Function ---------------------------------------------------------------------------


class ScaledMul(torch.autograd.Function):
    """a * k * b with a Python-number k; records what the context saw."""

    log = []

    @staticmethod
    def forward(ctx, a, k, b):
        ctx.save_for_backward(a, b)
        ctx.k = k
        ScaledMul.log.append(("forward", tuple(ctx.needs_input_grad)))
        return a * k * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ScaledMul.log.append(("backward", tuple(ctx.needs_input_grad)))
        return grad * ctx.k * b, None, grad * ctx.k * a


class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        result = a.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * result


def test_function_apply_and_backward():
    ScaledMul.log.clear()
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0])
    out = ScaledMul.apply(a, 2.0, b)
    assert out.tolist() == [6.0, 16.0]
    assert out.requires_grad and not out.is_leaf
    assert type(out.grad_fn).__name__ == "ScaledMulBackward"
    out.sum().backward()
    assert a.grad.tolist() == [6.0, 8.0] and b.grad is None
    assert ScaledMul.log == [("forward", (True, False, False)), ("backward", (True, False, False))]


def test_function_needs_input_grad_both():
    ScaledMul.log.clear()
    a = torch.tensor([1.0], requires_grad=True)
    b = torch.tensor([3.0], requires_grad=True)
    ScaledMul.apply(a, 0.5, b).sum().backward()
    assert ScaledMul.log[0] == ("forward", (True, False, True))
    assert a.grad.tolist() == [1.5] and b.grad.tolist() == [0.5]


def test_function_without_grad_inputs():
    b = torch.tensor([3.0])
    out = ScaledMul.apply(torch.tensor([1.0]), 2.0, b)
    assert not out.requires_grad and out.grad_fn is None
    with torch.no_grad():
        assert not ScaledMul.apply(torch.tensor([1.0], requires_grad=True), 2.0, b).requires_grad


def test_function_forward_body_is_not_recorded():
    a = torch.tensor([0.0, 1.0], requires_grad=True)
    y = Exp.apply(a)
    assert type(y.grad_fn).__name__ == "ExpBackward"
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "AccumulateGrad"


def test_function_gradcheck_and_double_backward():
    a = f64([0.0, 1.0, -0.5])
    assert torch.autograd.gradcheck(Exp.apply, (a,))
    (g,) = torch.autograd.grad(Exp.apply(a).sum(), a, create_graph=True)
    assert g.requires_grad
    g.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), np.exp([0.0, 1.0, -0.5]), rtol=1e-12)


def test_function_saved_tensors_freed_after_backward():
    a = torch.tensor([1.0], requires_grad=True)
    y = Exp.apply(a).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_function_multiple_outputs():
    class SplitScale(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2, a * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return 2 * g1 + 3 * g2

    a = torch.tensor([1.0], requires_grad=True)
    p, q = SplitScale.apply(a)
    assert p.grad_fn is q.grad_fn
    (p + q).sum().backward()
    assert a.grad.tolist() == [5.0]
    p, q = SplitScale.apply(a)
    p.sum().backward()  # the unused output gets a zero gradient
    assert a.grad.tolist() == [7.0]


def test_function_in_larger_graph():
    x = f64([0.3, -1.2])
    y = (Exp.apply(x.sin()) * x).sum()
    y.backward()
    xs = np.array([0.3, -1.2])
    expected = np.exp(np.sin(xs)) * np.cos(xs) * xs + np.exp(np.sin(xs))
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)
