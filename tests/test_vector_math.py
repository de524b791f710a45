"""float32 exp and sigmoid run through hand-vectorised kernels (AVX2 where present): their
accuracy, their special values, and that a result does not depend on where the element sits."""

import numpy as np
import pytest

import fastgrad as torch


def _ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.view(np.int32).astype(np.int64) - b.view(np.int32).astype(np.int64))


def _inputs() -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.concatenate(
        [
            rng.uniform(-104, 89, 300_000).astype(np.float32),
            np.linspace(-110, 95, 200_001, dtype=np.float32),
            (rng.standard_normal(100_000) * 3).astype(np.float32),
            # around the overflow and the subnormal thresholds, and tiny arguments
            np.array([88.72283, 88.72284, -87.33655, -103.97, -103.98, 1e-30, -1e-30], np.float32),
        ]
    )


def test_exp_float32_within_one_ulp_of_correctly_rounded():
    x = _inputs()
    got = torch.exp(torch.from_numpy(x)).numpy()
    with np.errstate(over="ignore"):
        ref = np.exp(x.astype(np.float64)).astype(np.float32)
    assert np.array_equal(np.isinf(got), np.isinf(ref))
    finite = np.isfinite(ref)
    assert _ulps(got[finite], ref[finite]).max() <= 1


def test_exp_float32_special_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1000.0, -1000.0, 89.0, -104.0], np.float32)
    got = torch.exp(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(got, [1, 1, np.inf, 0, np.nan, np.inf, 0, np.inf, 0])


def test_sigmoid_float32_accuracy_and_ends():
    x = _inputs()
    got = torch.sigmoid(torch.from_numpy(x)).numpy()
    ref = 1 / (1 + np.exp(-x.astype(np.float64)))
    # relative error of a few float32 ulps where the result is a normal float
    normal = ref > 1.2e-38
    np.testing.assert_allclose(got[normal], ref[normal], rtol=3e-7, atol=0)
    ends = torch.sigmoid(torch.tensor([-1000.0, 1000.0, 0.0, float("nan"), float("-inf")]))
    np.testing.assert_array_equal(ends.numpy(), [0, 1, 0.5, np.nan, 0])


@pytest.mark.parametrize("op", [torch.exp, torch.sigmoid])
def test_result_independent_of_layout_and_position(op):
    rng = np.random.default_rng(1)
    a = (rng.standard_normal((37, 29)) * 5).astype(np.float32)
    whole = op(torch.from_numpy(a)).numpy()
    # transposed (strided) input, each element alone, and every ragged tail length
    np.testing.assert_array_equal(op(torch.from_numpy(a).t()).numpy(), whole.T)
    flat = a.reshape(-1)
    singles = np.array([op(torch.tensor(float(v))).item() for v in flat[:50]], np.float32)
    np.testing.assert_array_equal(singles, whole.reshape(-1)[:50])
    for n in range(1, 17):
        np.testing.assert_array_equal(
            op(torch.from_numpy(flat[:n].copy())).numpy(), whole.reshape(-1)[:n]
        )


@pytest.mark.parametrize("op", [torch.exp, torch.sigmoid])
def test_integer_input_matches_float_input(op):
    ints = torch.arange(-20, 20)
    np.testing.assert_array_equal(op(ints).numpy(), op(ints.float()).numpy())


@pytest.mark.parametrize("op", [torch.sigmoid, torch.tanh])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_fused_backward_equals_recorded_backward(op, dtype):
    # Plain backward runs one fused kernel; create_graph=True records the composed formula.
    # Both must round identically (and the gradient arrives expanded from sum's backward).
    x = torch.randn(1000, dtype=dtype, requires_grad=True)
    (fused,) = torch.autograd.grad(op(x).sum() * 3, x)
    (recorded,) = torch.autograd.grad(op(x).sum() * 3, x, create_graph=True)
    assert recorded.grad_fn is not None
    np.testing.assert_array_equal(fused.numpy(), recorded.detach().numpy())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_fused_bce_backward_equals_recorded_backward(reduction, weighted, dtype):
    # Includes inputs at exactly 0 and 1, where the 1e-12 clamp of the denominator matters.
    x = torch.cat([torch.rand(200, dtype=dtype), torch.tensor([0.0, 1.0, 0.5], dtype=dtype)])
    x.requires_grad_()
    y = (torch.rand(203) > 0.5).to(dtype)
    w = torch.rand(203, dtype=dtype) if weighted else None
    loss_fn = torch.nn.BCELoss(weight=w, reduction=reduction)
    gout = torch.rand(203, dtype=dtype) if reduction == "none" else torch.tensor(1.7, dtype=dtype)
    (fused,) = torch.autograd.grad(loss_fn(x, y), x, gout)
    (recorded,) = torch.autograd.grad(loss_fn(x, y), x, gout, create_graph=True)
    assert recorded.grad_fn is not None
    np.testing.assert_array_equal(fused.numpy(), recorded.detach().numpy())
