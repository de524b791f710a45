"""Python-side methods of fastgrad.Tensor.

The Tensor class is the C++ one bound in fastgrad._C (so the hot path of an op is one call into
C++). Methods whose PyTorch signatures are flexible — reshape(*shape), sum(dim=None, ...),
max(dim) returning (values, indices) — and the printing code are defined here and attached to it.
"""

from __future__ import annotations

import warnings
from collections import namedtuple
from typing import Any

from . import _C
from ._device import CPU, check_device
from ._size import Size
from ._tensor_str import format_tensor

Tensor = _C.Tensor
Tensor.__module__ = "fastgrad"

_return_types_max = namedtuple("max", ["values", "indices"])
_return_types_min = namedtuple("min", ["values", "indices"])


def _method(func: Any) -> Any:
    # Functions named _m_<name> become Tensor.<name> (avoids shadowing builtins like max here).
    setattr(Tensor, func.__name__.removeprefix("_m_"), func)
    return func


def _property(func: Any) -> Any:
    setattr(Tensor, func.__name__, property(func))
    return func


def _dims(dim: Any) -> list[int] | None:
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        return [int(d) for d in dim]
    return [int(dim)]


def _shape_args(args: tuple[Any, ...], name: str) -> list[int]:
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = tuple(args[0])
    for a in args:
        if not isinstance(a, int) or isinstance(a, bool):
            raise TypeError(
                f"{name}(): argument 'size' must be tuple of ints, but found element of type "
                f"{type(a).__name__}"
            )
    return list(args)


# ---- shape and metadata


@_method
def size(self: Tensor, dim: int | None = None) -> Any:
    """Returns the shape of this tensor as a fastgrad.Size (a tuple of ints), or with `dim` the
    size of that dimension (negative dims count from the end)."""
    sizes = self._sizes()
    if dim is None:
        return Size(sizes)
    n = len(sizes)
    if not -max(n, 1) <= dim < max(n, 1):
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-max(n, 1)}, {max(n, 1) - 1}], "
            f"but got {dim})"
        )
    return sizes[dim] if n else 1


@_property
def device(self: Tensor) -> Any:
    """The device of this tensor: always the CPU (fastgrad has no other device)."""
    return CPU


@_property
def is_cuda(self: Tensor) -> bool:
    """False: fastgrad tensors live on the CPU."""
    return False


@_property
def T(self: Tensor) -> Tensor:  # noqa: N802
    """This tensor with the order of all its dimensions reversed (a view).

    PyTorch deprecates .T on tensors that are not 2-D; fastgrad accepts any number of
    dimensions, without a warning.
    """
    return self._permute(list(range(self.dim() - 1, -1, -1)))


@_property
def mT(self: Tensor) -> Tensor:  # noqa: N802
    """This tensor with its last two dimensions swapped (a view): a batch of transposed
    matrices."""
    if self.dim() < 2:
        raise RuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
        )
    return self.transpose(-2, -1)


# ---- printing


def _suffixes(self: Tensor) -> list[str]:
    fn = self.grad_fn
    if fn is not None:
        return [f"grad_fn=<{type(fn).__name__}>"]
    if self.requires_grad:
        return ["requires_grad=True"]
    return []


@_method
def __repr__(self: Tensor) -> str:
    """Returns the printed form of this tensor, as PyTorch prints it (see set_printoptions)."""
    data = self.detach().numpy()
    return format_tensor(data, self.dtype._name, _suffixes(self))


Tensor.__str__ = Tensor.__repr__


def _not_picklable(self: Tensor) -> TypeError:
    return TypeError(
        f"cannot pickle '{type(self).__name__}' object: fastgrad tensors support neither pickle "
        "nor the copy module (fastgrad.save and fastgrad.load store them)"
    )


# Defined so that no protocol reaches object.__reduce__: for protocols 0 and 1 it calls
# pybind11's base type, whose constructor aborts the process on a C++ exception.
@_method
def __reduce_ex__(self: Tensor, protocol: Any) -> Any:
    """Raises TypeError: tensors cannot be pickled (use fastgrad.save)."""
    raise _not_picklable(self)


@_method
def __reduce__(self: Tensor) -> Any:
    """Raises TypeError: tensors cannot be pickled (use fastgrad.save)."""
    raise _not_picklable(self)


@_method
def __format__(self: Tensor, spec: str) -> str:
    """Formats a 0-d tensor as its Python number (f"{x:.3f}"); other tensors as repr."""
    # A 0-dim tensor formats as its Python number, like PyTorch (f"{x}" gives "2.0").
    if self.dim() == 0:
        return self.item().__format__(spec)
    return object.__format__(self, spec)


# __array__, __array_interface__ and DLPack live in _interop.py.


@_method
def __iter__(self: Tensor) -> Any:
    """Iterates over the slices of this tensor along its first dimension."""
    if self.dim() == 0:
        raise TypeError("iteration over a 0-d tensor")
    return (self.select(0, i) for i in range(self.shape[0]))


# ---- autograd surface


# .grad (with its non-leaf warning and the checks on assignment) is a C++ property.

_CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter "
    "and its gradient which can cause a memory leak. We recommend using autograd.grad when "
    "creating the graph to avoid this. If you have to use this function, make sure to reset the "
    ".grad fields of your parameters to None after use to break the cycle and avoid the leak."
)


# Tensor.backward is a C method (bindings/tensor_slots.cpp) that handles the common call
# itself and passes create_graph=True or inputs= here.
def _backward_general(
    self: Tensor,
    gradient: Tensor | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Tensor.backward with create_graph=True (warns, as torch) or inputs= given."""
    if create_graph:
        warnings.warn(_CREATE_GRAPH_WARNING, UserWarning, stacklevel=2)
    if inputs is not None:
        inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
        _C._backward([self], [gradient], retain_graph, create_graph, inputs)
        return
    self._backward(gradient, retain_graph, create_graph)


class RemovableHandle:
    """Returned by register_hook; remove() turns the hook off."""

    def __init__(self) -> None:
        self.active = True

    def remove(self) -> None:
        self.active = False


@_method
def register_hook(self: Tensor, hook: Any) -> RemovableHandle:
    """Registers `hook(grad)` to run each time the gradient of this tensor is computed.

    The hook may return a tensor of the same shape to replace the gradient, or None. Returns a
    handle whose remove() turns the hook off.
    """
    if not self.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    handle = RemovableHandle()

    def run(grad: Tensor) -> Any:
        if not handle.active:
            return None
        out = hook(grad)
        if out is not None and isinstance(out, Tensor) and out.shape != grad.shape:
            name = getattr(hook, "__name__", type(hook).__name__)
            raise RuntimeError(f"hook '{name}' has changed the size of value")
        return out

    self._register_hook(run)
    return handle


@_method
def register_post_accumulate_grad_hook(self: Tensor, hook: Any) -> RemovableHandle:
    """Registers `hook(tensor)` to run after backward has accumulated into this leaf's .grad.

    Only for leaves that require grad; the hook must return None. Returns a handle whose
    remove() turns the hook off.
    """
    if not self.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    handle = RemovableHandle()

    def run(leaf: Tensor) -> None:
        if handle.active:
            out = hook(leaf)
            if out is not None:
                raise RuntimeError("Tensor post accumulate grad hooks should return None.")

    self._register_post_accumulate_grad_hook(run)
    return handle


# ---- conversions


@_method
def to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Returns this tensor converted to a dtype, or this tensor itself if nothing changes.

    Accepts to(dtype), to(device, dtype), to(other) (the dtype of the tensor `other`) and the
    keywords dtype= and device=. Only the CPU exists, so a device argument changes nothing
    (another device raises). `non_blocking` and `copy` are accepted and ignored: copy=True does
    not force a copy.
    """
    dtype = kwargs.pop("dtype", None)
    check_device(kwargs.pop("device", None))
    kwargs.pop("non_blocking", None)
    kwargs.pop("copy", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str,)) or type(a).__name__ == "device":
            check_device(a)
        else:
            dtype = a
    if dtype is None:
        return self
    return _cast(self, dtype) if isinstance(dtype, _C.dtype) else self._to_dtype(dtype)


def _type(self: Tensor, dtype: Any = None) -> Any:
    """Returns the type name, such as 'torch.FloatTensor', or with `dtype` this tensor converted
    to that dtype."""
    names = {
        "float32": "FloatTensor",
        "float64": "DoubleTensor",
        "int64": "LongTensor",
        "bool": "BoolTensor",
    }
    if dtype is None:
        return "torch." + names[self.dtype._name]
    return self._to_dtype(dtype)


Tensor.type = _type


def _cast(self: Tensor, dtype: Any) -> Tensor:
    # Converting to the dtype a tensor already has returns the tensor itself, as in PyTorch.
    return self if self.dtype is dtype else self._to_dtype(dtype)


def _float(self: Tensor) -> Tensor:
    """Returns this tensor converted to float32 (itself if it is float32 already)."""
    return _cast(self, _C.float32)


def _double(self: Tensor) -> Tensor:
    """Returns this tensor converted to float64 (itself if it is float64 already)."""
    return _cast(self, _C.float64)


def _long(self: Tensor) -> Tensor:
    """Returns this tensor converted to int64 (itself if it is int64 already)."""
    return _cast(self, _C.int64)


def _int(self: Tensor) -> Tensor:
    """Returns this tensor converted to int64, fastgrad's only integer dtype (PyTorch's int()
    gives int32)."""
    return _cast(self, _C.int64)


def _bool(self: Tensor) -> Tensor:
    """Returns this tensor converted to bool (itself if it is bool already)."""
    return _cast(self, _C.bool)


def _cpu(self: Tensor) -> Tensor:
    """Returns this tensor itself: fastgrad tensors are always on the CPU."""
    return self


for _name, _fn in (
    ("float", _float),
    ("double", _double),
    ("long", _long),
    ("int", _int),
    ("bool", _bool),
    ("cpu", _cpu),
):
    _fn.__name__ = _fn.__qualname__ = _name
    setattr(Tensor, _name, _fn)
del _name, _fn


# ---- ops with flexible signatures


@_method
def reshape(self: Tensor, *shape: Any) -> Tensor:
    """Returns a tensor with this tensor's elements in the given shape.

    The shape is given as separate ints or one sequence; one entry may be -1, inferred from the
    others. The result is a view when the memory layout allows it and a copy otherwise.
    """
    return self._reshape(_shape_args(shape, "reshape"))


@_method
def view(self: Tensor, *shape: Any) -> Tensor:
    """Returns a view of this tensor with the given shape, sharing its memory.

    The shape is given as separate ints or one sequence; one entry may be -1. Raises when the
    memory layout does not allow a view (use reshape() there).
    """
    return self._view(_shape_args(shape, "view"))


@_method
def expand(self: Tensor, *sizes: Any) -> Tensor:
    """Returns a view of this tensor with dimensions of size one expanded to larger sizes.

    New leading dimensions may be added; -1 keeps a dimension's size. No data is copied: the
    expanded dimensions have stride 0.
    """
    return self._expand(_shape_args(sizes, "expand"))


@_method
def expand_as(self: Tensor, other: Tensor) -> Tensor:
    """Returns a view of this tensor expanded to the shape of `other` (see expand)."""
    return self._expand(list(other.shape))


@_method
def permute(self: Tensor, *dims: Any) -> Tensor:
    """Returns a view of this tensor with its dimensions reordered as `dims`."""
    return self._permute(_shape_args(dims, "permute"))


@_method
def squeeze(self: Tensor, dim: int | None = None) -> Tensor:
    """Returns this tensor with its dimensions of size one removed.

    With `dim` (an int or a tuple of ints) only those dimensions are removed, and only if their
    size is one.
    """
    if dim is None:
        out = self._reshape([s for s in self.shape if s != 1])
        out._set_grad_fn_name("SqueezeBackward0")
        return out
    if isinstance(dim, (tuple, list)):
        out = self
        for d in sorted((d % max(self.dim(), 1) for d in dim), reverse=True):
            out = out._squeeze(d)
        out._set_grad_fn_name("SqueezeBackward2")
        return out
    return self._squeeze(dim)


@_method
def _m_sum(self: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Returns the sum of the elements of this tensor: of all of them, or along `dim`.

    `dim` is an int or a tuple of ints; `keepdim=True` keeps the reduced dimensions with size
    one. `dtype` casts the tensor first; bool and int64 tensors sum to int64, as in PyTorch.
    """
    return self._sum(_dims(dim), keepdim, dtype)


@_method
def _m_mean(self: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Returns the mean of the elements of this tensor: of all of them, or along `dim`.

    `dim` is an int or a tuple of ints; `keepdim=True` keeps the reduced dimensions with size
    one. The tensor must be floating point, or `dtype` must name a floating type to cast to.
    """
    return self._mean(_dims(dim), keepdim, dtype)


def _minmax(self: Tensor, dim: Any, keepdim: bool, is_max: bool) -> Any:
    if isinstance(dim, Tensor):  # max(other) is maximum(self, other)
        return self.maximum(dim) if is_max else self.minimum(dim)
    if dim is None:
        return self._max_all() if is_max else self._min_all()
    values, indices = self._max_dim(dim, keepdim) if is_max else self._min_dim(dim, keepdim)
    return (_return_types_max if is_max else _return_types_min)(values, indices)


@_method
def _m_max(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """Returns the maximum of this tensor: over all elements, or along `dim`.

    Along `dim` the result is a named tuple (values, indices). With a tensor in place of `dim`
    it is the elementwise maximum of the two tensors, as maximum().
    """
    return _minmax(self, dim, keepdim, True)


@_method
def _m_min(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """Returns the minimum of this tensor: over all elements, or along `dim`.

    Along `dim` the result is a named tuple (values, indices). With a tensor in place of `dim`
    it is the elementwise minimum of the two tensors, as minimum().
    """
    return _minmax(self, dim, keepdim, False)


Tensor.clip = Tensor.clamp
Tensor.clip_ = Tensor.clamp_
Tensor.multiply = Tensor.mul
Tensor.divide = Tensor.div
Tensor.subtract = Tensor.sub
Tensor.true_divide = Tensor.div


# ---- indexing, shape and joining ops (issue 3)

from . import _indexing  # noqa: E402

Tensor.__getitem__ = _indexing.getitem
Tensor.__setitem__ = _indexing.setitem


@_method
def flatten(self: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Returns this tensor with the dimensions from `start_dim` to `end_dim` merged into one.

    A view when the memory layout allows it; a 0-d tensor gives a 1-d tensor of one element.
    """
    if self.dim() == 0:
        return self.reshape(1)
    n = self.dim()
    s, e = start_dim % n, end_dim % n
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = list(self.shape)
    return self.reshape(
        shape[:s] + [-1 if self.numel() else _prod(shape[s : e + 1])] + shape[e + 1 :]
    )


def _prod(xs: list[int]) -> int:
    n = 1
    for x in xs:
        n *= x
    return n


@_method
def unflatten(self: Tensor, dim: int, sizes: Any) -> Tensor:
    """Returns this tensor with dimension `dim` split into the dimensions `sizes`.

    The product of `sizes` must equal the size of `dim`; one entry may be -1.
    """
    shape = list(self.shape)
    dim = dim % self.dim()
    return self.reshape(shape[:dim] + list(sizes) + shape[dim + 1 :])


@_method
def broadcast_to(self: Tensor, *size: Any) -> Tensor:
    """Returns a view of this tensor broadcast to the shape `size` (no data is copied)."""
    return self._expand(_shape_args(size, "broadcast_to"))


@_method
def repeat(self: Tensor, *sizes: Any) -> Tensor:
    """Returns a new tensor with this tensor repeated along each dimension `sizes[i]` times.

    `sizes` may have more entries than this tensor has dimensions (new leading ones). Unlike
    expand(), the data is copied.
    """
    reps = _shape_args(sizes, "repeat")
    if len(reps) < self.dim():
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    x = self.reshape([1] * (len(reps) - self.dim()) + list(self.shape))
    # (s0, s1) -> (r0, s0, r1, s1) by broadcasting, then merge pairs.
    inter, expanded, final = [], [], []
    for r, s in zip(reps, x.shape):
        inter += [1, s]
        expanded += [r, s]
        final.append(r * s)
    out = x.reshape(inter).expand(*expanded).reshape(final)
    if all(r == 1 for r in reps):  # repeat always copies, even when nothing is repeated
        out = out.clone()
    out._set_grad_fn_name("RepeatBackward0")
    return out


@_method
def flip(self: Tensor, *dims: Any) -> Tensor:
    """Returns a copy of this tensor with the order of elements reversed along `dims`."""
    return self._flip(_shape_args(dims, "flip"))


@_method
def chunk(self: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Splits this tensor into `chunks` views of equal size along `dim` (the last may be
    smaller).

    As in PyTorch, fewer than `chunks` pieces come back when the size does not divide well.
    """
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    size = self.size(dim)
    step = -(-size // chunks) if size else 1
    return _m_split(self, step, dim)


@_method
def _m_split(self: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Splits this tensor into views along `dim`.

    An int `split_size_or_sections` gives pieces of that size (the last may be smaller); a
    sequence gives pieces of the sizes it lists, which must add up to the size of `dim`.
    """
    size = self.size(dim)
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and size:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}"
            )
        starts = range(0, size, step) if size else [0]
        return _named(
            tuple(self.narrow(dim, s, min(step, size - s)) for s in starts), "SplitBackward0"
        )
    sections = list(split_size_or_sections)
    if sum(sections) != size:  # noqa: B020
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size "
            f"at dimension {dim}), but got split_sizes={sections}"
        )
    out, start = [], 0
    for s in sections:
        out.append(self.narrow(dim, start, s))
        start += s
    return _named(tuple(out), "SplitWithSizesBackward0")


def _named(parts: tuple[Tensor, ...], name: str) -> tuple[Tensor, ...]:
    for p in parts:
        p._set_grad_fn_name(name)
    return parts


@_method
def unbind(self: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """Returns the slices of this tensor along `dim` as a tuple of views, that dimension
    removed."""
    return tuple(self.select(dim, i) for i in range(self.size(dim)))


@_method
def _m_prod(
    self: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """Returns the product of the elements of this tensor: of all of them, or along the int `dim`.

    `dtype` casts the tensor first.
    """
    x = self if dtype is None else self.to(dtype)
    return x._prod(dim, keepdim)


def _correction(unbiased: Any, correction: Any) -> float:
    if correction is not None:
        return float(correction)
    return 1.0 if unbiased is None or unbiased else 0.0


def _warn_dof(self: Tensor, dim: Any, correction: float, op: str) -> None:
    dims = _dims(dim)
    if dims is None or self.dim() == 0:
        n = self.numel()
    else:
        n = 1
        for d in dims:
            n *= self.shape[d]
    if n - correction <= 0:
        warnings.warn(
            f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=3,
        )


@_method
def var(
    self: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """Returns the variance of the elements of this tensor: of all of them, or along `dim`.

    By default the sample variance (divides by N - 1); `correction` sets what is subtracted
    from N, and the legacy `unbiased=False` means correction=0. Warns when N - correction <= 0.
    """
    if isinstance(dim, bool):  # var(unbiased) positional form
        dim, unbiased = None, dim
    c = _correction(unbiased, correction)
    out = self._var(_dims(dim), c, keepdim)  # validates dim before the warning indexes shape
    _warn_dof(self, dim, c, "var")
    return out


@_method
def std(
    self: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """Returns the standard deviation of the elements of this tensor: of all of them, or along
    `dim`.

    By default the sample standard deviation (divides by N - 1); `correction` and `unbiased`
    work as for var().
    """
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    c = _correction(unbiased, correction)
    out = self._std(_dims(dim), c, keepdim)  # validates dim before the warning indexes shape
    _warn_dof(self, dim, c, "std")
    return out


@_method
def cumsum(self: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Returns the cumulative sum of the elements of this tensor along `dim`.

    `dtype` casts the tensor first.
    """
    x = self if dtype is None else self.to(dtype)
    return x._cumsum(dim)


@_method
def logsumexp(self: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """Returns log(sum(exp(self))) along `dim` (an int or a tuple of ints), computed stably."""
    return self._logsumexp(_dims(dim) or [], keepdim)


@_method
def softmax(self: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """Returns the softmax of this tensor along `dim`: exp(x) / sum(exp(x)), computed stably.

    `dtype` casts the tensor first.
    """
    x = self if dtype is None else self.to(dtype)
    return x._softmax(dim)


@_method
def log_softmax(self: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """Returns the logarithm of the softmax of this tensor along `dim`, computed stably.

    `dtype` casts the tensor first.
    """
    x = self if dtype is None else self.to(dtype)
    return x._log_softmax(dim)


@_method
def norm(
    self: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:
    """Returns the p-norm of this tensor: of all its elements, or along `dim`.

    `p` is a number, inf, or "fro" (the default, the 2-norm of the elements). The nuclear norm
    ("nuc") is not supported.
    """
    if p is None or p == "fro":
        p = 2.0
    if p == "nuc":
        raise RuntimeError("fastgrad: nuclear norm is not supported")
    x = self if dtype is None else self.to(dtype)
    return x._norm(float(p), _dims(dim), keepdim)


@_method
def where(self: Tensor, condition: Tensor, other: Any) -> Tensor:
    """Returns a tensor with this tensor's elements where `condition` is True and those of
    `other` elsewhere (see fastgrad.where)."""
    return _C._where(condition, self, other)


@_method
def nonzero(self: Tensor, *, as_tuple: bool = False) -> Any:
    """Returns the indices of the nonzero elements of this tensor.

    A 2-D int64 tensor with one row per element found, or with `as_tuple=True` a tuple of 1-D
    index tensors, one per dimension.
    """
    nz = _C.nonzero(self)
    if as_tuple:
        return (
            tuple(nz.select(1, i) for i in range(self.dim())) if self.dim() else (nz.reshape(-1),)
        )
    return nz


@_method
def new_zeros(self: Tensor, *size: Any, dtype: Any = None, **kw: Any) -> Tensor:
    """Returns a tensor of the given size filled with zeros, with this tensor's dtype unless
    `dtype` is given.

    Other keywords of PyTorch's (device, requires_grad, ...) are accepted and ignored.
    """
    return _C._zeros(_shape_args(size, "new_zeros"), self.dtype if dtype is None else dtype, False)


@_method
def new_ones(self: Tensor, *size: Any, dtype: Any = None, **kw: Any) -> Tensor:
    """Returns a tensor of the given size filled with ones, with this tensor's dtype unless
    `dtype` is given.

    Other keywords of PyTorch's (device, requires_grad, ...) are accepted and ignored.
    """
    return _C._ones(_shape_args(size, "new_ones"), self.dtype if dtype is None else dtype, False)


@_method
def new_tensor(self: Tensor, data: Any, dtype: Any = None, **kw: Any) -> Tensor:
    """Returns a new tensor with a copy of `data`, with this tensor's dtype unless `dtype` is
    given.

    Other keywords of PyTorch's (device, requires_grad, ...) are accepted and ignored.
    """
    return _C.tensor(data, dtype=self.dtype if dtype is None else dtype)


@_method
def new_full(self: Tensor, size: Any, fill_value: Any, dtype: Any = None, **kw: Any) -> Tensor:
    """Returns a tensor of shape `size` filled with `fill_value`, with this tensor's dtype unless
    `dtype` is given.

    Other keywords of PyTorch's (device, requires_grad, ...) are accepted and ignored.
    """
    return _C._full(list(size), fill_value, self.dtype if dtype is None else dtype, False)


@_method
def type_as(self: Tensor, other: Tensor) -> Tensor:
    """Returns this tensor converted to the dtype of `other` (itself if it already has it)."""
    return _cast(self, other.dtype)


@_method
def view_as(self: Tensor, other: Tensor) -> Tensor:
    """Returns a view of this tensor with the shape of `other` (see view)."""
    return self._view(list(other.shape))


@_method
def reshape_as(self: Tensor, other: Tensor) -> Tensor:
    """Returns this tensor reshaped to the shape of `other` (see reshape)."""
    return self._reshape(list(other.shape))


@_method
def square(self: Tensor) -> Tensor:
    """Returns a new tensor with the square of the elements of this tensor."""
    return self * self


@_method
def rsqrt(self: Tensor) -> Tensor:
    """Returns a new tensor with the reciprocal of the square root of each element."""
    return self.sqrt().reciprocal()


@_method
def reciprocal(self: Tensor) -> Tensor:
    """Returns a new tensor with 1 / x of each element (integer tensors give floats)."""
    return 1.0 / self if self.dtype.is_floating_point else 1.0 / self.float()


@_method
def contiguous(self: Tensor, memory_format: Any = None) -> Tensor:
    """Returns this tensor if it is contiguous, otherwise a contiguous copy of it.

    `memory_format` is accepted and ignored: fastgrad has only the row-major layout.
    """
    # An already-contiguous tensor is returned as itself, as in PyTorch.
    return self if self.is_contiguous() else self._contiguous()


@_method
def _m_any(self: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Returns a bool tensor: whether any element is nonzero, overall or along `dim`."""
    nonzero = self if self.dtype is _C.bool else self != 0
    return nonzero.sum(dim, keepdim) > 0


@_method
def _m_all(self: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Returns a bool tensor: whether every element is nonzero, overall or along `dim`."""
    zero = self == 0 if self.dtype is not _C.bool else self == False  # noqa: E712
    return zero.sum(dim, keepdim) == 0


@_method
def isclose(
    self: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """Returns a bool tensor, True where |self - other| <= atol + rtol * |other|.

    Equal infinities are close; NaNs are close to each other only with `equal_nan=True`. Both
    tensors must have the same dtype.
    """
    if self.dtype is not other.dtype:
        raise RuntimeError(f"{self.dtype} did not match {other.dtype}")
    a, b = self.detach(), other.detach()
    close = (a - b).abs() <= atol + rtol * b.abs()
    close = close | (a == b)  # equal infinities
    if equal_nan:
        close = close | ((a != a) & (b != b))
    return close


@_method
def allclose(
    self: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Returns True if every element of this tensor is close to `other`'s (see isclose)."""
    return bool(self.isclose(other, rtol, atol, equal_nan).all())


@_method
def equal(self: Tensor, other: Tensor) -> bool:
    """Returns True if this tensor and `other` have the same shape and the same elements."""
    return self.shape == other.shape and bool((self == other).all())
