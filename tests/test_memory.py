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


def test_cycle_through_a_post_accumulate_grad_hook_is_collected():
    class Holder:
        pass

    w = torch.rand(3, requires_grad=True)
    holder = Holder()
    holder.w = w
    w.register_post_accumulate_grad_hook(lambda p, h=holder: None)
    (w * 2).sum().backward()  # the hook ran; the graph is gone
    ref = weakref.ref(holder)
    del holder, w
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


class _Holder:
    pass


def test_function_output_is_the_object_forward_returned():
    class Double(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.out = x * 2
            return ctx.out

        @staticmethod
        def backward(ctx, g):
            return 2 * g

    x = torch.rand(3, requires_grad=True)
    y = Double.apply(x)
    ctx_ref = []

    class Keep(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x * 3
            ctx_ref.append(out)
            return out

        @staticmethod
        def backward(ctx, g):
            return 3 * g

    z = Keep.apply(x)
    assert z is ctx_ref[0]  # as in PyTorch
    assert z.grad_fn is not None and z.requires_grad
    (y + z).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 5.0))


def test_cycle_through_a_function_context_attribute_holding_the_output_is_collected():
    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x.exp()
            ctx.out = out  # ctx -> output -> its node -> ctx: a cycle through C++
            return out

        @staticmethod
        def backward(ctx, g):
            return g * ctx.out

    for run_backward in (False, True):
        x = torch.rand(3, requires_grad=True)
        y = Exp.apply(x)
        marker = _Holder()
        y.marker = marker  # the output's __dict__: freed only if the cycle is
        ref = weakref.ref(marker)
        del marker
        if run_backward:
            y.sum().backward()
            np.testing.assert_allclose(x.grad.numpy(), np.exp(x.detach().numpy()), rtol=1e-6)
        del y
        gc.collect()
        assert ref() is None


class _Marker:
    pass


def test_tensors_returned_by_each_binding_path_are_whole_objects_that_free_their_storage():
    # Op results are made by new_tensor_object (csrc/bindings/convert.cpp), not by pybind11's
    # generic cast: each must take attributes and weak references, be tracked by gc, and free
    # its C++ tensor (here: release a NumPy array's memory) when its last reference goes.
    arr = np.arange(12.0)
    ref = weakref.ref(arr)
    h = torch.from_numpy(arr)
    del arr
    w = torch.zeros(12, dtype=torch.float64, requires_grad=True)
    w.grad = h
    x = torch.ones(12, dtype=torch.float64, requires_grad=True)
    (gx,) = torch.autograd.grad((x * h).sum(), x)  # the autograd.grad path; gx holds h's values
    results = {
        "method (pybind11 dispatcher)": h.view(3, 4),
        "module function": torch.reshape(h, (4, 3)),
        "number slot": -h,
        ".grad getter": w.grad,
        "in-place method (returns self)": h.detach().mul_(1),
    }
    marker_refs = []
    for name, r in results.items():
        assert type(r) is torch.Tensor, name
        assert gc.is_tracked(r), name
        marker = _Marker()
        r.marker = marker
        marker_refs.append(weakref.ref(marker))
        assert weakref.ref(r)() is r, name
    np.testing.assert_array_equal(gx.numpy(), np.arange(12.0))
    np.testing.assert_array_equal(
        results["method (pybind11 dispatcher)"].numpy().ravel(), gx.numpy()
    )
    del h, w, x, gx, r, marker
    assert ref() is not None  # the views and the .grad still hold the array
    views = [results.pop(k) for k in ("method (pybind11 dispatcher)", "module function")]
    views.append(results.pop(".grad getter"))
    views.append(results.pop("in-place method (returns self)"))
    assert ref() is not None
    del views  # reference counting alone frees them: no gc.collect()
    assert ref() is None
    results.clear()
    assert all(m() is None for m in marker_refs)


def test_a_tensor_freed_while_an_exception_is_pending_runs_python_code_in_its_destructor():
    # `[t] + 1` fails and the interpreter then drops the list with the TypeError set: the
    # tensor's destructor frees its hook, whose __del__ runs Python code. tensor_dealloc must
    # set the pending error aside meanwhile (without that: SystemError, error lost).
    log = []

    class Hook:
        def __call__(self, g):
            return g

        def __del__(self):
            log.append(sum(i for i in range(3)))  # a generator: its StopIteration is an error

    def hooked():
        t = torch.rand(2, requires_grad=True) * 1
        t.register_hook(Hook())
        return t

    for _ in range(3):
        with pytest.raises(TypeError, match="can only concatenate list"):
            [hooked()] + 1  # noqa: RUF005
    assert log == [3, 3, 3]


def test_gc_sees_a_hook_only_through_the_sole_wrapper_of_a_tensor():
    x = torch.rand(3, requires_grad=True)
    y = x * 2

    def hook(g):
        return g

    y._register_hook(hook)
    x._register_hook(hook)
    assert any(r is hook for r in gc.get_referents(y))
    alias = +y  # a second Python object for the same tensor: neither may claim the hook
    assert alias is not y
    assert not any(r is hook for r in gc.get_referents(y))
    assert not any(r is hook for r in gc.get_referents(alias))
    del alias
    assert any(r is hook for r in gc.get_referents(y))
    # x is shared with y's graph (its AccumulateGrad holds it): its hook is not claimed.
    assert not any(r is hook for r in gc.get_referents(x))
    del y
    assert any(r is hook for r in gc.get_referents(x))
    # A node kept by a downstream node is not claimed either.
    y = x * 2
    y._register_hook(hook)
    z = y * 3
    assert not any(r is hook for r in gc.get_referents(y))
    del z
    assert any(r is hook for r in gc.get_referents(y))
    # While C++ runs without the GIL (here: a backward, whose hook asks), gc claims nothing.
    seen = []
    w = torch.rand(3, requires_grad=True)
    v = w * 2
    v._register_hook(lambda g: seen.append(any(r is hook for r in gc.get_referents(y))))
    v.sum().backward()
    assert seen == [False]


def test_a_hook_of_a_tensor_with_two_python_objects_still_runs_after_gc():
    calls = []
    x = torch.rand(3, requires_grad=True)
    y = x * 2
    holder = _Holder()
    holder.y = y

    def hook(g, h=holder):
        calls.append(h)
        return g * 10

    y.register_hook(hook)
    keep = +y  # the same tensor through another Python object
    holder_ref = weakref.ref(holder)
    del holder, y, hook
    gc.collect()
    assert holder_ref() is not None  # reachable through keep's tensor: must survive
    keep.sum().backward()
    assert len(calls) == 1
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 20.0))


def test_a_leaf_hook_of_a_tensor_with_two_python_objects_still_runs_after_gc():
    calls = []
    x = torch.rand(3, requires_grad=True)
    holder = _Holder()
    holder.x = x
    x.register_hook(lambda g, h=holder: calls.append(h) or g * 3)
    keep = +x
    holder_ref = weakref.ref(holder)
    del holder, x
    gc.collect()
    assert holder_ref() is not None
    (keep * 2).sum().backward()
    assert len(calls) == 1
    np.testing.assert_allclose(keep.grad.numpy(), np.full(3, 6.0))


def test_a_cycle_that_only_the_tensor_can_break_is_collected():
    # A tuple and a bound builtin method cannot be cleared by gc: only the tensor's tp_clear,
    # which drops its hooks' callables, breaks tensor -> t.count -> t -> tensor.
    x = torch.rand(3, requires_grad=True)
    y = x * 2
    t = (y,)
    y._register_hook(t.count)
    leaf = torch.rand(3, requires_grad=True)
    leaf._register_hook((leaf,).count)
    refs = [weakref.ref(y), weakref.ref(leaf)]
    del y, t, leaf
    gc.collect()
    assert [r() for r in refs] == [None, None]


def test_many_hook_cycles_are_all_collected():
    refs = []
    for i in range(300):
        x = torch.rand(4, requires_grad=True)
        y = (x * 2).sin()
        holder = _Holder()
        # A leaf in a cycle with no graph using it, and a non-leaf with x in its graph.
        leaf = torch.rand(4, requires_grad=True)
        holder.leaf, holder.x, holder.y = leaf, x, y
        leaf.register_hook(lambda g, h=holder: g)
        y.register_hook(lambda g, h=holder: g)
        if i % 2:
            y.sum().backward()
        refs.append(weakref.ref(holder))
        del x, y, leaf, holder
    gc.collect()
    assert all(r() is None for r in refs)


def _train_with_hooks(collect_every):
    # An MLP whose parameters and activations carry hooks (some in cycles), trained with
    # gc.collect() called from inside hooks and between steps.
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    seen = {"n": 0}

    def count(g):
        seen["n"] += 1
        if collect_every and seen["n"] % collect_every == 0:
            gc.collect()
        return g

    for p in model.parameters():
        p.register_hook(count)
    data = torch.rand(32, 8)
    target = data.sum(1, keepdim=True)
    losses = []
    for step in range(40):
        h = model[0](data)
        holder = _Holder()
        holder.h = h
        h.register_hook(lambda g, k=holder: count(g))  # a cycle per step
        out = model[2](model[1](h))
        loss = ((out - target) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        del h, holder, out, loss
        if collect_every and step % 3 == 0:
            gc.collect()
    return losses, seen["n"]


def test_gc_inside_hook_heavy_training_changes_nothing():
    ref_losses, ref_calls = _train_with_hooks(collect_every=0)
    losses, calls = _train_with_hooks(collect_every=2)
    assert calls == ref_calls == 40 * 5
    assert losses == ref_losses
    assert losses[-1] < losses[0]


def test_gc_from_another_thread_during_backward_with_hooks():
    import threading
    import time

    stop = threading.Event()

    def collect():
        while not stop.is_set():
            gc.collect(0)
            time.sleep(0)  # lets the main thread take the GIL back

    thread = threading.Thread(target=collect)
    thread.start()
    try:
        for _ in range(60):
            # 2**17 elements: ops and backward run with the GIL released.
            x = torch.rand(1 << 17, requires_grad=True)
            y = x * 2
            z = y.exp()
            holder = _Holder()
            holder.y, holder.z = y, z
            calls = []
            y.register_hook(lambda g, h=holder, c=calls: c.append(1) or g)
            z.register_hook(lambda g, h=holder, c=calls: c.append(2) or g)
            x.register_hook(lambda g, h=holder, c=calls: c.append(3) or g)
            del y, holder
            z.sum().backward()
            assert calls == [2, 1, 3]
            np.testing.assert_allclose(
                x.grad.numpy(), 2 * np.exp(2 * x.detach().numpy()), rtol=1e-5
            )
            del x, z
    finally:
        stop.set()
        thread.join()


def test_graph_works_after_unrelated_garbage_is_collected():
    x = torch.rand(5, requires_grad=True)
    calls = []
    y = (x * 3).tanh()
    y.register_hook(lambda g: calls.append("y") or g)
    x.register_hook(lambda g: calls.append("x") or g)
    for _ in range(50):  # unrelated cyclic garbage, hooks included
        a = torch.rand(2, requires_grad=True)
        b = a * 2
        h = _Holder()
        h.a, h.b = a, b
        b.register_hook(lambda g, k=h: g)
        h.me = h
    del a, b, h
    gc.collect()
    y.sum().backward()
    assert calls == ["y", "x"]
    expected = 3 * (1 - np.tanh(3 * x.detach().numpy()) ** 2)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-5)


def test_the_gil_is_released_only_through_gil_release():
    # tensor_gc.cpp trusts C++ reference counts only while no GilRelease section runs, so a
    # direct py::gil_scoped_release in the bindings would make gc unsafe.
    root = os.path.join(os.path.dirname(__file__), "..", "csrc", "bindings")
    if not os.path.isdir(root):
        pytest.skip("sources not available")
    offenders = []
    for name in os.listdir(root):
        with open(os.path.join(root, name)) as f:
            text = f.read()
        if name != "common.h" and ("gil_scoped_release" in text or "call_guard" in text):
            offenders.append(name)
    assert offenders == []


def test_a_hook_of_a_tensor_also_held_by_a_graph_still_runs_after_gc():
    # x's only Python object is garbage, but a live graph keeps x's tensor (a saved variable
    # that is not an input, so no edge leads to it): gc must not take x's hook for garbage.
    calls = []
    x = torch.rand(3, requires_grad=True)
    holder = _Holder()
    holder.x = x
    x.register_hook(lambda g, h=holder: calls.append(h) or g)

    to_save = [x]

    class UsesX(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(to_save.pop())
            return a * 2

        @staticmethod
        def backward(ctx, g):
            (saved_x,) = ctx.saved_tensors
            with torch.enable_grad():
                (saved_x * 4).sum().backward()  # accumulates into x, running its hook
            return 2 * g

    a = torch.rand(3, requires_grad=True)
    out = UsesX.apply(a)
    holder_ref = weakref.ref(holder)
    del holder, x
    gc.collect()
    assert holder_ref() is not None
    out.sum().backward()
    assert len(calls) == 1
    np.testing.assert_allclose(calls[0].x.grad.numpy(), np.full(3, 4.0))


def test_a_hook_of_a_node_used_downstream_still_runs_after_gc():
    calls = []
    x = torch.rand(3, requires_grad=True)
    y = x * 2
    holder = _Holder()
    holder.y = y
    y.register_hook(lambda g, h=holder: calls.append(h) or g * 5)
    z = y * 3  # z's node keeps y's node (an edge), y's Python object is garbage
    holder_ref = weakref.ref(holder)
    del holder, y
    gc.collect()
    assert holder_ref() is not None
    z.sum().backward()
    assert len(calls) == 1
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 30.0))


def test_large_buffers_start_on_a_huge_page_boundary():
    # Buffers of 2 MiB and more are 2 MiB-aligned and advised for transparent huge pages (on
    # Linux), so that a large read is not slowed by 4 KiB-page TLB misses; smaller ones are
    # 64-byte aligned (up to 16 bytes live inline in the storage object, 16-byte aligned).
    # Reused buffers from the cache keep their alignment.
    for _ in range(2):
        big = [torch.empty(n) for n in (1 << 19, 1 << 20, 3_000_001)]
        assert all(t.data_ptr() % (1 << 21) == 0 for t in big)
        small = [torch.empty(n) for n in (5, 1000, 100_000)]
        assert all(t.data_ptr() % 64 == 0 for t in small)
        del big, small
