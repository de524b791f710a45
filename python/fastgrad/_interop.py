"""Zero-copy exchange with NumPy and DLPack consumers/producers (PyTorch, JAX, CuPy on CPU...).

- `Tensor.__array_interface__` lets NumPy view a tensor's memory (`np.asarray(t)` copies
  nothing); `Tensor.__array__` serves `np.array(t)`, copying only when asked to.
- `Tensor.__dlpack__` / `__dlpack_device__` make `np.from_dlpack(t)` and
  `torch.from_dlpack(t)` share memory; `fastgrad.from_dlpack(x)` imports any object with
  `__dlpack__` (or a raw DLPack capsule). The capsules are built in `csrc/bindings/dlpack.cpp`.

As in PyTorch, a tensor that requires grad is not exported through DLPack: the consumer could
write into it behind autograd's back.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _C

Tensor = _C.Tensor

_TYPESTR = {"float32": "<f4", "float64": "<f8", "int64": "<i8", "bool": "|b1"}
_DL_CPU = 1


_REQUIRES_GRAD_NUMPY = (
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
)


def _array_interface(self: Tensor) -> dict[str, Any]:
    """NumPy's array interface: lets np.asarray(t) view this tensor's memory without a copy."""
    # NumPy keeps a reference to the tensor (the array's base), so the memory outlives the view.
    # Like numpy() (and PyTorch's np.asarray(t)), a tensor that requires grad is refused.
    if self.requires_grad:
        raise RuntimeError(_REQUIRES_GRAD_NUMPY)
    item = self.element_size()
    return {
        "version": 3,
        "shape": tuple(self.shape),
        "typestr": _TYPESTR[self.dtype._name],
        "data": (self.data_ptr(), False),
        "strides": tuple(s * item for s in self.stride()),
    }


def __array__(self: Tensor, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
    """Returns this tensor as a NumPy array for np.array(t): shared memory unless `copy` or a
    different `dtype` asks for a copy.

    Like numpy(), it raises for a tensor that requires grad.
    """
    arr = self.numpy()  # raises for a tensor that requires grad, as in PyTorch
    if dtype is not None:
        arr = arr.astype(dtype, copy=bool(copy))
    elif copy:
        arr = arr.copy()
    return arr


def __dlpack_device__(self: Tensor) -> tuple[int, int]:
    """Returns the DLPack device of this tensor: (1, 0), the CPU."""
    return (_DL_CPU, 0)


def __dlpack__(
    self: Tensor,
    *,
    stream: Any = None,
    max_version: tuple[int, int] | None = None,
    dl_device: tuple[int, int] | None = None,
    copy: bool | None = None,
) -> Any:
    """A DLPack capsule viewing this tensor's memory (a copy's when `copy=True`)."""
    if self.requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    if stream is not None and stream != -1:
        raise ValueError("__dlpack__: stream must be None for CPU tensors")
    if dl_device is not None and tuple(dl_device) != (_DL_CPU, 0):
        raise BufferError(f"__dlpack__: cannot export to device {tuple(dl_device)}; only CPU")
    tensor = self.clone() if copy else self
    versioned = max_version is not None and max_version[0] >= 1
    return _C._to_dlpack(tensor, versioned, bool(copy))


Tensor.__array_interface__ = property(_array_interface)
# As torch.Tensor: NumPy arrays and scalars on the left of an operator defer to the tensor's
# reflected operator (np.float32(2) * t is a tensor, with autograd), instead of turning the
# tensor into an array.
Tensor.__array_priority__ = 1000
Tensor.__array__ = __array__
Tensor.__dlpack__ = __dlpack__
Tensor.__dlpack_device__ = __dlpack_device__


def from_dlpack(ext_tensor: Any) -> Tensor:
    """A tensor sharing memory with `ext_tensor`: any object with `__dlpack__` (NumPy arrays,
    PyTorch tensors, ...) or a DLPack capsule. Only CPU memory of dtype float32, float64,
    int64 or bool can be imported."""
    if not hasattr(ext_tensor, "__dlpack__"):
        return _C._from_dlpack(ext_tensor)  # a capsule: raises if it is not one
    if hasattr(ext_tensor, "__dlpack_device__"):
        device = tuple(ext_tensor.__dlpack_device__())
        if int(device[0]) != _DL_CPU:
            raise ValueError(
                f"from_dlpack: only CPU tensors can be imported (DLPack device {device})"
            )
    try:
        capsule = ext_tensor.__dlpack__(max_version=(1, 0))
    except TypeError:  # a producer that predates DLPack 1.0's keywords
        capsule = ext_tensor.__dlpack__()
    return _C._from_dlpack(capsule)
