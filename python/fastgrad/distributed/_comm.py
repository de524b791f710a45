"""Process group and collectives over MPI (mpi4py), with a single-process fallback.

Every collective hands MPI a NumPy view of the tensor's own memory (`t.detach().numpy()` shares
it), so nothing is copied through Python objects; all_reduce and broadcast work in place. A
non-contiguous tensor goes through one contiguous staging buffer and is written back.

Collectives are started non-blocking (Iallreduce, ...) and completed by `Work.wait`, which polls
with a short back-off instead of MPI's busy wait (several ranks share few cores here) and gives
up after the group's timeout with an error naming the collective, so a job whose peer died fails
instead of hanging. Once a process group spans several processes, an uncaught exception on any
rank aborts the whole job (MPI_Abort) after printing its traceback.
"""

from __future__ import annotations

import enum
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, NamedTuple

import numpy as np

from .._C import Tensor

DEFAULT_TIMEOUT = timedelta(minutes=30)  # PyTorch's default for CPU process groups

# Environment variables that MPI launchers set in every process they start.
_LAUNCHER_SIZE_VARS = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS")


class ReduceOp(enum.Enum):
    """Reduction of all_reduce and reduce_scatter (``ReduceOp.MEAN`` is ``ReduceOp.AVG``)."""

    SUM = "sum"
    AVG = "avg"
    MEAN = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


class ProcessGroupInfo(NamedTuple):
    """What init() returns: this process's rank and the number of processes in the job."""

    rank: int
    world_size: int


class _Group:
    def __init__(self, comm: Any, mpi: Any, timeout: float) -> None:
        self.comm = comm  # mpi4py communicator, or None for the single-process fallback
        self.mpi = mpi  # the mpi4py.MPI module, or None
        self.rank = comm.Get_rank() if comm is not None else 0
        self.size = comm.Get_size() if comm is not None else 1
        self.timeout = timeout

    @property
    def backend(self) -> str:
        return "mpi" if self.comm is not None else "local"


_group: _Group | None = None
_previous_excepthook: Callable[..., Any] | None = None


def _seconds(timeout: float | timedelta | None) -> float:
    if timeout is None:
        return DEFAULT_TIMEOUT.total_seconds()
    if isinstance(timeout, timedelta):
        return timeout.total_seconds()
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0:
        return float(timeout)
    raise ValueError(
        f"timeout must be a positive number of seconds or a timedelta, got {timeout!r}"
    )


def _launched_size() -> int:
    for var in _LAUNCHER_SIZE_VARS:
        value = os.environ.get(var)
        if value and value.isdigit():
            return int(value)
    return 1


def is_available() -> bool:
    """True: the distributed package is always importable (it falls back to one process)."""
    return True


def is_mpi_available() -> bool:
    """True when mpi4py can be imported (``pip install 'fastgrad[distributed]'``)."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def init(
    timeout: float | timedelta | None = None, *, abort_on_exception: bool = True
) -> ProcessGroupInfo:
    """Joins the MPI job this process was started in and returns (rank, world_size).

    Outside an MPI launcher, without mpi4py, this is a single-process group (rank 0 of 1) whose
    collectives leave their tensors as they are. `timeout` (seconds or a timedelta, default 30
    minutes) bounds every collective. With several processes, an uncaught exception on any
    rank aborts the job (unless ``abort_on_exception=False``), and when OMP_NUM_THREADS is not
    set each rank uses its share of the node's cores.
    """
    global _group
    if _group is not None:
        raise RuntimeError("trying to initialize the default process group twice!")
    seconds = _seconds(timeout)
    try:
        from mpi4py import MPI
    except ImportError as e:
        size = _launched_size()
        if size > 1:
            raise ImportError(
                f"fastgrad.distributed: this process was started by an MPI launcher with "
                f"{size} processes, but mpi4py is not installed; "
                "install it with: pip install 'fastgrad[distributed]'"
            ) from e
        _group = _Group(None, None, seconds)
        return ProcessGroupInfo(0, 1)
    launched = _launched_size()
    if launched > 1 and MPI.COMM_WORLD.Get_size() == 1:
        # Each process would train alone, silently: the launcher belongs to another MPI
        # than the library mpi4py loaded (e.g. MPICH's mpiexec with an Open MPI libmpi).
        raise RuntimeError(
            f"fastgrad.distributed: the launcher started {launched} processes, but MPI sees a "
            f"world of 1: mpi4py loaded {MPI.Get_library_version().splitlines()[0].strip()!r}, "
            "which is not the MPI of the mpiexec that started this job. Use that MPI's "
            "mpiexec, or point mpi4py at its library with MPI4PY_LIBMPI=/path/to/libmpi.so"
        )
    _group = _Group(MPI.COMM_WORLD.Dup(), MPI, seconds)
    if _group.size > 1:
        if abort_on_exception:
            _install_abort_hook()
        if "OMP_NUM_THREADS" not in os.environ:
            _share_cores(_group)
    return ProcessGroupInfo(_group.rank, _group.size)


def init_process_group(
    backend: str | None = "mpi",
    init_method: str | None = None,
    timeout: float | timedelta | None = None,
    world_size: int = -1,
    rank: int = -1,
) -> None:
    """PyTorch's spelling of `init`: MPI decides rank and world size (as with torch's "mpi"
    backend); `world_size` and `rank`, when given, must agree with it."""
    if backend not in (None, "mpi"):
        raise ValueError(f"fastgrad.distributed supports only the 'mpi' backend, got {backend!r}")
    if init_method is not None:
        raise ValueError("init_method is not used with the mpi backend: MPI's launcher sets it up")
    info = init(timeout)
    for name, given, actual in (
        ("world_size", world_size, info.world_size),
        ("rank", rank, info.rank),
    ):
        if given != -1 and given != actual:
            destroy_process_group()
            raise ValueError(f"{name}={given} does not match the MPI job's {name} ({actual})")


def is_initialized() -> bool:
    """Returns True if the default process group has been initialized (by init() or
    init_process_group())."""
    return _group is not None


def destroy_process_group(group: None = None) -> None:
    """Forgets the process group (MPI itself is finalized at exit by mpi4py)."""
    global _group
    if _group is not None and _group.comm is not None:
        _group.comm.Free()
    _group = None
    _remove_abort_hook()


def _default_group(group: Any = None) -> _Group:
    if group is not None:
        raise ValueError("fastgrad.distributed has only the default group: pass group=None")
    if _group is None:
        raise RuntimeError(
            "Default process group has not been initialized, "
            "please make sure to call fastgrad.distributed.init()"
        )
    return _group


def get_rank(group: None = None) -> int:
    """Returns the rank of this process in the default process group, from 0 to world_size - 1.

    Only the default group exists: `group` must be None.
    """
    return _default_group(group).rank


def get_world_size(group: None = None) -> int:
    """Returns the number of processes in the default process group (`group` must be None)."""
    return _default_group(group).size


def get_backend(group: None = None) -> str:
    """Returns the backend of the default process group: "mpi", or "local" for the
    single-process fallback when no MPI launcher (or no mpi4py) is there."""
    return _default_group(group).backend


# ---- failure handling


def _install_abort_hook() -> None:
    global _previous_excepthook
    if _previous_excepthook is not None:
        return
    _previous_excepthook = sys.excepthook

    def abort_job(exc_type: Any, exc: Any, tb: Any) -> None:
        assert _previous_excepthook is not None
        _previous_excepthook(exc_type, exc, tb)
        group = _group
        if group is not None and group.comm is not None:
            sys.stderr.write(
                f"fastgrad.distributed: rank {group.rank} raised {exc_type.__name__}; "
                "aborting the MPI job\n"
            )
            sys.stdout.flush()
            sys.stderr.flush()
            # The launcher forwards each rank's output asynchronously and stops forwarding
            # when the job is torn down: give it a moment to pass this traceback on.
            time.sleep(_ABORT_GRACE_SECONDS)
            group.mpi.COMM_WORLD.Abort(1)

    sys.excepthook = abort_job


def _remove_abort_hook() -> None:
    global _previous_excepthook
    if _previous_excepthook is not None:
        sys.excepthook = _previous_excepthook
        _previous_excepthook = None


def _share_cores(group: _Group) -> None:
    # Several ranks on one node each starting one OpenMP thread per core oversubscribe it.
    from .. import get_num_threads, set_num_threads

    local = group.comm.Split_type(group.mpi.COMM_TYPE_SHARED)
    local_size = local.Get_size()
    local.Free()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    share = max(1, (cores or 1) // local_size)
    if share < get_num_threads():
        set_num_threads(share)


# ---- waiting


_YIELD_SECONDS = 0.005
_ABORT_GRACE_SECONDS = 1.0
_yield = getattr(os, "sched_yield", lambda: time.sleep(0))


class Work:
    """A started collective; `wait()` completes it (what ``async_op=True`` returns)."""

    def __init__(
        self,
        group: _Group,
        name: str,
        requests: list[Any],
        finish: list[Callable[[], None]],
    ) -> None:
        self._group = group
        self._name = name
        self._requests = requests
        self._finish = finish
        self._done = False

    def is_completed(self) -> bool:
        """Returns True if the collective has finished, without waiting for it."""
        if not self._done and self._test():
            self._complete()
        return self._done

    def _test(self) -> bool:
        requests = self._requests
        if len(requests) == 1:
            return bool(requests[0].Test())
        return not requests or bool(self._group.mpi.Request.Testall(requests))

    def _complete(self) -> None:
        self._done = True
        for f in self._finish:
            f()

    def wait(self, timeout: float | timedelta | None = None) -> bool:
        """Blocks until the collective has finished and returns True.

        Raises RuntimeError after `timeout` (seconds or a timedelta; by default the group's
        timeout), as when another rank failed or never joined the collective.
        """
        if self._done:
            return True
        seconds = self._group.timeout if timeout is None else _seconds(timeout)
        start = time.monotonic()
        deadline = start + seconds
        delay = 5e-5
        while not self._test():
            now = time.monotonic()
            # MPI's own wait spins on a core. Poll, yielding the core to any other runnable
            # process (ranks may outnumber cores) for the first milliseconds, when the peers
            # are most likely just finishing their share; then sleep with a growing back-off.
            if now - start < _YIELD_SECONDS:
                _yield()
            else:
                time.sleep(delay)
                delay = min(delay * 2, 1e-3)
            if now > deadline:
                g = self._group
                raise RuntimeError(
                    f"fastgrad.distributed: {self._name} timed out after {seconds:g} s on rank "
                    f"{g.rank} of {g.size}; another rank may have failed or not called it"
                )
        self._complete()
        return True


def _run(
    name: str, group: _Group, requests: list[Any], finish: list[Callable[[], None]], async_op: bool
) -> Work | None:
    work = Work(group, name, requests, finish)
    if async_op:
        return work
    work.wait()
    return None


# ---- buffers


def _check_tensor(t: Any, op: str, arg: str = "tensor") -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(
            f"{op}(): argument '{arg}' must be a fastgrad.Tensor, not {type(t).__name__}"
        )
    return t


def _shape(t: Tensor) -> str:
    return "[" + ", ".join(str(s) for s in t.shape) + "]"


def _view(t: Tensor) -> np.ndarray:
    # detach() shares the storage; numpy() then views it (strides included) without copying.
    return t.detach().numpy()


class _Buffer:
    """A contiguous array over a tensor's memory, or a staging copy written back on finish."""

    def __init__(self, t: Tensor, write: bool) -> None:
        self.tensor = t
        self.view = _view(t)
        self.array = self.view if t.is_contiguous() else np.ascontiguousarray(self.view)
        self.write = write

    def finish(self) -> None:
        if self.write:
            if self.array is not self.view:
                np.copyto(self.view, self.array)
            self.tensor._bump_version()  # saved-for-backward checks see the write


def _mpi_op(group: _Group, op: Any, dtype: np.dtype, name: str) -> tuple[Any, bool]:
    """(MPI op, divide by world size afterwards) for a ReduceOp on `dtype`."""
    if isinstance(op, str):
        try:
            op = ReduceOp[op.upper()]
        except KeyError:
            raise ValueError(f"{name}(): unknown reduce op {op!r}") from None
    if not isinstance(op, ReduceOp):
        raise TypeError(
            f"{name}(): op must be a fastgrad.distributed.ReduceOp, not {type(op).__name__}"
        )
    if op is ReduceOp.AVG and dtype.kind != "f":
        raise ValueError(f"{name}(): ReduceOp.AVG needs a floating point tensor, got {dtype}")
    mpi = group.mpi
    if mpi is None:
        return None, False
    if dtype.kind == "b":  # MPI defines only logical ops on C bool
        return (mpi.LOR if op in (ReduceOp.SUM, ReduceOp.MAX) else mpi.LAND), False
    table = {
        ReduceOp.SUM: mpi.SUM,
        ReduceOp.AVG: mpi.SUM,
        ReduceOp.PRODUCT: mpi.PROD,
        ReduceOp.MIN: mpi.MIN,
        ReduceOp.MAX: mpi.MAX,
    }
    return table[op], op is ReduceOp.AVG


def _divider(array: np.ndarray, size: int) -> Callable[[], None]:
    def divide() -> None:
        np.divide(array, size, out=array)

    return divide


# ---- collectives


def all_reduce(
    tensor: Tensor, op: Any = ReduceOp.SUM, group: None = None, async_op: bool = False
) -> Work | None:
    """Reduces `tensor` across all ranks, in place (sum, avg/mean, product, min or max)."""
    g = _default_group(group)
    _check_tensor(tensor, "all_reduce")
    buf = _Buffer(tensor, write=True)
    mpi_op, divide = _mpi_op(g, op, buf.array.dtype, "all_reduce")
    requests = []
    finish = []
    if g.comm is not None:
        requests.append(g.comm.Iallreduce(g.mpi.IN_PLACE, buf.array, op=mpi_op))
        if divide:
            finish.append(_divider(buf.array, g.size))
    finish.append(buf.finish)
    return _run("all_reduce", g, requests, finish, async_op)


def broadcast(
    tensor: Tensor, src: int = 0, group: None = None, async_op: bool = False
) -> Work | None:
    """Copies rank `src`'s `tensor` into every other rank's `tensor`, in place."""
    g = _default_group(group)
    _check_tensor(tensor, "broadcast")
    if not isinstance(src, int) or not 0 <= src < g.size:
        raise ValueError(f"broadcast(): src must be a rank in [0, {g.size}), got {src!r}")
    buf = _Buffer(tensor, write=g.rank != src)
    requests = [g.comm.Ibcast(buf.array, root=src)] if g.comm is not None else []
    return _run("broadcast", g, requests, [buf.finish], async_op)


def _check_like(op: str, ref: Tensor, others: Sequence[Any], what: str, world: int) -> list[Tensor]:
    if not isinstance(others, (list, tuple)):
        raise TypeError(f"{op}(): {what} must be a list of tensors, not {type(others).__name__}")
    if len(others) != world:
        raise ValueError(
            f"{op}(): {what} must hold world_size ({world}) tensors, got {len(others)}"
        )
    for i, t in enumerate(others):
        _check_tensor(t, op, f"{what}[{i}]")
        if tuple(t.shape) != tuple(ref.shape) or t.dtype != ref.dtype:
            raise ValueError(
                f"{op}(): {what}[{i}] has shape {_shape(t)} and dtype {t.dtype}, expected "
                f"shape {_shape(ref)} and dtype {ref.dtype}"
            )
    return list(others)


def all_gather(
    tensor_list: list[Tensor], tensor: Tensor, group: None = None, async_op: bool = False
) -> Work | None:
    """Fills ``tensor_list[r]`` with rank r's `tensor`, on every rank."""
    g = _default_group(group)
    _check_tensor(tensor, "all_gather")
    outs = _check_like("all_gather", tensor, tensor_list, "tensor_list", g.size)
    send = _Buffer(tensor, write=False).array
    gathered = np.empty((g.size, *send.shape), dtype=send.dtype)
    requests = [g.comm.Iallgather(send, gathered)] if g.comm is not None else []
    if g.comm is None:
        gathered[0] = send

    def scatter_into_list() -> None:
        for out, part in zip(outs, gathered):
            np.copyto(_view(out), part)
            out._bump_version()

    return _run("all_gather", g, requests, [scatter_into_list], async_op)


def all_gather_into_tensor(
    output_tensor: Tensor, input_tensor: Tensor, group: None = None, async_op: bool = False
) -> Work | None:
    """Gathers every rank's `input_tensor` into `output_tensor`, rank after rank (dim 0 of the
    output is world_size times the input's, or the output is stacked: [world_size, *input])."""
    g = _default_group(group)
    _check_tensor(output_tensor, "all_gather_into_tensor", "output_tensor")
    _check_tensor(input_tensor, "all_gather_into_tensor", "input_tensor")
    if (
        output_tensor.numel() != g.size * input_tensor.numel()
        or output_tensor.dtype != input_tensor.dtype
    ):
        raise ValueError(
            "all_gather_into_tensor(): output tensor size must be equal to world_size times input "
            f"tensor size (output {_shape(output_tensor)} {output_tensor.dtype}, input "
            f"{_shape(input_tensor)} {input_tensor.dtype}, world_size {g.size})"
        )
    send = _Buffer(input_tensor, write=False).array
    out = _Buffer(output_tensor, write=True)
    if g.comm is not None:
        requests = [g.comm.Iallgather(send, out.array)]
    else:
        requests = []
        out.array.reshape(-1)[:] = send.reshape(-1)
    return _run("all_gather_into_tensor", g, requests, [out.finish], async_op)


def reduce_scatter(
    output: Tensor,
    input_list: list[Tensor],
    op: Any = ReduceOp.SUM,
    group: None = None,
    async_op: bool = False,
) -> Work | None:
    """Reduces ``input_list[r]`` over all ranks into rank r's `output`."""
    g = _default_group(group)
    _check_tensor(output, "reduce_scatter", "output")
    ins = _check_like("reduce_scatter", output, input_list, "input_list", g.size)
    send = np.stack([_view(t) for t in ins])  # one contiguous send buffer, block r for rank r
    return _reduce_scatter_block(g, "reduce_scatter", send, output, op, async_op)


def reduce_scatter_tensor(
    output: Tensor,
    input: Tensor,
    op: Any = ReduceOp.SUM,
    group: None = None,
    async_op: bool = False,
) -> Work | None:
    """Reduces `input` (world_size blocks of `output`'s size, rank after rank) over all ranks
    and leaves block r of the result in rank r's `output`."""
    g = _default_group(group)
    _check_tensor(output, "reduce_scatter_tensor", "output")
    _check_tensor(input, "reduce_scatter_tensor", "input")
    if input.numel() != g.size * output.numel() or output.dtype != input.dtype:
        raise ValueError(
            "reduce_scatter_tensor(): input tensor size must be equal to world_size times output "
            f"tensor size (input {_shape(input)} {input.dtype}, output {_shape(output)} "
            f"{output.dtype}, world_size {g.size})"
        )
    send = _Buffer(input, write=False).array
    return _reduce_scatter_block(g, "reduce_scatter_tensor", send, output, op, async_op)


def _reduce_scatter_block(
    g: _Group, name: str, send: np.ndarray, output: Tensor, op: Any, async_op: bool
) -> Work | None:
    out = _Buffer(output, write=True)
    mpi_op, divide = _mpi_op(g, op, out.array.dtype, name)
    finish = []
    if g.comm is not None:
        requests = [g.comm.Ireduce_scatter_block(send, out.array, op=mpi_op)]
        if divide:
            finish.append(_divider(out.array, g.size))
    else:
        requests = []
        out.array.reshape(-1)[:] = send.reshape(-1)
    finish.append(out.finish)
    return _run(name, g, requests, finish, async_op)


def barrier(group: None = None, async_op: bool = False) -> Work | None:
    """Returns once every rank has called barrier()."""
    g = _default_group(group)
    requests = [g.comm.Ibarrier()] if g.comm is not None else []
    return _run("barrier", g, requests, [], async_op)
