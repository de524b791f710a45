"""`pip wheel .` builds a portable wheel that installs into a bare virtual environment and runs.

Slow (one full build, ~4 min on 2 cores): set FASTGRAD_WHEEL to an already built wheel to reuse
it. The fresh environment gets numpy from PyPI and fastgrad from the wheel only, and runs the
demo from a folder outside the checkout, so nothing of the development install can leak in.
"""

import importlib.util
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{cmd}\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return r


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    given = os.environ.get("FASTGRAD_WHEEL")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", str(ROOT), "-w", str(out), "--no-deps"]
    # Offline-friendly: use the running environment's build tools when it has them.
    if importlib.util.find_spec("scikit_build_core") and importlib.util.find_spec("pybind11"):
        cmd.append("--no-build-isolation")
    cmd += [f"-Cbuild-dir={out / 'build'}"]
    env = dict(
        os.environ, CMAKE_BUILD_PARALLEL_LEVEL=os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")
    )
    _run(cmd, env=env, timeout=1800)
    cache = (out / "build" / "CMakeCache.txt").read_text()
    assert "FASTGRAD_NATIVE:BOOL=OFF" in cache  # no -march=native: runs on any x86-64
    (whl,) = out.glob("fastgrad-*.whl")
    return whl


def test_wheel_contents(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for required in (
        "fastgrad/__init__.py",
        "fastgrad/py.typed",
        "fastgrad/_C.pyi",
        "fastgrad/viz.py",
        "fastgrad/lib/cmake/fastgrad/fastgradConfig.cmake",
    ):
        assert required in names, required
    assert any(n.startswith("fastgrad/_C.") and n.endswith(".so") for n in names)


def test_wheel_installs_in_bare_venv_and_runs_demo(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)  # no system site-packages
    py = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    r = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "numpy"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if r.returncode != 0:
        pytest.skip(f"numpy could not be installed from the package index: {r.stderr[-500:]}")
    _run(
        [str(py), "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)], timeout=600
    )
    work = tmp_path / "run"
    work.mkdir()
    r = _run(
        [str(py), "-m", "fastgrad", "demo", "--epochs", "20", "--out", str(work / "out")],
        cwd=work,
        timeout=300,
    )
    assert "final loss" in r.stdout
    assert (work / "out" / "graph.dot").is_file()
    r = _run([str(py), "-c", "import fastgrad, sys; print(fastgrad.__file__)"], cwd=work)
    assert str(env_dir) in r.stdout
