"""Numerical edge cases give PyTorch's values and PyTorch's subgradients, one line per case.
(Expected values were taken from PyTorch 2.x's documented behaviour.)"""

import math

import numpy as np
import pytest

import fastgrad as torch
import fastgrad.nn.functional as F

inf, nan = math.inf, math.nan


def _same(got, want):
    got = np.asarray(got)
    np.testing.assert_array_equal(got, np.asarray(want, np.float64).astype(got.dtype))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(
    "fn, x, want",
    [
        (torch.sigmoid, [-1000.0, 1000.0, 0.0], [0.0, 1.0, 0.5]),
        (torch.tanh, [-1000.0, 1000.0], [-1.0, 1.0]),
        (torch.log, [0.0, -0.0, -1.0, inf], [-inf, -inf, nan, inf]),
        (torch.sqrt, [-1.0, 0.0, inf], [nan, 0.0, inf]),
        (torch.exp, [-inf, inf, 1000.0], [0.0, inf, inf]),
        (lambda t: torch.pow(t, 0.5), [-8.0, 4.0], [nan, 2.0]),
        (lambda t: torch.pow(t, 1.0 / 3.0), [-8.0], [nan]),
        (lambda t: torch.pow(t, 2.0), [-3.0], [9.0]),
        (lambda t: torch.pow(t, 0.0), [0.0, nan, -inf], [1.0, 1.0, 1.0]),
        (lambda t: t * 0.0, [inf, -inf, nan], [nan, nan, nan]),
        (lambda t: t / 0.0, [1.0, -1.0, 0.0], [inf, -inf, nan]),
        (lambda t: t - t, [inf], [nan]),
        (torch.relu, [nan, -inf, inf], [nan, 0.0, inf]),
        (lambda t: t.clamp(-1, 1), [nan, -inf, inf], [nan, -1.0, 1.0]),
        (lambda t: torch.maximum(t, torch.zeros_like(t)), [nan, -1.0], [nan, 0.0]),
        (lambda t: torch.softmax(t, 0), [1000.0, 1000.0], [0.5, 0.5]),
        (lambda t: torch.log_softmax(t, 0), [-inf, 0.0], [-inf, 0.0]),
        (lambda t: torch.logsumexp(t, 0), [1000.0, 1000.0], [1000.0 + math.log(2)]),
        (lambda t: torch.logsumexp(t, 0), [-inf, -inf], [-inf]),
        (lambda t: t.sum(), [inf, -inf], [nan]),
        (lambda t: t.max(), [1.0, nan, 3.0], [nan]),
        (lambda t: t.mean(), [], [nan]),
    ],
)
def test_values(fn, x, want, dtype):
    with np.errstate(all="ignore"):
        got = fn(torch.tensor(x, dtype=dtype))
    _same(got.numpy().reshape(-1), want)


def test_bce_clamps_log_at_minus_100():
    p = torch.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    t = torch.tensor([0.0, 1.0, 1.0, 0.0])
    loss = F.binary_cross_entropy(p, t, reduction="none")
    _same(loss.detach().numpy(), [0.0, 0.0, 100.0, 100.0])
    loss.sum().backward()
    # PyTorch clamps the gradient's denominator max(p(1-p), 1e-12): finite, not inf/nan
    assert np.isfinite(p.grad.numpy()).all()
    g = p.grad.numpy()
    assert g[2] < -1e11 and g[3] > 1e11


def test_bce_with_logits_at_extremes_is_finite():
    x = torch.tensor([-1000.0, 1000.0])
    t = torch.tensor([1.0, 0.0])
    _same(F.binary_cross_entropy_with_logits(x, t, reduction="none").numpy(), [1000.0, 1000.0])


GRADS = [
    # (forward, input, expected gradient of sum(forward(x)))
    (torch.relu, [-1.0, 0.0, 2.0], [0.0, 0.0, 1.0]),  # relu'(0) = 0
    (torch.abs, [-2.0, 0.0, 3.0], [-1.0, 0.0, 1.0]),  # abs'(0) = 0
    (lambda x: x.clamp(-1.0, 1.0), [-1.0, 1.0, 1.5, -2.0, 0.0], [1.0, 1.0, 0.0, 0.0, 1.0]),
    (lambda x: x.clamp(min=0.0), [0.0, -1.0], [1.0, 0.0]),  # boundary passes the gradient
    (lambda x: x.clamp(max=0.0), [0.0, 1.0], [1.0, 0.0]),
    (lambda x: x.max(), [1.0, 3.0, 3.0], [0.0, 0.5, 0.5]),  # ties split evenly (amax-style)
    (lambda x: x.min(), [2.0, 2.0, 2.0, 5.0], [1 / 3, 1 / 3, 1 / 3, 0.0]),
    (lambda x: x.max(0)[0], [3.0, 3.0, 1.0], [1.0, 0.0, 0.0]),  # max(dim): to the index
    (lambda x: x.min(0)[0], [1.0, 1.0], [1.0, 0.0]),
    (lambda x: torch.maximum(x, torch.tensor([1.0, 0.0])), [1.0, 2.0], [0.5, 1.0]),  # tie: half
    (lambda x: torch.minimum(x, torch.tensor([1.0, 3.0])), [1.0, 2.0], [0.5, 1.0]),
    (lambda x: torch.sqrt(x), [0.0], [inf]),
    (lambda x: x.pow(2.0), [0.0], [0.0]),
    (lambda x: x.pow(0.0), [0.0], [0.0]),
    (lambda x: x.norm(), [0.0, 0.0], [0.0, 0.0]),  # norm'(0) = 0, not nan
    (lambda x: torch.sigmoid(x), [-1000.0, 1000.0], [0.0, 0.0]),
    (lambda x: torch.tanh(x), [1000.0], [0.0]),
]


@pytest.mark.parametrize("fn, x, want", GRADS)
def test_subgradients(fn, x, want):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    fn(t).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), want, rtol=1e-12)


def test_max_of_both_operands_tied_gradients():
    a = torch.tensor([2.0, 5.0], requires_grad=True)
    b = torch.tensor([2.0, 1.0], requires_grad=True)
    torch.maximum(a, b).sum().backward()
    _same(a.grad.numpy(), [0.5, 1.0])
    _same(b.grad.numpy(), [0.5, 0.0])


INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


@pytest.mark.parametrize(
    "fn, want",
    [
        (lambda: torch.tensor([INT64_MAX]) + 1, [INT64_MIN]),
        (lambda: torch.tensor([INT64_MIN]) - 1, [INT64_MAX]),
        (lambda: torch.tensor([0]).sub_(torch.tensor([INT64_MIN])), [INT64_MIN]),
        (lambda: torch.tensor([1]).add(torch.tensor([INT64_MAX]), alpha=2), [-1]),
        (lambda: torch.tensor([2**62]) * 4, [0]),
        (lambda: torch.tensor([INT64_MIN]) * -1, [INT64_MIN]),
        (lambda: -torch.tensor([INT64_MIN]), [INT64_MIN]),
        (lambda: torch.tensor([INT64_MIN]).abs(), [INT64_MIN]),
        (lambda: torch.tensor([INT64_MAX, 1]).sum().reshape(1), [INT64_MIN]),
        (lambda: torch.tensor([2**62, 4]).prod().reshape(1), [0]),
        (lambda: torch.tensor([INT64_MAX, 1, 1]).cumsum(0), [INT64_MAX, INT64_MIN, INT64_MIN + 1]),
        (lambda: torch.tensor([[2**62]]) @ torch.tensor([[4]]), [[0]]),
    ],
)
def test_int64_arithmetic_wraps_around_like_pytorch(fn, want):
    # Two's complement wrap-around, PyTorch's results; in C++ signed overflow is undefined, so
    # the library is built with -fwrapv (UBSan flagged sub_ on such inputs before).
    assert fn().tolist() == want
