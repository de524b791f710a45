"""The demo: logistic regression written exactly as in the PyTorch tutorials.

`python -m fastgrad demo` trains it with a progress bar (stderr), prints the loss falling, and
writes into `--out` (default `fastgrad-demo/`): the autograd graph of one training step as
Graphviz DOT (`graph.dot`, plus `graph.svg` when Graphviz is installed) and the loss curve
(`loss.png`, when matplotlib is installed).
"""

from __future__ import annotations

import sys
from pathlib import Path

import fastgrad as torch
from fastgrad import viz
from fastgrad.utils import ProgressBar, plot_losses


def make_data(n: int = 200, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two Gaussian blobs in 2-D, labels 0 and 1 (linearly separable with some overlap)."""
    torch.manual_seed(seed)
    half = n // 2
    x0 = torch.randn(half, 2) + torch.tensor([-1.5, -1.0])
    x1 = torch.randn(n - half, 2) + torch.tensor([1.5, 1.0])
    x = torch.tensor(x0.tolist() + x1.tolist())
    y = torch.tensor([0.0] * half + [1.0] * (n - half)).reshape(n, 1)
    return x, y


def write_pictures(
    loss: torch.Tensor, params: dict[str, torch.Tensor], losses: list[float], out_dir: Path
) -> None:
    """The graph of `loss` as DOT (and SVG when Graphviz is there) and the loss curve."""
    out_dir.mkdir(parents=True, exist_ok=True)
    dot_path = out_dir / "graph.dot"
    dot_path.write_text(viz.to_dot(loss, params=params))
    print(f"autograd graph written to {dot_path}")
    try:
        print(f"graph picture written to {viz.render(loss, out_dir / 'graph.svg', params=params)}")
    except viz.GraphvizNotFoundError:
        print(
            "Graphviz is not installed: no graph.svg (https://graphviz.org/download/)",
            file=sys.stderr,
        )
    png = plot_losses(losses, out_dir / "loss.png", title="fastgrad demo: BCE loss")
    if png is not None:
        print(f"loss curve written to {png}")


def run(
    epochs: int = 200, lr: float = 0.5, seed: int = 0, out_dir: str | Path | None = None
) -> float:
    """Trains and returns the final loss; with `out_dir`, also writes the pictures there."""
    x, y = make_data(seed=seed)
    w = torch.zeros(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    loss_fn = torch.nn.BCELoss()
    print(f"fastgrad demo: logistic regression on {x.shape[0]} points, {epochs} epochs, lr={lr}")
    losses: list[float] = []
    bar = ProgressBar(epochs, desc="training")
    for epoch in range(1, epochs + 1):
        y_pred = torch.sigmoid(x @ w + b)
        loss = loss_fn(y_pred, y)
        if epoch == 1 and out_dir is not None:
            # The graph of one step, drawn before backward frees its saved tensors.
            graph_loss = loss
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        losses.append(loss.item())
        bar.update(loss=losses[-1])
        if epoch == 1 or epoch % (epochs // 10 or 1) == 0:
            print(f"epoch {epoch:4d}  loss {loss.item():.4f}")
    bar.close()
    with torch.no_grad():
        accuracy = ((torch.sigmoid(x @ w + b) > 0.5).float() == y).float().mean().item()
    print(f"final loss {loss.item():.4f}, training accuracy {accuracy:.1%}")
    print(f"w = {w.detach().reshape(2).tolist()}, b = {b.item():.4f}")
    if out_dir is not None:
        write_pictures(graph_loss, {"w": w, "b": b, "loss": graph_loss}, losses, Path(out_dir))
    return loss.item()
