"""Core fastgrad benchmarks, run with ``pytest benchmarks --benchmark-only``.

Every workload of ``workloads.py`` (shared with ``compare.py``) is one test per backend that
implements it; ``benchmark.group`` is the workload's name, so pytest-benchmark prints fastgrad,
numpy and torch side by side. torch is optional: its variants are skipped when it cannot be
imported. Select with ``-k``, e.g. ``-k "matmul_512 or logreg"``.
"""

from __future__ import annotations

from typing import Any

import pytest
from workloads import WORKLOADS, load_backend

_CASES = [
    pytest.param(name, backend, id=f"{name}-{backend}")
    for name, workload in WORKLOADS.items()
    for backend in workload.backends
]


@pytest.mark.parametrize(("workload", "backend"), _CASES)
def test_workload(benchmark: Any, workload: str, backend: str) -> None:
    module = load_backend(backend)
    if module is None:
        pytest.skip(f"{backend} is not installed")
    benchmark.group = workload
    benchmark.extra_info["backend"] = backend
    benchmark.extra_info["description"] = WORKLOADS[workload].description
    benchmark(WORKLOADS[workload].build(backend, module))
