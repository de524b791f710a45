"""Pictures of the autograd graph, in Graphviz DOT.

    y = (x ** 2).sum()
    print(fastgrad.viz.to_dot(y))             # DOT text: paste into any Graphviz viewer
    fastgrad.viz.render(y, "graph.svg")       # runs Graphviz's `dot` (SVG, PNG, PDF)

The graph is read through the same introspection PyTorch offers: `grad_fn`, each node's
`next_functions`, `AccumulateGrad.variable` for leaves and, with `show_saved=True`, the tensors a
node saved for backward. Arrows follow the forward computation: from inputs to the output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import _C

Tensor = _C.Tensor

__all__ = ["GraphvizNotFoundError", "render", "to_dot"]

_INSTALL_HINT = (
    "Install Graphviz (Debian/Ubuntu: apt install graphviz; macOS: brew install graphviz; "
    "conda: conda install graphviz; Windows and others: https://graphviz.org/download/) and "
    "make sure `dot` is on PATH, or save the text of fastgrad.viz.to_dot(...) to a .dot file "
    "and render it elsewhere."
)

# Colours as in pytorchviz, so the pictures read the same.
_LEAF = "lightblue"
_OUTPUT = "darkolivegreen1"
_SAVED = "orange"


class GraphvizNotFoundError(RuntimeError):
    """Raised by render() when Graphviz's `dot` program is not installed."""


def _describe(t: Tensor) -> str:
    shape = "(" + ", ".join(str(s) for s in t.shape) + ("," if t.dim() == 1 else "") + ")"
    return f"{shape} {t.dtype._name}"


def _key(t: Tensor) -> tuple[Any, ...]:
    # AccumulateGrad.variable is a new Python object each time: match tensors by their memory.
    return (t.data_ptr(), tuple(t.shape), t.stride(), t.dtype._name)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(
    output: Tensor | Iterable[Tensor],
    *,
    params: Mapping[str, Tensor] | None = None,
    show_saved: bool = False,
    name: str = "autograd",
) -> str:
    """The autograd graph that produced `output` (a tensor or several) as Graphviz DOT text.

    Backward nodes are labelled with their names (`PowBackward0`, ...); leaves (the tensors
    whose `.grad` backward fills, behind their `AccumulateGrad` node) are blue boxes with shape
    and dtype, named after `params` (e.g. `dict(model.named_parameters())`) when given; outputs
    are green. `show_saved=True` adds the tensors each node saved for backward (orange).
    """
    outputs = [output] if isinstance(output, Tensor) else list(output)
    names = {_key(t): n for n, t in (params or {}).items()}
    lines = [
        f"digraph {name} {{",
        '  node [shape=box, style=filled, fillcolor=white, fontname="monospace", fontsize=10];',
        "  edge [arrowsize=0.7];",
    ]
    keep: list[Any] = []  # holds the node objects so their addresses stay unique meanwhile
    seen: set[int] = set()

    ids: dict[int, str] = {}

    def node_id(fn: Any) -> str:
        # Numbered in discovery order, so the same graph always gives the same text.
        keep.append(fn)
        return ids.setdefault(hash(fn), f"n{len(ids)}")

    stack: list[Any] = []
    for i, out in enumerate(outputs):
        oid = f"out{i}"
        label = f"{names.get(_key(out), 'output')}\n{_describe(out)}"
        lines.append(f"  {oid} [label={_quote(label)}, fillcolor={_OUTPUT}];")
        fn = out.grad_fn
        if fn is None:
            continue
        lines.append(f"  {node_id(fn)} -> {oid};")
        stack.append(fn)

    while stack:
        fn = stack.pop()
        nid = node_id(fn)
        if nid in seen:
            continue
        seen.add(nid)
        kind = type(fn).__name__
        if kind == "AccumulateGrad":
            var = fn.variable
            label = f"{names.get(_key(var), 'leaf')}\n{_describe(var)}"
            lines.append(f"  {nid} [label={_quote(label)}, fillcolor={_LEAF}];")
        else:
            lines.append(f"  {nid} [label={_quote(kind)}];")
        if show_saved:
            for j, saved in enumerate(fn._saved_tensors):
                if saved is None:
                    continue
                sid = f"{nid}_s{j}"
                label = f"saved {j}\n{_describe(saved)}"
                lines.append(f"  {sid} [label={_quote(label)}, fillcolor={_SAVED}];")
                lines.append(f"  {sid} -> {nid} [style=dashed, arrowhead=none];")
        for next_fn, _ in fn.next_functions:
            if next_fn is None:
                continue
            lines.append(f"  {node_id(next_fn)} -> {nid};")
            stack.append(next_fn)
    lines.append("}")
    # An edge can be reached twice (a node used by two consumers through the same slot).
    return "\n".join(dict.fromkeys(lines)) + "\n"


def render(
    output: Tensor | Iterable[Tensor],
    path: str | os.PathLike[str],
    *,
    params: Mapping[str, Tensor] | None = None,
    show_saved: bool = False,
    format: str | None = None,
) -> Path:
    """Writes a picture of the graph to `path` with Graphviz's `dot`; the format follows the
    suffix (.svg, .png, .pdf) unless given. Raises GraphvizNotFoundError, saying how to install
    Graphviz, when `dot` is not installed."""
    path = Path(path)
    fmt = format or path.suffix.lstrip(".").lower() or "svg"
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizNotFoundError(
            f"fastgrad.viz.render needs Graphviz's `dot` program to write {path.name}, and it "
            f"was not found on PATH. {_INSTALL_HINT}"
        )
    source = to_dot(output, params=params, show_saved=show_saved)
    result = subprocess.run(
        [dot, f"-T{fmt}", "-o", str(path)], input=source, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"dot -T{fmt} failed: {result.stderr.strip()}")
    return path
