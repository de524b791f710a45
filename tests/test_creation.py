"""Tensor creation, conversion, dtype inference and metadata (PyTorch semantics)."""

import numpy as np
import pytest

import fastgrad as torch

# --- torch.tensor: dtype inference -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "dtype", "shape"),
    [
        (2.5, "float32", ()),
        (3, "int64", ()),
        (True, "bool", ()),
        ([1.0, 2.0], "float32", (2,)),
        ([1, 2, 3], "int64", (3,)),
        ([True, False], "bool", (2,)),
        ([1, 2.5], "float32", (2,)),
        ([[1, 2], [3, 4.0]], "float32", (2, 2)),
        ([True, 1], "int64", (2,)),
        ([True, 1.5], "float32", (2,)),
        ([], "float32", (0,)),
        ([[[1.0], [2.0]]], "float32", (1, 2, 1)),
        (np.array([1.0, 2.0]), "float64", (2,)),
        (np.array([1.0, 2.0], dtype=np.float32), "float32", (2,)),
        (np.array([[1, 2]], dtype=np.int64), "int64", (1, 2)),
        (np.array([True]), "bool", (1,)),
        (np.float32(3.0), "float32", ()),
    ],
)
def test_tensor_dtype_inference(data, dtype, shape):
    t = torch.tensor(data)
    assert t.dtype == getattr(torch, dtype)
    assert t.shape == shape
    np.testing.assert_array_equal(t.numpy(), np.asarray(data))


@pytest.mark.parametrize(
    ("data", "dtype", "expected"),
    [
        ([1, 2], "float64", [1.0, 2.0]),
        ([1.5, -2.7], "int64", [1, -2]),  # float -> int truncates toward zero
        ([0.0, 2.0], "bool", [False, True]),
        (np.array([1.0, 2.0]), "float32", [1.0, 2.0]),
    ],
)
def test_tensor_explicit_dtype(data, dtype, expected):
    t = torch.tensor(data, dtype=getattr(torch, dtype))
    assert t.dtype == getattr(torch, dtype)
    assert t.tolist() == expected


@pytest.mark.parametrize("data", [[[1, 2], [3]], [[1, 2, 3], [4, 5]], [[[1], [2]], [[3]]]])
def test_ragged_list_raises_value_error(data):
    with pytest.raises(ValueError):
        torch.tensor(data)


def test_tensor_copies_numpy_data():
    a = np.array([1.0, 2.0])
    t = torch.tensor(a)
    a[0] = 100.0
    assert t.tolist() == [1.0, 2.0]


def test_tensor_requires_grad_kwarg():
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad is None and t.grad_fn is None
    assert not torch.tensor([1.0]).requires_grad


@pytest.mark.parametrize("data", [1, [1, 2], True])
def test_requires_grad_on_integer_tensor_raises(data):
    msg = "Only Tensors of floating point and complex dtype can require gradients"
    with pytest.raises(RuntimeError, match=msg):
        torch.tensor(data, requires_grad=True)


# --- legacy constructor --------------------------------------------------------------------------


def test_legacy_tensor_constructor():
    assert torch.Tensor([1, 2]).dtype == torch.float32
    assert torch.Tensor([1, 2]).tolist() == [1.0, 2.0]
    assert torch.Tensor([[True]]).dtype == torch.float32
    assert torch.Tensor(2, 3).shape == (2, 3)
    assert torch.Tensor(2, 3).dtype == torch.float32
    assert torch.Tensor().shape == (0,)


# --- factories -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "shape", "dtype", "value"),
    [
        (lambda: torch.zeros(2, 3), (2, 3), "float32", 0.0),
        (lambda: torch.zeros((2, 3)), (2, 3), "float32", 0.0),
        (lambda: torch.zeros([4]), (4,), "float32", 0.0),
        (lambda: torch.zeros(()), (), "float32", 0.0),
        (lambda: torch.zeros(0), (0,), "float32", None),
        (lambda: torch.zeros(2, dtype=torch.int64), (2,), "int64", 0),
        (lambda: torch.ones(3), (3,), "float32", 1.0),
        (lambda: torch.ones(2, 2, dtype=torch.float64), (2, 2), "float64", 1.0),
        (lambda: torch.ones((1, 2), dtype=torch.bool), (1, 2), "bool", True),
        (lambda: torch.full((2,), 3), (2,), "int64", 3),
        (lambda: torch.full((2, 2), 1.5), (2, 2), "float32", 1.5),
        (lambda: torch.full((2,), True), (2,), "bool", True),
        (lambda: torch.full((3,), 2, dtype=torch.float64), (3,), "float64", 2.0),
        (lambda: torch.empty(2, 3), (2, 3), "float32", None),
        (lambda: torch.empty((4,), dtype=torch.float64), (4,), "float64", None),
        (lambda: torch.zeros_like(torch.ones(2, 3, dtype=torch.float64)), (2, 3), "float64", 0.0),
        (lambda: torch.ones_like(torch.zeros(3, dtype=torch.int64)), (3,), "int64", 1),
        (lambda: torch.full_like(torch.zeros(2), 7), (2,), "float32", 7.0),
        (lambda: torch.full_like(torch.zeros(2, dtype=torch.int64), 2.7), (2,), "int64", 2),
        (lambda: torch.full_like(torch.zeros(2), 7, dtype=torch.int64), (2,), "int64", 7),
        (lambda: torch.zeros_like(torch.ones(2), dtype=torch.float64), (2,), "float64", 0.0),
    ],
)
def test_factories(make, shape, dtype, value):
    t = make()
    assert t.shape == shape
    assert t.dtype == getattr(torch, dtype)
    assert not t.requires_grad
    if value is not None:
        assert (t.numpy() == value).all()
        assert type(t.numpy().ravel()[0].item()) is type(value)


def test_factory_requires_grad_kwarg_and_like_does_not_inherit():
    w = torch.zeros(2, 3, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    assert not torch.zeros_like(w).requires_grad
    assert torch.ones(2, requires_grad=True).requires_grad


@pytest.mark.parametrize(
    ("make", "dtype", "expected"),
    [
        (lambda: torch.arange(5), "int64", [0, 1, 2, 3, 4]),
        (lambda: torch.arange(2, 5), "int64", [2, 3, 4]),
        (lambda: torch.arange(0, 10, 3), "int64", [0, 3, 6, 9]),
        (lambda: torch.arange(5, 0, -2), "int64", [5, 3, 1]),
        (lambda: torch.arange(0, 1, 0.25), "float32", [0.0, 0.25, 0.5, 0.75]),
        (lambda: torch.arange(1.0, 4), "float32", [1.0, 2.0, 3.0]),
        (lambda: torch.arange(1, 2.5, 0.5), "float32", [1.0, 1.5, 2.0]),
        (lambda: torch.arange(3, dtype=torch.float64), "float64", [0.0, 1.0, 2.0]),
        (lambda: torch.linspace(0, 1, 5), "float32", [0.0, 0.25, 0.5, 0.75, 1.0]),
        (lambda: torch.linspace(-1, 1, steps=3), "float32", [-1.0, 0.0, 1.0]),
        (lambda: torch.linspace(2, 3, steps=1), "float32", [2.0]),
        (lambda: torch.linspace(0, 1, 3, dtype=torch.float64), "float64", [0.0, 0.5, 1.0]),
    ],
)
def test_arange_linspace(make, dtype, expected):
    t = make()
    assert t.dtype == getattr(torch, dtype)
    assert t.tolist() == expected


# --- random --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_random_shapes_dtypes_and_seed(fn):
    f = getattr(torch, fn)
    assert f(2, 3).shape == (2, 3) and f((2, 3)).shape == (2, 3) and f(4).shape == (4,)
    assert f(2).dtype == torch.float32 and f(2, dtype=torch.float64).dtype == torch.float64
    assert f(2, requires_grad=True).requires_grad
    torch.manual_seed(1234)
    a = f(100).tolist()
    b = f(100).tolist()
    torch.manual_seed(1234)
    assert f(100).tolist() == a
    assert a != b


def test_random_distributions():
    torch.manual_seed(0)
    u = torch.rand(20000).numpy()
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.02
    n = torch.randn(20000).numpy()
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1.0) < 0.05


# --- NumPy interop -------------------------------------------------------------------------------


def test_from_numpy_shares_memory_both_ways():
    a = np.arange(3.0)
    t = torch.from_numpy(a)
    assert t.dtype == torch.float64
    t.add_(1)
    np.testing.assert_array_equal(a, [1.0, 2.0, 3.0])
    a[0] = 9.0
    assert t.tolist() == [9.0, 2.0, 3.0]
    assert torch.from_numpy(np.zeros(2, dtype=np.float32)).dtype == torch.float32
    assert torch.from_numpy(np.zeros(2, dtype=np.int64)).dtype == torch.int64


def test_numpy_shares_memory_both_ways():
    t = torch.ones(3)
    a = t.numpy()
    assert a.dtype == np.float32
    a[0] = 5.0
    assert t.tolist() == [5.0, 1.0, 1.0]
    t.mul_(2)
    np.testing.assert_array_equal(a, [10.0, 2.0, 2.0])


def test_numpy_on_requires_grad_raises():
    msg = (
        r"Can't call numpy\(\) on Tensor that requires grad. "
        r"Use tensor.detach\(\).numpy\(\) instead."
    )
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for t in (x, x * 2):
        with pytest.raises(RuntimeError, match=msg):
            t.numpy()
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 2.0])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([[1, 2], [3, 4]], [[1, 2], [3, 4]]),
        ([1.5, 2.0], [1.5, 2.0]),
        ([True, False], [True, False]),
        (2.5, 2.5),
        (7, 7),
        ([], []),
    ],
)
def test_tolist(data, expected):
    out = torch.tensor(data).tolist()
    assert out == expected
    assert type(out) is type(expected)


def test_tolist_and_item_work_on_requires_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    assert x.tolist() == [1.0, 2.0]
    assert x.sum().item() == 3.0


@pytest.mark.parametrize(
    ("data", "expected"), [(3.5, 3.5), (3, 3), (True, True), ([[1.5]], 1.5), ([2], 2)]
)
def test_item(data, expected):
    v = torch.tensor(data).item()
    assert v == expected and type(v) is type(expected)


@pytest.mark.parametrize(("data", "n"), [([1.0, 2.0], 2), ([], 0), ([[1, 2, 3]], 3)])
def test_item_multi_element_raises(data, n):
    with pytest.raises(
        RuntimeError, match=f"a Tensor with {n} elements cannot be converted to Scalar"
    ):
        torch.tensor(data).item()


# --- dtype conversion ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("convert", "dtype", "expected"),
    [
        (lambda t: t.float(), "float32", [1.7, -1.7, 0.0]),
        (lambda t: t.double(), "float64", [1.7, -1.7, 0.0]),
        (lambda t: t.long(), "int64", [1, -1, 0]),
        (lambda t: t.bool(), "bool", [True, True, False]),
        (lambda t: t.to(torch.float64), "float64", [1.7, -1.7, 0.0]),
        (lambda t: t.to(torch.int64), "int64", [1, -1, 0]),
        (lambda t: t.to(dtype=torch.bool), "bool", [True, True, False]),
    ],
)
def test_conversions(convert, dtype, expected):
    src = torch.tensor([1.7, -1.7, 0.0], dtype=torch.float64)
    out = convert(src)
    assert out.dtype == getattr(torch, dtype)
    np.testing.assert_allclose(np.asarray(out.tolist(), dtype=float), expected, rtol=1e-6)


def test_conversion_to_same_dtype_returns_self():
    x = torch.ones(2, requires_grad=True)
    assert x.float() is x
    assert x.to(torch.float32) is x


def test_conversion_is_differentiable():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == torch.float64 and y.requires_grad and not y.is_leaf
    (y * y).sum().backward()
    assert x.grad.dtype == torch.float32
    assert x.grad.tolist() == [2.0, 4.0]
    assert not x.long().requires_grad


def test_integer_float_promotion_in_ops():
    i = torch.tensor([1, 2])
    f = torch.tensor([1.0, 2.0])
    d = torch.tensor([1.0, 2.0], dtype=torch.float64)
    cases = [
        (i / torch.tensor([2, 2]), torch.float32),  # true division of ints gives float
        (i * 1.5, torch.float32),
        (i + 1, torch.int64),
        (i**2, torch.int64),
        (f + d, torch.float64),
        (f + torch.tensor(1.0, dtype=torch.float64), torch.float32),  # 0-dim does not promote
        (i + torch.tensor(1.0), torch.float32),
        (f * 2, torch.float32),
        (f > 1, torch.bool),
        (i.sum(), torch.int64),
    ]
    for t, dtype in cases:
        assert t.dtype == dtype


# --- dtype and device objects ------------------------------------------------------------------


def test_dtype_objects():
    assert torch.float32 == torch.float and torch.float64 == torch.double
    assert torch.int64 == torch.long
    assert torch.float32 != torch.float64 and torch.int64 != torch.bool
    for name in ("float32", "float64", "int64", "bool"):
        assert str(getattr(torch, name)) == f"torch.{name}"
    assert str(torch.float) == "torch.float32" and str(torch.long) == "torch.int64"


def test_device():
    cpu = torch.device("cpu")
    assert cpu == torch.device("cpu") and cpu.type == "cpu" and str(cpu) == "cpu"
    for kwargs in ({"device": "cpu"}, {"device": cpu}):
        for t in (
            torch.tensor([1.0], **kwargs),
            torch.zeros(2, **kwargs),
            torch.ones(2, **kwargs),
            torch.full((2,), 1.0, **kwargs),
            torch.arange(3, **kwargs),
            torch.rand(2, **kwargs),
            torch.randn(2, **kwargs),
            torch.empty(2, **kwargs),
            torch.linspace(0, 1, 3, **kwargs),
        ):
            assert t.device == cpu and t.device.type == "cpu" and str(t.device) == "cpu"


# --- shape metadata ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "dim", "numel"), [((), 0, 1), ((4,), 1, 4), ((2, 3), 2, 6), ((2, 0, 3), 3, 0)]
)
def test_shape_metadata(shape, dim, numel):
    t = torch.zeros(shape)
    assert t.shape == shape and t.size() == shape and tuple(t.shape) == shape
    assert isinstance(t.shape, tuple)
    assert t.dim() == dim and t.numel() == numel
    if dim:
        assert len(t) == shape[0]
        assert t.size(0) == shape[0] and t.size(-1) == shape[-1]
    else:
        with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
            len(t)


@pytest.mark.parametrize(
    "make",
    [
        lambda d: torch.tensor([1.0], device=d),
        lambda d: torch.zeros(2, device=d),
        lambda d: torch.ones(2, device=d),
        lambda d: torch.full((2,), 3.0, device=d),
        lambda d: torch.arange(3, device=d),
    ],
)
def test_factories_accept_the_cpu_and_refuse_other_devices(make):
    assert make("cpu").device.type == "cpu"
    assert make(torch.device("cpu")).device.type == "cpu"
    with pytest.raises(RuntimeError, match="device 'cuda' is not available"):
        make("cuda")
