"""Module-level op functions (fastgrad.exp(x), fastgrad.matmul(a, b), ...), each a thin call
into the Tensor method of the same name.

They are written out one by one (rather than generated) so that IDEs and type checkers, which
read this source, see each signature and docstring.
"""

from __future__ import annotations

from typing import Any

from . import _C

Tensor = _C.Tensor


def _not_tensor(name: str, input: Any) -> TypeError:  # noqa: A002
    return TypeError(
        f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
    )


# ---- elementwise unary ops


def neg(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with the negative of the elements of `input`.

    `negative` is an alias.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("neg", input)
    return input.neg()


negative = neg


def exp(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with the exponential of the elements of `input`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("exp", input)
    return input.exp()


def log(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with the natural logarithm of the elements of `input`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("log", input)
    return input.log()


def sin(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with the sine of the elements of `input` (in radians)."""
    if not isinstance(input, Tensor):
        raise _not_tensor("sin", input)
    return input.sin()


def cos(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with the cosine of the elements of `input` (in radians)."""
    if not isinstance(input, Tensor):
        raise _not_tensor("cos", input)
    return input.cos()


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with the hyperbolic tangent of the elements of `input`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("tanh", input)
    return input.tanh()


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with the logistic sigmoid 1 / (1 + exp(-x)) of each element of
    `input`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("sigmoid", input)
    return input.sigmoid()


def relu(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with the rectified linear unit max(x, 0) of each element of
    `input`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("relu", input)
    return input.relu()


def sqrt(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with the square root of the elements of `input`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("sqrt", input)
    return input.sqrt()


def abs(input: Tensor) -> Tensor:  # noqa: A001, A002
    """Returns a new tensor with the absolute value of the elements of `input`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("abs", input)
    return input.abs()


def t(input: Tensor) -> Tensor:  # noqa: A002
    """Returns the transpose of `input`, a tensor of at most two dimensions, as a view.

    0-d and 1-d tensors are returned as they are; use transpose() or permute() for more
    dimensions.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("t", input)
    return input.t()


def clone(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a copy of `input` in new memory.

    The copy stays in the autograd graph: gradients flow back through it to `input`. Use
    ``input.detach().clone()`` for an independent copy.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("clone", input)
    return input.clone()


def detach(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor that shares the data of `input` but is cut off from the autograd
    graph (it never requires grad)."""
    if not isinstance(input, Tensor):
        raise _not_tensor("detach", input)
    return input.detach()


# ---- elementwise binary ops (with broadcasting)


def mul(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """Returns the product of `input` and `other` (a tensor or a number), elementwise with
    broadcasting.

    `multiply` is an alias.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("mul", input)
    return input.mul(other)


multiply = mul


def div(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """Returns `input` divided by `other` (a tensor or a number), elementwise with broadcasting.

    Always true division: integer inputs give a floating point result. PyTorch's
    `rounding_mode` argument is not supported. `divide` and `true_divide` are aliases.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("div", input)
    return input.div(other)


divide = div
true_divide = div


def maximum(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Returns the elementwise maximum of the tensors `input` and `other`, with broadcasting."""
    if not isinstance(input, Tensor):
        raise _not_tensor("maximum", input)
    return input.maximum(other)


def minimum(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Returns the elementwise minimum of the tensors `input` and `other`, with broadcasting."""
    if not isinstance(input, Tensor):
        raise _not_tensor("minimum", input)
    return input.minimum(other)


def gt(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """Returns a bool tensor, True where `input` is greater than `other` (a tensor or a number).

    `greater` is an alias.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("gt", input)
    return input.gt(other)


def lt(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """Returns a bool tensor, True where `input` is less than `other` (a tensor or a number).

    `less` is an alias.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("lt", input)
    return input.lt(other)


def ge(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """Returns a bool tensor, True where `input` is greater than or equal to `other`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("ge", input)
    return input.ge(other)


def le(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """Returns a bool tensor, True where `input` is less than or equal to `other`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("le", input)
    return input.le(other)


def eq(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """Returns a bool tensor, True where `input` equals `other` (a tensor or a number)."""
    if not isinstance(input, Tensor):
        raise _not_tensor("eq", input)
    return input.eq(other)


def ne(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """Returns a bool tensor, True where `input` differs from `other` (a tensor or a number)."""
    if not isinstance(input, Tensor):
        raise _not_tensor("ne", input)
    return input.ne(other)


greater = gt
less = lt


def matmul(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Returns the matrix product of the tensors `input` and `other`.

    1-D operands are vectors (dot product, matrix-vector), 2-D ones matrices; with more
    dimensions the leading ones are batch dimensions and broadcast, as in PyTorch.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("matmul", input)
    return input.matmul(other)


def mm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002
    """Returns the matrix product of the 2-D tensors `input` and `mat2` (no broadcasting)."""
    if not isinstance(input, Tensor):
        raise _not_tensor("mm", input)
    return input.mm(mat2)


pow = _C.pow  # noqa: A001 - accepts a number as either argument


def add(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """Returns input + alpha * other, elementwise with broadcasting.

    `other` is a tensor or a number; `alpha` is a number that scales it.
    """
    return input.add(other, alpha=alpha)


def sub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """Returns input - alpha * other, elementwise with broadcasting.

    `other` is a tensor or a number; `alpha` is a number that scales it. `subtract` is an
    alias.
    """
    return input.sub(other, alpha=alpha)


subtract = sub


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Returns a new tensor with each element of `input` clamped into [min, max].

    `min` and `max` are numbers (or one-element tensors); None leaves that side unbounded.
    Unlike PyTorch, bounds given as full tensors (one per element) are not supported. `clip`
    is an alias.
    """
    return input.clamp(min, max)


clip = clamp


# ---- reductions


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001, A002
    """Returns the sum of the elements of `input`: of all of them, or along `dim`.

    `dim` is an int or a tuple of ints; `keepdim=True` keeps the reduced dimensions with size
    one. `dtype` casts `input` first; bool and int64 inputs sum to int64, as in PyTorch.
    """
    return input.sum(dim, keepdim, dtype=dtype)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """Returns the mean of the elements of `input`: of all of them, or along `dim`.

    `dim` is an int or a tuple of ints; `keepdim=True` keeps the reduced dimensions with size
    one. `input` must be floating point, or `dtype` must name a floating type to cast it to.
    """
    return input.mean(dim, keepdim, dtype=dtype)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    """Returns the maximum of `input`: over all elements, or along `dim`.

    Along `dim` the result is a named tuple (values, indices). With a tensor in place of `dim`
    it is the elementwise maximum of the two tensors, as maximum().
    """
    return input.max(dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    """Returns the minimum of `input`: over all elements, or along `dim`.

    Along `dim` the result is a named tuple (values, indices). With a tensor in place of `dim`
    it is the elementwise minimum of the two tensors, as minimum().
    """
    return input.min(dim, keepdim)


# ---- shapes and views


def reshape(input: Tensor, shape: Any) -> Tensor:  # noqa: A002
    """Returns a tensor with the elements of `input` in the given `shape`.

    The result is a view when the memory layout allows it and a copy otherwise; one entry of
    `shape` may be -1, inferred from the others.
    """
    return input.reshape(shape)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    """Returns a view of `input` with dimensions `dim0` and `dim1` swapped."""
    return input.transpose(dim0, dim1)


def permute(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    """Returns a view of `input` with its dimensions reordered as `dims` (a sequence of ints)."""
    return input.permute(dims)


def squeeze(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """Returns a tensor with the dimensions of size one of `input` removed.

    With `dim` (an int or a tuple of ints) only those dimensions are removed, and only if their
    size is one.
    """
    return input.squeeze(dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """Returns a view of `input` with a dimension of size one inserted at `dim`."""
    return input.unsqueeze(dim)


def numel(input: Tensor) -> int:  # noqa: A002
    """Returns the total number of elements in `input`."""
    return input.numel()


def is_tensor(obj: Any) -> bool:
    """Returns True if `obj` is a fastgrad tensor (a Parameter included)."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:  # noqa: A002
    """Returns True if the dtype of `input` is a floating point type (float32 or float64)."""
    return input.is_floating_point()


def result_type(a: Any, b: Any) -> Any:
    """Returns the dtype that an arithmetic op on `a` and `b` (tensors or numbers) produces.

    PyTorch's promotion rules: a Python number does not widen a tensor of the same kind, a 0-d
    tensor does not widen a dimensioned one.
    """
    return _C._result_type(a, b)


# ---- shape, joining and indexing (issue 3)


def cat(tensors: Any, dim: int = 0, *, out: Any = None) -> Tensor:
    """Concatenates a sequence of tensors along the existing dimension `dim`.

    The tensors must have the same shape except along `dim`. `out` is accepted and ignored (a
    new tensor is always returned). `concat` and `concatenate` are aliases.
    """
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
    """Joins a sequence of tensors of equal shape along a new dimension `dim`.

    `out` is accepted and ignored (a new tensor is always returned).
    """
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return _C._stack(tensors, dim)


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """Returns a tensor with the elements of `input` where `condition` is True and those of
    `other` elsewhere.

    The three broadcast together; `input` and `other` may be numbers. where(condition) alone
    is nonzero(condition, as_tuple=True).
    """
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    return _C._where(condition, input, other)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    """Returns `input` with the dimensions from `start_dim` to `end_dim` merged into one.

    A view when the memory layout allows it; a 0-d tensor gives a 1-d tensor of one element.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("flatten", input)
    return input.flatten(start_dim, end_dim)


def flip(input: Tensor, *dims: Any) -> Tensor:  # noqa: A002
    """Returns a copy of `input` with the order of elements reversed along the given dims."""
    if not isinstance(input, Tensor):
        raise _not_tensor("flip", input)
    return input.flip(*dims)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """Returns a view of `length` elements of dimension `dim` of `input`, starting at
    `start`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("narrow", input)
    return input.narrow(dim, start, length)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """Splits `input` into `chunks` views of equal size along `dim` (the last may be smaller).

    As in PyTorch, fewer than `chunks` pieces come back when the size does not divide well.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("chunk", input)
    return input.chunk(chunks, dim)


def split(input: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """Splits `input` into views along `dim`: pieces of `split_size_or_sections` elements when
    it is an int (the last may be smaller), or of the sizes it lists."""
    if not isinstance(input, Tensor):
        raise _not_tensor("split", input)
    return input.split(split_size_or_sections, dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """Returns the slices of `input` along `dim` as a tuple of views, that dimension removed."""
    if not isinstance(input, Tensor):
        raise _not_tensor("unbind", input)
    return input.unbind(dim)


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:  # noqa: A002
    """Returns the values of `input` along `dim` at the positions in the int64 tensor `index`.

    For dim=0, out[i][j] = input[index[i][j]][j]; the result has the shape of `index`.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("gather", input)
    return input.gather(dim, index)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with the entries of `input` along `dim` at the positions in
    `index`, a 1-D int64 tensor."""
    if not isinstance(input, Tensor):
        raise _not_tensor("index_select", input)
    return input.index_select(dim, index)


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:  # noqa: A002
    """Returns a copy of `input` with `value` where the bool tensor `mask` is True.

    `mask` broadcasts to the shape of `input`; `value` is a number or a 0-d tensor.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("masked_fill", input)
    return input.masked_fill(mask, value)


def prod(
    input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:  # noqa: A002
    """Returns the product of the elements of `input`: of all of them, or along the int `dim`.

    `dtype` casts `input` first.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("prod", input)
    return input.prod(dim, keepdim, dtype=dtype)


def var(
    input: Tensor,  # noqa: A002
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """Returns the variance of the elements of `input`: of all of them, or along `dim`.

    By default the sample variance (divides by N - 1); `correction` sets what is subtracted
    from N, and the legacy `unbiased=False` means correction=0.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("var", input)
    return input.var(dim, unbiased, keepdim, correction=correction)


def std(
    input: Tensor,  # noqa: A002
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """Returns the standard deviation of the elements of `input`: of all of them, or along
    `dim`.

    By default the sample standard deviation (divides by N - 1); `correction` and `unbiased`
    work as for var().
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("std", input)
    return input.std(dim, unbiased, keepdim, correction=correction)


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Returns the indices (int64) of the largest values of `input`: of the flattened tensor
    when `dim` is None, otherwise along `dim`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("argmax", input)
    return input.argmax(dim, keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Returns the indices (int64) of the smallest values of `input`: of the flattened tensor
    when `dim` is None, otherwise along `dim`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("argmin", input)
    return input.argmin(dim, keepdim)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """Returns the cumulative sum of the elements of `input` along `dim`.

    `dtype` casts `input` first.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("cumsum", input)
    return input.cumsum(dim, dtype=dtype)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Returns log(sum(exp(input))) along `dim` (an int or a tuple of ints), computed stably."""
    if not isinstance(input, Tensor):
        raise _not_tensor("logsumexp", input)
    return input.logsumexp(dim, keepdim)


def softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:  # noqa: A002
    """Returns the softmax of `input` along `dim`: exp(x) / sum(exp(x)), computed stably.

    `dtype` casts `input` first.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("softmax", input)
    return input.softmax(dim, dtype)


def log_softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:  # noqa: A002
    """Returns the logarithm of the softmax of `input` along `dim`, computed stably.

    `dtype` casts `input` first.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("log_softmax", input)
    return input.log_softmax(dim, dtype)


def norm(
    input: Tensor,  # noqa: A002
    p: Any = "fro",
    dim: Any = None,
    keepdim: bool = False,
    dtype: Any = None,
) -> Tensor:
    """Returns the p-norm of `input`: of all its elements, or along `dim`.

    `p` is a number, inf, or "fro" (the default, the 2-norm of the elements). The nuclear
    norm ("nuc") is not supported.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("norm", input)
    return input.norm(p, dim, keepdim, dtype)


def broadcast_to(input: Tensor, *size: Any) -> Tensor:  # noqa: A002
    """Returns a view of `input` broadcast to the shape `size` (no data is copied)."""
    if not isinstance(input, Tensor):
        raise _not_tensor("broadcast_to", input)
    return input.broadcast_to(*size)


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """Returns the indices of the nonzero elements of `input`.

    A 2-D int64 tensor with one row per element found, or with `as_tuple=True` a tuple of 1-D
    index tensors, one per dimension.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("nonzero", input)
    return input.nonzero(as_tuple=as_tuple)


def square(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with the square of the elements of `input`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("square", input)
    return input.square()


def rsqrt(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with the reciprocal of the square root of each element of
    `input`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("rsqrt", input)
    return input.rsqrt()


def reciprocal(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with 1 / x of each element of `input` (integers give floats)."""
    if not isinstance(input, Tensor):
        raise _not_tensor("reciprocal", input)
    return input.reciprocal()


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    """Returns a bool tensor: whether any element of `input` is nonzero, overall or along
    `dim`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("any", input)
    return input.any(dim, keepdim)


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    """Returns a bool tensor: whether every element of `input` is nonzero, overall or along
    `dim`."""
    if not isinstance(input, Tensor):
        raise _not_tensor("all", input)
    return input.all(dim, keepdim)


def isclose(
    input: Tensor,  # noqa: A002
    other: Tensor,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> Tensor:
    """Returns a bool tensor, True where |input - other| <= atol + rtol * |other|.

    Equal infinities are close; NaNs are close to each other only with `equal_nan=True`. Both
    tensors must have the same dtype.
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("isclose", input)
    return input.isclose(other, rtol, atol, equal_nan)


def allclose(
    input: Tensor,  # noqa: A002
    other: Tensor,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> bool:
    """Returns True if every element of `input` is close to `other`'s (see isclose)."""
    if not isinstance(input, Tensor):
        raise _not_tensor("allclose", input)
    return input.allclose(other, rtol, atol, equal_nan)


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    """Returns True if `input` and `other` have the same shape and the same elements."""
    if not isinstance(input, Tensor):
        raise _not_tensor("equal", input)
    return input.equal(other)


def log1p(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with log(1 + x) of each element of `input`, accurate for small
    x."""
    if not isinstance(input, Tensor):
        raise _not_tensor("log1p", input)
    return input.log1p()


def expm1(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a new tensor with exp(x) - 1 of each element of `input`, accurate for small
    x."""
    if not isinstance(input, Tensor):
        raise _not_tensor("expm1", input)
    return input.expm1()


def logical_not(input: Tensor) -> Tensor:  # noqa: A002
    """Returns a bool tensor, True where `input` is zero (False)."""
    if not isinstance(input, Tensor):
        raise _not_tensor("logical_not", input)
    return input.logical_not()


def logical_and(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Returns a bool tensor, True where both `input` and `other` are nonzero."""
    if not isinstance(input, Tensor):
        raise _not_tensor("logical_and", input)
    return input.logical_and(other)


def logical_or(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Returns a bool tensor, True where `input` or `other` (or both) is nonzero."""
    if not isinstance(input, Tensor):
        raise _not_tensor("logical_or", input)
    return input.logical_or(other)
