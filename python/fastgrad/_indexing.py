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
    return isinstance(k, (Tensor, list)) or (
        type(k).__module__ == "numpy" and hasattr(k, "ndim") and k.ndim > 0
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
            consumed += max(k.dim(), 1)
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
            out.extend([slice(None)] * (t.dim() - consumed))
        else:
            out.append(k)
    return out


def _split(t: Tensor, key: Any) -> tuple[Tensor, list[Any] | None]:
    """Applies the basic part of `key` as views; returns the view and the advanced indices (one
    entry per dim of the view, None for a full slice) or None when there are none."""
    parts = _normalize(t, key)
    advanced = any(_is_advanced(k) for k in parts)
    view = t
    dim = 0
    adv: list[Any] = []
    for k in parts:
        if k is None:
            view = view.unsqueeze(dim)
            adv.append(None)
            dim += 1
        elif isinstance(k, slice):
            if not (k.start is None and k.stop is None and k.step in (None, 1)):
                view = view._slice(
                    dim,
                    _int_or_none(k.start),
                    _int_or_none(k.stop),
                    1 if k.step is None else _int(k.step),
                )
            adv.append(None)
            dim += 1
        elif _is_advanced(k) or (advanced and _is_int(k)):
            ix = _as_index_tensor(k) if not _is_int(k) else _C.tensor(_int(k))
            adv.append(ix)
            dim += max(ix.dim(), 1) if ix.dtype is _C.bool else 1
        elif _is_int(k):
            view = view.select(dim, _int(k))
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                "Variables are valid indices (got " + type(k).__name__ + ")"
            )
    if not advanced:
        return view, None
    return view, adv


def _is_int(k: Any) -> bool:
    if isinstance(k, bool):
        return False
    if isinstance(k, int):
        return True
    if isinstance(k, Tensor):
        return False
    return hasattr(k, "__index__")


def _int(k: Any) -> int:
    if isinstance(k, Tensor):
        return k.item()
    return k.__index__()


def _int_or_none(k: Any) -> int | None:
    return None if k is None else _int(k)


def getitem(t: Tensor, key: Any) -> Tensor:
    if isinstance(key, int) and not isinstance(key, bool):  # the common case, straight to C++
        return t.select(0, key)
    view, adv = _split(t, key)
    if adv is None:
        return view
    return view._index(adv)


def setitem(t: Tensor, key: Any, value: Any) -> None:
    view, adv = _split(t, key)
    if adv is None:
        if isinstance(value, Tensor):
            view.copy_(value)
        else:
            view.fill_(value)
        return
    if not isinstance(value, Tensor):
        value = _C.tensor(value, dtype=t.dtype)
    view._index_put_(adv, value, False)
