"""Tensor printing that matches PyTorch's ``torch/_tensor_str.py`` character for character.

The logic mirrors PyTorch's (same options, same width/mode decisions, same line breaking) but
runs on NumPy arrays. Values are always turned into Python scalars (``float``/``int``/``bool``)
before formatting, as PyTorch does through ``.tolist()``/``.item()``, so float32 values are
formatted as the exact double they widen to.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np

__all__ = ["format_tensor", "get_printoptions", "printoptions", "set_printoptions"]

# fastgrad's default dtype; tensors of this dtype (or int64/bool) print without a dtype= suffix.
_DEFAULT_DTYPE = "float32"
_FLOATING = ("float32", "float64")
_DTYPES = ("float32", "float64", "int64", "bool")


class _PrinterOptions:
    # A plain class rather than a dataclass: dataclasses need the module registered in
    # sys.modules when annotations are strings, which breaks loading this file on its own.
    def __init__(self) -> None:
        self.precision: int = 4
        self.threshold: float = 1000
        self.edgeitems: int = 3
        self.linewidth: int = 80
        self.sci_mode: bool | None = None

    def asdict(self) -> dict[str, Any]:
        # Same keys, in the same order, as torch._tensor_str.get_printoptions().
        names = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")
        return {name: getattr(self, name) for name in names}


PRINT_OPTS = _PrinterOptions()

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
) -> None:
    """Set printing options; same semantics as ``torch.set_printoptions``.

    ``profile`` ("default", "short" or "full") is applied first and the explicit options
    override it. An unknown profile name is ignored, as in PyTorch.
    """
    if profile is not None and profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    # PyTorch always overwrites sci_mode, so any call without it returns to automatic mode.
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Current options as a dict that can be passed back as ``set_printoptions(**opts)``."""
    return PRINT_OPTS.asdict()


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (arguments as for :func:`set_printoptions`)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Picks one width and notation (int/fixed/scientific) shared by every element."""

    def __init__(self, data: np.ndarray, floating: bool):
        self.floating_dtype = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        flat = data.reshape(-1)
        if flat.size == 0:
            return

        if not floating:
            # str() length of ints grows with |v| (plus the sign), and "False" is the longest
            # bool, so the extremes are the only candidates for the widest element.
            for value in (flat.min().item(), flat.max().item()):
                self.max_width = max(self.max_width, len(f"{value}"))
            return

        nonzero_finite = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero_finite.size == 0:
            # Only zeros/nan/inf: keep the defaults (PyTorch ignores PRINT_OPTS.sci_mode here).
            return

        # Like PyTorch, the magnitude tests are done in double precision.
        nonzero_abs = np.abs(nonzero_finite).astype(np.float64)
        abs_min = float(nonzero_abs.min())
        abs_max = float(nonzero_abs.max())

        self.int_mode = bool(np.all(nonzero_finite == np.ceil(nonzero_finite)))

        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = abs_max / abs_min > 1000.0 or abs_max > 1.0e8 or abs_min < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        # The formatted length only depends on the sign and on |v| (monotonically for fixed
        # notation, through the exponent's digit count for scientific notation), so the
        # smallest and largest magnitude of each sign give the widest string.
        candidates = []
        for part in (nonzero_finite[nonzero_finite > 0], nonzero_finite[nonzero_finite < 0]):
            if part.size:
                candidates += [part.min().item(), part.max().item()]

        precision = PRINT_OPTS.precision
        for value in candidates:
            if self.sci_mode:
                width = len(f"{value:.{precision}e}")
            elif self.int_mode:
                # +1 for the trailing "." that marks a float in int mode.
                width = len(f"{value:.0f}") + 1
            else:
                width = len(f"{value:.{precision}f}")
            self.max_width = max(self.max_width, width)

    def width(self) -> int:
        return self.max_width

    def format(self, value) -> str:
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            ret = f"{value}"
        return ret.rjust(self.max_width)


def _vector_str(data: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    # Each element takes its width plus ", ".
    element_length = formatter.width() + 2
    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        elements = ["..."]
    elif summarize and data.shape[0] > 2 * edge:
        elements = (
            [formatter.format(v) for v in data[:edge].tolist()]
            + [" ..."]
            + [formatter.format(v) for v in data[-edge:].tolist()]
        )
    else:
        elements = [formatter.format(v) for v in data.tolist()]

    lines = [
        ", ".join(elements[i : i + elements_per_line])
        for i in range(0, len(elements), elements_per_line)
    ]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(
    data: np.ndarray, indent: int, summarize: bool, formatter: _Formatter
) -> str:
    dim = data.ndim
    if dim == 0:
        return formatter.format(data.item())
    if dim == 1:
        return _vector_str(data, indent, summarize, formatter)

    edge = PRINT_OPTS.edgeitems
    size = data.shape[0]
    if summarize and size > 2 * edge:
        slices = (
            [_tensor_str_with_formatter(data[i], indent + 1, summarize, formatter)
             for i in range(edge)]
            + ["..."]
            + [_tensor_str_with_formatter(data[i], indent + 1, summarize, formatter)
               for i in range(size - edge, size)]
        )  # fmt: skip
    else:
        slices = [
            _tensor_str_with_formatter(data[i], indent + 1, summarize, formatter)
            for i in range(size)
        ]

    # Blocks of higher rank are separated by (dim - 1) line breaks, as in PyTorch.
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized_data(data: np.ndarray) -> np.ndarray:
    """The elements that a summarized print shows (what PyTorch's formatter looks at)."""
    edge = PRINT_OPTS.edgeitems
    if data.ndim == 0:
        return data
    if data.ndim == 1:
        # Same slices as PyTorch: with edgeitems=0, data[-0:] is the whole vector.
        if data.shape[0] > 2 * edge:
            return np.concatenate((data[:edge], data[-edge:]))
        return data
    if not edge:
        return data[(slice(0, 0),) * data.ndim]
    # Keeping the edge items along every axis selects the same elements as PyTorch's recursive
    # slicing and stacking, without a Python loop over rows.
    for axis, size in enumerate(data.shape):
        if size > 2 * edge:
            keep = np.r_[0:edge, size - edge : size]
            data = np.take(data, keep, axis=axis)
    return data


def _tensor_str(data: np.ndarray, indent: int, floating: bool) -> str:
    if data.size == 0:
        return "[]"
    summarize = data.size > PRINT_OPTS.threshold
    formatter = _Formatter(_summarized_data(data) if summarize else data, floating)
    return _tensor_str_with_formatter(data, indent, summarize, formatter)


def _add_suffixes(tensor_str: str, suffixes: list[str], indent: int) -> str:
    parts = [tensor_str]
    # Same arithmetic as PyTorch (including its off-by-some count when there is no newline).
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(
    data: np.ndarray,
    dtype: str,
    suffixes: list[str] | None = None,
    prefix: str = "tensor(",
) -> str:
    """Return ``repr`` of a tensor holding ``data``, exactly as PyTorch would print it.

    ``dtype`` is "float32", "float64", "int64" or "bool" ("torch." prefix allowed).
    ``suffixes`` are already formatted trailers such as "requires_grad=True" or
    "grad_fn=<MulBackward0>"; the size=/dtype= suffixes are placed before them, as in PyTorch.
    """
    dtype = dtype.removeprefix("torch.")
    if dtype not in _DTYPES:
        raise ValueError(f"format_tensor: unsupported dtype {dtype!r}")
    data = np.asarray(data)
    indent = len(prefix)

    own_suffixes = []
    if data.size == 0:
        # Empty tensors show their shape unless it is (0,), and any non-default dtype
        # (int64/bool included, since no element hints at it).
        if data.ndim != 1:
            own_suffixes.append(f"size={tuple(data.shape)}")
        if dtype != _DEFAULT_DTYPE:
            own_suffixes.append(f"dtype=torch.{dtype}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            # With edgeitems=0 nothing but "..." is shown, so the shape is printed instead.
            own_suffixes.append(f"size={tuple(data.shape)}")
        if dtype not in (_DEFAULT_DTYPE, "int64", "bool"):
            own_suffixes.append(f"dtype=torch.{dtype}")
        body = _tensor_str(data, indent, dtype in _FLOATING)

    return _add_suffixes(prefix + body, own_suffixes + list(suffixes or []), indent)
