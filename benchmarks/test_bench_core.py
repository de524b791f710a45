"""Core fastgrad benchmarks, run with ``pytest benchmarks --benchmark-only``.

Each workload is one test parametrized over the backends that implement it; ``benchmark.group``
is the workload's name, so pytest-benchmark prints fastgrad, numpy and torch side by side.
torch is optional: its variants are skipped when it cannot be imported. The workloads
themselves live in ``workloads.py`` (shared with ``compare.py``).
"""

from __future__ import annotations

from typing import Any

import pytest
from workloads import WORKLOADS, load_backend


def _run(benchmark: Any, workload: str, backend: str) -> None:
    module = load_backend(backend)
    if module is None:
        pytest.skip(f"{backend} is not installed")
    benchmark.group = workload
    benchmark.extra_info["backend"] = backend
    benchmark(WORKLOADS[workload].build(backend, module))


def _backends(workload: str) -> Any:
    return pytest.mark.parametrize("backend", WORKLOADS[workload].backends)


@_backends("scalar_mul")
def test_scalar_mul(benchmark: Any, backend: str) -> None:
    """(1) 0-d ``x * y`` with x requiring grad."""
    _run(benchmark, "scalar_mul", backend)


@_backends("scalar_pow_backward")
def test_scalar_pow_backward(benchmark: Any, backend: str) -> None:
    """(2) ``y = x ** 2; y.backward()`` on a 0-d tensor."""
    _run(benchmark, "scalar_pow_backward", backend)


@_backends("scalar_chain_1000")
def test_scalar_chain_1000(benchmark: Any, backend: str) -> None:
    """(3) a chain of 1,000 scalar ops, forward + backward."""
    _run(benchmark, "scalar_chain_1000", backend)


@_backends("logreg_step")
def test_logreg_step(benchmark: Any, backend: str) -> None:
    """(4) the tutorial's logistic-regression step on scalars."""
    _run(benchmark, "logreg_step", backend)


@_backends("add_1M")
def test_add_1m(benchmark: Any, backend: str) -> None:
    """(5) add of two 1M float32 tensors."""
    _run(benchmark, "add_1M", backend)


@_backends("mul_1M")
def test_mul_1m(benchmark: Any, backend: str) -> None:
    """(5) mul of two 1M float32 tensors."""
    _run(benchmark, "mul_1M", backend)


@_backends("sigmoid_1M")
def test_sigmoid_1m(benchmark: Any, backend: str) -> None:
    """(6) sigmoid of 1M float32."""
    _run(benchmark, "sigmoid_1M", backend)


@pytest.mark.parametrize("workload", ["sum_1024x1024", "sum_1024x1024_dim0", "sum_1024x1024_dim1"])
@_backends("sum_1024x1024")
def test_sum_1024x1024(benchmark: Any, backend: str, workload: str) -> None:
    """(7) sum of a 1024x1024 float32: all elements, along dim 0, along dim 1."""
    _run(benchmark, workload, backend)


@pytest.mark.parametrize("workload", ["matmul_256", "matmul_512"])
@_backends("matmul_256")
def test_matmul(benchmark: Any, backend: str, workload: str) -> None:
    """(8) float32 matmul, 256x256 and 512x512."""
    _run(benchmark, workload, backend)


@_backends("mlp_step_64x784_256_10")
def test_mlp_step(benchmark: Any, backend: str) -> None:
    """(9) one SGD step of a 64x784-256-10 MLP with sigmoid + BCE."""
    _run(benchmark, "mlp_step_64x784_256_10", backend)
