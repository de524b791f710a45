"""fastgrad.distributed: real multi-process MPI runs (mpiexec, loopback) and the one-process
fallback. The per-rank checks live in tests/distributed_worker.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import fastgrad as torch
import fastgrad.distributed as dist

WORKER = Path(__file__).with_name("distributed_worker.py")


def mpiexec() -> str:
    # The MPI from PyPI (the `mpich` wheel the test extra installs) puts its launcher beside
    # this interpreter; a system MPI's is on PATH.
    local = Path(sys.executable).with_name("mpiexec")
    found = str(local) if local.exists() else shutil.which("mpiexec")
    assert found, "mpiexec not found: pip install '.[test]' installs mpi4py and MPICH"
    return found


def launch(
    n: int, *scenarios: str, timeout: float = 300
) -> tuple[subprocess.CompletedProcess[str], float]:
    env = dict(os.environ)
    env.pop("OMP_NUM_THREADS", None)  # let init() share the cores between the ranks
    start = time.monotonic()
    proc = subprocess.run(
        [mpiexec(), "-n", str(n), sys.executable, str(WORKER), *scenarios],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    return proc, time.monotonic() - start


@pytest.mark.parametrize("ranks", [2, 4])
def test_collectives_data_parallel_and_sampler_on_several_ranks(ranks: int) -> None:
    scenarios = ("collectives", "data_parallel", "sampler")
    proc, _ = launch(ranks, *scenarios)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for rank in range(ranks):
        for s in scenarios:
            assert f"rank {rank} ok {s}" in proc.stdout, proc.stdout + proc.stderr


def test_a_rank_that_raises_fails_the_job_instead_of_hanging() -> None:
    proc, seconds = launch(2, "fail", timeout=120)
    assert proc.returncode != 0
    assert "deliberate failure on the last rank" in proc.stderr
    assert "aborting the MPI job" in proc.stderr
    assert seconds < 60


def test_a_collective_nobody_joins_times_out() -> None:
    proc, seconds = launch(2, "timeout", timeout=120)
    assert proc.returncode != 0
    assert "all_reduce timed out after 1 s on rank 0 of 2" in proc.stderr, proc.stderr
    assert seconds < 50  # the other rank sleeps 60 s: the abort ended it


def run_python(code: str, block_mpi4py: bool, **env_vars: str) -> subprocess.CompletedProcess[str]:
    prelude = "import sys; sys.modules['mpi4py'] = None\n" if block_mpi4py else ""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PMI_", "OMPI_", "PMIX_", "MPI_"))
    }
    env.update(env_vars)
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


FALLBACK = """
import numpy as np
import fastgrad as torch
import fastgrad.distributed as dist

assert not dist.is_initialized()
info = dist.init()
assert info == (0, 1) and dist.get_rank() == 0 and dist.get_world_size() == 1, info
print("backend", dist.get_backend())
t = torch.tensor([1.0, 2.0])
dist.all_reduce(t, op=dist.ReduceOp.AVG)
dist.broadcast(t, src=0)
assert t.tolist() == [1.0, 2.0]
outs = [torch.zeros(2)]
dist.all_gather(outs, t)
assert outs[0].tolist() == [1.0, 2.0]
cat = torch.zeros(2)
dist.all_gather_into_tensor(cat, t)
assert cat.tolist() == [1.0, 2.0]
out = torch.zeros(2)
dist.reduce_scatter(out, [t])
assert out.tolist() == [1.0, 2.0]
dist.barrier()
assert sorted(dist.DistributedSampler(5)) == [0, 1, 2, 3, 4]

# DataParallel over one process trains exactly like the bare module.
def run(wrap):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    net = dist.DataParallel(model) if wrap else model
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    x = torch.from_numpy(np.linspace(-1, 1, 12).reshape(4, 3))
    for _ in range(3):
        opt.zero_grad()
        (net(x.float()) ** 2).mean().backward()
        opt.step()
    return [p.detach().numpy().copy() for p in model.parameters()]

for a, b in zip(run(True), run(False)):
    np.testing.assert_array_equal(a, b)
dist.destroy_process_group()
print("fallback ok")
"""


def test_without_mpi4py_one_process_is_the_whole_group() -> None:
    proc = run_python(FALLBACK, block_mpi4py=True)
    assert proc.returncode == 0, proc.stderr
    assert "backend local" in proc.stdout and "fallback ok" in proc.stdout


def test_with_mpi4py_but_no_launcher_mpi_runs_as_a_singleton() -> None:
    proc = run_python(FALLBACK, block_mpi4py=False)
    assert proc.returncode == 0, proc.stderr
    assert "backend mpi" in proc.stdout and "fallback ok" in proc.stdout


def test_launched_by_mpi_without_mpi4py_says_what_to_install() -> None:
    proc = run_python("import fastgrad.distributed as d; d.init()", block_mpi4py=True, PMI_SIZE="2")
    assert proc.returncode != 0
    assert "started by an MPI launcher with 2 processes" in proc.stderr
    assert "pip install 'fastgrad[distributed]'" in proc.stderr


def test_a_launcher_of_another_mpi_is_detected() -> None:
    # The launcher says 2 processes, MPI a world of 1: without the check each process would
    # train alone and quietly (seen with MPICH's mpiexec and an Open MPI libmpi).
    proc = run_python("import fastgrad.distributed as d; d.init()", False, OMPI_COMM_WORLD_SIZE="2")
    assert proc.returncode != 0
    assert "the launcher started 2 processes, but MPI sees a world of 1" in proc.stderr
    assert "MPI4PY_LIBMPI" in proc.stderr


def test_collectives_before_init_raise() -> None:
    assert not dist.is_initialized()
    with pytest.raises(RuntimeError, match="Default process group has not been initialized"):
        dist.all_reduce(torch.ones(2))
    with pytest.raises(RuntimeError, match="has not been initialized"):
        dist.get_rank()
    with pytest.raises(RuntimeError, match="has not been initialized"):
        dist.DistributedSampler(4)
    assert dist.DistributedSampler(4, num_replicas=2, rank=1, shuffle=False).__len__() == 2
    assert list(dist.DistributedSampler(5, num_replicas=2, rank=1, shuffle=False)) == [1, 3, 0]
    assert list(
        dist.DistributedSampler(5, num_replicas=2, rank=1, shuffle=False, drop_last=True)
    ) == [1, 3]
    with pytest.raises(ValueError, match="Invalid rank 2"):
        dist.DistributedSampler(5, num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="only the 'mpi' backend"):
        dist.init_process_group("nccl")


def test_sampler_shards_match_pytorchs_layout() -> None:
    # Same seed and epoch -> same order on every rank; shards interleave as in PyTorch.
    a = [list(dist.DistributedSampler(10, num_replicas=3, rank=r, seed=4)) for r in range(3)]
    b = [list(dist.DistributedSampler(10, num_replicas=3, rank=r, seed=4)) for r in range(3)]
    assert a == b
    assert all(len(s) == 4 for s in a)
    assert sorted(sum(a, [])) == sorted(list(range(10)) + [a[0][0], a[1][0]])  # padded by wrapping
    s = dist.DistributedSampler(10, num_replicas=3, rank=0, seed=4)
    s.set_epoch(1)
    assert list(s) != a[0]


# ---- the hook DataParallel is built on


def test_post_accumulate_grad_hook_sees_the_accumulated_grad() -> None:
    w = torch.ones(3, requires_grad=True)
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.clone()))
    (w * 2).sum().backward()
    (w * 3).sum().backward()
    assert [g.tolist() for g in seen] == [[2.0] * 3, [5.0] * 3]
    handle.remove()
    (w * 1).sum().backward()
    assert len(seen) == 2 and w.grad.tolist() == [6.0] * 3


def test_post_accumulate_grad_hook_runs_once_per_backward_for_a_leaf_used_twice() -> None:
    w = torch.tensor(2.0, requires_grad=True)
    calls = []
    w.register_post_accumulate_grad_hook(lambda p: calls.append(p.grad.item()))
    (w * w + w).backward()
    assert calls == [5.0]


def test_post_accumulate_grad_hook_errors_match_pytorch() -> None:
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="cannot be registered on non-leaf tensors"):
        (w * 2).register_post_accumulate_grad_hook(lambda p: None)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        torch.ones(2).register_post_accumulate_grad_hook(lambda p: None)
    w.register_post_accumulate_grad_hook(lambda p: p)
    with pytest.raises(RuntimeError, match="should return None"):
        w.sum().backward()


def test_data_parallel_rejects_bad_arguments() -> None:
    with pytest.raises(RuntimeError, match="has not been initialized"):
        dist.DataParallel(torch.nn.Linear(2, 2))
