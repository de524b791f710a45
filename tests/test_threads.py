"""Thread controls, and results that do not depend on the number of OpenMP threads."""

import numpy as np
import pytest

import fastgrad as torch


@pytest.fixture
def restore_threads():
    n = torch.get_num_threads()
    yield
    torch.set_num_threads(n)


def _results():
    torch.manual_seed(0)
    x = torch.rand(1 << 20)
    m = torch.rand(700, 300, requires_grad=True)
    w = torch.rand(300, 130)
    out = m @ w
    out.sum().backward()
    return [
        x.sum().numpy(),
        x.reshape(1024, 1024).sum(0).numpy(),
        x.reshape(1024, 1024).sum(1).numpy(),
        out.detach().numpy(),
        m.grad.numpy(),
    ]


def test_results_are_bit_identical_for_1_and_2_threads(restore_threads):
    torch.set_num_threads(1)
    one = _results()
    torch.set_num_threads(2)
    two = _results()
    for a, b in zip(one, two):
        assert np.array_equal(a, b)


def test_set_num_threads_validates(restore_threads):
    torch.set_num_threads(1)
    assert torch.get_num_threads() == 1
    with pytest.raises(RuntimeError, match="positive"):
        torch.set_num_threads(0)


def _gap_during(op, repeats: int = 3) -> tuple[float, float]:
    """Runs op() `repeats` times in a thread; returns (the shortest op, the longest pause of
    this thread meanwhile). With the GIL held through an op, the pause is at least one op."""
    import threading
    import time

    done = threading.Event()
    spans = []

    def run():
        for _ in range(repeats):
            t0 = time.perf_counter()
            op()
            spans.append(time.perf_counter() - t0)
        done.set()

    worker = threading.Thread(target=run)
    last = time.perf_counter()
    gap = 0.0
    worker.start()
    while not done.is_set():
        now = time.perf_counter()
        gap = max(gap, now - last)
        last = now
    worker.join()
    return min(spans), gap


@pytest.mark.parametrize("name", ["matmul", "add", "exp", "sum", "backward"])
def test_heavy_work_releases_the_gil(name, restore_threads):
    # Released, this thread keeps running while the kernel does (pauses of a scheduler slice
    # at most); held, it would stall for a whole kernel. Kernels here take 15-150 ms.
    torch.set_num_threads(1)
    big = torch.ones(1 << 25)
    a = torch.rand(1024, 1024, requires_grad=True)
    op = {
        "matmul": lambda: a @ a,
        "add": lambda: big + big,
        "exp": lambda: big.exp(),
        "sum": lambda: big.sum(),
        "backward": lambda: (a @ a).sum().backward(),
    }[name]
    shortest, gap = _gap_during(op)
    assert gap < shortest / 2, (shortest, gap)
