"""Deep and wide graphs backward and free without recursion (the engine is iterative).

The 10-million-op chain and the million-consumer fan-out run in C++ (tests/cpp/test_stress.cpp);
here the same graphs go through the Python API at a size that keeps the suite fast, still far
beyond any recursion limit (a recursive free would overflow the C stack near 50-100k nodes)."""

import gc

import pytest

import fastgrad as torch

N = 300_000  # graph nodes
C = 1.0000001
D = 1e-6


def test_deep_chain_backward_then_delete():
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


def test_deep_chain_deleted_without_backward():
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


def test_one_node_feeding_many_consumers():
    n = 100_000
    x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    h = x * 1.5
    outs = [h * 2.0 for _ in range(n)]
    torch.autograd.backward(outs, [torch.tensor(1.0, dtype=torch.float64)] * n)
    assert x.grad.item() == 3.0 * n
    del outs, h
    gc.collect()
    assert x.is_leaf
