"""A million-node graph must backward and be freed without recursion (the engine is iterative)."""

import gc

import pytest

import fastgrad as torch

N = 1_000_000  # graph nodes; PyTorch itself handles this depth
C = 1.0000001
D = 1e-6


def test_million_op_chain_backward_then_delete():
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    y = x
    expected = 0.5
    for _ in range(N // 2):
        y = y * C
        y = y + D
        expected = expected * C + D
    assert y.item() == pytest.approx(expected, rel=1e-12)
    y.backward()
    assert x.grad.item() == pytest.approx(C ** (N // 2), rel=1e-9)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()
    del y
    gc.collect()
    assert x.grad.item() == pytest.approx(C ** (N // 2), rel=1e-9)
    assert x.is_leaf and x.grad_fn is None


def test_million_op_chain_deleted_without_backward():
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(N):
        y = y * 1.0
    assert y.requires_grad and not y.is_leaf
    del y
    gc.collect()
    # the leaf is intact and a fresh graph still works
    (x * 3).backward()
    assert x.grad.item() == 3.0 and x.item() == 1.0
