"""Measure this machine's compute and memory ceilings at each thread count (no fastgrad involved).

    python benchmarks/machine_ceiling.py [--threads 1,2,4,8,16]

Compiles ``ceiling.cpp`` (x86-64, OpenMP) with the C++ compiler in ``$CXX`` (default ``c++``)
and prints one row per thread count: GFLOP/s of pure FMA chains (256- and 512-bit) and their
speed-up over one thread, and the GB/s of a 16M-float add with ordinary and non-temporal
stores. Read a scaling target against these: if FMA chains reach only 8x on 16 logical CPUs,
no compute-bound kernel can reach more there.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    args = parser.parse_args(argv)
    if platform.machine().lower() not in ("x86_64", "amd64"):
        print(f"ceiling.cpp is x86-64 only; this is {platform.machine()}", file=sys.stderr)
        return 2
    cxx = os.environ.get("CXX", "c++")
    if shutil.which(cxx) is None:
        print(f"no C++ compiler: {cxx!r} is not on PATH (set CXX)", file=sys.stderr)
        return 2
    source = Path(__file__).resolve().parent / "ceiling.cpp"
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "ceiling"
        subprocess.run(
            [cxx, "-O2", "-std=c++17", "-fopenmp", str(source), "-o", str(exe)], check=True
        )
        env = dict(os.environ, OMP_WAIT_POLICY="passive")
        print(f"# {os.cpu_count()} logical CPUs, {platform.processor() or platform.machine()}")
        return subprocess.run([str(exe), args.threads], env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
