"""The handwritten-digits MLP of digits_mlp.py, trained data-parallel on several MPI processes.

Each rank trains a replica on its shard of every epoch (DistributedSampler); DataParallel
averages the gradients during backward, so all replicas take the same optimizer steps as one
process would with the same global batch.

    pip install -e ".[distributed]" scikit-learn
    mpiexec -n 2 python examples/digits_distributed.py      # about 97% test accuracy
    python examples/digits_distributed.py                   # the same on one process
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import fastgrad as torch
import fastgrad.distributed as dist
from fastgrad.utils import ProgressBar, plot_losses

sys.path.insert(0, str(Path(__file__).parent))
from digits_mlp import load_data  # noqa: E402  (same data, split and standardisation)


def main(
    epochs: int = 30,
    seed: int = 0,
    batch_size: int = 32,
    lr: float = 1e-3,
    hidden: int = 64,
    verbose: bool = True,
    out_dir: str | Path | None = None,
) -> tuple[list[float], float, float]:
    """Train on every rank; returns (per-epoch mean training loss over all ranks, test
    accuracy, training samples per second). `batch_size` is the global batch."""
    rank, world = (
        dist.init() if not dist.is_initialized() else (dist.get_rank(), dist.get_world_size())
    )
    if batch_size % world:
        raise ValueError(f"the global batch ({batch_size}) must divide among {world} ranks")
    local_batch = batch_size // world
    torch.manual_seed(seed + rank)  # replicas start different: DataParallel broadcasts rank 0's
    x_train, y_train, x_test, y_test = load_data(seed)
    n_train = x_train.shape[0]

    model = dist.DataParallel(
        torch.nn.Sequential(
            torch.nn.Linear(64, hidden),
            torch.nn.ReLU(),
            torch.nn.Linear(hidden, 10),
        )
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    sampler = dist.DistributedSampler(n_train, shuffle=True, seed=seed, drop_last=True)

    history = []
    steps = -(-len(sampler) // local_batch)
    show = verbose and rank == 0
    bar = ProgressBar(epochs * steps, desc=f"training on {world} rank(s)") if show else None
    dist.barrier()
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        sampler.set_epoch(epoch)
        order = torch.tensor(list(sampler), dtype=torch.int64)
        total = torch.zeros(2, dtype=torch.float64)  # loss sum, samples
        for s in range(0, len(order), local_batch):
            idx = order[s : s + local_batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()  # gradients averaged over ranks here
            optimizer.step()
            total += torch.tensor([loss.item() * idx.shape[0], idx.shape[0]], dtype=torch.float64)
            if bar is not None:
                bar.update(loss=loss.item())
        dist.all_reduce(total)
        history.append(float(total[0] / total[1]))
        if show:
            print(f"epoch {epoch:3d}  train loss {history[-1]:.4f}")
    dist.barrier()
    seconds = time.perf_counter() - start
    samples_per_s = epochs * len(sampler) * world / seconds
    if bar is not None:
        bar.close()

    model.eval()
    with torch.no_grad():
        pred = model(x_test).argmax(dim=1)
        accuracy = float((pred == y_test).float().mean())
    if show:
        print(
            f"test accuracy {accuracy:.2%} on {x_test.shape[0]} held-out images; "
            f"{samples_per_s:,.0f} training samples/s on {world} rank(s)"
        )
        if out_dir is not None:
            png = plot_losses(
                history,
                Path(out_dir) / "digits_distributed_loss.png",
                "digits MLP, data-parallel: train loss",
            )
            if png is not None:
                print(f"loss curve written to {png}")
    return history, accuracy, samples_per_s


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--batch-size", type=int, default=32, help="global batch, split among ranks"
    )
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument(
        "--out",
        default=str(Path(__file__).parent / "output"),
        help="folder for the loss curve (digits_distributed_loss.png)",
    )
    args = parser.parse_args()
    main(
        epochs=args.epochs,
        seed=args.seed,
        batch_size=args.batch_size,
        hidden=args.hidden,
        out_dir=args.out,
    )
