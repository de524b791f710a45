"""`python -m fastgrad demo`: trains the tutorials' logistic regression (sigmoid + BCE) on
built-in synthetic data and prints the loss falling."""

from __future__ import annotations

import argparse
import sys

from . import demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fastgrad")
    sub = parser.add_subparsers(dest="command")
    d = sub.add_parser("demo", help="train a logistic regression with sigmoid + BCE")
    d.add_argument("--epochs", type=int, default=200)
    d.add_argument("--lr", type=float, default=0.5)
    d.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "demo":
        demo.run(epochs=args.epochs, lr=args.lr, seed=args.seed)
        return 0
    parser.print_help()
    return 1


if __name__ == "__main__":
    sys.exit(main())
