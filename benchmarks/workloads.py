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

_LARGE = 1_000_000  # elements in the elementwise workloads
_SQUARE = 1024  # side of the matrix in the reduction workloads
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


# --- (5), (6) elementwise on 1M float32 ------------------------------------------------------


def _add_tensor(lib: Any) -> Thunk:
    a, b = (_from(lib, t) for t in _pair(_LARGE))
    return lambda: a + b


def _add_numpy(np_: Any) -> Thunk:
    a, b = _pair(_LARGE)
    return lambda: a + b


def _mul_tensor(lib: Any) -> Thunk:
    a, b = (_from(lib, t) for t in _pair(_LARGE))
    return lambda: a * b


def _mul_numpy(np_: Any) -> Thunk:
    a, b = _pair(_LARGE)
    return lambda: a * b


def _sigmoid_tensor(lib: Any) -> Thunk:
    a = _from(lib, _array(_LARGE))
    return lambda: lib.sigmoid(a)


def _sigmoid_numpy(np_: Any) -> Thunk:
    a = _array(_LARGE)
    one = np_.float32(1.0)
    return lambda: one / (one + np_.exp(-a))


# --- (7) sum of a 1024x1024 float32 ----------------------------------------------------------


def _sum_tensor(dim: int | None) -> Builder:
    def build(lib: Any) -> Thunk:
        a = _from(lib, _array(_SQUARE, _SQUARE))
        if dim is None:
            return lambda: a.sum()
        return lambda: a.sum(dim)

    return build


def _sum_numpy(dim: int | None) -> Builder:
    def build(np_: Any) -> Thunk:
        a = _array(_SQUARE, _SQUARE)
        return lambda: a.sum(axis=dim)

    return build


# --- (8) matmul ------------------------------------------------------------------------------


def _matmul_tensor(n: int) -> Builder:
    def build(lib: Any) -> Thunk:
        a, b = (_from(lib, t) for t in _pair(n, n))
        return lambda: a @ b

    return build


def _matmul_numpy(n: int) -> Builder:
    def build(np_: Any) -> Thunk:
        a, b = _pair(n, n)
        return lambda: a @ b

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

    @property
    def backends(self) -> tuple[str, ...]:
        return tuple(b for b in BACKENDS if b != "numpy" or self.numpy is not None)

    def build(self, backend: str, module: Any) -> Thunk:
        if backend == "numpy":
            if self.numpy is None:
                raise ValueError(f"workload {self.name!r} has no numpy variant")
            return self.numpy(module)
        return self.tensor(module)


WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in [
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
        Workload("add_1M", "a + b, 1M float32", _add_tensor, _add_numpy),
        Workload("mul_1M", "a * b, 1M float32", _mul_tensor, _mul_numpy),
        Workload("sigmoid_1M", "sigmoid(a), 1M float32", _sigmoid_tensor, _sigmoid_numpy),
        Workload(
            "sum_1024x1024", "a.sum(), 1024x1024 float32", _sum_tensor(None), _sum_numpy(None)
        ),
        Workload(
            "sum_1024x1024_dim0", "a.sum(0), 1024x1024 float32", _sum_tensor(0), _sum_numpy(0)
        ),
        Workload(
            "sum_1024x1024_dim1", "a.sum(1), 1024x1024 float32", _sum_tensor(1), _sum_numpy(1)
        ),
        Workload("matmul_256", "a @ b, 256x256 float32", _matmul_tensor(256), _matmul_numpy(256)),
        Workload("matmul_512", "a @ b, 512x512 float32", _matmul_tensor(512), _matmul_numpy(512)),
        Workload(
            "mlp_step_64x784_256_10",
            "MLP 64x784-256-10, sigmoid + BCE, forward + backward + SGD",
            _mlp_step_tensor(64, 256),
            _mlp_step_numpy(64, 256),
        ),
    ]
}
