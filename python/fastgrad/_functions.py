"""Module-level op functions (fastgrad.exp(x), fastgrad.matmul(a, b), ...), each a thin call
into the Tensor method of the same name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _C

Tensor = _C.Tensor


def _unary(name: str) -> Callable[[Tensor], Tensor]:
    method = getattr(Tensor, name)

    def op(input: Tensor) -> Tensor:  # noqa: A002
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{name}(): argument 'input' (position 1) must be Tensor, not "
                f"{type(input).__name__}"
            )
        return method(input)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"{name}(input) -> Tensor, elementwise."
    return op


neg = _unary("neg")
negative = neg
exp = _unary("exp")
log = _unary("log")
sin = _unary("sin")
cos = _unary("cos")
tanh = _unary("tanh")
sigmoid = _unary("sigmoid")
relu = _unary("relu")
sqrt = _unary("sqrt")
abs = _unary("abs")  # noqa: A001
t = _unary("t")
clone = _unary("clone")
detach = _unary("detach")


def _binary(name: str) -> Callable[[Tensor, Any], Tensor]:
    method = getattr(Tensor, name)

    def op(input: Tensor, other: Any) -> Tensor:  # noqa: A002
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{name}(): argument 'input' (position 1) must be Tensor, not "
                f"{type(input).__name__}"
            )
        return method(input, other)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"{name}(input, other) -> Tensor, with broadcasting."
    return op


mul = _binary("mul")
multiply = mul
div = _binary("div")
divide = div
true_divide = div
maximum = _binary("maximum")
minimum = _binary("minimum")
gt = _binary("gt")
lt = _binary("lt")
ge = _binary("ge")
le = _binary("le")
eq = _binary("eq")
ne = _binary("ne")
greater = gt
less = lt
matmul = _binary("matmul")
mm = _binary("mm")
pow = _C.pow  # noqa: A001 - accepts a number as either argument


def add(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    return input.add(other, alpha=alpha)


def sub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    return input.sub(other, alpha=alpha)


subtract = sub


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    return input.clamp(min, max)


clip = clamp


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001, A002
    return input.sum(dim, keepdim, dtype=dtype)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    return input.mean(dim, keepdim, dtype=dtype)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    return input.max(dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    return input.min(dim, keepdim)


def reshape(input: Tensor, shape: Any) -> Tensor:  # noqa: A002
    return input.reshape(shape)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    return input.transpose(dim0, dim1)


def permute(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    return input.permute(dims)


def squeeze(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    return input.squeeze(dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    return input.unsqueeze(dim)


def numel(input: Tensor) -> int:  # noqa: A002
    return input.numel()


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:  # noqa: A002
    return input.is_floating_point()


def result_type(a: Any, b: Any) -> Any:
    return _C._result_type(a, b)


# ---- shape, joining and indexing (issue 3)


def cat(tensors: Any, dim: int = 0, *, out: Any = None) -> Tensor:
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return _C._cat(tensors, dim)


concat = cat
concatenate = cat


def stack(tensors: Any, dim: int = 0, *, out: Any = None) -> Tensor:
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return _C._stack(tensors, dim)


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    return _C._where(condition, input, other)


def _method_fn(name: str) -> Callable[..., Any]:
    method = getattr(Tensor, name)

    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{name}(): argument 'input' (position 1) must be Tensor, not "
                f"{type(input).__name__}"
            )
        return method(input, *args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{name}(input, ...): see Tensor.{name}."
    return fn


flatten = _method_fn("flatten")
flip = _method_fn("flip")
narrow = _method_fn("narrow")
chunk = _method_fn("chunk")
split = _method_fn("split")
unbind = _method_fn("unbind")
gather = _method_fn("gather")
index_select = _method_fn("index_select")
masked_fill = _method_fn("masked_fill")
prod = _method_fn("prod")
var = _method_fn("var")
std = _method_fn("std")
argmax = _method_fn("argmax")
argmin = _method_fn("argmin")
cumsum = _method_fn("cumsum")
logsumexp = _method_fn("logsumexp")
softmax = _method_fn("softmax")
log_softmax = _method_fn("log_softmax")
norm = _method_fn("norm")
broadcast_to = _method_fn("broadcast_to")
nonzero = _method_fn("nonzero")
square = _method_fn("square")
rsqrt = _method_fn("rsqrt")
reciprocal = _method_fn("reciprocal")


any = _method_fn("any")  # noqa: A001
all = _method_fn("all")  # noqa: A001
isclose = _method_fn("isclose")
allclose = _method_fn("allclose")
equal = _method_fn("equal")
log1p = _method_fn("log1p")
expm1 = _method_fn("expm1")
logical_not = _method_fn("logical_not")
logical_and = _method_fn("logical_and")
logical_or = _method_fn("logical_or")
