"""Throughput of data-parallel training on 1 and 2 (or more) MPI ranks on this machine.

Runs examples/digits_distributed.py under `mpiexec -n N` for a few model and batch sizes, the
rank counts interleaved over several rounds (the machine is shared and noisy), and prints the
median training throughput, the speed-up over one rank and the bytes each rank sends per step.

    pip install -e ".[distributed]" scikit-learn
    python benchmarks/distributed_scaling.py                 # 1 and 2 ranks, 5 rounds
    python benchmarks/distributed_scaling.py --ranks 1,2,4 --rounds 3
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "digits_distributed.py"
CONFIGS = [(64, 32), (64, 256), (1024, 256)]  # (hidden units, global batch)


def run(ranks: int, hidden: int, batch: int, epochs: int) -> float:
    mpiexec = Path(sys.executable).with_name("mpiexec")
    cmd = [str(mpiexec if mpiexec.exists() else "mpiexec"), "-n", str(ranks), sys.executable]
    cmd += [str(EXAMPLE), "--epochs", str(epochs), "--hidden", str(hidden)]
    cmd += ["--batch-size", str(batch), "--out", tempfile.mkdtemp(prefix="fastgrad-scaling-")]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    m = re.search(r"([\d,]+) training samples/s", out)
    assert m, out
    return float(m.group(1).replace(",", ""))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ranks", default="1,2")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--epochs", type=int, default=10)
    args = p.parse_args()
    ranks = [int(r) for r in args.ranks.split(",")]
    print(
        "| hidden | global batch | parameters | ranks | samples/s (median) | speed-up | "
        "bytes sent per rank per step (ring all-reduce) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for hidden, batch in CONFIGS:
        params = 64 * hidden + hidden + hidden * 10 + 10
        rates: dict[int, list[float]] = {n: [] for n in ranks}
        for _ in range(args.rounds):
            for n in ranks:
                rates[n].append(run(n, hidden, batch, args.epochs))
        base = statistics.median(rates[ranks[0]])
        for n in ranks:
            med = statistics.median(rates[n])
            sent = 2 * (n - 1) / n * params * 4
            print(
                f"| {hidden} | {batch} | {params:,} | {n} | {med:,.0f} | {med / base:.2f} | "
                f"{sent:,.0f} |"
            )


if __name__ == "__main__":
    main()
