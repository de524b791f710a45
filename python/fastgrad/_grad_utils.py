"""Helpers shared by nn.Module and optim.Optimizer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def zero_grads(params: Iterable[Any], set_to_none: bool = True) -> None:
    """Module.zero_grad / Optimizer.zero_grad: drop each .grad, or zero it in place (detached
    first, as PyTorch does, so a gradient built with create_graph stops tracking history)."""
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
            continue
        if p.grad.grad_fn is not None:
            p.grad.detach_()
        else:
            p.grad.requires_grad_(False)
        p.grad.zero_()
