"""DistributedSampler: each rank's share of a data set's indices, reshuffled every epoch."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import _comm


class DistributedSampler:
    """Yields the indices of rank `rank`'s shard of `dataset` (anything with ``len()``, or the
    number of samples), as ``torch.utils.data.DistributedSampler`` does.

    With `shuffle`, the order is a permutation seeded by ``seed + epoch``, the same on every rank,
    so the shards never overlap; call ``set_epoch(epoch)`` before each epoch to reshuffle. The
    index list is padded by wrapping around (or, with `drop_last`, cut) to a multiple of the
    number of replicas, so every rank gets ``len(sampler)`` indices.
    """

    def __init__(
        self,
        dataset: Any,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if num_replicas is None:
            num_replicas = _comm.get_world_size()
        if rank is None:
            rank = _comm.get_rank()
        if not isinstance(num_replicas, int) or num_replicas < 1:
            raise ValueError(f"num_replicas should be a positive integer, got {num_replicas!r}")
        if not isinstance(rank, int) or not 0 <= rank < num_replicas:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last
        self.epoch = 0
        n = self._dataset_len()
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def _dataset_len(self) -> int:
        if isinstance(self.dataset, int) and not isinstance(self.dataset, bool):
            return self.dataset
        return len(self.dataset)

    def __iter__(self) -> Iterator[int]:
        n = self._dataset_len()
        if self.shuffle:
            # NumPy's PCG64 gives the same permutation on every platform and rank.
            indices = np.random.default_rng(self.seed + self.epoch).permutation(n).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            else:
                indices += (indices * math.ceil(padding / len(indices)))[:padding]
        else:
            indices = indices[: self.total_size]
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch, which seeds the next shuffle (call it before every epoch)."""
        self.epoch = epoch
