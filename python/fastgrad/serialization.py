"""fastgrad.save / fastgrad.load: a documented file format that never runs code when loaded.

torch.save pickles, and unpickling can execute arbitrary code. fastgrad writes a plain ZIP
archive instead, and load() reads it with json and numpy.load(allow_pickle=False) only.

Format (version 1)
------------------
A ZIP archive (entries stored uncompressed) holding:

``data.json``
    ``{"format": "fastgrad", "version": 1, "root": NODE}`` where NODE describes the saved
    object. Every NODE is a JSON object whose key ``"t"`` names its type:

    ==========================================  ============================================
    ``{"t": "none"}``                           None
    ``{"t": "bool", "v": true}``                bool
    ``{"t": "int", "v": 3}``                    int (any size)
    ``{"t": "float", "v": 0.5}``                float; ``"nan"``, ``"inf"``, ``"-inf"`` as
                                                strings
    ``{"t": "str", "v": "abc"}``                str
    ``{"t": "list", "items": [NODE, ...]}``     list
    ``{"t": "tuple", "items": [NODE, ...]}``    tuple
    ``{"t": "dict", "items": [[K, V], ...]}``   dict; K and V are NODEs, so keys may be ints
                                                (optimizer state) as well as strings
    ``{"t": "odict", "items": [[K, V], ...]}``  collections.OrderedDict (module state_dict)
    ``{"t": "tensor", "id": 0, "dtype":         a tensor whose data is ``tensors/0.npy``;
    "float32", "shape": [2, 3],                 dtype is one of bool, int64, float32,
    "requires_grad": false}``                   float64
    ==========================================  ============================================

``tensors/<id>.npy``
    One NumPy ``.npy`` file per distinct tensor object (C order, native byte order, never an
    object array). A tensor object reached twice is stored once and loads as one tensor.

Loading checks every node, and that each array's dtype and shape match its node. Tensors
load as leaf tensors with the recorded requires_grad; a Parameter loads as a plain tensor, as
torch.load gives for a state_dict. Other objects (modules, optimizers, NumPy arrays) cannot be
saved: save their state_dict() instead.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from collections import OrderedDict
from typing import IO, Any, Union

import numpy as np

from . import _C
from ._device import check_device

Tensor = _C.Tensor
FileLike = Union[str, "os.PathLike[str]", IO[bytes]]

FORMAT_NAME = "fastgrad"
FORMAT_VERSION = 1
_DATA = "data.json"
_DTYPES = ("bool", "int64", "float32", "float64")

__all__ = ["load", "save"]


# ---- save


class _Encoder:
    """Turns an object tree into JSON nodes, collecting the tensors it meets."""

    def __init__(self) -> None:
        self.tensors: list[Tensor] = []
        self._ids: dict[int, int] = {}
        self._active: set[int] = set()  # containers being encoded: a cycle cannot be saved

    def encode(self, obj: Any) -> dict[str, Any]:
        if obj is None:
            return {"t": "none"}
        if isinstance(obj, bool):
            return {"t": "bool", "v": obj}
        if isinstance(obj, int):
            return {"t": "int", "v": int(obj)}
        if isinstance(obj, float):
            v = float(obj)
            return {"t": "float", "v": v if math.isfinite(v) else repr(v)}
        if isinstance(obj, str):
            return {"t": "str", "v": str(obj)}
        if isinstance(obj, Tensor):
            return self._tensor(obj)
        kind = {list: "list", tuple: "tuple", dict: "dict", OrderedDict: "odict"}.get(type(obj))
        if kind is None:
            raise TypeError(
                f"fastgrad.save cannot store an object of type {type(obj).__qualname__}: only "
                "tensors, dict, OrderedDict, list, tuple, str, int, float, bool and None (save a "
                "module's or optimizer's state_dict() instead)"
            )
        if id(obj) in self._active:
            raise ValueError("fastgrad.save cannot store an object that contains itself")
        self._active.add(id(obj))
        try:
            if kind in ("list", "tuple"):
                return {"t": kind, "items": [self.encode(x) for x in obj]}
            return {"t": kind, "items": [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
        finally:
            self._active.discard(id(obj))

    def _tensor(self, t: Tensor) -> dict[str, Any]:
        if id(t) not in self._ids:
            self._ids[id(t)] = len(self.tensors)
            self.tensors.append(t)
        return {
            "t": "tensor",
            "id": self._ids[id(t)],
            "dtype": t.dtype._name,
            "shape": list(t.shape),
            "requires_grad": bool(t.requires_grad),
        }


def save(obj: Any, f: FileLike) -> None:
    """Write obj (tensors in dicts/lists/tuples of plain values) to a path or binary file."""
    encoder = _Encoder()
    root = encoder.encode(obj)
    document = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "root": root}
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            _write(fh, document, encoder.tensors)
    else:
        _write(f, document, encoder.tensors)


def _write(fh: IO[bytes], document: dict[str, Any], tensors: list[Tensor]) -> None:
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(_DATA, json.dumps(document, allow_nan=False))
        for i, t in enumerate(tensors):
            buf = io.BytesIO()
            np.save(buf, np.asarray(t.detach().numpy(), order="C"), allow_pickle=False)
            zf.writestr(f"tensors/{i}.npy", buf.getvalue())


# ---- load


def load(
    f: FileLike,
    map_location: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
) -> Any:
    """Read an object written by fastgrad.save from a path or a binary file.

    Nothing in the file is executed: weights_only is accepted for PyTorch compatibility and
    changes nothing. map_location may name the CPU only.
    """
    if isinstance(map_location, (dict,)) or callable(map_location):
        raise TypeError("fastgrad.load: map_location must be None or a CPU device")
    check_device(map_location)
    if mmap:
        raise NotImplementedError("fastgrad.load does not support mmap=True")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return _read(fh, os.fspath(f))
    seekable = getattr(f, "seekable", None)
    if seekable is None or not seekable():
        f = io.BytesIO(f.read())
    return _read(f, getattr(f, "name", "file"))


def _not_ours(name: Any, why: str) -> ValueError:
    return ValueError(
        f"fastgrad.load: {name!s} is not a fastgrad file ({why}). fastgrad never unpickles, so "
        "files written by torch.save or pickle cannot be loaded."
    )


def _read(fh: IO[bytes], name: Any) -> Any:
    if not zipfile.is_zipfile(fh):
        raise _not_ours(name, "not a zip archive")
    fh.seek(0)
    with zipfile.ZipFile(fh, "r") as zf:
        if _DATA not in zf.namelist():
            raise _not_ours(name, f"no {_DATA} in the archive")
        try:
            document = json.loads(zf.read(_DATA).decode("utf-8"), parse_constant=_bad_constant)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise _not_ours(name, f"{_DATA} is not valid JSON: {e}") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
            raise _not_ours(name, f"{_DATA} does not describe a fastgrad object")
        if document.get("version") != FORMAT_VERSION:
            raise ValueError(
                f"fastgrad.load: format version {document.get('version')!r} is not supported "
                f"(this fastgrad reads version {FORMAT_VERSION})"
            )
        return _Decoder(zf).decode(document.get("root"))


def _bad_constant(token: str) -> Any:
    raise ValueError(f"fastgrad.load: {token} is not allowed in {_DATA}")


class _Decoder:
    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.tensors: dict[int, Tensor] = {}

    def decode(self, node: Any) -> Any:
        # An explicit check for each node: the file is untrusted input.
        if not isinstance(node, dict) or not isinstance(node.get("t"), str):
            raise ValueError(f"fastgrad.load: malformed node {node!r:.80}")
        kind = node["t"]
        if kind == "none":
            return None
        if kind in ("bool", "int", "str"):
            value = node.get("v")
            want = {"bool": bool, "int": int, "str": str}[kind]
            if type(value) is not want:
                raise ValueError(f"fastgrad.load: malformed {kind} node {node!r:.80}")
            return value
        if kind == "float":
            return self._float(node.get("v"))
        if kind in ("list", "tuple"):
            items = self._items(node)
            values = [self.decode(x) for x in items]
            return values if kind == "list" else tuple(values)
        if kind in ("dict", "odict"):
            out: dict[Any, Any] = {} if kind == "dict" else OrderedDict()
            for pair in self._items(node):
                if not isinstance(pair, list) or len(pair) != 2:
                    raise ValueError(f"fastgrad.load: malformed {kind} entry {pair!r:.80}")
                out[self.decode(pair[0])] = self.decode(pair[1])
            return out
        if kind == "tensor":
            return self._tensor(node)
        raise ValueError(f"fastgrad.load: unknown node type {kind!r}")

    @staticmethod
    def _items(node: dict[str, Any]) -> list[Any]:
        items = node.get("items")
        if not isinstance(items, list):
            raise ValueError(f"fastgrad.load: malformed {node['t']} node")
        return items

    @staticmethod
    def _float(value: Any) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if value in ("nan", "inf", "-inf"):
            return float(value)
        raise ValueError(f"fastgrad.load: malformed float value {value!r:.80}")

    def _tensor(self, node: dict[str, Any]) -> Tensor:
        tid, dtype, shape = node.get("id"), node.get("dtype"), node.get("shape")
        requires_grad = node.get("requires_grad")
        if (
            type(tid) is not int
            or dtype not in _DTYPES
            or not isinstance(shape, list)
            or not all(type(s) is int and s >= 0 for s in shape)
            or type(requires_grad) is not bool
        ):
            raise ValueError(f"fastgrad.load: malformed tensor node {node!r:.120}")
        if tid in self.tensors:
            return self.tensors[tid]
        entry = f"tensors/{tid}.npy"
        try:
            raw = self.zf.read(entry)
        except KeyError:
            raise ValueError(f"fastgrad.load: {entry} is missing from the archive") from None
        # allow_pickle=False: an object array (the only .npy content that unpickles) raises.
        arr = np.load(io.BytesIO(raw), allow_pickle=False)
        if arr.dtype != np.dtype(dtype) or list(arr.shape) != shape:
            raise ValueError(
                f"fastgrad.load: {entry} holds {arr.dtype} {list(arr.shape)}, but data.json "
                f"says {dtype} {shape}"
            )
        t = _C.from_numpy(np.asarray(arr, order="C"))
        if requires_grad:
            t.requires_grad_(True)
        self.tensors[tid] = t
        return t
