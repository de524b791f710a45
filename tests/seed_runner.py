"""Parse and run the seed notebooks in tests/seeds/ (PyTorch tutorials exported as text).

File format
-----------
A seed file is a text export of a Jupyter notebook. Every code cell starts with a header line
``In [N]:`` (N is a number or ``None``). After the header comes the code, then the output the
notebook showed, then possibly markdown prose; text before the first header is prose. Nothing
marks where code ends and output or prose begins, so this module decides it with the rules
below. ``tests/test_seeds.py`` pins the decision for every cell of the seed files (cell
counts and expected-output line counts checked by hand), so a rule change that moves a
boundary fails there.

Where the code ends
-------------------
The cell body is split into chunks separated by blank lines (code can contain blank lines, so
a single blank line cannot end it). The code is the leading chunks, taken while

* the chunk does not start like a shown output: ``tensor(...``, ``True``/``False``/``None``,
  a number, or an error line ``SomethingError: message``. Several of these are valid Python
  (``tensor(3., requires_grad=True)``, ``True``), so compiling alone cannot tell; and
* the code so far plus the chunk still compiles (prose such as ``Partial Derivatives:`` does
  not).

Comment-only chunks at the end of the code are given back to the text after it: markdown
headings (``# Check Gradients``) export exactly like comments, and a comment changes nothing
when run. The first chunk always stays, so a cell made only of comments keeps its code.

Which text is expected output
-----------------------------
The text after the code starts with the shown output (possibly none), then prose. The output
is taken as follows:

1. Leading blank lines are skipped.
2. There is no output if the first line reads as prose (a markdown marker such as ``#``,
   ``**``, a backtick, ``- ``, an emoji; a plain sentence; or a lone ``Label:`` line
   introducing a list), or if the code cannot display anything (no ``print`` call and no
   trailing expression) and the first line is not an error line. Commented-out code is
   judged by the text alone, so that the stale output it shows is still recognised.
3. The output runs through its first paragraph and through every next paragraph that follows
   after exactly one blank line and does not read as prose. It stops after an error line,
   which IPython always shows last.

Running a cell
--------------
Like IPython: the code runs in one namespace per notebook; if the last statement is an
expression whose value is not None (and the cell does not end with ``;``) its repr is
printed; if the cell raises, the output is what was printed before plus the last line IPython
shows, ``ExceptionType: message``, and the next cell still runs. ``import torch`` is rewritten
to ``import <module> as torch`` (``fastgrad`` by default; ``torch`` checks the seeds against
real PyTorch).

Comparing
---------
Both sides are normalised the same way: trailing whitespace stripped from every line, leading
and trailing blank lines dropped (the export cannot show a leading ``\\n`` of a print
reliably). The actual output must equal the expected lines exactly: missing, extra and
changed lines all fail, and so does output where the notebook shows none. Cells whose code is
entirely commented out but still show output are stale (the output came from older code) and
are not checked.

Known limits
------------
The rules are heuristics fitted to tutorial notebooks: printed text that is valid Python and
matches none of the output openings would be read as code, and an output paragraph after two
blank lines or opening like markdown would be cut off. ``tests/test_seeds.py`` therefore pins
every decision for the seed files, so such a misreading cannot pass unnoticed. Only Python-level
stdout is captured (text written straight to file descriptor 1 by native code is not).
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import tokenize
import unicodedata
from dataclasses import dataclass
from pathlib import Path

HEADER_RE = re.compile(r"^In \[(\d+|None)\]:$")
# The line IPython ends a traceback with: a class name ending like an exception, then the message.
ERROR_LINE_RE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Warning|Interrupt|Exit)(: .*)?$")
NUMBER_RE = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?j?$")
# Markdown openings: headings, emphasis, lists, code spans, quotes, tables, numbered lists.
MARKDOWN_RE = re.compile(r"^(#{1,6}(\s|$)|\*\*|[*+-]\s|`|>|\||\d+\.\s)")
IMPORT_TORCH_RE = re.compile(r"^(\s*)import torch(\s*(#.*)?)$", re.MULTILINE)
MIN_SENTENCE_WORDS = 6


@dataclass(frozen=True)
class Cell:
    """One code cell: its code and the output the notebook showed for it."""

    index: int  # position in the notebook, from 0
    label: str  # "In[7]" or "In[None]"; not unique within a notebook
    line: int  # 1-based line of the header in the seed file
    code: str
    expected: tuple[str, ...]  # normalised lines of shown output; empty if none shown

    @property
    def test_id(self) -> str:
        return f"{self.index:02d}-{self.label}"

    @property
    def stale(self) -> bool:
        """Commented-out code that still shows output: the output came from older code."""
        return bool(self.expected) and is_comment_only(self.code.splitlines())


# ---------------------------------------------------------------------------- line tests


def is_blank(line: str) -> bool:
    return not line.strip()


def is_comment_only(lines: list[str]) -> bool:
    return all(is_blank(line) or line.lstrip().startswith("#") for line in lines)


def is_error_line(line: str) -> bool:
    return bool(ERROR_LINE_RE.match(line))


def looks_like_output(line: str) -> bool:
    """A line that starts a shown output and must not be taken as code, even if it compiles."""
    s = line.strip()
    return (
        s.startswith("tensor(")
        or s in ("True", "False", "None")
        or bool(NUMBER_RE.match(s))
        or is_error_line(s)
    )


def looks_like_prose(block: list[str]) -> bool:
    """Whether a paragraph of the text after the code is markdown rather than output."""
    first = block[0].strip()
    if MARKDOWN_RE.match(first) or unicodedata.category(first[0]) == "So":  # "So": emoji
        return True
    if len(block) == 1 and first.endswith(":") and "tensor(" not in first:
        return True  # a lone "Label:" introducing a markdown list
    return is_sentence(first)


def is_sentence(line: str) -> bool:
    """Plain prose: several words, none of the `label: value` shape printed results have."""
    return (
        line[0].isalpha()
        and len(line.split()) >= MIN_SENTENCE_WORDS
        and ": " not in line
        and "tensor(" not in line
        and not line[-1].isdigit()
    )


# ------------------------------------------------------------------------------ parsing


def split_chunks(lines: list[str]) -> list[range]:
    """Index ranges of the runs of non-blank lines; blank lines only separate."""
    chunks: list[range] = []
    start = None
    for pos, line in enumerate([*lines, ""]):  # the sentinel closes the last run
        if is_blank(line) and start is not None:
            chunks.append(range(start, pos))
            start = None
        elif not is_blank(line) and start is None:
            start = pos
    return chunks


def compiles(source: str) -> bool:
    try:
        compile(source, "<cell>", "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def split_body(body: list[str]) -> tuple[list[str], list[str]]:
    """Split a cell body into code lines and the text after the code (see module docstring)."""
    chunks = split_chunks(body)
    count = 0
    for chunk in chunks:
        candidate = body[: chunk.stop]
        if looks_like_output(body[chunk.start]) or not compiles("\n".join(candidate)):
            break
        count += 1
    # Trailing comment-only chunks are markdown headings; the first chunk always stays.
    while count > 1 and is_comment_only([body[i] for i in chunks[count - 1]]):
        count -= 1
    end = chunks[count - 1].stop if count else 0
    return body[:end], body[end:]


def can_display(code: str) -> bool:
    """Whether the code can show anything besides an error: a print call or a trailing value."""
    tree = ast.parse(code)
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        return True
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
        for node in ast.walk(tree)
    )


def shows_output(code: str, first: list[str]) -> bool:
    """Whether the first paragraph after the code is output rather than prose."""
    if looks_like_prose(first):
        return False
    # Code that cannot display anything shows only an error; commented-out code is judged by
    # the text alone, so that its stale output is still recognised (and skipped as stale).
    return can_display(code) or is_comment_only(code.splitlines()) or is_error_line(first[0])


def paragraphs(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Paragraphs with the number of blank lines before each one."""
    result: list[tuple[int, list[str]]] = []
    gap = 0
    for line in lines:
        if is_blank(line):
            gap += 1
        elif gap or not result:
            result.append((gap, [line]))
            gap = 0
        else:
            result[-1][1].append(line)
    return result


def expected_output(code: str, after: list[str]) -> list[str]:
    """The lines of `after` that are the cell's shown output (see the module docstring)."""
    paras = paragraphs([line.rstrip() for line in after])
    if not paras:
        return []
    first = paras[0][1]
    if not shows_output(code, first):
        return []
    output = list(first)
    for gap, para in paras[1:]:
        if is_error_line(output[-1]) or gap != 1 or looks_like_prose(para):
            break
        output += ["", *para]
    return output


def parse_notebook(text: str) -> list[Cell]:
    """Split a seed file into cells; text before the first header is prose and is skipped."""
    lines = text.split("\n")
    headers = [i for i, line in enumerate(lines) if HEADER_RE.match(line)]
    cells = []
    for index, start in enumerate(headers):
        end = headers[index + 1] if index + 1 < len(headers) else len(lines)
        code, after = split_body(lines[start + 1 : end])
        number = HEADER_RE.match(lines[start]).group(1)
        cells.append(
            Cell(
                index=index,
                label=f"In[{number}]",
                line=start + 1,
                code="\n".join(code),
                expected=tuple(expected_output("\n".join(code), after)),
            )
        )
    return cells


def parse_file(path: Path) -> list[Cell]:
    return parse_notebook(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------ running


def normalize(text: str) -> list[str]:
    """Output lines without trailing whitespace and without leading or trailing blank lines."""
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def rewrite_imports(code: str, module: str) -> str:
    """Point `import torch` at the module under test."""
    if module == "torch":
        return code
    return IMPORT_TORCH_RE.sub(rf"\1import {module} as torch\2", code)


def ends_with_semicolon(code: str) -> bool:
    """IPython shows no value for a cell whose last token is `;`."""
    skip = {tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.ENDMARKER}
    skip |= {tokenize.INDENT, tokenize.DEDENT}
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type not in skip]
    return bool(tokens) and tokens[-1].string == ";"


def format_error(exc: BaseException) -> str:
    """The last line of an IPython traceback."""
    message = str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def execute(code: str, namespace: dict) -> None:
    """Run code in namespace, printing the repr of a trailing expression's value like IPython."""
    tree = ast.parse(code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)  # noqa: S102 -- running cells is the point
    if last is not None:
        value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
        if value is not None and not ends_with_semicolon(code):
            print(repr(value))


def run_cell(code: str, namespace: dict, module: str = "fastgrad") -> str:
    """Run one cell and return everything it showed, the error line included."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        try:
            execute(rewrite_imports(code, module), namespace)
        except Exception as exc:  # noqa: BLE001 -- a failing cell shows its error, next one runs
            print(format_error(exc))
    return buffer.getvalue()


def run_notebook(cells: list[Cell], module: str = "fastgrad") -> list[str]:
    """Run all cells in order in one fresh namespace; return each cell's raw output."""
    namespace: dict = {"__name__": "__main__"}
    return [run_cell(cell.code, namespace, module) for cell in cells]


def mismatch(cell: Cell, actual: str) -> str | None:
    """None if the cell showed what the notebook shows, else a readable report."""
    got = normalize(actual)
    if got == list(cell.expected):
        return None
    return "\n".join(
        [
            f"cell {cell.test_id} (seed line {cell.line}) showed different output",
            "--- code:",
            cell.code,
            "--- expected:",
            *cell.expected,
            "--- actual:",
            *got,
        ]
    )
