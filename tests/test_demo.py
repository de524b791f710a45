"""The README's demo: it must train (loss falls, classes separate) and print its progress."""

import subprocess
import sys

from fastgrad import demo


def test_demo_loss_falls(capsys):
    final = demo.run(epochs=50, lr=0.5, seed=1)
    out = capsys.readouterr().out
    first = float(out.splitlines()[1].split()[-1])
    assert first > 0.69 and final < 0.2
    assert "training accuracy" in out


def test_module_entry_point_runs_demo():
    r = subprocess.run(
        [sys.executable, "-m", "fastgrad", "demo", "--epochs", "20"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "final loss" in r.stdout
