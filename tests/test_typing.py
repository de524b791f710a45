"""The typed API: the stub of the extension covers it, and a user program passes mypy --strict."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import fastgrad
from fastgrad import _C

HERE = Path(__file__).resolve().parent
PACKAGE = Path(fastgrad.__file__).resolve().parent


def _stub_names():
    tree = ast.parse((PACKAGE / "_C.pyi").read_text())
    module, classes = set(), {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {
                n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AnnAssign))
            } | {n.target.id for n in node.body if isinstance(n, ast.AnnAssign)}
            module.add(node.name)
        elif isinstance(node, ast.FunctionDef):
            module.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            module.add(node.target.id)
    return module, classes


def test_package_ships_py_typed_and_stub():
    assert (PACKAGE / "py.typed").is_file()
    assert (PACKAGE / "_C.pyi").is_file()


def test_stub_declares_every_public_name():
    # Regenerate with `python tools/generate_stub.py` when this fails.
    module, classes = _stub_names()
    missing = [n for n in vars(_C) if not n.startswith("__") and n not in module]
    assert not missing, f"_C.pyi lacks module names {missing}"
    tensor = classes["Tensor"]
    public = [n for n in dir(fastgrad.Tensor) if not n.startswith("_") and n not in tensor]
    assert not public, f"_C.pyi lacks Tensor members {public}"
    for name in ("__add__", "__matmul__", "__getitem__", "__dlpack__", "__array__"):
        assert name in tensor


def test_sample_program_passes_mypy_strict(tmp_path):
    pytest.importorskip("mypy")
    env = dict(os.environ)
    source_root = PACKAGE.parent
    if "site-packages" not in source_root.parts and "dist-packages" not in source_root.parts:
        # Editable install: mypy cannot follow the import hook, so point it at the sources.
        env["MYPYPATH"] = str(source_root)
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(HERE / "typing" / "mypy.ini"),
            "--cache-dir",
            str(tmp_path / "cache"),
            str(HERE / "typing" / "sample.py"),
            str(PACKAGE / "_C.pyi"),  # the stub itself is strict-clean too
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Success: no issues found" in r.stdout


def test_sample_program_runs():
    r = subprocess.run(
        [sys.executable, str(HERE / "typing" / "sample.py")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
