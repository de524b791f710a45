"""In-place writes through views of tensors that require grad (CopySlices), checked against
hand-derived gradients and finite differences."""

import numpy as np
import pytest

import fastgrad as torch


def f64(data):
    return torch.tensor(data, dtype=torch.float64, requires_grad=True)


def test_mul_through_row_view_gradients():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = torch.tensor(5.0, requires_grad=True)
    y = x * 1
    y[1].mul_(w)
    (y * y).sum().backward()
    assert x.grad.tolist() == [[2.0, 4.0], [150.0, 200.0]]
    assert w.grad.item() == 250.0
    assert type(y.grad_fn).__name__ == "CopySlices"


def test_zero_through_view_blocks_gradient():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    y[0].zero_()
    y.sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0], [1.0, 1.0]]


@pytest.mark.parametrize(
    "write",
    [
        lambda v, c: v.add_(c),
        lambda v, c: v.sub_(c),
        lambda v, c: v.mul_(c),
        lambda v, c: v.div_(c),
        lambda v, c: v.copy_(c),
        lambda v, c: v.clamp_(0.2, 0.8),
    ],
)
def test_write_through_transposed_view_matches_gradcheck(write):
    def fn(x, c):
        y = x.exp()
        y = y * 1  # a non-leaf whose storage we write into
        write(y.t(), c)
        return (y * y).sum()

    x = f64(np.linspace(-1, 1, 6).reshape(2, 3).tolist())
    c = f64(np.linspace(0.5, 2.0, 6).reshape(3, 2).tolist())
    assert torch.autograd.gradcheck(fn, (x, c))


def test_view_of_leaf_in_place_raises():
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x.view(3).add_(1)


def test_write_through_view_bumps_base_version():
    x = torch.ones(4, requires_grad=True)
    y = x.exp()
    v0 = y._version
    y.view(2, 2)[0].mul_(2)
    assert y._version == v0 + 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_double_backward_through_slice_is_recorded():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = torch.autograd.grad((x[1:] ** 3).sum(), x, create_graph=True)
    assert g.tolist() == [0.0, 12.0, 27.0]
    (g2,) = torch.autograd.grad(g.sum(), x)
    assert g2.tolist() == [0.0, 12.0, 18.0]


def test_double_backward_through_view_write_raises_instead_of_guessing():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y[0] = 5.0
    with pytest.raises(RuntimeError, match="double backward through CopySlices"):
        torch.autograd.grad((y**2).sum(), x, create_graph=True)
