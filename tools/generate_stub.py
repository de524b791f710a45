"""Writes python/fastgrad/_C.pyi, the type stub of the extension, by introspection.

    python tools/generate_stub.py          # after building; rewrites the stub
    python tools/generate_stub.py --check  # exits 1 if the stub is out of date

Sources of each signature, first match wins: the hand-written signatures in OVERRIDES (operators
and methods whose C++ binding takes `object`), the annotations of the Python-side methods
(`_tensor.py`, `_interop.py`), and the signature line pybind11 writes into each docstring.
Docstrings are kept (those of methods, properties and functions alike), so IDEs show them;
tests/test_docstrings.py checks every Tensor member in the stub has one and that the stub is
current, tests/test_typing.py that a user program passes `mypy --strict` with it.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

STUB = Path(__file__).resolve().parents[1] / "python" / "fastgrad" / "_C.pyi"
LINE_LENGTH = 100  # ruff's, in pyproject.toml

NUM = "Tensor | float | int | bool"
_BIN = f"(self, other: {NUM}) -> Tensor"
OVERRIDES: dict[str, str] = {
    **{
        f"__{p}{n}__": _BIN
        for n in (
            "add",
            "sub",
            "mul",
            "truediv",
            "floordiv",
            "pow",
            "matmul",
            "mod",
            "and",
            "or",
            "xor",
            "lt",
            "le",
            "gt",
            "ge",
        )
        for p in ("", "r", "i")
        if not (n in ("lt", "le", "gt", "ge") and p)
    },
    "__eq__": "(self, other: object) -> Tensor  # type: ignore[override]",
    "__ne__": "(self, other: object) -> Tensor  # type: ignore[override]",
    "__neg__": "(self) -> Tensor",
    "__pos__": "(self) -> Tensor",
    "__abs__": "(self) -> Tensor",
    "__invert__": "(self) -> Tensor",
    "__getitem__": "(self, key: Any) -> Tensor",
    "__setitem__": f"(self, key: Any, value: {NUM}) -> None",
    "__iter__": "(self) -> Iterator[Tensor]",
    "__len__": "(self) -> int",
    "__bool__": "(self) -> bool",
    "__float__": "(self) -> float",
    "__int__": "(self) -> int",
    "__index__": "(self) -> int",
    "__hash__": "(self) -> int",
    "__init__": "(self, *args: Any) -> None",
    "item": "(self) -> float | int | bool",
    "tolist": "(self) -> Any",
    "add": f"(self, other: {NUM}, *, alpha: float | int = 1) -> Tensor",
    "sub": f"(self, other: {NUM}, *, alpha: float | int = 1) -> Tensor",
    "pow": f"(self, exponent: {NUM}) -> Tensor",
    "backward": "(self, gradient: Tensor | None = None, retain_graph: bool | None = None, "
    "create_graph: bool = False, inputs: Any = None) -> None",
}
# Methods with several typed signatures in the stub (each carries the docstring).
OVERLOADS: dict[str, list[str]] = {
    "to": [
        "(self, dtype: _dtype, non_blocking: bool = False, copy: bool = False) -> Tensor",
        "(self, device: _device | str | None = None, dtype: _dtype | None = None, "
        "non_blocking: bool = False, copy: bool = False) -> Tensor",
        "(self, other: Tensor, non_blocking: bool = False, copy: bool = False) -> Tensor",
    ],
}
PROPERTIES: dict[str, str] = {
    "grad": "Tensor | None",
    "grad_fn": "Node | None",
    "requires_grad": "bool",
    "is_leaf": "bool",
    "dtype": "dtype",
    "shape": "Size",
    "ndim": "int",
    "data": "Tensor",
    "T": "Tensor",
    "mT": "Tensor",
    "device": "device",
    "is_cuda": "bool",
    "retains_grad": "bool",
    "_version": "int",
    "__array_interface__": "dict[str, Any]",
    "is_floating_point": "bool",
    "itemsize": "int",
    "is_signed": "bool",
    "_name": "str",
    "next_functions": "tuple[tuple[Node | None, int], ...]",
    "variable": "Tensor",
    "_saved_tensors": "tuple[Tensor | None, ...]",
    "_anomaly_trace": "str",
}
SETTABLE = {"grad", "requires_grad", "data"}
PYTYPES = {
    "typing_extensions.CapsuleType": "Any",
    "object": "Any",
    "typing.Any": "Any",
    "fastgrad._C.Tensor": "Tensor",
    "fastgrad._C.dtype": "dtype",
    "fastgrad._C.Node": "Node",
    "numpy.ndarray": "np.ndarray[Any, Any]",
    "typing.SupportsInt": "int",
    "typing.SupportsFloat": "float",
    "typing.SupportsIndex": "int",
    "capsule": "Any",
    "types.CapsuleType": "Any",
    "numpy.typing.NDArray": "np.ndarray[Any, Any]",
}


def _pytype(text: str) -> str:
    for k, v in PYTYPES.items():
        text = re.sub(rf"\b{re.escape(k)}\b", v, text)
    text = re.sub(r"\bcollections\.abc\.|\btyping\.", "", text)
    text = re.sub(r"Optional\[([^\[\]]*(?:\[[^\]]*\])?)\]", r"\1 | None", text)
    text = text.replace("fastgrad._C.", "")
    text = re.sub(r"\blist\b(?!\[)", "list[Any]", text)
    text = re.sub(r"\btuple\b(?!\[)", "tuple[Any, ...]", text)
    text = re.sub(r"\bdict\b(?!\[)", "dict[Any, Any]", text)
    text = re.sub(r"\bCallable\b(?!\[)", "Callable[..., Any]", text)
    text = re.sub(r"\bint \| int\b", "int", text)
    text = re.sub(r"\bfloat \| float\b", "float", text)
    text = re.sub(r"\blist\[", "Sequence[", text) if "->" not in text else text
    return text


def _from_pybind_doc(name: str, doc: str | None, is_method: bool) -> str | None:
    if not doc:
        return None
    first = doc.strip().splitlines()[0]
    if "Overloaded function" in doc:
        return None
    # An alias (Tensor.clip = Tensor.clamp) keeps the signature line of the bound name.
    m = re.match(r"\w+\((.*)\) -> (.*)$", first)
    if not m:
        return None
    args, ret = m.group(1), m.group(2)
    # Defaults are shown as reprs pybind11 cannot always round-trip: keep them as "...".
    args = re.sub(r"=\s*([^,]+)", "= ...", args)
    if is_method:
        args = re.sub(r"^self: [^,]+", "self", args)
    ret = _pytype(ret)
    if ret == "Sequence[Any]":
        ret = "list[Any]"
    return f"({_pytype(args)}) -> {ret}"


def _from_python(fn: Any) -> str | None:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    parts = []
    star_done = False
    for p in sig.parameters.values():
        ann = p.annotation if p.annotation is not inspect.Parameter.empty else "Any"
        if not isinstance(ann, str):
            ann = getattr(ann, "__name__", "Any")
        ann = ann.replace("np.ndarray", "np.ndarray[Any, Any]").replace("Tensor_", "Tensor")
        if p.name == "self" or (
            not parts
            and p.kind is p.POSITIONAL_OR_KEYWORD
            and p.annotation == "Tensor"
            and getattr(fn, "_is_method", True)
        ):
            parts.append("self")
            continue
        if p.kind is p.VAR_POSITIONAL:
            parts.append(f"*{p.name}: {ann}")
            star_done = True
        elif p.kind is p.VAR_KEYWORD:
            parts.append(f"**{p.name}: {ann}")
        else:
            if p.kind is p.KEYWORD_ONLY and not star_done:
                parts.append("*")
                star_done = True
            default = "" if p.default is inspect.Parameter.empty else " = ..."
            parts.append(f"{p.name}: {ann}{default}")
    ret = sig.return_annotation
    ret = "Any" if ret is inspect.Signature.empty else ret
    if not isinstance(ret, str):
        ret = getattr(ret, "__name__", "Any")
    ret = ret.replace("np.ndarray", "np.ndarray[Any, Any]")
    return f"({', '.join(parts)}) -> {ret}"


def _doc(obj: Any, indent: str) -> list[str]:
    doc = inspect.getdoc(obj)
    if not doc:
        return []
    lines = doc.splitlines()
    if re.match(r"^\w+\(.*\) -> ", lines[0]):  # pybind11's signature line: in the stub already
        lines = lines[1:]
    text = "\n".join(lines).strip().replace('"""', "'''").replace("\\", "\\\\")
    if not text or "Overloaded function" in text:
        return []
    # Lines are rewrapped to the stub's line length (the C++ docstrings are one line per
    # paragraph, and a Python docstring may sit deeper here than in its source).
    width = LINE_LENGTH - len(indent)
    body: list[str] = []
    single = "\n" not in text  # then the closing quotes share the line (ruff joins them)
    for i, line in enumerate(text.splitlines()):
        room = width - (0 if i else 6 if single else 3)
        if len(line) <= room:
            body.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip())]
        wrapped = textwrap.wrap(line.strip(), room - len(lead), break_on_hyphens=False)
        body += [lead + wrapped[0]] + textwrap.wrap(
            " ".join(wrapped[1:]), width - len(lead), break_on_hyphens=False
        )
    if len(body) == 1 and len(body[0]) + 6 <= width:
        return [f'{indent}"""{body[0]}"""']
    return (
        [f'{indent}"""{body[0]}']
        + [f"{indent}{b}" if b else "" for b in body[1:]]
        + [f'{indent}"""']
    )


def _member(cls: type, name: str, indent: str) -> list[str]:
    raw = inspect.getattr_static(cls, name)
    if isinstance(raw, property) or type(raw).__name__ == "property" or name in PROPERTIES:
        t = PROPERTIES.get(name, "Any")
        doc = _doc(raw, indent + "    ")
        if doc:
            out = [f"{indent}@property", f"{indent}def {name}(self) -> {t}:", *doc]
        else:
            out = [f"{indent}@property", f"{indent}def {name}(self) -> {t}: ..."]
        if name in SETTABLE:
            out += [f"{indent}@{name}.setter", f"{indent}def {name}(self, value: {t}) -> None: ..."]
        return out
    obj = getattr(cls, name)
    if type(raw).__name__ == "member_descriptor" and raw.__doc__:
        return [f"{indent}{name}: bool"]  # the C structs' members are flags (_GradModeBase)
    if not callable(obj):
        kind = type(obj).__name__ if isinstance(obj, (bool, int, float, str)) else "Any"
        return [f"{indent}{name}: {kind}"]
    if name in OVERLOADS:
        return _overloads(name, OVERLOADS[name], _doc(obj, indent + "    "), indent)
    sig = OVERRIDES.get(name)
    is_python = inspect.isfunction(obj)
    if sig is None and is_python:
        sig = _from_python(obj)
    if sig is None:
        sig = _from_pybind_doc(name, getattr(obj, "__doc__", None), True)
    if sig is None:
        sig = "(self, *args: Any, **kwargs: Any) -> Any"
    if name.endswith("_") and not name.startswith("_") and sig.endswith("-> Any"):
        sig = sig[: -len("Any")] + "Tensor"  # in-place ops return self
    comment = ""
    if "  # " in sig:
        sig, comment = sig.split("  # ", 1)
        comment = "  # " + comment
    doc = _doc(obj, indent + "    ")
    if doc:
        return [f"{indent}def {name}{sig}:{comment}", *doc]
    return [f"{indent}def {name}{sig}: ...{comment}"]


def _overloads(name: str, sigs: list[str], doc: list[str], indent: str) -> list[str]:
    out: list[str] = []
    for sig in sigs:
        out.append(f"{indent}@overload")
        out += [f"{indent}def {name}{sig}:", *doc] if doc else [f"{indent}def {name}{sig}: ..."]
    return out


def _class(cls: type, name: str) -> list[str]:
    out = [f"class {name}:"]
    out += _doc(cls, "    ")
    if name != "Tensor":  # small classes: their own members only, object's are inherited
        own = sorted(n for n in vars(cls) if not n.startswith("__") and not n.startswith("_pybind"))
        out += ["    def __repr__(self) -> str: ..."]
        if "__enter__" in vars(cls):  # a context manager written in C
            out += [
                "    def __init__(self, *args: Any) -> None: ...",
                "    def __enter__(self) -> None: ...",
                "    def __exit__(self, *exc: object) -> None: ...",
            ]
        if "__call__" in vars(cls):  # _ModuleBase: calling runs forward()
            out += ["    def __call__(self, *args: Any, **kwargs: Any) -> Any: ..."]
        if "__eq__" in vars(cls):
            out += [
                "    def __eq__(self, other: object) -> bool: ...",
                "    def __hash__(self) -> int: ...",
            ]
        for n in own:
            out += _member(cls, n, "    ")
        return out
    names = sorted(
        n
        for n in dir(cls)
        if (
            not n.startswith("__")
            or n in OVERRIDES
            or n in PROPERTIES
            or n
            in (
                "__array__",
                "__array_priority__",
                "__dlpack__",
                "__dlpack_device__",
                "__format__",
                "__reduce__",
                "__reduce_ex__",
                "__repr__",
            )
        )
        and n not in ("__class__", "__dict__", "__module__", "__doc__", "__weakref__")
        and not (n.startswith("_pybind11") or n == "_pybind11_conduit_v1_")
    )
    for n in names:
        out += _member(cls, n, "    ")
    return out


def generate() -> str:
    import fastgrad  # noqa: F401  (attaches the Python-side Tensor methods)
    from fastgrad import _C

    lines = [
        '"""Type stub of fastgrad._C (generated by tools/generate_stub.py; do not edit)."""',
        "",
        "from builtins import bool as _bool",
        "from builtins import float as _float",
        "from builtins import int as _int",
        "from collections.abc import Callable, Iterator, Sequence",
        "from typing import Any, overload",
        "",
        "import numpy as np",
        "",
        "from fastgrad._device import device",
        "from fastgrad._device import device as _device",
        "from fastgrad._size import Size",
        "from fastgrad._tensor import RemovableHandle",
        "",
    ]
    lines += _class(_C.dtype, "dtype") + [""]
    # Tensor has a property named dtype (and one named device): its annotations use aliases.
    lines += ["_dtype = dtype", ""]
    lines += _class(_C.Node, "Node") + [""]
    lines += _class(_C.Tensor, "Tensor") + [""]
    for name in sorted(vars(_C)):
        obj = getattr(_C, name)
        if isinstance(obj, type) and name not in ("Tensor", "Node", "dtype"):
            lines += _class(obj, name) + [""]
    for name in sorted(vars(_C)):
        obj = getattr(_C, name)
        if name.startswith("__") or isinstance(obj, type) or name in ("Tensor", "Node", "dtype"):
            continue
        if isinstance(obj, _C.dtype):
            lines.append(f"{name}: dtype")
            continue
        if not callable(obj):
            lines.append(f"{name}: {type(obj).__name__}")
            continue
        sig = _from_pybind_doc(name, obj.__doc__, False) or "(*args: Any, **kwargs: Any) -> Any"
        if name == "pow":
            sig = f"(input: {NUM}, exponent: {NUM}) -> Tensor"
        doc = _doc(obj, "    ")
        lines += [f"def {name}{sig}:", *doc] if doc else [f"def {name}{sig}: ..."]
    text = "\n".join(lines) + "\n"
    # Tensor has methods named bool/float/int and the module a dtype named bool: annotations
    # use the builtins' aliases so those names cannot shadow them.
    out = []
    in_doc = False
    for line in text.splitlines():
        starts_doc = line.lstrip().startswith('"""')
        if starts_doc or in_doc:  # docstrings are prose: left as written
            if line.count('"""') % 2:
                in_doc = not in_doc
        elif not line.startswith(("from ", "bool: ")):
            head, sep, tail = line.partition("(")
            if sep:
                tail = re.sub(r"(?<![\w.])(bool|float|int)\b(?!\()", r"_\1", tail)
                line = head + sep + tail
            elif ": " in line and not line.startswith(" "):
                pass
        out.append(line)
    return _format("\n".join(out) + "\n")


def _format(text: str) -> str:
    """ruff-formatted when ruff is installed (the committed stub is)."""
    try:
        r = subprocess.run(
            ["ruff", "format", "--stdin-filename", str(STUB), "-"],
            input=text,
            capture_output=True,
            text=True,
        )
    except FileNotFoundError:
        return text
    return r.stdout if r.returncode == 0 else text


def main() -> int:
    text = generate()
    if "--check" in sys.argv:
        if STUB.read_text() != text:
            print(f"{STUB} is out of date: run python tools/generate_stub.py", file=sys.stderr)
            return 1
        return 0
    STUB.write_text(text)
    print(f"wrote {STUB}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
