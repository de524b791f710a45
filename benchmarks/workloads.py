"""Benchmark workloads shared by ``test_bench_core.py`` (pytest-benchmark) and ``compare.py``.

Every workload has a builder per backend. A builder does all the setup (allocating inputs,
building modules) and returns a zero-argument callable that runs one iteration of the workload;
only that callable is timed. fastgrad and torch share one builder, written against the PyTorch
API and called with the library module, so the two run exactly the same code. numpy builders
do the same computation by hand in float32; workloads that only make sense with autograd have
no numpy builder.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

BACKENDS = ("fastgrad", "numpy", "torch")

Thunk = Callable[[], Any]
Builder = Callable[[Any], Thunk]

_CHAIN = 1_000  # scalar ops in the chain workload


def load_backend(name: str) -> Any | None:
    """The backend's module; None for torch when it cannot be imported (torch is optional).

    fastgrad and numpy are required: their import errors propagate with the real message.
    """
    if name != "torch":
        return importlib.import_module(name)
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _rng() -> np.random.Generator:
    return np.random.default_rng(0)


def _array(*shape: int) -> np.ndarray:
    return _rng().standard_normal(shape, dtype=np.float32)


def _pair(*shape: int) -> tuple[np.ndarray, np.ndarray]:
    rng = _rng()
    return (
        rng.standard_normal(shape, dtype=np.float32),
        rng.standard_normal(shape, dtype=np.float32),
    )


def _from(lib: Any, a: np.ndarray) -> Any:
    """A float32 tensor of ``lib`` holding a private copy of ``a``."""
    return lib.from_numpy(a.copy())


# --- (1) 0-d x * y, x requiring grad ---------------------------------------------------------


def _scalar_mul_tensor(lib: Any) -> Thunk:
    x = lib.tensor(2.0, requires_grad=True)
    y = lib.tensor(3.0)
    return lambda: x * y


def _scalar_mul_numpy(np_: Any) -> Thunk:
    x = np_.array(2.0, dtype=np_.float32)
    y = np_.array(3.0, dtype=np_.float32)
    return lambda: x * y


# --- (2) y = x ** 2; y.backward() on a 0-d tensor --------------------------------------------


def _scalar_pow_backward_tensor(lib: Any) -> Thunk:
    x = lib.tensor(2.0, requires_grad=True)

    def step() -> None:
        y = x**2
        y.backward()  # x.grad accumulates across iterations, as it would in torch

    return step


# --- (3) chain of 1,000 scalar ops, forward + backward ---------------------------------------


def _scalar_chain_tensor(lib: Any) -> Thunk:
    x = lib.tensor(1.0, requires_grad=True)

    def step() -> None:
        v = x
        for _ in range(_CHAIN // 2):
            v = v * 1.0001
            v = v + 0.0001
        v.backward()

    return step


# --- (4) the tutorial's logistic-regression step on scalars ----------------------------------


def _logreg_step_tensor(lib: Any) -> Thunk:
    x = lib.tensor(1.5)
    target = lib.tensor(1.0)
    w = lib.tensor(0.5, requires_grad=True)
    b = lib.tensor(0.0, requires_grad=True)
    loss_fn = lib.nn.BCELoss()
    lr = 0.1

    def step() -> None:
        nonlocal w, b  # `w -= ...` rebinds the name (to the same tensor), as in the tutorial
        z = w * x + b
        y = lib.sigmoid(z)
        loss = loss_fn(y, target)
        loss.backward()
        with lib.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()

    return step


def _logreg_step_numpy(np_: Any) -> Thunk:
    f32 = np_.float32
    x = np_.array(1.5, dtype=f32)
    target = np_.array(1.0, dtype=f32)
    w = np_.array(0.5, dtype=f32)
    b = np_.array(0.0, dtype=f32)
    lr = f32(0.1)
    one = f32(1.0)
    floor = f32(-100.0)  # BCELoss clamps its logs at -100

    def step() -> Any:
        z = w * x + b
        y = one / (one + np_.exp(-z))
        loss = -(
            target * np_.maximum(np_.log(y), floor)
            + (one - target) * np_.maximum(np_.log1p(-y), floor)
        )
        dz = y - target  # d(BCE(sigmoid(z)))/dz
        w[...] -= lr * dz * x
        b[...] -= lr * dz
        return loss

    return step


# --- (5), (6) elementwise on 1M and 16M float32, forward and forward + backward ------------

_UNARY_NUMPY = {
    "exp": lambda np_, a: np_.exp(a),
    "sigmoid": lambda np_, a: np_.float32(1.0) / (np_.float32(1.0) + np_.exp(-a)),
    "tanh": lambda np_, a: np_.tanh(a),
    "log": lambda np_, a: np_.log(a),
}


def _operands(op: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = _pair(n)
    return (np.abs(a), b) if op == "log" else (a, b)  # log: inside its domain


def _elementwise_tensor(op: str, n: int, backward: bool) -> Builder:
    def build(lib: Any) -> Thunk:
        a, b = (_from(lib, t) for t in _operands(op, n))
        if op in ("add", "mul"):
            f = (lambda: a + b) if op == "add" else (lambda: a * b)
            leaves = (a, b)
        else:
            unary = getattr(lib, op)
            f = lambda: unary(a)  # noqa: E731
            leaves = (a,)
        if not backward:
            return f
        for t in leaves:
            t.requires_grad_()
        g = lib.ones(n)

        def step() -> None:
            f().backward(g)
            for t in leaves:
                t.grad = None  # a fresh gradient each step, as in a training loop

        return step

    return build


def _elementwise_numpy(op: str, n: int, backward: bool) -> Builder:
    def build(np_: Any) -> Thunk:
        a, b = _operands(op, n)
        g = np_.ones(n, dtype=np_.float32)
        one = np_.float32(1.0)
        if op == "add":
            fwd = lambda: a + b  # noqa: E731
            bwd = lambda y: (g.copy(), g.copy())  # noqa: E731
        elif op == "mul":
            fwd = lambda: a * b  # noqa: E731
            bwd = lambda y: (g * b, g * a)  # noqa: E731
        else:
            fwd = lambda: _UNARY_NUMPY[op](np_, a)  # noqa: E731
            bwd = {
                "exp": lambda y: g * y,
                "sigmoid": lambda y: g * (one - y) * y,
                "tanh": lambda y: g * (one - y * y),
                "log": lambda y: g / a,
            }[op]
        if not backward:
            return fwd
        return lambda: bwd(fwd())

    return build


# --- (7) sum / mean of a square float32 matrix: all, along dim 0, along dim 1 ----------------


def _reduce_tensor(side: int, op: str, dim: int | None) -> Builder:
    def build(lib: Any) -> Thunk:
        a = _from(lib, _array(side, side))
        f = getattr(a, op)
        if dim is None:
            return lambda: f()
        return lambda: f(dim)

    return build


def _reduce_numpy(side: int, op: str, dim: int | None) -> Builder:
    def build(np_: Any) -> Thunk:
        a = _array(side, side)
        f = getattr(a, op)
        return lambda: f(axis=dim)

    return build


# --- (8) matmul ------------------------------------------------------------------------------


def _matmul_tensor(n: int, dtype: str = "float32", backward: bool = False) -> Builder:
    def build(lib: Any) -> Thunk:
        a, b = (_from(lib, t.astype(dtype)) for t in _pair(n, n))
        if not backward:
            return lambda: a @ b
        a.requires_grad_()
        b.requires_grad_()
        g = lib.ones(n, n, dtype=getattr(lib, dtype))

        def step() -> None:
            (a @ b).backward(g)
            a.grad = None
            b.grad = None

        return step

    return build


def _matmul_numpy(n: int, dtype: str = "float32", backward: bool = False) -> Builder:
    def build(np_: Any) -> Thunk:
        a, b = (t.astype(dtype) for t in _pair(n, n))
        g = np_.ones((n, n), dtype=dtype)
        if not backward:
            return lambda: a @ b
        return lambda: (a @ b, g @ b.T, a.T @ g)

    return build


def _mlp_step_tensor(batch: int, hidden: int) -> Builder:
    """One SGD step of a 784-hidden-10 MLP with sigmoid + BCE (issue 4's MLP workload)."""

    def build(lib: Any) -> Thunk:
        rng = _rng()
        x = _from(lib, rng.standard_normal((batch, 784), dtype=np.float32))
        y = _from(lib, (rng.random((batch, 10)) > 0.5).astype(np.float32))
        w1 = _from(lib, rng.standard_normal((784, hidden), dtype=np.float32) * 0.03)
        w2 = _from(lib, rng.standard_normal((hidden, 10), dtype=np.float32) * 0.06)
        for w in (w1, w2):
            w.requires_grad_()
        loss_fn = lib.nn.BCELoss()

        def step() -> None:
            h = lib.sigmoid(x @ w1)
            loss = loss_fn(lib.sigmoid(h @ w2), y)
            loss.backward()
            with lib.no_grad():
                for w in (w1, w2):
                    w -= 0.1 * w.grad
                    w.grad = None

        return step

    return build


def _mlp_step_numpy(batch: int, hidden: int) -> Builder:
    def build(np_: Any) -> Thunk:
        rng = _rng()
        x = rng.standard_normal((batch, 784), dtype=np.float32)
        y = (rng.random((batch, 10)) > 0.5).astype(np.float32)
        w1 = rng.standard_normal((784, hidden), dtype=np.float32) * np.float32(0.03)
        w2 = rng.standard_normal((hidden, 10), dtype=np.float32) * np.float32(0.06)

        def step() -> None:
            h = 1 / (1 + np.exp(-(x @ w1)))
            p = 1 / (1 + np.exp(-(h @ w2)))
            # d(mean BCE)/dz2 = (p - y) / numel for sigmoid outputs
            dz2 = (p - y) / np.float32(p.size)
            dw2 = h.T @ dz2
            dz1 = (dz2 @ w2.T) * h * (1 - h)
            dw1 = x.T @ dz1
            w1[...] -= np.float32(0.1) * dw1
            w2[...] -= np.float32(0.1) * dw2

        return step

    return build


# --- registry --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    name: str
    description: str
    tensor: Builder  # for fastgrad and torch
    numpy: Builder | None = None
    nbytes: int = 0  # memory traffic of one call when bandwidth-bound (for GB/s), else 0
    flops: int = 0  # floating-point operations of one call (for GFLOP/s), else 0

    @property
    def backends(self) -> tuple[str, ...]:
        return tuple(b for b in BACKENDS if b != "numpy" or self.numpy is not None)

    def build(self, backend: str, module: Any) -> Thunk:
        if backend == "numpy":
            if self.numpy is None:
                raise ValueError(f"workload {self.name!r} has no numpy variant")
            return self.numpy(module)
        return self.tensor(module)


def _elementwise_traffic(op: str, backward: bool) -> int:
    """Arrays of the tensor's size read or written by one call, with the minimal kernels."""
    binary = op in ("add", "mul")
    forward = 3 if binary else 2
    if not backward:
        return forward
    # add: two gradient copies; mul: two products; exp/sigmoid: one product with the result
    return forward + {"add": 4, "mul": 6}.get(op, 3)


def _registry() -> list[Workload]:
    ws = [
        Workload("scalar_mul", "0-d x * y, x requires grad", _scalar_mul_tensor, _scalar_mul_numpy),
        Workload(
            "scalar_pow_backward", "0-d y = x ** 2; y.backward()", _scalar_pow_backward_tensor
        ),
        Workload(
            "scalar_chain_1000",
            "1,000 scalar mul/add ops, forward + backward",
            _scalar_chain_tensor,
        ),
        Workload(
            "logreg_step",
            "tutorial logistic-regression step on scalars (BCELoss, SGD)",
            _logreg_step_tensor,
            _logreg_step_numpy,
        ),
    ]
    # 64K: two pieces of the 32K grain, where a 2-thread op used to wait for the other thread to
    # wake (docs/performance.md, "Stop 16 runs").
    for size, label in ((1 << 16, "64K"), (1 << 20, "1M"), (1 << 24, "16M")):
        for op in ("add", "mul", "exp", "sigmoid"):
            for backward in (False, True):
                suffix = "_fwdbwd" if backward else ""
                what = "forward + backward" if backward else "forward"
                ws.append(
                    Workload(
                        f"{op}_{label}{suffix}",
                        f"{op}, {label} float32, {what}",
                        _elementwise_tensor(op, size, backward),
                        _elementwise_numpy(op, size, backward),
                        nbytes=4 * size * _elementwise_traffic(op, backward),
                    )
                )
    # Two more transcendental functions, forward only (vectorised like exp since stop 18).
    for op in ("tanh", "log"):
        ws.append(
            Workload(
                f"{op}_1M",
                f"{op}, 1M float32, forward" + (" (of |x|)" if op == "log" else ""),
                _elementwise_tensor(op, 1 << 20, False),
                _elementwise_numpy(op, 1 << 20, False),
                nbytes=4 * (1 << 20) * _elementwise_traffic(op, False),
            )
        )
    for side in (256, 1024, 4096):
        for op in ("sum", "mean"):
            for dim in (None, 0, 1):
                tail = "" if dim is None else f"_dim{dim}"
                ws.append(
                    Workload(
                        f"{op}_{side}x{side}{tail}",
                        f"a.{op}({'' if dim is None else dim}), {side}x{side} float32",
                        _reduce_tensor(side, op, dim),
                        _reduce_numpy(side, op, dim),
                        nbytes=4 * side * side,
                    )
                )
    for dtype, short in (("float32", ""), ("float64", "_f64")):
        for n in (256, 512, 1024, 2048):
            ws.append(
                Workload(
                    f"matmul_{n}{short}",
                    f"a @ b, {n}x{n} {dtype}",
                    _matmul_tensor(n, dtype),
                    _matmul_numpy(n, dtype),
                    flops=2 * n**3,
                )
            )
    for n in (256, 1024):
        ws.append(
            Workload(
                f"matmul_{n}_fwdbwd",
                f"a @ b forward + backward, {n}x{n} float32",
                _matmul_tensor(n, "float32", True),
                _matmul_numpy(n, "float32", True),
                flops=6 * n**3,
            )
        )
    for batch, hidden in ((64, 256), (256, 1024)):
        ws.append(
            Workload(
                f"mlp_step_{batch}x784_{hidden}_10",
                f"MLP {batch}x784-{hidden}-10, sigmoid + BCE, forward + backward + SGD",
                _mlp_step_tensor(batch, hidden),
                _mlp_step_numpy(batch, hidden),
            )
        )
    return ws


WORKLOADS: dict[str, Workload] = {w.name: w for w in _registry()}
