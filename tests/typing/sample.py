"""A user program that must pass `mypy --strict` against fastgrad's stubs (tests/test_typing.py)."""

from __future__ import annotations

import numpy as np

import fastgrad as torch
from fastgrad import nn, optim
from fastgrad.testing import assert_close


class Model(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.linear(x))


def train(steps: int) -> float:
    torch.manual_seed(0)
    x = torch.randn(16, 3)
    y = (x.sum(dim=1, keepdim=True) > 0).float()
    model = Model()
    opt = optim.SGD(model.parameters(), lr=0.5)
    loss_fn = nn.BCELoss()
    loss = torch.zeros(())
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)  # Module.__call__ returns Any, as in PyTorch
        loss.backward()
        opt.step()
    return float(loss.item())


def grads() -> torch.Tensor | None:
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    z = (w**2 * 3.0 + 1).exp().log().mean()
    z.backward()
    with torch.no_grad():
        w -= 0.1 * (w.grad if w.grad is not None else torch.zeros_like(w))
    (g,) = torch.autograd.grad((w * w).sum(), [w])
    assert g is not None
    assert_close(g, 2 * w.detach())
    return w.grad


def interop() -> np.ndarray:
    t = torch.from_numpy(np.ones((2, 2), dtype=np.float32))
    shared = torch.from_dlpack(np.zeros(3))
    dot: str = torch.viz.to_dot(t @ t)
    assert dot and shared.shape == (3,)
    view: np.ndarray = np.from_dlpack(t)
    view[0, 0] = 2.0
    return t.numpy()


if __name__ == "__main__":
    print(train(5), grads(), interop())
