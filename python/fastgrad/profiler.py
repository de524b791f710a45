"""`fastgrad.profile()`: time per op kind, forward and backward, as a table.

    with fastgrad.profile() as prof:
        loss = model(x).pow(2).mean()
        loss.backward()
    print(prof.table())

Forward: while the context is open, the public ops (fastgrad.<op>, Tensor methods and
operators, nn.functional) are wrapped to time each call; only the outermost op of a nested call
counts, so a composite op is reported under its own name. Backward: the engine times each
node's apply() (csrc/autograd/debug.cpp) and reports it under the node's name (MulBackward0).
Nothing is wrapped or timed outside the context, so profiling costs nothing when off. The
profiler is process-wide: use one at a time.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from types import ModuleType, TracebackType
from typing import Any

from . import _C

__all__ = ["OpRecord", "profile"]

Tensor = _C.Tensor

# Tensor dunders that are ops (the rest of the class's names are checked against the op names).
_OP_DUNDERS = {
    f"__{p}{n}__"
    for n in (
        "add",
        "sub",
        "mul",
        "truediv",
        "floordiv",
        "pow",
        "matmul",
        "mod",
        "and",
        "or",
        "xor",
    )
    for p in ("", "r", "i")
} | {
    "__neg__",
    "__abs__",
    "__invert__",
    "__getitem__",
    "__setitem__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__eq__",
    "__ne__",
}
_NOT_OPS = {
    "backward",
    "register_hook",
    "retain_grad",
    "requires_grad_",
    "item",
    "tolist",
    "numpy",
    "dim",
    "size",
    "numel",
    "is_tensor",
    "is_floating_point",
    "manual_seed",
    "result_type",
    "equal",
    "allclose",
    "get_default_dtype",
    "get_num_threads",
    "set_num_threads",
    "get_printoptions",
    "set_printoptions",
    "printoptions",
    "load",
    "save",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "from_numpy",
    "from_dlpack",
    "profile",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "device",
    "dtype",
    "Size",
    "Tensor",
}


@dataclass
class OpRecord:
    """Totals for one op kind in one phase ("forward" or "backward")."""

    name: str
    phase: str
    calls: int = 0
    seconds: float = 0.0


class profile:  # noqa: N801 - named like torch.autograd.profiler.profile
    """Context manager timing ops; see the module docstring."""

    def __init__(self) -> None:
        self._forward: dict[str, OpRecord] = {}
        self._backward: list[OpRecord] = []
        self._patched: list[tuple[Any, str, Any, bool]] = []
        self._depth = 0
        self.wall_seconds = 0.0

    # ---- wrapping

    def _wrap(self, name: str, fn: Any) -> Any:
        record = self._forward.setdefault(name, OpRecord(name, "forward"))

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth:
                return fn(*args, **kwargs)
            self._depth += 1
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                record.seconds += time.perf_counter() - start
                record.calls += 1
                self._depth -= 1

        return timed

    def _patch(self, owner: Any, name: str, fn: Any) -> None:
        had = name in vars(owner)
        original = vars(owner).get(name, fn)
        self._patched.append((owner, name, original, had))
        setattr(owner, name, self._wrap(name, fn))

    def _patch_all(self) -> None:
        import fastgrad
        from fastgrad.nn import functional

        op_names: set[str] = set()
        for module in (fastgrad, functional):
            assert isinstance(module, ModuleType)
            for name in getattr(module, "__all__", []):
                fn = getattr(module, name, None)
                if name in _NOT_OPS or not callable(fn) or isinstance(fn, (type, ModuleType)):
                    continue
                if type(fn).__name__ == "dtype":
                    continue
                op_names.add(name)
                self._patch(module, name, fn)
        for name in list(vars(Tensor)):
            base = name[:-1] if name.endswith("_") and not name.endswith("__") else name
            if name not in _OP_DUNDERS and (base not in op_names or name in _NOT_OPS):
                continue
            attr = vars(Tensor)[name]
            if isinstance(attr, property) or not callable(getattr(Tensor, name)):
                continue
            self._patch(Tensor, name, getattr(Tensor, name))

    def _unpatch(self) -> None:
        for owner, name, original, had in reversed(self._patched):
            if had:
                setattr(owner, name, original)
            else:
                delattr(owner, name)
        self._patched.clear()

    # ---- context

    def __enter__(self) -> profile:
        self._patch_all()
        _C._set_backward_profiler(True)
        self._start = time.perf_counter()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.wall_seconds = time.perf_counter() - self._start
        _C._set_backward_profiler(False)
        self._backward = [
            OpRecord(name, "backward", calls, seconds)
            for name, calls, seconds in _C._backward_profile()
        ]
        self._unpatch()

    # ---- results

    def records(self) -> list[OpRecord]:
        """Every op kind that ran, forward then backward, slowest first within each phase."""
        forward = [r for r in self._forward.values() if r.calls]
        by_time = sorted(forward, key=lambda r: -r.seconds)
        return by_time + sorted(self._backward, key=lambda r: -r.seconds)

    def table(self, row_limit: int = 30) -> str:
        """The records as a fixed-width table: op, phase, calls, total and mean time, share of
        that phase's total."""
        recs = self.records()
        totals = {p: sum(r.seconds for r in recs if r.phase == p) for p in ("forward", "backward")}
        header = f"{'op':<34} {'phase':<9} {'calls':>7} {'total ms':>10} {'mean us':>9} {'%':>6}"
        lines = [header, "-" * len(header)]
        for r in recs[:row_limit] if row_limit else recs:
            share = r.seconds / totals[r.phase] if totals[r.phase] else 0.0
            lines.append(
                f"{r.name:<34} {r.phase:<9} {r.calls:>7} {r.seconds * 1e3:>10.3f} "
                f"{r.seconds / r.calls * 1e6:>9.1f} {share:>6.1%}"
            )
        lines.append("-" * len(header))
        lines.append(
            f"forward ops {totals['forward'] * 1e3:.3f} ms, backward nodes "
            f"{totals['backward'] * 1e3:.3f} ms, wall {self.wall_seconds * 1e3:.3f} ms"
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()
