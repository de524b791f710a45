"""In-place ops under autograd: leaf rules, recording on non-leaves, version counters."""

import numpy as np
import pytest

import fastgrad as torch

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
MODIFIED = (
    "one of the variables needed for gradient computation has been modified by an inplace operation"
)


def iadd(t, v):
    t += v
    return t


def isub(t, v):
    t -= v
    return t


def imul(t, v):
    t *= v
    return t


def idiv(t, v):
    t /= v
    return t


INPLACE = [
    ("add_", lambda t: t.add_(2.0)),
    ("sub_", lambda t: t.sub_(2.0)),
    ("mul_", lambda t: t.mul_(3.0)),
    ("div_", lambda t: t.div_(2.0)),
    ("zero_", lambda t: t.zero_()),
    ("fill_", lambda t: t.fill_(5.0)),
    ("clamp_", lambda t: t.clamp_(1.5, 3.0)),
    ("iadd", lambda t: iadd(t, 2.0)),
    ("isub", lambda t: isub(t, 2.0)),
    ("imul", lambda t: imul(t, 3.0)),
    ("idiv", lambda t: idiv(t, 2.0)),
    ("add_tensor", lambda t: t.add_(torch.tensor([1.0, 1.0]))),
    ("mul_tensor", lambda t: t.mul_(torch.tensor([2.0, 3.0]))),
]
IDS = [name for name, _ in INPLACE]

# value after the op applied to [1, 2], and d(sum(out))/d(input)
EXPECTED = {
    "add_": ([3.0, 4.0], [1.0, 1.0]),
    "sub_": ([-1.0, 0.0], [1.0, 1.0]),
    "mul_": ([3.0, 6.0], [3.0, 3.0]),
    "div_": ([0.5, 1.0], [0.5, 0.5]),
    "zero_": ([0.0, 0.0], [0.0, 0.0]),
    "fill_": ([5.0, 5.0], [0.0, 0.0]),
    "clamp_": ([1.5, 2.0], [0.0, 1.0]),
    "iadd": ([3.0, 4.0], [1.0, 1.0]),
    "isub": ([-1.0, 0.0], [1.0, 1.0]),
    "imul": ([3.0, 6.0], [3.0, 3.0]),
    "idiv": ([0.5, 1.0], [0.5, 0.5]),
    "add_tensor": ([2.0, 3.0], [1.0, 1.0]),
    "mul_tensor": ([2.0, 6.0], [2.0, 3.0]),
}
GRAD_FN = {
    "add_": "AddBackward0",
    "sub_": "SubBackward0",
    "mul_": "MulBackward0",
    "div_": "DivBackward0",
    "clamp_": "ClampBackward1",
    "iadd": "AddBackward0",
    "isub": "SubBackward0",
    "imul": "MulBackward0",
    "idiv": "DivBackward0",
    "add_tensor": "AddBackward0",
    "mul_tensor": "MulBackward0",
}


@pytest.mark.parametrize(("name", "op"), INPLACE, ids=IDS)
def test_inplace_on_leaf_requiring_grad_raises(name, op):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=LEAF_INPLACE):
        op(x)
    assert x.tolist() == [1.0, 2.0] and x._version == 0


@pytest.mark.parametrize(("name", "op"), INPLACE, ids=IDS)
def test_inplace_on_leaf_under_no_grad(name, op):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        out = op(x)
    assert out is x
    assert x.tolist() == EXPECTED[name][0]
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    assert x._version == 1


@pytest.mark.parametrize(("name", "op"), INPLACE, ids=IDS)
def test_inplace_on_plain_tensor(name, op):
    x = torch.tensor([1.0, 2.0])
    assert op(x) is x
    assert x.tolist() == EXPECTED[name][0]
    assert x._version == 1 and not x.requires_grad


@pytest.mark.parametrize(("name", "op"), INPLACE, ids=IDS)
def test_inplace_on_non_leaf_is_recorded(name, op):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    before = y.grad_fn
    assert op(y) is y
    assert y.tolist() == EXPECTED[name][0]
    assert not y.is_leaf and y.requires_grad and y.grad_fn is not before
    if name in GRAD_FN:
        assert type(y.grad_fn).__name__ == GRAD_FN[name]
    y.sum().backward()
    assert x.grad.tolist() == EXPECTED[name][1]


def test_inplace_chain_on_non_leaf():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y += 1
    y *= torch.tensor([2.0, 3.0])
    y -= 3
    y /= 2
    assert y.tolist() == [1.5, 6.0]
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 3.0]  # d/dx ((2x + 1) * c - 3) / 2 = c


def test_inplace_multiply_by_own_detach_is_caught():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y *= y.detach()  # the saved operand shares y's version counter
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_inplace_with_tensor_operand_that_requires_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = x * 1
    y.mul_(w)
    y.add_(w)
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 4.0] and w.grad.tolist() == [2.0, 3.0]


def test_inplace_into_plain_tensor_makes_it_part_of_graph():
    c = torch.tensor([1.0, 2.0])
    x = torch.tensor([3.0, 4.0], requires_grad=True)
    c.mul_(x)
    assert c.requires_grad and not c.is_leaf
    assert type(c.grad_fn).__name__ == "MulBackward0"
    c.sum().backward()
    assert x.grad.tolist() == [1.0, 2.0]


def test_inplace_result_broadcast_shape_mismatch_raises():
    with pytest.raises(
        RuntimeError, match=r"output with shape \[2\] doesn't match the broadcast shape"
    ):
        torch.zeros(2).add_(torch.ones(3, 2))


def test_inplace_float_into_int_raises():
    with pytest.raises(
        RuntimeError, match="result type Float can't be cast to the desired output type Long"
    ):
        torch.zeros(2, dtype=torch.int64).add_(1.5)
    assert torch.ones(2, dtype=torch.int64).mul_(2).tolist() == [2, 2]


# --- the seed training loop ----------------------------------------------------------------------


def test_gradient_descent_under_no_grad():
    w = torch.tensor(1.0, requires_grad=True)
    grads = []
    for _ in range(3):
        x = torch.tensor(2.0)
        target = torch.tensor(5.0)
        loss = (w * x - target) ** 2
        loss.backward()
        grads.append(w.grad.item())
        with torch.no_grad():
            w -= 0.1 * w.grad
        assert w.is_leaf and w.requires_grad and w.grad_fn is None
        w.grad.zero_()
    assert grads == [-12.0, -2.3999996185302734, -0.4799995422363281]
    assert w._version == 3


def test_update_through_data_and_no_grad_keep_leaf():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    w.data.sub_(0.5 * w.grad)
    assert w.tolist() == [0.0, 0.0] and w.is_leaf and w.requires_grad
    with torch.no_grad():
        w.add_(1)
        w.grad.zero_()
    assert w.tolist() == [1.0, 1.0] and w.grad.tolist() == [0.0, 0.0]


# --- saved tensors modified in place -------------------------------------------------------------


def test_modified_sigmoid_output_raises_at_backward():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)  # the forward call succeeds
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_modified_input_of_mul_raises_at_backward():
    x = torch.tensor(1.0, requires_grad=True)
    a = x * 1
    b = a * a
    a.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        b.backward()


def test_modified_leaf_under_no_grad_raises_at_backward():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    with torch.no_grad():
        x.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_modified_plain_tensor_operand_raises_at_backward():
    c = torch.tensor([1.0, 2.0])
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * c  # saves c
    c.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_modified_through_view_or_detach_raises():
    for alias in (lambda t: t.view(2), lambda t: t.detach()):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        alias(y).add_(1)
        with pytest.raises(RuntimeError, match=MODIFIED):
            y.sum().backward()


# which tensor each op saves: "out" = its result, "in" = its input, "both", or "none"
SAVES = [
    ("exp", lambda a: a.exp(), "out"),
    ("sigmoid", lambda a: a.sigmoid(), "out"),
    ("tanh", lambda a: a.tanh(), "out"),
    ("sqrt", lambda a: a.sqrt(), "out"),
    ("relu", lambda a: a.relu(), "out"),
    ("sin", lambda a: a.sin(), "in"),
    ("cos", lambda a: a.cos(), "in"),
    ("log", lambda a: a.log(), "in"),
    ("pow", lambda a: a**2, "in"),
    ("abs", lambda a: a.abs(), "in"),
    ("clamp", lambda a: a.clamp(0, 5), "in"),
    ("mul_self", lambda a: a * a, "in"),
    ("maximum", lambda a: torch.maximum(a, torch.ones(2)), "in"),
    ("mm", lambda a: a.view(1, 2).mm(a.view(2, 1)), "in"),
    ("max", lambda a: a.max(), "both"),
    ("add", lambda a: a + 1, "none"),
    ("sub", lambda a: a - 1, "none"),
    ("neg", lambda a: -a, "none"),
    ("mul_scalar", lambda a: a * 2, "none"),
    ("div_scalar", lambda a: a / 2, "none"),
    ("sum", lambda a: a.sum(), "none"),
    ("mean", lambda a: a.mean(), "none"),
]


@pytest.mark.parametrize(("name", "fn", "saves"), SAVES, ids=[s[0] for s in SAVES])
@pytest.mark.parametrize("modify", ["in", "out"])
def test_which_tensors_are_saved(name, fn, saves, modify):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1
    y = fn(a)
    (a if modify == "in" else y).add_(1)
    if saves in (modify, "both"):
        with pytest.raises(RuntimeError, match=MODIFIED):
            y.sum().backward()
    else:
        y.sum().backward()
        assert x.grad.shape == (2,)


def test_exp_gradient_uses_saved_output_not_modified_input():
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    a = x * 1
    y = a.exp()
    a.mul_(100)  # exp saved its output, so this is harmless
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.0, 1.0]), rtol=1e-6)


def test_data_write_does_not_bump_version():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1
    b = a * a
    a.data.add_(1)  # .data has its own version counter: no error, silently uses new values
    assert a._version == 0
    b.sum().backward()
    assert x.grad.tolist() == [4.0, 6.0]


# --- version counter -----------------------------------------------------------------------------


def test_version_counter_bumps_on_each_write():
    x = torch.zeros(3)
    assert x._version == 0
    ops = [
        lambda t: t.add_(1),
        lambda t: t.sub_(1),
        lambda t: t.mul_(2),
        lambda t: t.div_(2),
        lambda t: t.zero_(),
        lambda t: t.fill_(2),
        lambda t: t.clamp_(0, 1),
        lambda t: iadd(t, 1),
        lambda t: isub(t, 1),
        lambda t: imul(t, 2),
        lambda t: idiv(t, 2),
    ]
    for i, op in enumerate(ops, start=1):
        op(x)
        assert x._version == i


def test_out_of_place_ops_do_not_bump_version():
    x = torch.ones(3)
    _ = x + 1, x * 2, x.exp(), x.sum(), x.view(3), x.detach(), x.t(), x.reshape(3, 1)
    assert x._version == 0


def test_version_counter_shared_with_views_and_detach():
    x = torch.zeros(4)
    v = x.view(2, 2)
    r = x.reshape(4)
    d = x.detach()
    v.add_(1)
    assert x._version == v._version == r._version == d._version == 1
    d.mul_(3)
    assert x._version == v._version == 2
    t = v.t()
    t.sub_(1)
    assert x._version == 3 and x.tolist() == [2.0, 2.0, 2.0, 2.0]
    e = x.expand(2, 4)
    assert e._version == 3


def test_version_of_new_tensor_starts_at_zero():
    x = torch.zeros(2)
    x.add_(1)
    assert (x + 0)._version == 0
    assert x.double()._version == 0
