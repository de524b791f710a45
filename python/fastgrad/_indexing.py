"""Tensor.__getitem__ / __setitem__: NumPy-style keys turned into fastgrad view and index ops.

Basic parts of a key (ints, slices, None, Ellipsis) become views; integer tensors, lists and
bool masks become one advanced-indexing op (C++ `index` / `index_put_`). As in NumPy and
PyTorch, once a key has an advanced part its ints count as advanced indices too.
"""

from __future__ import annotations

from typing import Any

from . import _C

Tensor = _C.Tensor


def _is_advanced(k: Any) -> bool:
    if isinstance(k, Tensor):
        # A 0-dim integer tensor indexes like a Python int.
        return k.dim() > 0 or k.dtype is _C.bool
    return isinstance(k, list) or (
        type(k).__module__ == "numpy" and hasattr(k, "ndim") and (k.ndim > 0 or k.dtype == bool)
    )


def _as_index_tensor(k: Any) -> Tensor:
    if isinstance(k, Tensor):
        return k
    t = _C.tensor(k if not hasattr(k, "tolist") else k.tolist())
    if t.numel() == 0:  # [] indexes nothing: an empty int64 index
        return _C._zeros([0], _C.int64, False)
    if t.dtype is not _C.int64 and t.dtype is not _C.bool:
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return t


class _Full:
    """A dim covered by an Ellipsis: kept as is (no slice view, unlike an explicit `:`)."""


_FULL = _Full()


def _normalize(t: Tensor, key: Any) -> list[Any]:
    if not isinstance(key, tuple):
        key = (key,)
    consumed = 0
    for k in key:
        if k is None or k is Ellipsis:
            continue
        if isinstance(k, bool):
            raise TypeError("fastgrad: indexing with a Python bool is not supported")
        if isinstance(k, Tensor) and k.dtype is _C.bool:
            consumed += k.dim()
        else:
            consumed += 1
    if consumed > t.dim():
        raise IndexError(f"too many indices for tensor of dimension {t.dim()}")
    out: list[Any] = []
    seen_ellipsis = False
    for k in key:
        if k is Ellipsis:
            if seen_ellipsis:
                raise IndexError("an index can only have a single ellipsis ('...')")
            seen_ellipsis = True
            out.extend([_FULL] * (t.dim() - consumed))
        else:
            out.append(k)
    return out


def _split(t: Tensor, key: Any) -> tuple[Tensor, list[Any] | None]:
    """Applies the basic part of `key` as views; returns the view and the advanced indices (one
    entry per dim of the view, None for a full slice) or None when there are none."""
    parts = _normalize(t, key)
    advanced = any(_is_advanced(k) for k in parts)
    view = t
    dim = 0  # dim of `view` the next key part applies to
    src_dim = 0  # the same dim counted in t, for error messages
    adv: list[Any] = []
    for k in parts:
        if k is _FULL:
            adv.append(None)
            dim += 1
            src_dim += 1
        elif k is None:
            view = view.unsqueeze(dim)
            adv.append(None)
            dim += 1
        elif isinstance(k, slice):
            view = view._slice(
                dim,
                _int_or_none(k.start),
                _int_or_none(k.stop),
                1 if k.step is None else _int(k.step),
            )
            adv.append(None)
            dim += 1
            src_dim += 1
        elif _is_advanced(k) or (advanced and _is_int(k)):
            ix = _as_index_tensor(k) if not _is_int(k) else _C.tensor(_int(k))
            if ix.dtype is _C.bool and ix.dim() == 0:
                # A 0-dim mask adds a dim of size 1 (True) or 0 (False), as in NumPy.
                view = view.unsqueeze(dim)
                ix = _C.tensor([0] if ix.item() else [], dtype=_C.int64)
            adv.append(ix)
            step = ix.dim() if ix.dtype is _C.bool else 1
            dim += step
            src_dim += step
        elif _is_int(k):
            try:
                view = view.select(dim, _int(k))
            except IndexError as e:
                raise IndexError(
                    str(e).replace(f"dimension {dim} ", f"dimension {src_dim} ")
                ) from None
            src_dim += 1
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                "Variables are valid indices (got " + type(k).__name__ + ")"
            )
    if not advanced:
        if view is t:  # e.g. x[...]: still a new tensor object, as in PyTorch
            view = t.view(t.shape)
            view._set_grad_fn_name("AliasBackward0")
        return view, None
    return view, adv


def _is_int(k: Any) -> bool:
    if isinstance(k, bool):
        return False
    if isinstance(k, int):
        return True
    if isinstance(k, Tensor):
        return k.dim() == 0 and k.dtype is _C.int64
    return hasattr(k, "__index__")


def _int(k: Any) -> int:
    if isinstance(k, Tensor):
        return k.item()
    return k.__index__()


def _int_or_none(k: Any) -> int | None:
    return None if k is None else _int(k)


def getitem(t: Tensor, key: Any) -> Tensor:
    """Returns self[key]: ints, slices, None, Ellipsis and bool/int64 index tensors or lists, as
    in PyTorch.

    Basic indexing (ints, slices, None, ...) gives a view; advanced indexing with tensors or
    lists gives a copy.
    """
    if isinstance(key, int) and not isinstance(key, bool):  # the common case, straight to C++
        return t.select(0, key)
    view, adv = _split(t, key)
    if adv is None:
        return view
    return view._index(adv)


def setitem(t: Tensor, key: Any, value: Any) -> None:
    """self[key] = value: writes `value` (a tensor or a number, broadcast) into the indexed
    elements, in place."""
    view, adv = _split(t, key)
    # With only advanced indices the write goes straight to t (IndexPutBackward0).
    if adv is None:
        if isinstance(value, Tensor):
            view.copy_(value)
        else:
            view.fill_(value)
        return
    if not isinstance(value, Tensor):
        value = _C.tensor(value, dtype=t.dtype)
    view._index_put_(adv, value, False)
