"""The seed notebooks (tests/seeds/) are fastgrad's spec: every cell must show what it shows.

Each notebook runs once, in order, in one namespace (cached per notebook); every cell is its own
test. How cells and their expected output are found is described in seed_runner.py; the tables
below pin that decision for every cell, as checked by hand against the seed files.
"""

from __future__ import annotations

import hashlib
import sys
from functools import cache
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # seed_runner sits beside this file
import seed_runner as sr

SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
SHARED_SEEDS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
MODULE = "fastgrad"
NOTEBOOKS = sorted(SEEDS_DIR.glob("*.txt"))

# Checked by hand: cells per notebook (a cell per `In [N]:` header).
EXPECTED_CELL_COUNTS = {"000": 11, "001": 23, "002": 18, "003": 57, "004": 46}

# Checked by hand: cell index -> number of expected output lines, for cells that show output.
# Blank lines inside an output count (000 cell 10 prints "\nGradients:" and the like).
EXPECTED_OUTPUT_LINES = {
    "000": {1: 2, 2: 1, 3: 2, 4: 1, 5: 1, 6: 3, 7: 2, 8: 1, 9: 3, 10: 34},
    "001": {4: 2, 9: 2, 10: 1, 14: 1, 16: 1, 17: 1, 18: 1},
    "002": {1: 2, 5: 2, 8: 1, 9: 1, 11: 2, 13: 2, 14: 1, 15: 1, 16: 1, 17: 1},
    "003": {
        **dict.fromkeys([3, 4, 6, 10, 11, 12, 14, 18, 23, 24, 25, 26, 27, 29, 32, 34, 35], 1),
        **dict.fromkeys([37, 38, 40, 41, 42, 44, 45, 47, 49, 51, 52, 54, 55, 56], 1),
        20: 2,
        30: 2,
    },
    "004": {
        **dict.fromkeys([3, 4, 6, 10, 11, 12, 14, 17, 18, 19, 20, 21, 25, 27, 29, 30], 1),
        **dict.fromkeys([33, 34, 35, 38, 39, 40, 41, 43, 45], 1),
        23: 2,
    },
}

# Checked by hand: commented-out cells that still show output (004: In[50], In[51]).
EXPECTED_STALE = {"000": set(), "001": set(), "002": set(), "003": set(), "004": {39, 40}}


def notebook_key(path: Path) -> str:
    return path.name[:3]


@cache
def cells_of(key: str) -> list[sr.Cell]:
    (path,) = [p for p in NOTEBOOKS if notebook_key(p) == key]
    return sr.parse_file(path)


@cache
def outputs_of(key: str) -> list[str]:
    """Run the whole notebook once, in order; a failing cell only records its error line."""
    return sr.run_notebook(cells_of(key), MODULE)


# Stale cells (commented-out code that still shows output) are run but have nothing to check;
# test_expected_output_decisions pins exactly which cells those are.
ALL_CELLS = [
    (notebook_key(p), cell)
    for p in NOTEBOOKS
    for cell in cells_of(notebook_key(p))
    if not cell.stale
]


@pytest.mark.parametrize(
    ("key", "cell"), ALL_CELLS, ids=[f"{key}-{cell.test_id}" for key, cell in ALL_CELLS]
)
def test_cell(key: str, cell: sr.Cell) -> None:
    problem = sr.mismatch(cell, outputs_of(key)[cell.index])
    if problem:
        pytest.fail(problem, pytrace=False)


# ------------------------------------------------------------------- parser decisions


def test_notebooks_present() -> None:
    assert [notebook_key(p) for p in NOTEBOOKS] == sorted(EXPECTED_CELL_COUNTS)


@pytest.mark.parametrize("key", sorted(EXPECTED_CELL_COUNTS))
def test_cell_count(key: str) -> None:
    assert len(cells_of(key)) == EXPECTED_CELL_COUNTS[key]


@pytest.mark.parametrize("key", sorted(EXPECTED_OUTPUT_LINES))
def test_expected_output_decisions(key: str) -> None:
    cells = cells_of(key)
    assert {c.index: len(c.expected) for c in cells if c.expected} == EXPECTED_OUTPUT_LINES[key]
    assert {c.index for c in cells if c.stale} == EXPECTED_STALE[key]


def seed_file_names(directory: Path) -> list[str]:
    return sorted(
        p.name for p in directory.iterdir() if p.suffix == ".txt" or p.name == "README.md"
    )


# SHA-256 of the original notebooks in ../shared/seeds (the spec), recorded when they were copied.
SEED_SHA256 = {
    "000_2a8d5a0476eee523.txt": "3dd6ff8d5b22f9a57d85aa8ca1bb91ea0bb368b8c79cdd09d11de2506a01a6eb",
    "001_e781f20639962fb6.txt": "206c3cc4371ac6fe0164fc08fa7746243d9cb5b46d844add5b9090d33f1a2656",
    "002_a86aafc3ca44915d.txt": "29d7d9f79d9bf1e5d59cf203f3b891179eedf302c4209b1657118c979098945e",
    "003_549176d38e3f6680.txt": "c7c9fb21b8f091583bec409f9c50500b43da79405b8b1c918944de06d80ccfb3",
    "004_aacf832bf05f821d.txt": "2b8e57e36c5ba8296d696ab3dbd502035e1b5807c9cf4e878a296c4a100cf288",
    "README.md": "fe2289357866409bf3abd038d237f1949e3c10f72df166b32b79795aa0eb6540",
}


def test_seeds_are_unmodified_copies_of_the_spec() -> None:
    # The copy under tests/seeds must be byte for byte the spec; where the shared original is
    # at hand (a developer's checkout beside ../shared), it must still be what was copied.
    directories = [SEEDS_DIR] + ([SHARED_SEEDS_DIR] if SHARED_SEEDS_DIR.is_dir() else [])
    for directory in directories:
        assert seed_file_names(directory) == sorted(SEED_SHA256), directory
        for name, digest in SEED_SHA256.items():
            assert hashlib.sha256((directory / name).read_bytes()).hexdigest() == digest, (
                directory / name
            )


# ------------------------------------------------- the harness itself, on a made-up notebook

SYNTHETIC = """\
Prose before the first cell.

In [1]:
x = 2

x

2

Some prose here that explains the cell at length.

In [2]:
print("a a")

print()
print("b b")

a a

b b

# A heading

In [3]:
1 / 0

ZeroDivisionError: division by zero

In [None]:
# x

5

In [5]:
x;

Partial results:

- a list
"""


def test_synthetic_parse() -> None:
    cells = sr.parse_notebook(SYNTHETIC)
    assert [c.label for c in cells] == ["In[1]", "In[2]", "In[3]", "In[None]", "In[5]"]
    assert [c.code for c in cells] == [
        "x = 2\n\nx",
        'print("a a")\n\nprint()\nprint("b b")',
        "1 / 0",
        "# x",
        "x;",
    ]
    assert [c.expected for c in cells] == [
        ("2",),
        ("a a", "", "b b"),
        ("ZeroDivisionError: division by zero",),
        ("5",),
        (),
    ]
    assert [c.stale for c in cells] == [False, False, False, True, False]


def test_synthetic_run() -> None:
    cells = sr.parse_notebook(SYNTHETIC)
    outputs = sr.run_notebook(cells, MODULE)
    assert outputs == ["2\n", "a a\n\nb b\n", "ZeroDivisionError: division by zero\n", "", ""]
    assert all(
        sr.mismatch(c, out) is None for c, out in zip(cells, outputs, strict=True) if not c.stale
    )


def test_mismatch_catches_missing_extra_and_changed_output() -> None:
    shown, silent = sr.parse_notebook(SYNTHETIC)[1], sr.parse_notebook(SYNTHETIC)[4]
    assert sr.mismatch(shown, "a a\n") is not None  # a shown line not produced
    assert sr.mismatch(shown, "") is not None  # nothing produced at all
    assert sr.mismatch(shown, "a a\n\nc\n") is not None  # a changed line
    assert sr.mismatch(shown, "a a\n\nb b\nc\n") is not None  # an extra line
    assert sr.mismatch(silent, "2\n") is not None  # output where the notebook shows none
    assert sr.mismatch(shown, "\na a  \n\nb b\n\n") is None  # blank edges, trailing spaces


def test_rewrite_imports() -> None:
    code = "import torch\n  import torch  # note\nimport torchvision\nx = 'import torch'"
    assert sr.rewrite_imports(code, "fastgrad") == (
        "import fastgrad as torch\n  import fastgrad as torch  # note\n"
        "import torchvision\nx = 'import torch'"
    )
    assert sr.rewrite_imports(code, "torch") == code
