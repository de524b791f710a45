"""The packed GEMM's block edges: sizes just around the micro-tile (6 x 16) and cache-block
(K slices of at most 256, MC = 96/120) boundaries, strided and transposed operands, against
NumPy. Full tiles are written or added into C by the micro-kernel itself, edge tiles through a
buffer: (12, 600, 32) is all full tiles over three K slices, (250, 513, 47) mixes both."""

import numpy as np
import pytest

import fastgrad as torch

SIZES = [
    (1, 1, 1),
    (5, 7, 15),
    (6, 16, 16),
    (7, 17, 17),
    (97, 255, 33),
    (121, 257, 130),
    (250, 513, 47),
    (12, 600, 32),
    (64, 784, 48),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("m", "k", "n"), SIZES)
def test_matmul_matches_numpy_across_block_edges(m, k, n, dtype):
    rng = np.random.default_rng(m * 1000 + k + n)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    expected = a.astype(np.float64) @ b.astype(np.float64)
    tol = 2e-4 if dtype == np.float32 else 1e-11
    got = (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * np.sqrt(k))
    # The same product from transposed views (no copies made by the caller).
    at = torch.from_numpy(np.ascontiguousarray(a.T)).t()
    bt = torch.from_numpy(np.ascontiguousarray(b.T)).t()
    np.testing.assert_allclose((at @ bt).numpy(), expected, rtol=tol, atol=tol * np.sqrt(k))


def test_matmul_with_zero_inner_dimension_is_zeros():
    out = torch.ones(3, 0) @ torch.ones(0, 4)
    assert out.shape == (3, 4) and out.tolist() == [[0.0] * 4] * 3
