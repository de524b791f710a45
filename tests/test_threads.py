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
        # odd sizes: the threads' grid over C has ragged edge blocks
        (torch.rand(257, 300) @ torch.rand(300, 259)).numpy(),
        (
            torch.rand(131, 517, dtype=torch.float64) @ torch.rand(517, 389, dtype=torch.float64)
        ).numpy(),
    ]


def _more_results():
    """Reductions of every kind and gradient accumulation (several paths into one leaf)."""
    torch.manual_seed(1)
    x = torch.randn(300, 1000, dtype=torch.float32)
    w = torch.randn(1000, requires_grad=True)
    h = x * w  # broadcast: w's gradient is a sum over 300 rows
    loss = h.sum() + (h * h).mean() + h.exp().sum(1).log().sum() + x.matmul(w).tanh().sum()
    loss.backward()
    return [
        x.mean().numpy(),
        x.mean(0).numpy(),
        x.var(1).numpy(),
        x.norm().numpy(),
        x.logsumexp(1).numpy(),
        x.softmax(1).numpy(),
        x.cumsum(1).numpy(),
        x.prod(0).numpy(),
        x.max().numpy(),
        x.max(0)[0].numpy(),
        x.double().sum().numpy(),
        loss.detach().numpy(),
        w.grad.numpy(),
    ]


@pytest.mark.parametrize("threads", [2, 4, 8, 16])
def test_results_are_bit_identical_for_any_thread_count(threads, restore_threads):
    torch.set_num_threads(1)
    one = _results() + _more_results()
    torch.set_num_threads(threads)
    many = _results() + _more_results()
    for i, (a, b) in enumerate(zip(one, many)):
        assert np.array_equal(a, b, equal_nan=True), i


def _run_threads(fn, n):
    import threading

    errors = []

    def wrapped(i):
        try:
            fn(i)
        except BaseException as e:  # reported below, not lost in the thread
            errors.append(e)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_concurrent_backward_on_independent_graphs():
    results = {}

    def work(i):
        w = torch.full((64, 64), 0.01 * (i + 1), dtype=torch.float64, requires_grad=True)
        for _ in range(20):
            (torch.ones(32, 64, dtype=torch.float64) @ w).tanh().sum().backward()
        results[i] = w.grad.numpy().copy()

    _run_threads(work, 6)
    for i in range(6):
        w = torch.full((64, 64), 0.01 * (i + 1), dtype=torch.float64, requires_grad=True)
        for _ in range(20):
            (torch.ones(32, 64, dtype=torch.float64) @ w).tanh().sum().backward()
        assert np.array_equal(results[i], w.grad.numpy())


def test_concurrent_backward_on_graphs_sharing_leaves_accumulates_every_gradient():
    w = torch.zeros(256, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    n_threads, rounds = 8, 200

    def work(i):
        for _ in range(rounds):
            # integer-valued gradients: every order of addition gives the exact sum
            ((w * float(i + 1)).sum() + b.sum() * 2).backward()

    _run_threads(work, n_threads)
    total = sum(range(1, n_threads + 1)) * rounds
    assert np.array_equal(w.grad.numpy(), np.full(256, float(total)))
    assert b.grad.item() == 2.0 * n_threads * rounds


def test_grad_mode_is_thread_local():
    import threading

    x = torch.ones(3, requires_grad=True)
    inside = threading.Event()
    release = threading.Event()
    seen = {}

    def no_grad_thread():
        with torch.no_grad():
            seen["worker_enabled"] = torch.is_grad_enabled()
            inside.set()
            release.wait(10)
            seen["worker_records"] = (x * 2).requires_grad

    t = threading.Thread(target=no_grad_thread)
    t.start()
    inside.wait(10)
    # the other thread is inside no_grad right now; this one is unaffected
    assert torch.is_grad_enabled() and (x * 2).requires_grad
    release.set()
    t.join()
    assert seen == {"worker_enabled": False, "worker_records": False}
    # and a thread started under no_grad starts with grad mode on, like PyTorch
    with torch.no_grad():
        flag = []
        t = threading.Thread(target=lambda: flag.append(torch.is_grad_enabled()))
        t.start()
        t.join()
    assert flag == [True]


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


def _scalar_chain(n: int):
    y = torch.tensor(1.0, requires_grad=True)
    for _ in range(n):
        y = y * 1.0
    return y


@pytest.mark.parametrize(
    "name", ["matmul", "add", "exp", "sum", "backward", "backward_to_large", "grad", "long_graph"]
)
def test_heavy_work_releases_the_gil(name, restore_threads):
    # Released, this thread keeps running while the kernel does (pauses of a scheduler slice
    # at most); held, it would stall for a whole kernel. Kernels here take 15-150 ms.
    # A backward call keeps the GIL until the engine finds long work ahead (autograd.h): a
    # large incoming gradient, a large gradient to produce (backward_to_large: the incoming
    # one has 8192 elements, W's gradient 32M), or many nodes (long_graph: 0-d ones).
    torch.set_num_threads(1)
    big = torch.ones(1 << 25)
    a = torch.rand(1024, 1024, requires_grad=True)
    v = torch.rand(1, 4096, requires_grad=True)
    w = torch.rand(4096, 8192, requires_grad=True)
    # The backward cases time the backward alone, on graphs built once and retained.
    graphs = {
        "backward": lambda: (a @ a).sum(),
        "backward_to_large": lambda: (v @ w).sum(),
        "grad": lambda: (v @ w).sum(),
        "long_graph": lambda: _scalar_chain(100000),
    }
    y = graphs[name]() if name in graphs else None
    op = {
        "matmul": lambda: a @ a,
        "add": lambda: big + big,
        "exp": lambda: big.exp(),
        "sum": lambda: big.sum(),
        "backward": lambda: y.backward(retain_graph=True),
        "backward_to_large": lambda: y.backward(retain_graph=True),
        "grad": lambda: torch.autograd.grad(y, [w], retain_graph=True),
        "long_graph": lambda: y.backward(retain_graph=True),
    }[name]
    # A loaded machine can deschedule this thread for a while; a kernel that holds the GIL
    # stalls it on every attempt, so passing one of five attempts is still conclusive.
    attempts = []
    for _ in range(5):
        shortest, gap = _gap_during(op)
        attempts.append((shortest, gap))
        if gap < shortest * 0.75:  # a held GIL makes the gap at least one whole op
            break
    else:
        raise AssertionError(f"this thread stalled during every kernel: {attempts}")


def test_the_extension_keeps_a_small_static_tls_block():
    # fastgrad's hottest thread_locals use initial-exec TLS (csrc/core/tls_model.h), which puts
    # the module's whole TLS block into the few hundred bytes of static TLS that glibc keeps
    # for libraries loaded later; a large thread_local there would make `import fastgrad` fail
    # with "cannot allocate memory in static TLS block" next to other such libraries.
    import struct
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("ELF only")
    with open(torch._C.__file__, "rb") as f:
        elf = f.read()
    assert elf[:4] == b"\x7fELF" and elf[4] == 2 and elf[5] == 1  # 64-bit little-endian
    phoff, phentsize, phnum = (
        struct.unpack_from("<Q", elf, 32)[0],
        *struct.unpack_from("<HH", elf, 54),
    )
    tls_sizes = []
    for i in range(phnum):
        p_type, _, _, _, _, _, p_memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", elf, phoff + i * phentsize
        )
        if p_type == 7:  # PT_TLS
            tls_sizes.append(p_memsz)
    assert len(tls_sizes) == 1 and tls_sizes[0] <= 256, tls_sizes


@pytest.mark.parametrize("threads", [2, 3, 8])
@pytest.mark.parametrize("n", [32769, 65536 + 1, 100_003, (1 << 20) + 7])
def test_parallel_kernels_visit_every_element_exactly_once(threads, n, restore_threads):
    # Threads take pieces of the range from a shared counter; a piece done twice would add
    # twice in place, a lost one would not add at all.
    torch.set_num_threads(threads)
    base = np.arange(n, dtype=np.float64)
    x = torch.tensor(base)
    x.add_(1.0)
    x.mul_(torch.full((n,), 2.0, dtype=torch.float64))
    np.testing.assert_array_equal(x.numpy(), (base + 1.0) * 2.0)
    z = base % 17 - 8
    np.testing.assert_allclose(torch.tensor(z).sigmoid().numpy(), 1 / (1 + np.exp(-z)), rtol=1e-12)
    assert x.sum().item() == ((base + 1.0) * 2.0).sum()
    rows = torch.tensor(base[: n // 37 * 37].reshape(-1, 37))
    np.testing.assert_array_equal(rows.sum(1).numpy(), base[: n // 37 * 37].reshape(-1, 37).sum(1))


def test_importing_fastgrad_leaves_the_openmp_environment_alone():
    # fastgrad's workers are its own (kernels/thread_pool.cpp); OpenMP settings belong to the
    # other libraries in the process, whose threads an OMP_WAIT_POLICY would change.
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMP_", "GOMP_"))}
    code = "import os, fastgrad; print(sorted(k for k in os.environ if k.startswith('OMP_')))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
