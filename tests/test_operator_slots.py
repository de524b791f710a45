"""The arithmetic operators run through C number slots (csrc/bindings/tensor_slots.cpp), the
explicit dunders and Python subclasses through the pybind11-bound methods. Both paths must give
the same values, dtypes, grad_fn names, gradients, NotImplemented and errors."""

import operator

import numpy as np
import pytest

import fastgrad as torch

OPS = {
    "add": (operator.add, "__add__", "__radd__"),
    "sub": (operator.sub, "__sub__", "__rsub__"),
    "mul": (operator.mul, "__mul__", "__rmul__"),
    "truediv": (operator.truediv, "__truediv__", "__rtruediv__"),
    "pow": (operator.pow, "__pow__", "__rpow__"),
}


class Sub(torch.Tensor):
    """A Python subclass: dispatches through the class dict (the pybind11 methods)."""


def _leaf(values, cls=None):
    t = torch.tensor(values, requires_grad=True)
    return torch.nn.Parameter(t.detach()) if cls == "param" else t


def _summary(out, leaves):
    out.sum().backward()
    grads = [None if x.grad is None else x.grad.numpy().copy() for x in leaves]
    for x in leaves:
        x.grad = None
    name = type(out.grad_fn).__name__ if out.grad_fn is not None else None
    return out.detach().numpy(), out.dtype, name, grads


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("other", ["tensor", "int", "float", "bool", "np_float"])
@pytest.mark.parametrize("kind", ["tensor", "param"])
def test_slot_matches_dunder(op, other, kind):
    fn, name, rname = OPS[op]
    a = _leaf([1.5, 2.0, 3.0], kind)
    o = {
        "tensor": torch.tensor([0.5, 1.25, 2.0], requires_grad=True),
        "int": 2,
        "float": 0.5,
        "bool": True,
        "np_float": np.float32(1.5),
    }[other]
    leaves = [a] + ([o] if other == "tensor" else [])
    got = _summary(fn(a, o), leaves)
    want = _summary(getattr(type(a), name)(a, o), leaves)
    for g, w in zip(got, want):
        if isinstance(g, list):
            for gg, ww in zip(g, w):
                np.testing.assert_array_equal(gg, ww)
        else:
            np.testing.assert_array_equal(g, w)
    if other != "tensor":  # number on the left: the reflected operator
        got = _summary(fn(o, a), [a])
        want = _summary(getattr(type(a), rname)(a, o), [a])
        np.testing.assert_array_equal(got[0], want[0])
        assert got[1:3] == want[1:3]
        np.testing.assert_array_equal(got[3][0], want[3][0])


def test_reflected_values_and_names():
    x = torch.tensor([1.0, 2.0, 4.0], requires_grad=True)
    np.testing.assert_allclose((2 - x).detach().numpy(), [1.0, 0.0, -2.0])
    np.testing.assert_allclose((2 / x).detach().numpy(), [2.0, 1.0, 0.5])
    np.testing.assert_allclose((2**x).detach().numpy(), [2.0, 4.0, 16.0])
    assert type((2 - x).grad_fn).__name__ == "RsubBackward1"
    assert type((x - 2).grad_fn).__name__ == "SubBackward0"


def test_inplace_operators_keep_the_object():
    x = torch.tensor([1.0, 2.0])
    y = x
    for op, want in [
        (operator.iadd, [3.0, 4.0]),
        (operator.isub, [2.0, 3.0]),
        (operator.imul, [4.0, 6.0]),
        (operator.itruediv, [2.0, 3.0]),
    ]:
        y = op(y, 2 if op is not operator.isub else torch.tensor(1.0))
        assert y is x
        np.testing.assert_array_equal(x.numpy(), want)
    w = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w -= 1.0
    with torch.no_grad():
        w -= 1.0
    np.testing.assert_array_equal(w.detach().numpy(), [0.0])


def test_unsupported_operands_and_errors():
    x = torch.tensor([1.0, 2.0])
    for fn in (operator.add, operator.sub, operator.mul, operator.truediv, operator.pow):
        with pytest.raises(TypeError):
            fn(x, "a")
        with pytest.raises(TypeError):
            fn("a", x)
        with pytest.raises(TypeError):
            fn(x, object())
    with pytest.raises(TypeError):
        pow(x, 2, 3)
    with pytest.raises(RuntimeError, match=r"size of tensor a \(2\) must match.*\(3\)"):
        x + torch.ones(3)
    with pytest.raises(ValueError, match="int64 without overflow"):
        x * (1 << 70)
    with pytest.raises(TypeError):
        torch.Tensor.__mul__(3, 4)


def test_numpy_operands():
    # As torch: Tensor.__array_priority__ = 1000, so NumPy defers to the tensor's operator, and
    # the operators take NumPy arrays (copied, dtype kept). A NumPy scalar keeps autograd.
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = np.float32(1.5) * x
    assert isinstance(y, torch.Tensor) and type(y.grad_fn).__name__ == "MulBackward0"
    assert type((np.int64(2) - x).grad_fn).__name__ == "RsubBackward1"
    t = torch.tensor([1.0, 2.0])
    for got in (t == np.array([1.0, 3.0]), np.array([1.0, 3.0]) == t):
        assert isinstance(got, torch.Tensor)
        np.testing.assert_array_equal(got.numpy(), [True, False])  # never a bare False
    np.testing.assert_array_equal((np.array([3.0, 1.0]) < t).numpy(), [False, True])
    prod = t * np.array([2.0, 2.0])  # float64 array: float64 result, as in torch
    assert prod.dtype == torch.float64
    np.testing.assert_array_equal(prod.numpy(), [2.0, 4.0])
    assert (t * np.array([2.0, 2.0], np.float32)).dtype == torch.float32
    np.testing.assert_array_equal((np.array([1.0, 1.0]) - t).numpy(), [0.0, -1.0])
    t += np.array([1.0, 1.0], np.float32)
    np.testing.assert_array_equal(t.numpy(), [2.0, 3.0])
    with pytest.raises(TypeError, match="can't convert np.ndarray"):
        _ = t == np.array(["a", "b"])


def test_set_grad_enabled_fast_function():
    assert torch._C._set_grad_enabled(False) is True
    assert torch.is_grad_enabled() is False
    assert torch._C._set_grad_enabled(True) is False
    with pytest.raises(TypeError, match="must be bool"):
        torch._C._set_grad_enabled(1)
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()

    @torch.set_grad_enabled(False)
    def f():
        return torch.is_grad_enabled()

    assert f() is False and torch.is_grad_enabled()


# ---- Tensor.backward: a C method for the common call, the Python one for the rest -----------


def test_backward_signature_and_doc():
    import inspect

    sig = inspect.signature(torch.Tensor.backward)
    assert list(sig.parameters) == ["self", "gradient", "retain_graph", "create_graph", "inputs"]
    assert sig.parameters["create_graph"].default is False
    assert "graph leaves" in torch.Tensor.backward.__doc__


@pytest.mark.parametrize(
    "call",
    [
        lambda y: y.backward(torch.ones(2)),
        lambda y: y.backward(gradient=torch.ones(2)),
        lambda y: y.backward(torch.ones(2), None, False),
        lambda y: y.backward(torch.ones(2), retain_graph=0),
        lambda y: torch.Tensor.backward(y, torch.ones(2)),
        lambda y: y.sum().backward(),
    ],
)
def test_backward_argument_forms_give_the_same_gradient(call):
    x = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    call(x * x)
    assert x.grad.tolist() == [2.0, 4.0]


def test_backward_retain_graph_truthy_values_keep_the_graph():
    x = torch.tensor(3.0, requires_grad=True)
    y = x * x
    y.backward(retain_graph=1)
    y.backward()
    assert x.grad.item() == 12.0
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_backward_create_graph_and_inputs_take_the_general_path():
    x = torch.tensor(3.0, requires_grad=True)
    with pytest.warns(UserWarning, match="reference cycle") as record:
        (x**3).backward(create_graph=True)
    assert record[0].filename == __file__  # the warning points at the caller
    assert x.grad.grad_fn is not None and x.grad.item() == 27.0
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    (a * b).sum().backward(inputs=a)
    assert a.grad.tolist() == [3.0, 4.0] and b.grad is None
    (a * b).sum().backward(None, None, False, [b])
    assert b.grad.tolist() == [1.0, 2.0]


def test_backward_bad_arguments():
    y = torch.tensor(2.0, requires_grad=True) * 2
    with pytest.raises(TypeError, match="unexpected keyword argument 'grad'"):
        y.backward(grad=None)
    with pytest.raises(TypeError, match="multiple values for argument 'gradient'"):
        y.backward(None, gradient=None)
    with pytest.raises(TypeError, match="positional arguments but 6 were given"):
        y.backward(None, None, False, None, 5)
    with pytest.raises(TypeError, match="doesn't apply to a 'int' object"):
        torch.Tensor.backward(3)
    with pytest.raises(TypeError):
        y.backward("not a tensor")
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (torch.ones(2, requires_grad=True) * 2).backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.tensor(1.0).backward()
    y.backward()  # the failed calls above left the graph intact


# ---- the unary ops and zero_ as C methods, -x and abs(x) as number slots --------------------

UNARY = {
    "neg": np.negative,
    "negative": np.negative,
    "exp": np.exp,
    "log": np.log,
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
    "relu": lambda v: np.maximum(v, 0),
    "sqrt": np.sqrt,
    "abs": np.abs,
}
GRAD_FN = {"negative": "NegBackward0"}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("kind", ["tensor", "param", "large"])
def test_unary_c_methods(name, kind):
    values = np.linspace(0.1, 2.0, 70_000 if kind == "large" else 5)  # large: GIL released
    x = _leaf(values.tolist(), "param" if kind == "param" else None)
    out = getattr(x, name)()
    assert type(out) is torch.Tensor and out is not x
    exact = UNARY[name](x.detach().numpy().astype(np.float64))  # of the float32 inputs
    np.testing.assert_allclose(out.detach().numpy(), exact, rtol=2e-6, atol=1e-7)
    expected = GRAD_FN.get(name, name.capitalize() + "Backward0")
    assert type(out.grad_fn).__name__ == expected
    assert getattr(torch.Tensor, name).__doc__.startswith(f"{name}(self) -> Tensor\n\n")
    with pytest.raises(TypeError):
        getattr(x, name)(1)  # takes no arguments
    with pytest.raises(TypeError, match="__init__ has not been called"):
        getattr(torch.Tensor.__new__(torch.Tensor), name)()


@pytest.mark.parametrize("kind", ["tensor", "param"])
def test_negative_and_abs_slots_match_the_dunders(kind):
    x = _leaf([-1.5, 0.0, 2.0], kind)
    for slot, dunder in ((operator.neg, "__neg__"), (operator.abs, "__abs__")):
        a, b = _summary(slot(x), [x]), _summary(getattr(x, dunder)(), [x])
        np.testing.assert_array_equal(a[0], b[0])
        assert a[1:3] == b[1:3]
        np.testing.assert_array_equal(a[3][0], b[3][0])
    assert (-torch.tensor([1, -2])).tolist() == [-1, 2]  # integer dtype kept
    with pytest.raises(RuntimeError, match="Negation, the `-` operator, on a bool tensor"):
        -torch.tensor([True])


def test_zero_is_a_c_method_returning_the_same_object():
    x = torch.tensor([1.0, 2.0])
    assert x.zero_() is x and x.tolist() == [0.0, 0.0]
    leaf = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        leaf.zero_()
    assert leaf.tolist() == [1.0]
    base = torch.ones(2, 3)
    view = base[:, 1]
    assert view.zero_() is view
    assert base.tolist() == [[1.0, 0.0, 1.0], [1.0, 0.0, 1.0]]


# ---- Tensor.dtype and Tensor.shape as getset descriptors --------------------------------------


@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 4), (1, 2, 3, 4, 5)])
@pytest.mark.parametrize("kind", ["tensor", "param", "view"])
def test_shape_and_dtype_getters(shape, kind):
    x = torch.zeros(*shape, dtype=torch.float64)
    if kind == "param":
        x = torch.nn.Parameter(x)
    elif kind == "view" and len(shape) >= 2:
        x = x.transpose(0, 1)
        shape = (shape[1], shape[0], *shape[2:])
    s = x.shape
    assert type(s) is torch.Size and s == shape and tuple(s) == shape
    assert all(type(n) is int for n in s) and s.numel() == int(np.prod(shape))
    assert s == x.size() and repr(s) == f"torch.Size({list(shape)})"
    assert not hasattr(s, "__dict__")  # like torch.Size
    assert x.dtype is torch.float64 and torch.ones(2, dtype=torch.int64).dtype is torch.int64
    for name in ("shape", "dtype"):
        with pytest.raises(AttributeError):
            setattr(x, name, None)
        with pytest.raises(TypeError, match="__init__ has not been called"):
            getattr(torch.Tensor.__new__(torch.Tensor), name)
    assert "fastgrad.Size" in torch.Tensor.shape.__doc__ and "float32" in torch.Tensor.dtype.__doc__
