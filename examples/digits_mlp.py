"""Handwritten digits with a small MLP, written exactly as a PyTorch user would.

Trains a 64 -> 64 -> 10 ReLU network with cross-entropy and Adam on scikit-learn's bundled
8x8 digits (1,797 images, nothing to download) and reports accuracy on a held-out 20%.

    pip install scikit-learn
    python examples/digits_mlp.py            # about 98% test accuracy
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

import fastgrad as torch
from fastgrad.utils import ProgressBar, plot_losses


def load_data(seed: int = 0, test_fraction: float = 0.2):
    """Standardised (X_train, y_train, X_test, y_test) tensors from a seeded split."""
    digits = load_digits()
    x = digits.data.astype(np.float32)
    y = digits.target.astype(np.int64)
    # numpy does the permutation: the split must not depend on the library's RNG.
    perm = np.random.default_rng(seed).permutation(len(x))
    n_test = int(round(len(x) * test_fraction))
    train_idx, test_idx = perm[:-n_test], perm[-n_test:]
    # Statistics from the training split only, so nothing leaks from the test images.
    mean = x[train_idx].mean(axis=0)
    std = x[train_idx].std(axis=0)
    std[std == 0] = 1.0  # some border pixels are always blank
    x = (x - mean) / std
    return (
        torch.from_numpy(x[train_idx]),
        torch.from_numpy(y[train_idx]),
        torch.from_numpy(x[test_idx]),
        torch.from_numpy(y[test_idx]),
    )


def main(
    epochs: int = 30,
    seed: int = 0,
    batch_size: int = 32,
    lr: float = 1e-3,
    hidden: int = 64,
    verbose: bool = True,
    out_dir: str | Path | None = None,
) -> tuple[list[float], float]:
    """Train, evaluate, and return (per-epoch mean training loss, test accuracy). With
    `out_dir`, the loss curve is written there as digits_mlp_loss.png (needs matplotlib)."""
    torch.manual_seed(seed)  # fixes the weight initialisation
    x_train, y_train, x_test, y_test = load_data(seed)
    n_train = x_train.shape[0]

    model = torch.nn.Sequential(
        torch.nn.Linear(64, hidden),
        torch.nn.ReLU(),
        torch.nn.Linear(hidden, 10),
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed + 1)  # batch order, independent of the split's stream

    history = []
    n_batches = -(-n_train // batch_size)
    bar = ProgressBar(epochs * n_batches, desc="training") if verbose else None
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.from_numpy(rng.permutation(n_train))
        total = 0.0
        for start in range(0, n_train, batch_size):
            idx = order[start : start + batch_size]
            xb, yb = x_train[idx], y_train[idx]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            # Weight by batch size: the last batch is smaller.
            total += loss.item() * xb.shape[0]
            if bar is not None:
                bar.update(loss=loss.item())
        history.append(total / n_train)
        if verbose:
            print(f"epoch {epoch:3d}  train loss {history[-1]:.4f}")

    if bar is not None:
        bar.close()
    model.eval()
    with torch.no_grad():
        pred = model(x_test).argmax(dim=1)
        accuracy = float((pred == y_test).float().mean())
    if verbose:
        print(f"test accuracy {accuracy:.2%} on {x_test.shape[0]} held-out images")
    if out_dir is not None:
        png = plot_losses(history, Path(out_dir) / "digits_mlp_loss.png", "digits MLP: train loss")
        if png is not None and verbose:
            print(f"loss curve written to {png}")
    return history, accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out",
        default=str(Path(__file__).parent / "output"),
        help="folder for the loss curve (digits_mlp_loss.png)",
    )
    args = parser.parse_args()
    main(epochs=args.epochs, seed=args.seed, out_dir=args.out)
