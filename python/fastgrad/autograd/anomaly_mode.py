"""Anomaly detection, as torch.autograd.detect_anomaly / set_detect_anomaly.

While anomaly mode is on, every backward node records the Python traceback of the forward call
that created it, and backward checks each node's gradients: the first node that returns NaN
raises RuntimeError("Function 'PowBackward0' returned nan values in its 0th output.") followed
by that traceback. (PyTorch prints the traceback as a warning before raising; fastgrad puts it
in the error message, so it is never lost to a warnings filter.) Recording tracebacks makes
every op slower: turn it on to debug only. The switch is global, as in PyTorch.
"""

from __future__ import annotations

import warnings
from types import TracebackType

from .. import _C

__all__ = ["detect_anomaly", "is_anomaly_enabled", "set_detect_anomaly"]


def is_anomaly_enabled() -> bool:
    """Whether anomaly mode is on."""
    return bool(_C.is_anomaly_enabled())


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Context manager (or decorator) turning anomaly mode on for its body."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self.prev = is_anomaly_enabled()
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )

    def __enter__(self) -> None:
        _C._set_anomaly_enabled(self.check_nan)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _C._set_anomaly_enabled(self.prev)


class set_detect_anomaly:  # noqa: N801 - PyTorch's name
    """Turns anomaly mode on or off: as a function call, or as a context manager that restores
    the previous mode on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = is_anomaly_enabled()
        _C._set_anomaly_enabled(bool(mode) and check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _C._set_anomaly_enabled(self.prev)
