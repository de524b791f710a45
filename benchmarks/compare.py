"""Time the benchmark workloads for fastgrad, numpy and torch in one process and print a table.

    python benchmarks/compare.py [-k SUBSTRING] [--threads 1,2] [--rounds N] [--round-time S]

Each (workload, backend) pair is set up, warmed up, then timed timeit-style: the number of
calls per round is calibrated so one round lasts about ``--round-time`` seconds, and the
reported time per call is the median over ``--rounds`` rounds (time.perf_counter). torch
columns appear only when torch can be imported. Ratios are fastgrad time / other time, so a
value above 1 means fastgrad is slower. Bandwidth-bound workloads also show fastgrad's GB/s
(as a share of the machine's ``np.add(a, b, out=c)`` bandwidth on 16M floats, measured at the
start), compute-bound ones its GFLOP/s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for `workloads` under runpy, -m, ...

from workloads import BACKENDS, WORKLOADS, load_backend  # noqa: E402


def time_per_call(fn: Callable[[], Any], rounds: int, round_time: float) -> float:
    """Median seconds per call of ``fn`` over ``rounds`` rounds of about ``round_time`` each."""
    for _ in range(3):  # warm-up: first-call costs, caches, lazy allocations
        fn()
    number = 1
    while True:  # calibrate like timeit.Timer.autorange, to round_time instead of 0.2 s
        start = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= round_time:
            break
        number = max(number * 2, int(number * round_time / max(elapsed, 1e-9) * 1.1))
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def fmt_ratio(num: float | None, den: float | None) -> str:
    if num is None or den is None:
        return "-"
    return f"{num / den:.2f}x"


def stream_bandwidth() -> float:
    """Bytes per second of ``np.add(a, b, out=c)`` on 16M float32 (a STREAM-style add)."""
    import numpy as np

    a, b, c = (np.ones(1 << 24, dtype=np.float32) for _ in range(3))
    t = time_per_call(lambda: np.add(a, b, out=c), 5, 0.2)
    return 3 * a.nbytes / t


def throughput(workload: Any, seconds: float | None, stream: float) -> str:
    if seconds is None:
        return "-"
    if workload.nbytes:
        rate = workload.nbytes / seconds
        return f"{rate / 1e9:.1f} GB/s ({rate / stream:.0%})"
    if workload.flops:
        return f"{workload.flops / seconds / 1e9:.1f} GFLOP/s"
    return ""


def run_table(args: argparse.Namespace, modules: dict[str, Any], stream: float) -> None:
    has_torch = modules["torch"] is not None
    header = ["workload", "fastgrad", "numpy"]
    if has_torch:
        header += ["torch", "fastgrad/torch"]
    header += ["fastgrad/numpy", "fastgrad rate"]
    rows = []
    for name, workload in WORKLOADS.items():
        if not any(k in name for k in args.k.split(",")):
            continue
        times: dict[str, float | None] = dict.fromkeys(BACKENDS)
        for backend in workload.backends:
            if modules[backend] is not None:
                fn = workload.build(backend, modules[backend])
                times[backend] = time_per_call(fn, args.rounds, args.round_time)
                del fn
        row = [name, fmt_time(times["fastgrad"]), fmt_time(times["numpy"])]
        if has_torch:
            row += [fmt_time(times["torch"]), fmt_ratio(times["fastgrad"], times["torch"])]
        row += [fmt_ratio(times["fastgrad"], times["numpy"])]
        row += [throughput(workload, times["fastgrad"], stream)]
        rows.append(row)
        print(f"  {name}: done", file=sys.stderr, flush=True)

    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        print("| " + " | ".join(cells) + " |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-k", default="", help="only workloads whose name contains one of these (comma-separated)"
    )
    parser.add_argument(
        "--threads", default="1,2", help="comma-separated thread counts to run the table with"
    )
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (median is kept)")
    parser.add_argument("--round-time", type=float, default=0.05, help="target seconds per round")
    args = parser.parse_args(argv)
    if args.rounds < 5:
        parser.error("--rounds must be at least 5")

    modules = {name: load_backend(name) for name in BACKENDS}
    backends = [name for name in BACKENDS if modules[name] is not None]
    versions = ", ".join(f"{name} {modules[name].__version__}" for name in backends)
    stream = stream_bandwidth()
    print(f"# {platform.python_implementation()} {platform.python_version()}, {versions}")
    print(
        f"# {os.cpu_count()} CPUs; median of {args.rounds} rounds of ~{args.round_time:g} s each; "
        f"np.add 16M bandwidth {stream / 1e9:.1f} GB/s"
    )
    for threads in [int(t) for t in args.threads.split(",")]:
        modules["fastgrad"].set_num_threads(threads)
        if modules["torch"] is not None:
            modules["torch"].set_num_threads(threads)
        print(f"\n## {threads} thread(s) for fastgrad and torch (numpy: its BLAS default)\n")
        run_table(args, modules, stream)
    return 0


if __name__ == "__main__":
    sys.exit(main())
