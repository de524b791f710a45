"""`python -m fastgrad demo`: trains the tutorials' logistic regression (sigmoid + BCE) on
built-in synthetic data and prints the loss falling.

`python -m fastgrad --cmake-dir`: prints the folder holding fastgradConfig.cmake, for C++
projects that link the library shipped in the wheel:
`cmake -Dfastgrad_DIR="$(python -m fastgrad --cmake-dir)"`, or add the printed folder to
CMAKE_PREFIX_PATH. `--include-dir` prints the headers' folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _package_roots() -> list[Path]:
    # The extension's folder first: in an editable install the Python sources live in the
    # checkout while the extension and the C++ files are installed into site-packages.
    from . import _C

    roots = [Path(_C.__file__).resolve().parent, Path(__file__).resolve().parent]
    return list(dict.fromkeys(roots))


def prefix_dir() -> Path:
    """The installation prefix of the C++ package inside the wheel: the package folder."""
    for root in _package_roots():
        if (root / "lib" / "cmake" / "fastgrad" / "fastgradConfig.cmake").is_file():
            return root
    raise FileNotFoundError("this fastgrad installation does not include the C++ package")


def cmake_dir() -> Path:
    """The folder holding fastgradConfig.cmake (fastgrad_DIR, or one CMAKE_PREFIX_PATH entry)."""
    return prefix_dir() / "lib" / "cmake" / "fastgrad"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fastgrad")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--cmake-dir",
        action="store_true",
        help="print the folder for fastgrad_DIR or CMAKE_PREFIX_PATH",
    )
    where.add_argument("--include-dir", action="store_true", help="print the C++ headers' folder")
    sub = parser.add_subparsers(dest="command")
    d = sub.add_parser("demo", help="train a logistic regression with sigmoid + BCE")
    d.add_argument("--epochs", type=int, default=200)
    d.add_argument("--lr", type=float, default=0.5)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument(
        "--out",
        default="fastgrad-demo",
        help="folder for the graph (graph.dot, graph.svg) and the loss curve (loss.png)",
    )
    args = parser.parse_args(argv)
    try:
        if args.cmake_dir:
            print(cmake_dir())
            return 0
        if args.include_dir:
            print(prefix_dir() / "include")
            return 0
    except FileNotFoundError as e:
        print(f"python -m fastgrad: {e}", file=sys.stderr)
        return 1
    if args.command == "demo":
        from . import demo

        demo.run(epochs=args.epochs, lr=args.lr, seed=args.seed, out_dir=args.out)
        return 0
    parser.print_help()
    return 1


if __name__ == "__main__":
    sys.exit(main())
