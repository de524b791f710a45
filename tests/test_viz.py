"""fastgrad.viz: the autograd graph as Graphviz DOT, and rendering through `dot`."""

import os
import shutil

import pytest

import fastgrad
from fastgrad import viz


def _graph():
    x = fastgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = fastgrad.tensor(2.0, requires_grad=True)
    y = ((x * w) ** 2).sum()
    return x, w, y


def test_to_dot_names_nodes_marks_leaves_and_shapes():
    x, w, y = _graph()
    dot = viz.to_dot(y, params={"x": x, "w": w})
    assert dot.startswith("digraph autograd {") and dot.rstrip().endswith("}")
    for name in ("SumBackward0", "PowBackward0", "MulBackward0"):
        assert f'label="{name}"' in dot
    assert 'label="x\\n(3,) float32", fillcolor=lightblue' in dot
    assert 'label="w\\n() float32", fillcolor=lightblue' in dot
    assert 'label="output\\n() float32", fillcolor=darkolivegreen1' in dot
    # Edges run from inputs to outputs: 2 leaves -> Mul -> Pow -> Sum -> output.
    assert dot.count("->") == 5
    assert "saved" not in dot


def test_to_dot_show_saved_lists_saved_tensors():
    x, w, y = _graph()
    dot = viz.to_dot(y, show_saved=True)
    assert "fillcolor=orange" in dot
    assert 'label="saved 0\\n(3,) float32"' in dot  # MulBackward0 saved x (3,) and w ()
    assert 'label="saved 1\\n() float32"' in dot


def test_to_dot_of_shared_subgraph_lists_each_node_once():
    a = fastgrad.ones(2, requires_grad=True)
    b = a * 2
    c = (b + b).sum()
    dot = viz.to_dot(c)
    assert dot.count('label="MulBackward0"') == 1
    assert dot.count('label="leaf') == 1


def test_to_dot_of_several_outputs_and_no_graph():
    a = fastgrad.ones(2, requires_grad=True)
    dot = viz.to_dot([a.exp(), a.sin()])
    assert "ExpBackward0" in dot and "SinBackward0" in dot and dot.count('label="leaf') == 1
    plain = viz.to_dot(fastgrad.ones(2))
    assert "output" in plain and "->" not in plain


def test_render_without_graphviz_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    _, _, y = _graph()
    with pytest.raises(viz.GraphvizNotFoundError, match="Install Graphviz.*apt install graphviz"):
        viz.render(y, tmp_path / "graph.svg")
    assert not (tmp_path / "graph.svg").exists()


@pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("CI"),
    reason="Graphviz's dot is not installed (CI installs it and runs these)",
)
@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_render_writes_picture(tmp_path, suffix):
    _, _, y = _graph()
    out = viz.render(y, tmp_path / f"graph.{suffix}")
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") if suffix == "png" else b"<svg" in data


def test_render_runs_dot_with_format_and_output(monkeypatch, tmp_path):
    # Without Graphviz installed, a stand-in `dot` records how render() calls it; this checks
    # the command line, the DOT text on stdin and the error path, wherever the tests run.
    import sys

    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "args = sys.argv[1:]\n"
        "src = sys.stdin.read()\n"
        "if 'FAIL' in src: sys.exit('syntax error in line 1')\n"
        "open(args[args.index('-o') + 1], 'w').write(args[0] + '\\n' + src)\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    _, _, y = _graph()
    out = viz.render(y, tmp_path / "graph.png")
    fmt, _, source = out.read_text().partition("\n")
    assert fmt == "-Tpng" and source == viz.to_dot(y)
    # dot's own failure surfaces as a RuntimeError carrying its message
    monkeypatch.setattr(viz, "to_dot", lambda *a, **k: "FAIL")
    with pytest.raises(RuntimeError, match="dot -Tsvg failed: syntax error"):
        viz.render(y, tmp_path / "bad.svg")
