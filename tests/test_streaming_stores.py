"""Elementwise results larger than the cache are written with non-temporal stores
(csrc/kernels/stream.h). The threshold is lowered here so small arrays take that path: every
size, alignment and thread split must give bitwise the result of the ordinary path."""

import numpy as np
import pytest

import fastgrad as torch
from fastgrad import _C

# Sizes around the 16-byte store width, the 2 KiB block and the 32K-element grain (two
# threads then split at an element that is not 16-byte aligned).
SIZES = [1, 2, 3, 5, 8, 13, 511, 512, 513, 1000, 70001]


@pytest.fixture
def threshold():
    """Sets the threshold for one test; restores the default afterwards."""
    old = _C._streaming_store_threshold()
    yield _C._set_streaming_store_threshold
    _C._set_streaming_store_threshold(old)


def both_paths(threshold, fn):
    """fn() with streaming forced on, then with it off."""
    threshold(0)
    streamed = fn()
    threshold(1 << 62)
    plain = fn()
    return streamed, plain


def assert_same(x, y):
    assert x.dtype == y.dtype and x.shape == y.shape
    np.testing.assert_array_equal(x.numpy(), y.numpy())


def test_default_is_a_cache_size_and_setter_returns_previous(threshold):
    default = _C._streaming_store_threshold()
    assert default >= 1 << 16
    assert threshold(12345) == default
    assert _C._streaming_store_threshold() == 12345


def test_negative_threshold_is_rejected():
    with pytest.raises(RuntimeError, match="non-negative"):
        _C._set_streaming_store_threshold(-1)


OPS = {
    "add": lambda a, b: a + b,
    "sub_alpha": lambda a, b: torch.sub(a, b, alpha=2),
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "mul_number": lambda a, b: a * 3.5,
    "rsub_number": lambda a, b: 1 - a,
    "lt": lambda a, b: a < b,
    "exp": lambda a, b: torch.exp(a),
    "sigmoid": lambda a, b: torch.sigmoid(a),
    "neg": lambda a, b: -a,
    "to_float64": lambda a, b: a.to(torch.float64),
    "clone": lambda a, b: a.clone(),
}


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("offset", [0, 1, 3])
def test_streamed_results_equal_plain_results(threshold, name, n, offset):
    rng = np.random.default_rng(n)
    base_a = torch.tensor(rng.standard_normal(n + offset).astype(np.float32))
    base_b = torch.tensor(rng.uniform(0.5, 2.0, n + offset).astype(np.float32))
    # Offset views start the inputs off the 64-byte alignment of fresh buffers.
    a, b = base_a[offset:], base_b[offset:]
    streamed, plain = both_paths(threshold, lambda: OPS[name](a, b))
    assert_same(streamed, plain)


@pytest.mark.parametrize("dtype", [torch.float64, torch.int64, torch.bool])
@pytest.mark.parametrize("n", [7, 70001])
def test_other_dtypes(threshold, dtype, n):
    rng = np.random.default_rng(0)
    a = torch.tensor(rng.integers(0, 5, n)).to(dtype)
    b = torch.tensor(rng.integers(1, 5, n)).to(dtype)
    op = (lambda: a | b) if dtype == torch.bool else (lambda: a * b + a)
    streamed, plain = both_paths(threshold, op)
    assert_same(streamed, plain)


@pytest.mark.parametrize("start", [0, 1, 2, 3, 5])
@pytest.mark.parametrize("n", [9, 600, 70001])
def test_in_place_into_misaligned_views(threshold, start, n):
    """An in-place op writes into a view whose first element may sit anywhere in a line; the
    elements before the view's start and after its end must stay untouched."""
    rng = np.random.default_rng(start)
    src = rng.standard_normal(n + 8).astype(np.float32)
    other = torch.tensor(rng.standard_normal(n).astype(np.float32))

    def run():
        base = torch.tensor(src)
        base[start : start + n].mul_(other).add_(1.5)
        return base

    streamed, plain = both_paths(threshold, run)
    assert_same(streamed, plain)
    expected = src.copy()
    expected[start : start + n] = expected[start : start + n] * other.numpy() + np.float32(1.5)
    np.testing.assert_array_equal(streamed.numpy(), expected)


def test_forward_and_backward_match_numpy_when_streamed(threshold):
    threshold(0)
    rng = np.random.default_rng(1)
    x_np = rng.standard_normal(70001).astype(np.float32)
    x = torch.tensor(x_np, requires_grad=True)
    y = torch.sigmoid(x * 2.0)
    y.backward(torch.ones_like(y))
    s = 1 / (1 + np.exp(-2.0 * x_np.astype(np.float64)))
    np.testing.assert_allclose(y.detach().numpy(), s, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(x.grad.numpy(), 2 * s * (1 - s), rtol=1e-5, atol=1e-6)
