"""Memory: a long training loop keeps a flat resident size; saved tensors die after backward;
reference cycles through Python hooks and autograd.Function contexts are collected by gc."""

import gc
import os
import weakref

import numpy as np
import pytest

import fastgrad as torch
import fastgrad.nn.functional as F

PAGE = os.sysconf("SC_PAGESIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def test_training_loop_of_10000_steps_has_flat_rss():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(32, 8)
    y = torch.randn(32, 1)

    def step():
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(500):  # warm-up: allocator caches, interned types, hypothesis-free baseline
        step()
    gc.collect()
    before = rss_bytes()
    for _ in range(10_000):
        loss = step()
    gc.collect()
    growth = rss_bytes() - before
    # A leak of one 32x16 float buffer per step would be 20 MB; allow allocator noise only.
    assert growth < 2 * 2**20, f"RSS grew by {growth / 2**20:.2f} MiB over 10,000 steps"
    assert loss.item() < 10


def _saved_numpy_backed_tensor():
    """A tensor over a NumPy array (so a weakref to the array tells whether anything still holds
    the tensor's storage), and a graph that saves it: MulBackward0 keeps h for w's gradient."""
    arr = np.linspace(0.0, 1.0, 100)
    h = torch.from_numpy(arr)
    w = torch.rand(100, dtype=torch.float64, requires_grad=True)
    return weakref.ref(arr), w, (w * h).sum()


def test_saved_tensors_are_released_after_backward():
    ref, w, y = _saved_numpy_backed_tensor()
    gc.collect()
    assert ref() is not None  # held by the graph only
    y.backward()
    gc.collect()
    assert ref() is None  # released by backward (retain_graph=False) although y lives on
    np.testing.assert_allclose(w.grad.numpy(), np.linspace(0.0, 1.0, 100))


def test_saved_tensors_kept_with_retain_graph_then_released_with_the_graph():
    ref, w, y = _saved_numpy_backed_tensor()
    y.backward(retain_graph=True)
    gc.collect()
    assert ref() is not None
    y.backward()
    gc.collect()
    assert ref() is None


@pytest.mark.xfail(
    reason="known gap: Python hooks are held by C++ nodes, invisible to gc (docs/reliability.md)"
)
def test_cycle_through_a_tensor_hook_is_collected():
    x = torch.rand(3, requires_grad=True)
    y = x * 2

    class Holder:
        pass

    holder = Holder()
    holder.y = y
    # The hook's closure holds holder, which holds y, whose grad_fn holds the hook: a cycle.
    y.register_hook(lambda g, h=holder: g)
    ref = weakref.ref(holder)
    y.sum().backward()
    del holder, y
    gc.collect()
    assert ref() is None


@pytest.mark.xfail(
    reason="known gap: Python hooks are held by C++ nodes, invisible to gc (docs/reliability.md)"
)
def test_cycle_through_a_leaf_hook_is_collected():
    class Holder:
        pass

    x = torch.rand(3, requires_grad=True)
    holder = Holder()
    holder.x = x
    x.register_hook(lambda g, h=holder: g)
    ref = weakref.ref(holder)
    del holder, x
    gc.collect()
    assert ref() is None


def test_cycle_through_a_function_context_is_collected():
    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.me = ctx  # a direct cycle through the context
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    class Marker:
        pass

    x = torch.rand(3, requires_grad=True)
    y = Square.apply(x)
    marker = Marker()
    ref = weakref.ref(marker)
    y.grad_fn.marker = marker  # the context also holds the output that holds the context
    y.grad_fn.out = y
    del marker
    y.sum().backward(retain_graph=True)
    assert torch.allclose(x.grad, 2 * x.detach())
    del y
    gc.collect()
    assert ref() is None
