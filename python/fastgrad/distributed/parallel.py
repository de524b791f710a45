"""DataParallel: data-parallel training, gradients averaged across ranks during backward.

The design is PyTorch DistributedDataParallel's. Parameters are grouped, in reverse
registration order (roughly the order backward produces their gradients), into buckets of about
`bucket_cap_mb`. A post-accumulate-grad hook on every parameter copies its fresh `.grad` into its
bucket's flat buffer; when a bucket's last gradient arrives, the bucket's all-reduce starts
(non-blocking) while backward goes on with the rest of the graph. Buckets start strictly in
order, so every rank issues the same collectives in the same order. The hook of the last
gradient waits for all buckets and writes the averages back into `.grad`.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .._C import Tensor, from_numpy
from ..nn.module import Module
from . import _comm
from ._comm import ReduceOp, Work

_UNFINISHED = (
    "Expected to have finished reduction in the prior iteration before starting a new one. "
    "This error indicates that your module has parameters that were not used in producing "
    "loss. You can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `fastgrad.distributed.DataParallel`, and by making sure "
    "all `forward` function outputs participate in calculating loss. Parameters that did not "
    "receive a gradient on rank {rank}: {names}"
)


class _Bucket:
    def __init__(self, index: int, params: list[tuple[str, Tensor]], dtype: Any) -> None:
        from .. import zeros

        self.index = index
        self.params = params
        # A flat tensor reduced with the same all_reduce users call; `buffer` views its memory.
        self.tensor = zeros(sum(p.numel() for _, p in params), dtype=dtype)
        self.buffer = self.tensor.numpy()
        # slices[i]: parameter i's gradient inside the flat buffer, in the parameter's shape
        self.slices: list[np.ndarray] = []
        offset = 0
        for _, p in params:
            n = p.numel()
            self.slices.append(self.buffer[offset : offset + n].reshape(tuple(p.shape)))
            offset += n
        self.work: Work | None = None
        self.pending = len(params)


class DataParallel(Module):
    """Wraps `module` for data-parallel training over the default process group.

    On construction, rank 0's parameters and buffers are broadcast to every rank. Each backward
    then leaves in every parameter's `.grad` the mean over ranks of the local gradients, so an
    optimizer step keeps the replicas identical. `no_sync()` skips the averaging (gradients
    accumulate locally) for the forward/backward passes run inside it.
    """

    def __init__(
        self,
        module: Module,
        broadcast_buffers: bool = True,
        bucket_cap_mb: float = 25.0,
        find_unused_parameters: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(
                f"DataParallel: module must be a fastgrad.nn.Module, not {type(module).__name__}"
            )
        if not bucket_cap_mb > 0:
            raise ValueError(f"DataParallel: bucket_cap_mb must be positive, got {bucket_cap_mb}")
        self.module = module
        object.__setattr__(self, "_group", _comm._default_group())
        object.__setattr__(self, "broadcast_buffers", broadcast_buffers)
        object.__setattr__(self, "find_unused_parameters", find_unused_parameters)
        object.__setattr__(self, "require_backward_grad_sync", True)
        object.__setattr__(self, "bucket_cap_mb", bucket_cap_mb)
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        object.__setattr__(self, "_buckets", self._make_buckets(named, bucket_cap_mb))
        # Listed once, as PyTorch does: walking the modules on every forward costs more than
        # broadcasting a few buffers.
        object.__setattr__(self, "_module_buffers", list(module.buffers()))
        # parameter -> (bucket, index in bucket); keyed by the memory it owns, because the
        # Python object a hook receives need not be the one registered.
        object.__setattr__(self, "_where", {})
        object.__setattr__(self, "_handles", [])
        object.__setattr__(self, "_ready", set())
        object.__setattr__(self, "_next_bucket", 0)
        object.__setattr__(self, "_sync_this_backward", True)
        object.__setattr__(self, "_locally_used", None)
        # The hooks hold the wrapper weakly: a hook lives as long as its parameter, and a strong
        # reference would keep the wrapper alive through a cycle gc cannot see.
        me = weakref.ref(self)

        def grad_ready(param: Tensor) -> None:
            wrapper = me()
            if wrapper is not None:
                wrapper._grad_ready(param)

        for b in self._buckets:
            for i, (_, p) in enumerate(b.params):
                self._where[p.data_ptr()] = (b, i)
                self._handles.append(p.register_post_accumulate_grad_hook(grad_ready))
        self._sync_module_state()

    @staticmethod
    def _make_buckets(named: Sequence[tuple[str, Tensor]], cap_mb: float) -> list[_Bucket]:
        cap = cap_mb * 1024 * 1024
        buckets: list[_Bucket] = []
        open_: dict[Any, list[tuple[str, Tensor]]] = {}  # dtype -> bucket being filled
        sizes: dict[Any, int] = {}
        for name, p in reversed(named):
            dtype = p.dtype
            group = open_.setdefault(dtype, [])
            group.append((name, p))
            sizes[dtype] = sizes.get(dtype, 0) + p.numel() * p.element_size()
            if sizes[dtype] >= cap:
                buckets.append(_Bucket(len(buckets), open_.pop(dtype), dtype))
                sizes[dtype] = 0
        for dtype, group in open_.items():
            if group:
                buckets.append(_Bucket(len(buckets), group, dtype))
        return buckets

    def _sync_module_state(self) -> None:
        if self._group.size == 1:
            return
        for _, p in self.module.named_parameters():
            _comm.broadcast(p, src=0)
        self._sync_buffers()

    def _sync_buffers(self) -> None:
        for b in self._module_buffers:
            _comm.broadcast(b, src=0)

    # ---- forward

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if self._ready or self._next_bucket:
            missing = [
                n
                for b in self._buckets
                for i, (n, p) in enumerate(b.params)
                if (b.index, i) not in self._ready
            ]
            raise RuntimeError(_UNFINISHED.format(rank=self._group.rank, names=", ".join(missing)))
        from .. import is_grad_enabled

        object.__setattr__(self, "_sync_this_backward", self.require_backward_grad_sync)
        if self.broadcast_buffers and self._group.size > 1:
            self._sync_buffers()
        out = self.module(*inputs, **kwargs)
        if (
            self.find_unused_parameters
            and self._group.size > 1
            and self._sync_this_backward
            and is_grad_enabled()
        ):
            self._mark_unused(out)
        return out

    def _mark_unused(self, out: Any) -> None:
        # Parameters the output's graph does not reach will get no gradient this iteration:
        # mark them ready now, so their buckets are reduced anyway (PyTorch does the same).
        reached = set()
        seen = set()
        stack = [t.grad_fn for t in _tensors(out) if t.grad_fn is not None]
        while stack:
            fn = stack.pop()
            if hash(fn) in seen:
                continue
            seen.add(hash(fn))
            if type(fn).__name__ == "AccumulateGrad":
                reached.add(fn.variable.data_ptr())
            stack.extend(nf for nf, _ in fn.next_functions if nf is not None)
        used = np.zeros(sum(len(b.params) for b in self._buckets), dtype=np.int64)
        k = 0
        unused = []
        for b in self._buckets:
            for i, (_, p) in enumerate(b.params):
                if p.data_ptr() in reached:
                    used[k] = 1
                else:
                    unused.append((b, i))
                k += 1
        object.__setattr__(self, "_locally_used", used)
        for b, i in unused:
            self._mark_ready(b, i, None)

    # ---- backward hooks

    def _grad_ready(self, param: Tensor) -> None:
        if not self._sync_this_backward or self._group.size == 1:
            return  # one process: its gradients are already the average
        where = self._where.get(param.data_ptr())
        if where is None:
            return
        bucket, i = where
        if (bucket.index, i) in self._ready:
            raise RuntimeError(
                f"DataParallel: parameter {bucket.params[i][0]} received a gradient twice in one "
                "iteration; run forward again before another backward"
            )
        self._mark_ready(bucket, i, param.grad)

    def _mark_ready(self, bucket: _Bucket, i: int, grad: Tensor | None) -> None:
        # A parameter unused here may still hold a gradient accumulated under no_sync().
        if grad is None:
            grad = bucket.params[i][1].grad
        if grad is None:
            bucket.slices[i][...] = 0
        else:
            np.copyto(bucket.slices[i], grad.detach().numpy())
        self._ready.add((bucket.index, i))
        bucket.pending -= 1
        # Start every bucket that is complete, in order; each call also lets MPI progress the
        # reductions already in flight.
        while (
            self._next_bucket < len(self._buckets) and self._buckets[self._next_bucket].pending == 0
        ):
            b = self._buckets[self._next_bucket]
            b.work = self._start(b)
            object.__setattr__(self, "_next_bucket", self._next_bucket + 1)
        for b in self._buckets[: self._next_bucket]:
            if b.work is not None:
                b.work.is_completed()
        if self._next_bucket == len(self._buckets):
            self._finish()

    def _start(self, bucket: _Bucket) -> Work | None:
        return _comm.all_reduce(bucket.tensor, async_op=True)

    def _finish(self) -> None:
        g = self._group
        globally_used = None
        if self._locally_used is not None:
            used = from_numpy(self._locally_used)
            _comm.all_reduce(used, op=ReduceOp.MAX)
            globally_used = used.numpy()
        k = 0
        for b in self._buckets:
            if b.work is not None:
                b.work.wait()
            if g.size > 1:
                np.divide(b.buffer, g.size, out=b.buffer)
            for (_, p), avg in zip(b.params, b.slices):
                unused_everywhere = globally_used is not None and not globally_used[k]
                k += 1
                grad = p.grad
                if grad is None:
                    if not unused_everywhere:  # as in PyTorch, a parameter no rank used
                        p.grad = from_numpy(avg.copy())  # keeps grad None
                else:
                    np.copyto(grad.detach().numpy(), avg)
                    grad._bump_version()
            b.pending = len(b.params)
            b.work = None
        self._ready.clear()
        object.__setattr__(self, "_next_bucket", 0)
        object.__setattr__(self, "_locally_used", None)

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Forward/backward passes run inside accumulate gradients locally, unaveraged; the
        first synchronised backward after it averages everything accumulated."""
        old = self.require_backward_grad_sync
        object.__setattr__(self, "require_backward_grad_sync", False)
        try:
            yield
        finally:
            object.__setattr__(self, "require_backward_grad_sync", old)

    def extra_repr(self) -> str:
        return f"world_size={self._group.size}, buckets={len(self._buckets)}"


def _tensors(out: Any) -> Iterator[Tensor]:
    stack = [out]
    while stack:
        o = stack.pop()
        if isinstance(o, Tensor):
            yield o
        elif isinstance(o, (list, tuple)):
            stack.extend(o)
        elif isinstance(o, dict):
            stack.extend(o.values())


DistributedDataParallel = DataParallel
__all__ = ["DataParallel", "DistributedDataParallel", "ReduceOp"]
