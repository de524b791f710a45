"""Bitwise/logical ops, any/all, isclose/allclose/equal, log1p/expm1: values against NumPy,
gradients against finite differences."""

import numpy as np
import pytest

import fastgrad as torch

A = [True, False, True, False]
B = [True, True, False, False]


@pytest.mark.parametrize(
    ("fn", "np_fn"),
    [
        (lambda a, b: a & b, np.logical_and),
        (lambda a, b: a | b, np.logical_or),
        (lambda a, b: a ^ b, np.logical_xor),
        (lambda a, b: ~a, lambda a, b: ~a),
        (lambda a, b: a.logical_and(b), np.logical_and),
        (lambda a, b: torch.logical_or(a, b), np.logical_or),
        (lambda a, b: torch.logical_not(a), lambda a, b: ~a),
    ],
)
def test_bool_logic(fn, np_fn):
    out = fn(torch.tensor(A), torch.tensor(B))
    assert out.dtype == torch.bool
    assert out.tolist() == np_fn(np.array(A), np.array(B)).tolist()


def test_int_bitwise():
    a, b = np.array([5, 3, -2]), np.array([3, 1, 7])
    ta, tb = torch.tensor(a.tolist()), torch.tensor(b.tolist())
    assert (ta & tb).tolist() == (a & b).tolist()
    assert (ta | tb).tolist() == (a | b).tolist()
    assert (ta ^ tb).tolist() == (a ^ b).tolist()
    assert (~ta).tolist() == (~a).tolist()


def test_bitwise_on_float_raises():
    with pytest.raises(RuntimeError, match="bitwise_and_cpu"):
        torch.tensor([1.0]) & torch.tensor([1.0])


def test_any_all():
    x = np.array([[1.0, 0.0], [2.0, 3.0]])
    t = torch.tensor(x.tolist())
    assert t.any().item() and not t.all().item()
    assert t.all(1).tolist() == x.all(1).tolist()
    assert torch.any(t, 0).tolist() == x.any(0).tolist()
    assert t.all(1, keepdim=True).shape == (2, 1)
    assert torch.tensor([True, True]).all().item()
    assert not torch.zeros(0).any().item() and torch.zeros(0).all().item()


def test_isclose_allclose_equal():
    a = torch.tensor([1.0, float("inf"), float("nan"), 2.0])
    b = torch.tensor([1.0 + 1e-9, float("inf"), float("nan"), 2.1])
    assert torch.isclose(a, b).tolist() == [True, True, False, False]
    assert torch.isclose(a, b, equal_nan=True).tolist() == [True, True, True, False]
    assert torch.allclose(a[:2], b[:2]) and not torch.allclose(a, b)
    assert torch.equal(a[:2], a[:2]) and not torch.equal(a[:2], a[:3])


@pytest.mark.parametrize(("name", "np_fn"), [("log1p", np.log1p), ("expm1", np.expm1)])
def test_log1p_expm1(name, np_fn):
    x = np.array([1e-10, 0.3, 2.0, -0.5])
    t = torch.tensor(x.tolist(), dtype=torch.float64, requires_grad=True)
    np.testing.assert_allclose(getattr(t, name)().detach().numpy(), np_fn(x), rtol=1e-14)
    np.testing.assert_allclose(getattr(torch, name)(t).detach().numpy(), np_fn(x), rtol=1e-14)
    assert torch.autograd.gradcheck(lambda v: getattr(v, name)(), (t,))
