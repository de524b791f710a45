"""Instructions per execution of a Python statement, counted by callgrind (noise-free).

    python tools/icount.py SETUP STATEMENT [N]

Runs SETUP then N (default 2000) iterations of STATEMENT under `valgrind --tool=callgrind`,
does the same with 0 iterations, and prints the difference divided by N. Unlike timings, the
count does not move with the load of a shared machine. Needs valgrind.

    python tools/icount.py "import fastgrad as t; x = t.tensor(2.0, requires_grad=True)" "x * x"
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile


def count(setup: str, stmt: str, n: int) -> int:
    code = f"{setup}\nfor _ in range({n}):\n    {stmt}\n"
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "callgrind.out")
        r = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-c",
                code,
            ],
            capture_output=True,
            text=True,
            # OpenBLAS's idle threads spin for a while after start-up; under valgrind their
            # spinning is counted too and made the counts drift by thousands.
            # A fixed hash seed: with random ones, dict and set layouts move the count by
            # +-300 instructions between runs of the same statement.
            env={
                **os.environ,
                "OPENBLAS_NUM_THREADS": "1",
                "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0"),
            },
        )
        m = re.search(r"Collected : (\d+)", r.stderr)
        if r.returncode != 0 or not m:
            raise SystemExit(f"the statement failed under valgrind:\n{r.stderr[-2000:]}")
        return int(m.group(1))


def main() -> None:
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    setup, stmt = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) == 4 else 2000
    print(f"{(count(setup, stmt, n) - count(setup, stmt, 0)) / n:,.0f} instructions per execution")


if __name__ == "__main__":
    main()
