"""Every public function, class, method and property has a docstring, at run time (what
help() and Jupyter show) and in the type stub of the extension (what IDEs show for Tensor).

pybind11 writes a signature line ("exp(self: fastgrad._C.Tensor) -> fastgrad._C.Tensor") into
the __doc__ of every C++ binding: that line alone does not count as a docstring.
"""

import ast
import importlib.util
import inspect
import re
import shutil
from pathlib import Path

import pytest

import fastgrad
from fastgrad import autograd, distributed, nn, optim, testing, viz
from fastgrad.nn import functional, init

ROOT = Path(__file__).resolve().parents[1]
STUB = Path(fastgrad.__file__).resolve().parent / "_C.pyi"

NAMESPACES = {
    "fastgrad": fastgrad,
    "nn": nn,
    "nn.functional": functional,
    "nn.init": init,
    "optim": optim,
    "autograd": autograd,
    "testing": testing,
    "viz": viz,
    "distributed": distributed,
}

# Members every Tensor has from `object` or the class machinery, not from fastgrad.
# __array_priority__ is a plain int (1000, as in torch): nothing to document.
_TENSOR_SKIP = {"__dict__", "__doc__", "__module__", "__array_priority__"}

_SIGNATURE = re.compile(r"^\s*(\d+\.\s*)?[\w.]+\(.*\)\s*->.*$")


def _text(doc: str | None, name: str = "") -> str:
    """The docstring without pybind11's signature lines (and without a namedtuple's automatic
    'Name(field, ...)' docstring)."""
    if not doc:
        return ""
    lines = [
        line
        for line in doc.strip().splitlines()
        if not _SIGNATURE.match(line) and line.strip() != "Overloaded function."
    ]
    text = "\n".join(lines).strip()
    if name and re.fullmatch(rf"{re.escape(name)}\([\w, ]*\)", text):
        return ""
    return text


def _public(module) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    return sorted(names)


def _public_callables():
    for prefix, module in NAMESPACES.items():
        for name in _public(module):
            obj = getattr(module, name)
            if inspect.ismodule(obj) or not callable(obj):
                continue
            yield f"{prefix}.{name}", obj


def _tensor_members():
    T = fastgrad.Tensor
    names = [n for n in dir(T) if not n.startswith("_")]
    names += [n for n in vars(T) if n.startswith("__") and n not in _TENSOR_SKIP]
    for name in sorted(set(names)):
        yield name, inspect.getattr_static(T, name)


def test_every_public_callable_has_a_docstring():
    missing = [
        name
        for name, obj in _public_callables()
        if len(_text(obj.__doc__, getattr(obj, "__name__", ""))) < 10
    ]
    assert not missing, f"public callables without a docstring: {missing}"


def test_every_tensor_method_and_property_has_a_docstring():
    missing = []
    for name, raw in _tensor_members():
        if isinstance(raw, property):
            doc = raw.__doc__
        elif callable(getattr(fastgrad.Tensor, name)):
            doc = getattr(fastgrad.Tensor, name).__doc__
        else:
            continue
        if len(_text(doc)) < 10:
            missing.append(name)
    assert not missing, f"Tensor members without a docstring: {missing}"


def test_every_public_method_of_public_classes_has_a_docstring():
    # An override may rely on the docstring of the method it overrides (inspect.getdoc and
    # IDEs fall back to it), as Linear.forward does on Module.forward.
    missing = []
    for qualname, cls in _public_callables():
        if not inspect.isclass(cls) or cls is fastgrad.Tensor:
            continue
        for name, raw in vars(cls).items():
            if name.startswith("_"):
                continue
            if isinstance(raw, property):
                doc = raw.__doc__
            elif isinstance(raw, (staticmethod, classmethod)) or callable(raw):
                doc = inspect.getdoc(getattr(cls, name))
            else:
                continue
            if len(_text(doc)) < 10:
                missing.append(f"{qualname}.{name}")
    assert not missing, f"public methods without a docstring: {missing}"


def test_docstrings_of_cpp_bindings_follow_the_signature_line():
    # The text given in the .def call comes after pybind11's own line, so IDEs show both.
    doc = fastgrad.Tensor.exp.__doc__
    first, _, rest = doc.partition("\n")
    assert first.startswith("exp(self")
    assert rest.strip().startswith("Returns a new tensor with the exponential")
    assert fastgrad.tensor.__doc__.splitlines()[0].startswith("tensor(data")


def _stub_defs(node: ast.ClassDef | ast.Module):
    for item in node.body:
        if isinstance(item, ast.FunctionDef):
            setter = any(
                isinstance(d, ast.Attribute) and d.attr in ("setter", "deleter")
                for d in item.decorator_list
            )
            if not setter:
                yield item


def test_stub_carries_a_docstring_for_each_tensor_member():
    tree = ast.parse(STUB.read_text())
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    missing = []
    for cls in ("Tensor", "Node", "dtype"):
        if not ast.get_docstring(classes[cls]):
            missing.append(cls)
        for fn in _stub_defs(classes[cls]):
            private = fn.name.startswith("_") and not fn.name.startswith("__")
            if private or (cls != "Tensor" and fn.name.startswith("__")):
                continue
            if not ast.get_docstring(fn):
                missing.append(f"{cls}.{fn.name}")
    for fn in _stub_defs(tree):
        if not fn.name.startswith("_") and not ast.get_docstring(fn):
            missing.append(fn.name)
    assert not missing, f"_C.pyi members without a docstring: {missing}"
    # Every public Tensor method of the run-time class is in the stub, documented.
    documented = {fn.name for fn in _stub_defs(classes["Tensor"]) if ast.get_docstring(fn)}
    absent = [n for n, _ in _tensor_members() if n not in documented and n != "__str__"]
    assert not absent, f"Tensor members without a documented entry in _C.pyi: {absent}"


def test_stub_types_tensor_to_with_overloads():
    tree = ast.parse(STUB.read_text())
    tensor = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Tensor")
    overloads = [fn for fn in _stub_defs(tensor) if fn.name == "to"]
    assert len(overloads) == 3
    assert all(
        any(isinstance(d, ast.Name) and d.id == "overload" for d in fn.decorator_list)
        for fn in overloads
    )
    first_params = [fn.args.args[1].arg for fn in overloads]
    assert first_params == ["dtype", "device", "other"]


def test_stub_is_current():
    # Regenerate with `python tools/generate_stub.py` (ruff installed) when this fails. The
    # stub is ruff-formatted; the test extra pins the ruff that formatted it.
    assert shutil.which("ruff"), "ruff is needed: pip install '.[test]'"
    if not (ROOT / "tools" / "generate_stub.py").is_file():
        pytest.skip("tools/ is not in this checkout")
    spec = importlib.util.spec_from_file_location(
        "generate_stub", ROOT / "tools" / "generate_stub.py"
    )
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert generator.generate() == STUB.read_text(), "run python tools/generate_stub.py"
