"""A dependency-free progress bar with the running loss, and an optional loss-curve plot.

    bar = ProgressBar(epochs, desc="training")
    for epoch in range(epochs):
        ...
        bar.update(loss=loss.item())
    bar.close()

The bar goes to stderr, so it never mixes with a script's printed results. On a terminal it is
redrawn in place (at most 20 times a second); in a log (stderr not a terminal) it prints one
line at each quarter of the work, so CI logs stay short.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

__all__ = ["ProgressBar", "plot_losses"]


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m:02d}:{s:02d}"


class ProgressBar:
    """Counts `total` steps; `update(loss=...)` advances and shows the latest loss."""

    def __init__(
        self, total: int, desc: str = "", width: int = 30, file: TextIO | None = None
    ) -> None:
        self.total = max(int(total), 1)
        self.desc = desc
        self.width = width
        self.file = file if file is not None else sys.stderr
        self.n = 0
        self.loss: float | None = None
        self._start = time.perf_counter()
        self._last_draw = 0.0
        self._quarter = 0
        isatty = getattr(self.file, "isatty", None)
        self._interactive = bool(isatty and isatty())
        self._closed = False

    def text(self) -> str:
        """The bar as one line: `desc |#####-----| 5/10 [00:01<00:01] loss 0.4321`."""
        frac = min(self.n / self.total, 1.0)
        filled = int(round(frac * self.width))
        elapsed = time.perf_counter() - self._start
        remaining = elapsed / frac - elapsed if frac > 0 else 0.0
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"{self.desc} |{bar}| {self.n}/{self.total} [{_clock(elapsed)}<{_clock(remaining)}]"
        if self.loss is not None:
            line += f" loss {self.loss:.4f}"
        return line.lstrip()

    def update(self, n: int = 1, loss: float | None = None) -> None:
        self.n += n
        if loss is not None:
            self.loss = float(loss)
        if self._interactive:
            now = time.perf_counter()
            if now - self._last_draw >= 0.05 or self.n >= self.total:
                self._last_draw = now
                self.file.write("\r" + self.text())
                self.file.flush()
        else:
            quarter = int(4 * min(self.n, self.total) / self.total)
            if quarter > self._quarter:
                self._quarter = quarter
                self.file.write(self.text() + "\n")
                self.file.flush()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._interactive:
            self.file.write("\r" + self.text() + "\n")
            self.file.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def plot_losses(
    losses: Sequence[float], path: str | Path, title: str = "training loss"
) -> Path | None:
    """Writes the loss curve to `path` (PNG) with matplotlib; without matplotlib, says so on
    stderr (install it with `pip install "fastgrad[plot]"`) and returns None."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print(
            f"matplotlib is not installed: no loss plot ({Path(path).name}); "
            'install it with pip install "fastgrad[plot]"',
            file=sys.stderr,
        )
        return None
    # Figure + the Agg canvas directly: no pyplot, so no GUI backend and no global state.
    fig = Figure(figsize=(5, 3.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot(range(1, len(losses) + 1), list(losses), color="tab:blue")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path
