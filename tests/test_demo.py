"""The README's demo: it must train (loss falls, classes separate) and print its progress."""

import importlib.util
import subprocess
import sys

from fastgrad import demo


def test_demo_loss_falls(capsys):
    final = demo.run(epochs=50, lr=0.5, seed=1)
    out = capsys.readouterr().out
    first = float(out.splitlines()[1].split()[-1])
    assert first > 0.69 and final < 0.2
    assert "training accuracy" in out


def test_module_entry_point_runs_demo(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "fastgrad", "demo", "--epochs", "20", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "final loss" in r.stdout
    # The progress bar (stderr, not a terminal here: one line per quarter) ends at 20/20.
    assert "training |" in r.stderr and "20/20" in r.stderr and "loss" in r.stderr
    dot = (tmp_path / "graph.dot").read_text()
    assert "BinaryCrossEntropyBackward0" in dot and 'label="w\\n(2, 1) float32"' in dot
    if importlib.util.find_spec("matplotlib") is not None:
        assert (tmp_path / "loss.png").read_bytes().startswith(b"\x89PNG")
    else:
        assert "matplotlib is not installed" in r.stderr
