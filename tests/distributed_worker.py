"""Run by tests/test_distributed.py as
`mpiexec -n N python tests/distributed_worker.py SCENARIO...`.

Every rank checks its own results against NumPy and prints "rank R ok SCENARIO"; a failed check
raises, which aborts the whole job (fastgrad.distributed's abort-on-exception hook).
"""

from __future__ import annotations

import sys
import time

import numpy as np

import fastgrad as torch
import fastgrad.distributed as dist


def rank_data(rank: int, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    rng = np.random.default_rng(1000 + rank)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "int64":
        return rng.integers(-5, 6, size=shape).astype(np.int64)
    return (rng.standard_normal(shape) + 0.5).astype(dtype)


def check_collectives(rank: int, world: int) -> None:
    all_data = {
        dt: [rank_data(r, (3, 4), dt) for r in range(world)]
        for dt in ("float32", "float64", "int64", "bool")
    }
    # all_reduce, every op on every dtype it applies to, in place and without copies.
    for dt, parts in all_data.items():
        stack = np.stack(parts)
        expected = {
            "sum": stack.sum(0) if dt != "bool" else stack.any(0),
            "max": stack.max(0) if dt != "bool" else stack.any(0),
            "min": stack.min(0) if dt != "bool" else stack.all(0),
            "product": stack.prod(0) if dt != "bool" else stack.all(0),
        }
        if dt.startswith("float"):
            expected["avg"] = stack.sum(0) / world
        for op, want in expected.items():
            t = torch.from_numpy(parts[rank].copy())
            view = t.numpy()  # shares the tensor's memory
            ptr = t.data_ptr()
            version = t._version
            dist.all_reduce(t, op=dist.ReduceOp[op.upper()])
            assert t.data_ptr() == ptr
            assert t._version > version
            tol = 1e-5 if dt == "float32" else 1e-12
            np.testing.assert_allclose(view, want.astype(view.dtype), rtol=tol, atol=tol)
    # mean is avg; a string works too
    t = torch.from_numpy(all_data["float64"][rank].copy())
    dist.all_reduce(t, op="mean")
    np.testing.assert_allclose(t.numpy(), np.mean(all_data["float64"], axis=0), rtol=1e-12)
    # A non-contiguous view is reduced in place through a staging buffer.
    base = torch.from_numpy(all_data["float64"][rank].copy())
    col = base.t()
    dist.all_reduce(col)
    np.testing.assert_allclose(base.numpy(), np.sum(all_data["float64"], axis=0), rtol=1e-12)
    # 0-d and empty tensors
    s = torch.tensor(float(rank + 1))
    dist.all_reduce(s, op=dist.ReduceOp.MAX)
    assert s.item() == world
    e = torch.zeros(0)
    dist.all_reduce(e)
    assert e.shape == (0,)
    # A parameter (requires grad) can be reduced; an in-place write is seen by autograd.
    w = torch.ones(3, requires_grad=True)
    y = (w * w).sum()
    dist.all_reduce(w)
    np.testing.assert_array_equal(w.detach().numpy(), np.full(3, world, np.float32))
    try:
        y.backward()
    except RuntimeError as err:
        assert "modified by an inplace operation" in str(err), err
    else:
        raise AssertionError("backward after all_reduce of a saved tensor did not raise")

    # broadcast from every source
    for src in range(world):
        t = torch.from_numpy(all_data["float32"][rank].copy())
        dist.broadcast(t, src=src)
        np.testing.assert_array_equal(t.numpy(), all_data["float32"][src])

    # all_gather into a list, and into one tensor (concatenated and stacked)
    mine = torch.from_numpy(all_data["int64"][rank])
    outs = [torch.zeros(3, 4, dtype=torch.int64) for _ in range(world)]
    dist.all_gather(outs, mine)
    for r in range(world):
        np.testing.assert_array_equal(outs[r].numpy(), all_data["int64"][r])
    cat = torch.zeros(3 * world, 4, dtype=torch.int64)
    dist.all_gather_into_tensor(cat, mine)
    np.testing.assert_array_equal(cat.numpy(), np.concatenate(all_data["int64"]))
    stacked = torch.zeros(world, 3, 4, dtype=torch.int64)
    dist.all_gather_into_tensor(stacked, mine)
    np.testing.assert_array_equal(stacked.numpy(), np.stack(all_data["int64"]))

    # reduce_scatter: block r of the reduction lands on rank r
    blocks = [rank_data(rank * world + j, (2, 5), "float64") for j in range(world)]
    every = [
        [rank_data(r * world + j, (2, 5), "float64") for j in range(world)] for r in range(world)
    ]
    out = torch.zeros(2, 5, dtype=torch.float64)
    dist.reduce_scatter(out, [torch.from_numpy(b) for b in blocks])
    want = sum(every[r][rank] for r in range(world))
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-12)
    out2 = torch.zeros(2, 5, dtype=torch.float64)
    dist.reduce_scatter_tensor(out2, torch.from_numpy(np.concatenate(blocks)), op=dist.ReduceOp.AVG)
    np.testing.assert_allclose(out2.numpy(), want / world, rtol=1e-12)

    # async_op: Work.wait completes it; several may be in flight at once
    a = torch.full((1000,), float(rank))
    b = torch.full((10,), float(rank + 1))
    wa = dist.all_reduce(a, async_op=True)
    wb = dist.all_reduce(b, op=dist.ReduceOp.MAX, async_op=True)
    assert wb.wait() and wa.wait() and wa.is_completed()
    assert a[0].item() == sum(range(world)) and b[0].item() == world
    dist.barrier()

    # Mismatched arguments raise before anything is sent.
    for call in (
        lambda: dist.all_gather([torch.zeros(3, 4)] * (world + 1), torch.zeros(3, 4)),
        lambda: dist.all_gather([torch.zeros(4, 3)] * world, torch.zeros(3, 4)),
        lambda: dist.all_gather_into_tensor(torch.zeros(world * 3 + 1), torch.zeros(3)),
        lambda: dist.reduce_scatter_tensor(torch.zeros(2), torch.zeros(2 * world + 1)),
        lambda: dist.all_reduce(torch.zeros(2, dtype=torch.int64), op=dist.ReduceOp.AVG),
        lambda: dist.broadcast(torch.zeros(2), src=world),
    ):
        try:
            call()
        except ValueError:
            pass
        else:
            raise AssertionError("a mismatched collective did not raise ValueError")
    try:
        dist.all_reduce([1.0, 2.0])  # type: ignore[arg-type]
    except TypeError as err:
        assert "all_reduce" in str(err)
    else:
        raise AssertionError("all_reduce of a list did not raise TypeError")


def make_model(seed: int, hidden: int = 16) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(8, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 3)
    ).double()


def batch(step: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(step)
    x = rng.standard_normal((n, 8))
    y = rng.integers(0, 3, size=n)
    return torch.from_numpy(x), torch.from_numpy(y)


def train(
    model: torch.nn.Module, rank: int, world: int, steps: int, per_rank: int, micro: int = 1
) -> None:
    """SGD with momentum; each step sees `micro` micro-batches of per_rank*world samples; this
    rank uses its contiguous slice of each."""
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    for step in range(steps):
        opt.zero_grad()
        for m in range(micro):
            x, y = batch(step * 100 + m, per_rank * world)
            xs, ys = (
                x[rank * per_rank : (rank + 1) * per_rank],
                y[rank * per_rank : (rank + 1) * per_rank],
            )
            last = m == micro - 1
            if isinstance(model, dist.DataParallel) and not last:
                with model.no_sync():
                    loss_fn(model(xs), ys).backward()
            else:
                loss_fn(model(xs), ys).backward()
        opt.step()


def check_data_parallel(rank: int, world: int) -> None:
    for bucket_cap_mb, micro in ((25.0, 1), (1e-4, 1), (1e-4, 3)):
        # Replicas start different; DataParallel makes them rank 0's.
        ddp = dist.DataParallel(make_model(seed=rank), bucket_cap_mb=bucket_cap_mb)
        reference = make_model(seed=0)
        for p, q in zip(ddp.parameters(), reference.parameters()):
            np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
        if bucket_cap_mb < 1:
            assert len(ddp._buckets) == 3  # [bias2 + weight2], [bias1], [weight1]
        train(ddp, rank, world, steps=5, per_rank=6, micro=micro)
        train(reference, 0, 1, steps=5, per_rank=6 * world, micro=micro)
        for (name, p), q in zip(ddp.module.named_parameters(), reference.parameters()):
            np.testing.assert_allclose(
                p.detach().numpy(), q.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=name
            )
        # every rank ends with the same parameters, bit for bit
        for p in ddp.parameters():
            gathered = [torch.zeros_like(p.detach()) for _ in range(world)]
            dist.all_gather(gathered, p.detach())
            for g in gathered:
                np.testing.assert_array_equal(g.numpy(), p.detach().numpy())
    assert list(ddp.state_dict())[0].startswith("module.")

    # Overlap: with one bucket per layer, the last layer's reduction starts while backward has
    # yet to produce the first layer's gradients.
    ddp = dist.DataParallel(make_model(seed=0), bucket_cap_mb=1e-4)
    started = []
    start = ddp._start

    def logging_start(bucket):  # type: ignore[no-untyped-def]
        started.append((bucket.index, len(ddp._ready)))
        return start(bucket)

    ddp._start = logging_start
    x, y = batch(0, 4)
    torch.nn.CrossEntropyLoss()(ddp(x), y).backward()
    n_params = len(list(ddp.parameters()))
    assert [i for i, _ in started] == [0, 1, 2]
    assert started[0][1] < n_params, started  # bucket 0 left before all gradients were ready

    # find_unused_parameters: a head only rank 0 uses still ends up averaged on every rank;
    # a head nobody uses keeps grad None.
    class TwoHeads(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = torch.nn.Linear(4, 4)
            self.used_by_rank0 = torch.nn.Linear(4, 1)
            self.unused = torch.nn.Linear(4, 1)

        def forward(self, x: torch.Tensor, head: bool) -> torch.Tensor:
            h = self.body(x)
            return self.used_by_rank0(h).sum() if head else h.sum()

    torch.manual_seed(0)
    net = dist.DataParallel(TwoHeads(), find_unused_parameters=True)
    x = torch.ones(2, 4)
    for _ in range(2):
        net.zero_grad()
        net(x, rank == 0).backward()
        g = net.module.used_by_rank0.weight.grad
        assert g is not None
        local = torch.zeros(1, 4)
        if rank == 0:
            torch.manual_seed(0)
            ref = TwoHeads()
            ref(x, True).backward()
            local = ref.used_by_rank0.weight.grad
        dist.all_reduce(local)
        np.testing.assert_allclose(g.numpy(), local.numpy() / world, rtol=1e-6)
        assert net.module.unused.weight.grad is None

    # Without find_unused_parameters, an unfinished reduction is reported at the next forward.
    torch.manual_seed(0)
    strict = dist.DataParallel(TwoHeads(), bucket_cap_mb=1e-6)
    strict(x, False).backward()
    try:
        strict(x, False)
    except RuntimeError as err:
        assert "Expected to have finished reduction" in str(err)
        assert "used_by_rank0" in str(err)
    else:
        raise AssertionError("an unfinished reduction was not reported")


def check_sampler(rank: int, world: int) -> None:
    for n, drop_last in ((23, False), (23, True), (8, False), (3, False)):
        sampler = dist.DistributedSampler(list(range(n)), shuffle=True, seed=7, drop_last=drop_last)
        epochs = []
        for epoch in range(3):
            sampler.set_epoch(epoch)
            mine = list(sampler)
            assert len(mine) == len(sampler)
            t = torch.tensor(mine, dtype=torch.int64)
            parts = [torch.zeros_like(t) for _ in range(world)]
            dist.all_gather(parts, t)
            every = np.concatenate([p.numpy() for p in parts])
            if drop_last:
                assert len(set(every.tolist())) == len(every)  # disjoint shards
            else:
                assert set(every.tolist()) == set(range(n))  # every sample is seen
            epochs.append(every.tolist())
        assert epochs[0] != epochs[1] or n < 4  # reshuffled each epoch
    plain = dist.DistributedSampler(10, shuffle=False)
    assert list(plain) == [(rank + k * world) % 10 for k in range(len(plain))]


def fail_before_collective(rank: int, world: int) -> None:
    if rank == world - 1:
        raise ValueError("deliberate failure on the last rank")
    t = torch.ones(4)
    dist.all_reduce(t)  # never completes: the failing rank aborts the job
    raise AssertionError("all_reduce completed although a rank had failed")


def timeout(rank: int, world: int) -> None:
    if rank == 0:
        dist.all_reduce(torch.ones(4))  # nobody else joins: times out after 1 s and aborts
    else:
        time.sleep(60)


SCENARIOS = {
    "collectives": check_collectives,
    "data_parallel": check_data_parallel,
    "sampler": check_sampler,
    "fail": fail_before_collective,
    "timeout": timeout,
}


def main() -> None:
    names = sys.argv[1:]
    rank, world = dist.init(timeout=1.0 if names == ["timeout"] else 60.0)
    for name in names:
        SCENARIOS[name](rank, world)
        print(f"rank {rank} ok {name}", flush=True)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
