"""The three ways a C++ project gets fastgrad, each building and running examples/cpp:
find_package after `cmake --install` to a prefix, find_package through the pip-installed
package (`python -m fastgrad --cmake-dir`), and add_subdirectory of the checkout (also through
FetchContent).

Each consumer compiles one main.cpp; the install-prefix case reuses the C++ build named by
FASTGRAD_CPP_BUILD_DIR (.ci/run sets it to its ctest build) or builds the library once, and
add_subdirectory compiles the core once more. Skipped where CMake or a compiler is missing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "cpp"

pytestmark = pytest.mark.skipif(
    shutil.which("cmake") is None or not (ROOT / "CMakeLists.txt").is_file(),
    reason="needs cmake and the fastgrad source tree",
)


def _run(cmd: list[str], **kw) -> str:
    env = dict(os.environ)
    env.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", "2")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, **kw)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _generator() -> list[str]:
    return ["-G", "Ninja"] if shutil.which("ninja") else []


def _build_and_run_example(build: Path, *defines: str) -> str:
    _run(["cmake", "-S", str(EXAMPLE), "-B", str(build), *_generator(), *defines])
    _run(["cmake", "--build", str(build)])
    out = _run([str(build / "logistic_regression")])
    losses = [float(v) for v in re.findall(r"loss (\d+\.\d+)", out)]
    assert len(losses) >= 5, out
    assert losses[-1] < losses[0] * 0.6, out  # the loss falls
    assert all(b <= a for a, b in zip(losses, losses[1:])), out
    return out


@pytest.fixture(scope="session")
def install_prefix(tmp_path_factory) -> Path:
    prefix = tmp_path_factory.mktemp("prefix")
    build = os.environ.get("FASTGRAD_CPP_BUILD_DIR")
    if not build:
        build = str(tmp_path_factory.mktemp("fastgrad-build"))
        _run(["cmake", "-S", str(ROOT), "-B", build, *_generator(), "-DFASTGRAD_BUILD_TESTS=OFF"])
        _run(["cmake", "--build", build])
    _run(["cmake", "--install", build, "--prefix", str(prefix)])
    return prefix


def test_find_package_after_cmake_install(install_prefix, tmp_path):
    assert (install_prefix / "include" / "fastgrad" / "fastgrad.h").is_file()
    _build_and_run_example(tmp_path / "build", f"-DCMAKE_PREFIX_PATH={install_prefix}")


def test_find_package_through_pip_package(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "fastgrad", "--cmake-dir"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    cmake_dir = Path(out.stdout.strip())
    assert (cmake_dir / "fastgradConfig.cmake").is_file()
    assert (cmake_dir / "fastgradConfigVersion.cmake").is_file()
    # The folder works both as fastgrad_DIR and as a CMAKE_PREFIX_PATH entry.
    _build_and_run_example(tmp_path / "build", f"-DCMAKE_PREFIX_PATH={cmake_dir}")


def test_add_subdirectory(tmp_path):
    _build_and_run_example(tmp_path / "build", f"-DFASTGRAD_SOURCE_DIR={ROOT}")


def test_fetchcontent(tmp_path):
    # What an embedder's CMakeLists.txt does: fetch the repository (here a git clone of this
    # checkout's HEAD, or its folder outside git) and link fastgrad::fastgrad. fastgrad is not
    # the top-level project there, so its tests and install rules stay off.
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    if head.returncode == 0 and shutil.which("git"):
        source = f"GIT_REPOSITORY {ROOT.as_uri()} GIT_TAG {head.stdout.strip()}"
    else:
        source = f"SOURCE_DIR {ROOT.as_posix()}"
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(EXAMPLE / "main.cpp", src / "main.cpp")
    (src / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.18)\nproject(fetch LANGUAGES CXX)\n"
        "include(FetchContent)\n"
        f"FetchContent_Declare(fastgrad {source})\n"
        "FetchContent_MakeAvailable(fastgrad)\n"
        "add_executable(logistic_regression main.cpp)\n"
        "target_link_libraries(logistic_regression PRIVATE fastgrad::fastgrad)\n"
    )
    build = tmp_path / "build"
    _run(["cmake", "-S", str(src), "-B", str(build), *_generator()])
    targets = _run(["cmake", "--build", str(build), "--target", "help"])
    assert "fastgrad_tests" not in targets and "install" not in targets.split()
    _run(["cmake", "--build", str(build)])
    out = _run([str(build / "logistic_regression")])
    losses = [float(v) for v in re.findall(r"loss (\d+\.\d+)", out)]
    assert len(losses) >= 5 and losses[-1] < losses[0] * 0.6, out


def test_readme_cpp_example(install_prefix, tmp_path):
    code = re.search(r"```cpp\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    src = tmp_path / "src"
    src.mkdir()
    (src / "main.cpp").write_text(code)
    (src / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.18)\nproject(readme LANGUAGES CXX)\n"
        "find_package(fastgrad CONFIG REQUIRED)\nadd_executable(readme main.cpp)\n"
        "target_link_libraries(readme PRIVATE fastgrad::fastgrad)\n"
    )
    build = tmp_path / "build"
    _run(
        [
            "cmake",
            "-S",
            str(src),
            "-B",
            str(build),
            *_generator(),
            f"-DCMAKE_PREFIX_PATH={install_prefix}",
        ]
    )
    _run(["cmake", "--build", str(build)])
    assert _run([str(build / "readme")]).strip() == "-12"
