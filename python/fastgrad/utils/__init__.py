"""fastgrad.utils: small helpers for scripts (progress bars, loss plots) and DLPack."""

from __future__ import annotations

from . import dlpack
from .progress import ProgressBar, plot_losses

__all__ = ["ProgressBar", "dlpack", "plot_losses"]
