"""fastgrad.distributed: data-parallel training across processes and machines over MPI.

Start the processes with MPI's launcher (``mpiexec -n 4 python train.py``) and call `init()`
in each; outside a launcher the group is this one process. The collectives work on tensors'
own memory; `DataParallel` averages gradients during backward; `DistributedSampler` shards a
data set. MPI comes from mpi4py: ``pip install 'fastgrad[distributed]'``. See
docs/distributed.md.
"""

from __future__ import annotations

from ._comm import (
    DEFAULT_TIMEOUT,
    ProcessGroupInfo,
    ReduceOp,
    Work,
    all_gather,
    all_gather_into_tensor,
    all_reduce,
    barrier,
    broadcast,
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    init,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_available,
    reduce_scatter,
    reduce_scatter_tensor,
)
from .parallel import DataParallel, DistributedDataParallel
from .sampler import DistributedSampler

__all__ = [
    "DEFAULT_TIMEOUT",
    "DataParallel",
    "DistributedDataParallel",
    "DistributedSampler",
    "ProcessGroupInfo",
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_into_tensor",
    "all_reduce",
    "barrier",
    "broadcast",
    "destroy_process_group",
    "get_backend",
    "get_rank",
    "get_world_size",
    "init",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
    "reduce_scatter",
    "reduce_scatter_tensor",
]
