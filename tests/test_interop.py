"""Zero-copy exchange: NumPy's array protocols and DLPack, both ways.

Each test proves sharing (a write on one side is seen on the other) and, where it matters, the
lifetime (the producer can be deleted first). PyTorch is used only when installed.
"""

import gc

import numpy as np
import pytest

import fastgrad
from fastgrad.utils import dlpack


def test_array_interface_shares_memory_and_keeps_tensor_alive():
    t = fastgrad.arange(6, dtype=fastgrad.float32).reshape(2, 3)
    a = np.asarray(t)
    assert a.dtype == np.float32 and a.shape == (2, 3)
    a[0, 1] = 10.0
    assert t[0, 1].item() == 10.0
    t[1, 2] = -1.0
    assert a[1, 2] == -1.0
    del t
    gc.collect()
    assert a.tolist() == [[0.0, 10.0, 2.0], [3.0, 4.0, -1.0]]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_array_interface_dtypes_and_strided_views(dtype):
    t = fastgrad.tensor([[1, 0, 3], [4, 5, 0]]).to(getattr(fastgrad, dtype))
    view = t.t()  # a non-contiguous view: NumPy sees its strides
    a = np.asarray(view)
    assert a.dtype == np.dtype(dtype if dtype != "bool" else np.bool_)
    np.testing.assert_array_equal(a, np.asarray(t.tolist(), dtype=a.dtype).T)
    assert np.shares_memory(a, np.asarray(t))


def test_array_copy_keyword():
    t = fastgrad.ones(3)
    c = np.array(t, copy=True)
    c[0] = 5
    assert t[0].item() == 1.0
    assert np.array(t, dtype=np.float64).dtype == np.float64


def test_numpy_from_dlpack_shares_memory_both_ways():
    t = fastgrad.zeros(2, 3)
    a = np.from_dlpack(t)
    assert a.shape == (2, 3) and a.dtype == np.float32
    a[1, 1] = 7.0
    assert t[1, 1].item() == 7.0
    t[0, 2] = 3.0
    assert a[0, 2] == 3.0


def test_numpy_from_dlpack_outlives_the_tensor():
    t = fastgrad.arange(5, dtype=fastgrad.int64)
    a = np.from_dlpack(t[1:])  # a view with a storage offset
    del t
    gc.collect()
    assert a.tolist() == [1, 2, 3, 4]


def test_fastgrad_from_dlpack_numpy_shares_memory_and_lifetime():
    arr = np.arange(12, dtype=np.float64).reshape(3, 4)
    t = fastgrad.from_dlpack(arr)
    assert t.dtype == fastgrad.float64 and tuple(t.shape) == (3, 4)
    arr[2, 3] = -5.0
    assert t[2, 3].item() == -5.0
    t[0, 0] = 42.0
    assert arr[0, 0] == 42.0
    del arr
    gc.collect()
    assert t.sum().item() == sum(range(12)) - 11 - 5 + 42


def test_from_dlpack_strided_numpy_view_and_bool():
    arr = np.arange(20, dtype=np.int64).reshape(4, 5)[::2, 1::2]
    t = fastgrad.from_dlpack(arr)
    assert t.tolist() == arr.tolist()
    assert t.stride() == (10, 2)
    mask = np.array([True, False, True])
    assert fastgrad.from_dlpack(mask).tolist() == [True, False, True]


def test_from_dlpack_capsule_roundtrip_and_single_use():
    t = fastgrad.tensor([1.0, 2.0])
    capsule = dlpack.to_dlpack(t)
    u = fastgrad.from_dlpack(capsule)
    u[0] = 9.0
    assert t[0].item() == 9.0
    with pytest.raises(ValueError, match="not been consumed"):
        fastgrad.from_dlpack(capsule)


def test_unconsumed_capsule_is_freed():
    # A capsule dropped without a consumer must run its deleter (no leak, no crash).
    t = fastgrad.ones(4)
    for _ in range(100):
        t.__dlpack__()
    gc.collect()
    assert t.sum().item() == 4.0


def test_dlpack_device_and_versioned_export():
    t = fastgrad.ones(2)
    assert t.__dlpack_device__() == (1, 0)
    a = np.from_dlpack(t)  # NumPy 2 asks for max_version=(1, 0)
    a[0] = 3
    assert t[0].item() == 3
    copied = np.from_dlpack(t, copy=True)
    copied[1] = 5
    assert t[1].item() == 1


def test_dlpack_refuses_tensors_that_require_grad():
    w = fastgrad.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"Can't export tensors that require gradient, use tensor.detach\(\)"
    ):
        w.__dlpack__()
    assert np.from_dlpack(w.detach()).tolist() == [1.0, 1.0]


def test_from_dlpack_rejects_unsupported_dtype():
    with pytest.raises(TypeError, match="unsupported DLPack dtype"):
        fastgrad.from_dlpack(np.zeros(3, dtype=np.int32))


def test_torch_interop_shares_memory():
    torch = pytest.importorskip("torch")
    t = fastgrad.zeros(3)
    pt = torch.from_dlpack(t)
    pt[0] = 1.5
    assert t[0].item() == 1.5
    src = torch.arange(4, dtype=torch.float64)
    f = fastgrad.from_dlpack(src)
    f[3] = -1.0
    assert src[3].item() == -1.0
    del src
    gc.collect()
    assert f.tolist() == [0.0, 1.0, 2.0, -1.0]


def test_numpy_conversion_refuses_tensors_that_require_grad():
    # PyTorch: np.asarray(t) / np.array(t) raise like t.numpy(); detach() first.
    t = fastgrad.ones(3, requires_grad=True)
    for convert in (np.asarray, np.array):
        with pytest.raises(
            RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"
        ):
            convert(t)
    np.testing.assert_array_equal(np.asarray(t.detach()), [1, 1, 1])
