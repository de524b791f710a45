"""The typed API: the stub of the extension covers it, and a user program passes mypy --strict."""

import ast
import os
import shutil
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
            classes[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)} | {
                n.target.id for n in node.body if isinstance(n, ast.AnnAssign)
            }
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
    package = PACKAGE
    if "site-packages" in package.parts or "dist-packages" in package.parts:
        # Installed: a file given on the command line from site-packages would make mypy take
        # all of site-packages as sources (and stop on modules shadowing its own), so check a
        # copy of the package's Python files and stubs instead.
        package = tmp_path / "src" / "fastgrad"
        shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    # mypy cannot follow an editable install's import hook: point it at the sources.
    env["MYPYPATH"] = str(package.parent)
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
            str(package / "_C.pyi"),  # the stub itself is strict-clean too
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
