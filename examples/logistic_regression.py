"""Logistic regression as in the PyTorch tutorials: sigmoid(w.x + b), BCELoss, torch.optim.SGD.

The data are synthetic and linearly separable: points on either side of a random hyperplane,
with a margin around it left empty, drawn from a seeded numpy generator.

    python examples/logistic_regression.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import fastgrad as torch
from fastgrad.utils import ProgressBar, plot_losses


def make_data(n: int = 400, n_features: int = 2, margin: float = 0.3, seed: int = 0):
    """(x, y) as float32 arrays: x of shape (n, n_features), y of 0/1 labels, shape (n, 1)."""
    rng = np.random.default_rng(seed)
    w_true = rng.normal(size=n_features)
    w_true /= np.linalg.norm(w_true)
    b_true = 0.5
    x = np.empty((0, n_features))
    # Rejection sampling: drop points inside the margin so the classes are truly separable.
    while len(x) < n:
        cand = rng.normal(size=(n, n_features)) * 2.0
        keep = np.abs(cand @ w_true + b_true) > margin
        x = np.concatenate([x, cand[keep]])
    x = x[:n]
    y = (x @ w_true + b_true > 0).astype(np.float32).reshape(n, 1)
    return x.astype(np.float32), y


class LogisticRegression(torch.nn.Module):
    def __init__(self, n_features: int) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(n_features, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))


def main(
    epochs: int = 100,
    lr: float = 0.5,
    seed: int = 0,
    verbose: bool = True,
    out_dir: str | Path | None = None,
) -> tuple[list[float], float]:
    """Train full-batch, return (per-epoch training loss, accuracy on held-out points). With
    `out_dir`, the loss curve is written there as logistic_regression_loss.png (matplotlib)."""
    torch.manual_seed(seed)
    x, y = make_data(seed=seed)
    # Last quarter held out: the points are i.i.d., so no shuffle is needed.
    n_train = len(x) * 3 // 4
    x_train, y_train = torch.from_numpy(x[:n_train]), torch.from_numpy(y[:n_train])
    x_test, y_test = torch.from_numpy(x[n_train:]), torch.from_numpy(y[n_train:])

    model = LogisticRegression(x.shape[1])
    loss_fn = torch.nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)

    losses = []
    bar = ProgressBar(epochs, desc="training") if verbose else None
    for epoch in range(1, epochs + 1):
        optimizer.zero_grad()
        loss = loss_fn(model(x_train), y_train)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if bar is not None:
            bar.update(loss=losses[-1])
        if verbose and (epoch == 1 or epoch % max(epochs // 10, 1) == 0):
            print(f"epoch {epoch:4d}  loss {losses[-1]:.4f}")

    if bar is not None:
        bar.close()
    with torch.no_grad():
        pred = (model(x_test) > 0.5).float()
        accuracy = (pred == y_test).float().mean().item()
    if verbose:
        w = model.linear.weight.detach().reshape(-1).tolist()
        b = model.linear.bias.item()
        print(f"w = {[round(v, 3) for v in w]}, b = {b:.3f}")
        print(f"test accuracy {accuracy:.2%} on {len(x) - n_train} held-out points")
    if out_dir is not None:
        png = plot_losses(losses, Path(out_dir) / "logistic_regression_loss.png", "BCE loss")
        if png is not None and verbose:
            print(f"loss curve written to {png}")
    return losses, accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out",
        default=str(Path(__file__).parent / "output"),
        help="folder for the loss curve (logistic_regression_loss.png)",
    )
    args = parser.parse_args()
    main(epochs=args.epochs, seed=args.seed, out_dir=args.out)
