"""Factory functions with PyTorch's signatures: zeros(2, 3), zeros((2, 3)), dtype=, device=, ..."""

from __future__ import annotations

from typing import Any

from . import _C
from ._device import check_device

Tensor = _C.Tensor
tensor = _C.tensor
from_numpy = _C.from_numpy
manual_seed = _C.manual_seed


def _size(size: tuple[Any, ...], name: str) -> list[int]:
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, bool) or not isinstance(s, int):
            if isinstance(s, Tensor) and s.dim() == 0 and not s.dtype.is_floating_point:
                s = s.item()
            else:
                raise TypeError(
                    f"{name}(): argument 'size' must be tuple of ints, but found element of type "
                    f"{type(s).__name__}"
                )
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return out


def zeros(
    *size: Any,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """Returns a tensor filled with zeros, of the shape given by `size`.

    `size` is given as separate ints or one sequence: zeros(2, 3) or zeros((2, 3)). `dtype`
    defaults to float32; `device` can only be the CPU; `out`, `layout` and `pin_memory` are
    accepted for compatibility and ignored.
    """
    check_device(device)
    return _C._zeros(_size(size, "zeros"), dtype, requires_grad)


def ones(
    *size: Any,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """Returns a tensor filled with ones, of the shape given by `size`.

    `size` is given as separate ints or one sequence: ones(2, 3) or ones((2, 3)). `dtype`
    defaults to float32; `device` can only be the CPU; `out`, `layout` and `pin_memory` are
    accepted for compatibility and ignored.
    """
    check_device(device)
    return _C._ones(_size(size, "ones"), dtype, requires_grad)


def empty(
    *size: Any,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """Returns a tensor of the shape given by `size` whose values are not initialised.

    `size` is given as separate ints or one sequence: empty(2, 3) or empty((2, 3)). `dtype`
    defaults to float32; `device` can only be the CPU; `out`, `layout` and `pin_memory` are
    accepted for compatibility and ignored.
    """
    check_device(device)
    return _C._empty(_size(size, "empty"), dtype, requires_grad)


def rand(
    *size: Any,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """Returns a tensor of the shape given by `size` filled with random numbers from the
    uniform distribution on [0, 1).

    fastgrad.manual_seed makes the numbers reproducible, but they differ from PyTorch's.
    `size` is given as separate ints or one sequence: rand(2, 3) or rand((2, 3)). `dtype`
    defaults to float32; `device` can only be the CPU; `out`, `layout` and `pin_memory` are
    accepted for compatibility and ignored.
    """
    check_device(device)
    return _C._rand(_size(size, "rand"), dtype, requires_grad)


def randn(
    *size: Any,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """Returns a tensor of the shape given by `size` filled with random numbers from the
    standard normal distribution (mean 0, variance 1).

    fastgrad.manual_seed makes the numbers reproducible, but they differ from PyTorch's.
    `size` is given as separate ints or one sequence: randn(2, 3) or randn((2, 3)). `dtype`
    defaults to float32; `device` can only be the CPU; `out`, `layout` and `pin_memory` are
    accepted for compatibility and ignored.
    """
    check_device(device)
    return _C._randn(_size(size, "randn"), dtype, requires_grad)


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Returns a tensor of shape `size` (a sequence of ints) filled with `fill_value`.

    Without `dtype`, the dtype follows `fill_value` as in PyTorch: float32 for a float, int64
    for an int, bool for a bool.
    """
    check_device(device)
    return _C._full(_size((size,), "full"), fill_value, dtype, requires_grad)


def zeros_like(
    input: Tensor,  # noqa: A002
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """Returns a tensor filled with zeros, with the shape (and by default the dtype) of
    `input`.

    The result never shares memory with `input` and does not require grad unless
    `requires_grad=True`; `memory_format` is accepted and ignored.
    """
    check_device(device)
    return _C._zeros(list(input.shape), input.dtype if dtype is None else dtype, requires_grad)


def ones_like(
    input: Tensor,  # noqa: A002
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """Returns a tensor filled with ones, with the shape (and by default the dtype) of
    `input`.

    The result never shares memory with `input` and does not require grad unless
    `requires_grad=True`; `memory_format` is accepted and ignored.
    """
    check_device(device)
    return _C._ones(list(input.shape), input.dtype if dtype is None else dtype, requires_grad)


def empty_like(
    input: Tensor,  # noqa: A002
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """Returns an uninitialised tensor with the shape (and by default the dtype) of `input`.

    The result never shares memory with `input` and does not require grad unless
    `requires_grad=True`; `memory_format` is accepted and ignored.
    """
    check_device(device)
    return _C._empty(list(input.shape), input.dtype if dtype is None else dtype, requires_grad)


def rand_like(
    input: Tensor,  # noqa: A002
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """Returns a tensor with the shape (and by default the dtype) of `input`, filled with
    random numbers from the uniform distribution on [0, 1).

    The result never shares memory with `input` and does not require grad unless
    `requires_grad=True`; `memory_format` is accepted and ignored.
    """
    check_device(device)
    return _C._rand(list(input.shape), input.dtype if dtype is None else dtype, requires_grad)


def randn_like(
    input: Tensor,  # noqa: A002
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """Returns a tensor with the shape (and by default the dtype) of `input`, filled with
    random numbers from the standard normal distribution.

    The result never shares memory with `input` and does not require grad unless
    `requires_grad=True`; `memory_format` is accepted and ignored.
    """
    check_device(device)
    return _C._randn(list(input.shape), input.dtype if dtype is None else dtype, requires_grad)


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,  # noqa: A002
    requires_grad: bool = False,
) -> Tensor:
    """Returns a tensor with the shape of `input` filled with `fill_value`; the dtype is that of
    `input` unless `dtype` is given."""
    check_device(device)
    return _C._full(
        list(input.shape), fill_value, input.dtype if dtype is None else dtype, requires_grad
    )


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Returns a 1-D tensor of the values from `start` (inclusive) to `end` (exclusive), `step`
    apart.

    arange(n) counts from 0 to n - 1. Without `dtype` the result is int64 when every argument
    is an int, float32 otherwise (as in PyTorch).
    """
    check_device(device)
    if end is None:
        start, end = 0, start
    return _C._arange(start, end, step, dtype, requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Returns a 1-D tensor of `steps` values evenly spaced from `start` to `end`, both
    included.

    The dtype is float32 unless `dtype` is given.
    """
    check_device(device)
    return _C._linspace(float(start), float(end), int(steps), dtype, requires_grad)
