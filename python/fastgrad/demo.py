"""The demo: logistic regression written exactly as in the PyTorch tutorials."""

from __future__ import annotations

import fastgrad as torch


def make_data(n: int = 200, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two Gaussian blobs in 2-D, labels 0 and 1 (linearly separable with some overlap)."""
    torch.manual_seed(seed)
    half = n // 2
    x0 = torch.randn(half, 2) + torch.tensor([-1.5, -1.0])
    x1 = torch.randn(n - half, 2) + torch.tensor([1.5, 1.0])
    x = torch.tensor(x0.tolist() + x1.tolist())
    y = torch.tensor([0.0] * half + [1.0] * (n - half)).reshape(n, 1)
    return x, y


def run(epochs: int = 200, lr: float = 0.5, seed: int = 0) -> float:
    x, y = make_data(seed=seed)
    w = torch.zeros(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    loss_fn = torch.nn.BCELoss()
    print(f"fastgrad demo: logistic regression on {x.shape[0]} points, {epochs} epochs, lr={lr}")
    for epoch in range(1, epochs + 1):
        y_pred = torch.sigmoid(x @ w + b)
        loss = loss_fn(y_pred, y)
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        if epoch == 1 or epoch % (epochs // 10 or 1) == 0:
            print(f"epoch {epoch:4d}  loss {loss.item():.4f}")
    with torch.no_grad():
        accuracy = ((torch.sigmoid(x @ w + b) > 0.5).float() == y).float().mean().item()
    print(f"final loss {loss.item():.4f}, training accuracy {accuracy:.1%}")
    print(f"w = {w.detach().reshape(2).tolist()}, b = {b.item():.4f}")
    return loss.item()
