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


def _factory(c_fn: Any, name: str) -> Any:
    def factory(
        *size: Any,
        out: Any = None,
        dtype: Any = None,
        layout: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        pin_memory: bool = False,
    ) -> Tensor:
        check_device(device)
        return c_fn(_size(size, name), dtype, requires_grad)

    factory.__name__ = factory.__qualname__ = name
    factory.__doc__ = f"{name}(*size, dtype=None, device=None, requires_grad=False) -> Tensor"
    return factory


zeros = _factory(_C._zeros, "zeros")
ones = _factory(_C._ones, "ones")
empty = _factory(_C._empty, "empty")
rand = _factory(_C._rand, "rand")
randn = _factory(_C._randn, "randn")


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    check_device(device)
    return _C._full(_size((size,), "full"), fill_value, dtype, requires_grad)


def _like(c_fn: Any, name: str) -> Any:
    def like(
        input: Tensor,
        *,
        dtype: Any = None,
        device: Any = None,  # noqa: A002
        requires_grad: bool = False,
        memory_format: Any = None,
    ) -> Tensor:
        check_device(device)
        return c_fn(list(input.shape), input.dtype if dtype is None else dtype, requires_grad)

    like.__name__ = like.__qualname__ = name
    return like


zeros_like = _like(_C._zeros, "zeros_like")
ones_like = _like(_C._ones, "ones_like")
empty_like = _like(_C._empty, "empty_like")
rand_like = _like(_C._rand, "rand_like")
randn_like = _like(_C._randn, "randn_like")


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,  # noqa: A002
    requires_grad: bool = False,
) -> Tensor:
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
    check_device(device)
    return _C._linspace(float(start), float(end), int(steps), dtype, requires_grad)
