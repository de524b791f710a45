"""Thread controls, and results that do not depend on the number of OpenMP threads."""

import numpy as np
import pytest

import fastgrad as torch


@pytest.fixture
def restore_threads():
    n = torch.get_num_threads()
    yield
    torch.set_num_threads(n)


def _results():
    torch.manual_seed(0)
    x = torch.rand(1 << 20)
    m = torch.rand(700, 300, requires_grad=True)
    w = torch.rand(300, 130)
    out = m @ w
    out.sum().backward()
    return [
        x.sum().numpy(),
        x.reshape(1024, 1024).sum(0).numpy(),
        x.reshape(1024, 1024).sum(1).numpy(),
        out.detach().numpy(),
        m.grad.numpy(),
    ]


def test_results_are_bit_identical_for_1_and_2_threads(restore_threads):
    torch.set_num_threads(1)
    one = _results()
    torch.set_num_threads(2)
    two = _results()
    for a, b in zip(one, two):
        assert np.array_equal(a, b)


def test_set_num_threads_validates(restore_threads):
    torch.set_num_threads(1)
    assert torch.get_num_threads() == 1
    with pytest.raises(RuntimeError, match="positive"):
        torch.set_num_threads(0)
