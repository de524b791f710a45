"""Tensor hooks, retain_grad, torch.autograd.grad(allow_unused=...), torch.inference_mode.

Expectations (call counts, ordering, messages) were validated against PyTorch.
"""

import re

import pytest
from op_helpers import F64

import fastgrad as torch

UNUSED = (
    "The differentiated Tensor at index 1 appears to not have been used in the graph. "
    "Set allow_unused=True if this is the desired behavior."
)


def leaf(*data):
    return torch.tensor(list(data), dtype=F64, requires_grad=True)


# ---------------------------------------------------------------------------------------------
# register_hook
# ---------------------------------------------------------------------------------------------
def test_leaf_hook_sees_gradient():
    x = leaf(1.0, 2.0)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    (x * x * 3).sum().backward()
    assert seen == [[6.0, 12.0]]
    assert x.grad.tolist() == [6.0, 12.0]  # a hook returning None leaves the gradient alone


def test_leaf_hook_return_value_replaces_gradient():
    x = leaf(1.0, 2.0)
    x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward()
    assert x.grad.tolist() == [30.0, 30.0]


def test_non_leaf_hook_sees_and_replaces_gradient():
    x = leaf(1.0, 2.0)
    y = x * 2
    seen = []

    def hook(g):
        seen.append(g.tolist())
        return g + 1

    y.register_hook(hook)
    (y * y).sum().backward()
    assert seen == [[4.0, 8.0]]  # d(y*y)/dy = 2y
    assert x.grad.tolist() == [10.0, 18.0]  # (2y + 1) * 2 flows on to x


def test_hook_does_not_run_for_unrelated_backward():
    x = leaf(1.0)
    y = leaf(2.0)
    calls = []
    x.register_hook(lambda g: calls.append(1))
    (y * 2).sum().backward()
    assert calls == []


def test_handle_remove_stops_hook():
    x = leaf(1.0, 2.0)
    calls = []
    handle = x.register_hook(lambda g: calls.append(g.tolist()) or g * 100)
    (x * 3).sum().backward()
    assert calls == [[3.0, 3.0]] and x.grad.tolist() == [300.0, 300.0]
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert calls == [[3.0, 3.0]]
    assert x.grad.tolist() == [3.0, 3.0]
    handle.remove()  # removing twice is harmless


def test_remove_one_of_two_hooks():
    y0 = leaf(1.0)
    y = y0 * 1
    calls = []
    h1 = y.register_hook(lambda g: calls.append("a"))
    y.register_hook(lambda g: calls.append("b"))
    h1.remove()
    (y * 2).backward()
    assert calls == ["b"]


@pytest.mark.parametrize("on", ["leaf", "non-leaf"])
def test_hook_on_tensor_used_twice_runs_once_with_summed_gradient(on):
    x = leaf(1.0, 2.0)
    t = x if on == "leaf" else x * 1
    calls = []
    t.register_hook(lambda g: calls.append(g.tolist()))
    (t * 3 + t * t).sum().backward()
    assert calls == [[5.0, 7.0]]  # 3 + 2t
    assert x.grad.tolist() == [5.0, 7.0]


def test_hooks_run_in_registration_order_and_chain():
    x = leaf(1.0)
    order = []

    def first(g):
        order.append(("first", g.item()))
        return g * 2

    def second(g):
        order.append(("second", g.item()))  # sees first's result
        return g + 1

    x.register_hook(first)
    x.register_hook(second)
    (x * 5).sum().backward()
    assert order == [("first", 5.0), ("second", 10.0)]
    assert x.grad.item() == 11.0


def test_hooks_run_on_every_backward_and_grads_accumulate():
    x = leaf(1.0, 2.0)
    calls = []
    x.register_hook(lambda g: calls.append(1) or g * 2)
    y = (x * 3).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert len(calls) == 2
    assert x.grad.tolist() == [12.0, 12.0]


def test_hook_runs_under_autograd_grad():
    x = leaf(1.0, 2.0)
    y = x * 2
    y.register_hook(lambda g: g * 10)
    (gx,) = torch.autograd.grad((y * 3).sum(), x, retain_graph=True)
    assert gx.tolist() == [60.0, 60.0]
    # The hook of an input of autograd.grad also applies to what is returned for it.
    (gy,) = torch.autograd.grad((y * 3).sum(), y)
    assert gy.tolist() == [30.0, 30.0]


def test_hook_on_tensor_without_grad_raises():
    with pytest.raises(
        RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"
    ):
        torch.tensor([1.0]).register_hook(lambda g: g)


def test_hook_changing_shape_raises():
    x = leaf(1.0, 2.0)
    x.register_hook(lambda g: torch.ones(3, dtype=F64))
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        (x * 1).sum().backward()


# ---------------------------------------------------------------------------------------------
# retain_grad
# ---------------------------------------------------------------------------------------------
def test_retain_grad_accumulates_across_backward_calls():
    x = leaf(1.0, 2.0)
    y = x * 2
    y.retain_grad()
    assert y.retains_grad
    z = (y * y).sum()
    z.backward(retain_graph=True)
    assert y.grad.tolist() == [4.0, 8.0]
    z.backward()
    assert y.grad.tolist() == [8.0, 16.0]
    assert x.grad.tolist() == [16.0, 32.0]


def test_retain_grad_on_several_intermediates():
    x = leaf(3.0)
    a = x * 2
    b = a + 1
    c = b * b
    for t in (a, b, c):
        t.retain_grad()
    c.backward()
    assert (a.grad.item(), b.grad.item(), c.grad.item()) == (14.0, 14.0, 1.0)
    assert x.grad.item() == 28.0


@pytest.mark.parametrize("hook_first", [True, False], ids=["hook-then-retain", "retain-then-hook"])
def test_retained_grad_sees_hooked_gradient(hook_first):
    # PyTorch runs the retain_grad hook after all other tensor hooks, whatever the order.
    x = leaf(1.0, 2.0)
    y = x * 2
    if hook_first:
        y.register_hook(lambda g: g * 100)
        y.retain_grad()
    else:
        y.retain_grad()
        y.register_hook(lambda g: g * 100)
    (y * 1).sum().backward()
    assert y.grad.tolist() == [100.0, 100.0]
    assert x.grad.tolist() == [200.0, 200.0]


# ---------------------------------------------------------------------------------------------
# torch.autograd.grad with unused inputs
# ---------------------------------------------------------------------------------------------
def test_autograd_grad_unused_input_raises():
    a = leaf(1.0)
    b = leaf(2.0)
    with pytest.raises(RuntimeError, match=re.escape(UNUSED)):
        torch.autograd.grad((a * 2).sum(), [a, b])
    with pytest.raises(RuntimeError, match=re.escape(UNUSED.replace("index 1", "index 0"))):
        torch.autograd.grad((a * 2).sum(), b)


def test_autograd_grad_allow_unused_returns_none():
    a = leaf(1.0, 2.0)
    b = leaf(3.0)
    ga, gb = torch.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)
    assert ga.tolist() == [2.0, 2.0]
    assert gb is None
    (gb,) = torch.autograd.grad((a * b).sum(), [b], allow_unused=True)  # used: a real gradient
    assert gb.tolist() == [3.0]


def test_autograd_grad_input_reached_only_through_detach_is_unused():
    a = leaf(1.0)
    b = leaf(2.0)
    out = (a * b.detach()).sum()
    with pytest.raises(RuntimeError, match=re.escape(UNUSED)):
        torch.autograd.grad(out, [a, b], retain_graph=True)
    ga, gb = torch.autograd.grad(out, [a, b], allow_unused=True)
    assert ga.tolist() == [2.0] and gb is None


@pytest.mark.parametrize("kind", ["leaf", "non-leaf"])
def test_autograd_grad_of_a_tensor_with_respect_to_itself(kind):
    # The identity: the gradient is grad_outputs (gradcheck of ops that return their input, like
    # contiguous() on a contiguous tensor, relies on it).
    x = leaf(1.0, 2.0)
    t = x if kind == "leaf" else x * 1
    (g,) = torch.autograd.grad(t, t, torch.tensor([3.0, 4.0], dtype=F64))
    assert g.tolist() == [3.0, 4.0]


def test_autograd_grad_materialize_grads():
    a = leaf(1.0)
    b = leaf(2.0, 3.0)
    ga, gb = torch.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True)
    assert ga.tolist() == [2.0]
    assert gb.tolist() == [0.0, 0.0] and gb.dtype == F64


# ---------------------------------------------------------------------------------------------
# torch.inference_mode
# ---------------------------------------------------------------------------------------------
def test_inference_mode_context():
    x = leaf(1.0, 2.0)
    assert not torch.is_inference_mode_enabled()
    with torch.inference_mode():
        assert torch.is_inference_mode_enabled()
        assert not torch.is_grad_enabled()
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert y.tolist() == [2.0, 4.0]
    assert not torch.is_inference_mode_enabled() and torch.is_grad_enabled()
    assert (x * 2).requires_grad


def test_inference_mode_decorator():
    x = leaf(1.0)

    @torch.inference_mode()
    def f(t):
        assert torch.is_inference_mode_enabled()
        return t * 2

    @torch.inference_mode
    def g(t):
        return t * 3

    assert not f(x).requires_grad
    assert not g(x).requires_grad
    assert f.__name__ == "f"
    assert not torch.is_inference_mode_enabled()


def test_inference_mode_false_and_nesting():
    x = leaf(1.0)
    with torch.inference_mode():
        with torch.inference_mode(False):
            assert not torch.is_inference_mode_enabled()
            assert torch.is_grad_enabled()
        assert torch.is_inference_mode_enabled()
    with torch.inference_mode(mode=False):
        assert not torch.is_inference_mode_enabled()
        assert (x * 2).requires_grad


def test_inference_mode_restored_after_exception():
    with pytest.raises(ValueError), torch.inference_mode():
        raise ValueError
    assert not torch.is_inference_mode_enabled()
    assert torch.is_grad_enabled()


def test_no_grad_is_not_inference_mode():
    with torch.no_grad():
        assert not torch.is_inference_mode_enabled()
        assert not torch.is_grad_enabled()


def test_inference_tensors():
    x = leaf(1.0)
    with torch.inference_mode():
        t = torch.ones(2)
        u = x * 2
    assert t.is_inference() and u.is_inference()
    assert not x.is_inference() and not (x * 2).is_inference()
    with torch.no_grad():
        assert not torch.ones(1).is_inference()


def test_inference_tensor_cannot_be_saved_for_backward():
    x = leaf(1.0, 2.0)
    with torch.inference_mode():
        t = torch.ones(2, dtype=F64)
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
        t * x  # noqa: B018
    (t.clone() * x).sum().backward()  # a clone is a normal tensor
    assert x.grad.tolist() == [1.0, 1.0]


def test_inference_tensor_in_place_outside_raises():
    with torch.inference_mode():
        t = torch.ones(2)
        t.add_(1)  # fine inside
    with pytest.raises(
        RuntimeError,
        match="Inplace update to inference tensor outside InferenceMode is not allowed",
    ):
        t.add_(1)
    with pytest.raises(
        RuntimeError,
        match="Setting requires_grad=True on inference tensor outside InferenceMode is not allowed",
    ):
        t.requires_grad_()
