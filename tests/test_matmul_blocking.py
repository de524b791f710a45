"""The packed GEMM's block edges: sizes just around the micro-tiles (6 x 16 floats / 6 x 8
doubles with AVX2 and the portable kernel, 12 x 32 / 12 x 16 with AVX-512, 12 x 16 / 12 x 8
with AVX-512 for products at most that wide) and cache-block
(K slices of at most 256, MC = 96/120) boundaries, strided and transposed operands, against
NumPy, with every micro-kernel this CPU can run. Full tiles are written or added into C by the
micro-kernel itself, edge tiles through a buffer: (12, 600, 32) is all full tiles over three K
slices, (250, 513, 47) mixes both. The AVX2 and AVX-512 kernels sum each element in the same
order with FMAs, so their products agree bit for bit."""

import numpy as np
import pytest

import fastgrad as torch
from fastgrad import _C

LEVELS = {"avx512": ["scalar", "avx2", "avx512"], "avx2": ["scalar", "avx2"]}.get(
    _C._vector_isa(), ["scalar"]
)


@pytest.fixture(params=LEVELS)
def level(request):
    """Runs a test with one of the micro-kernels this CPU has; restores the default after."""
    previous = _C._set_vector_isa(request.param)
    yield request.param
    _C._set_vector_isa(previous)


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
    (11, 31, 31),
    (13, 33, 33),
    (24, 256, 64),
    (25, 257, 65),
    (131, 300, 97),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("m", "k", "n"), SIZES)
def test_matmul_matches_numpy_across_block_edges(m, k, n, dtype, level):
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


@pytest.mark.skipif("avx512" not in LEVELS, reason="needs a CPU with AVX-512 and AVX2")
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("m", "k", "n"),
    [
        (131, 300, 97),
        (250, 513, 47),
        (64, 784, 256),  # a 4-row bottom edge (the rows4 kernel)
        (128, 600, 64),  # an 8-row bottom edge, two K slices (rows8, adding into C)
        (256, 784, 100),  # 4-row edges beside a column edge
        (300, 600, 10),
        (97, 33, 16),
    ],
)
def test_avx2_and_avx512_products_are_the_same_bits(m, k, n, dtype, threads):
    rng = np.random.default_rng(m + k + n)
    a = torch.from_numpy(rng.standard_normal((m, k)).astype(dtype))
    b = torch.from_numpy(rng.standard_normal((k, n)).astype(dtype))
    previous_threads = torch.get_num_threads()
    previous = _C._vector_isa()
    torch.set_num_threads(threads)
    try:
        got = {}
        for isa in ("avx2", "avx512"):
            _C._set_vector_isa(isa)
            got[isa] = [(a @ b).numpy(), (a.t().contiguous().t() @ b).numpy()]
    finally:
        _C._set_vector_isa(previous)
        torch.set_num_threads(previous_threads)
    for x, y in zip(got["avx2"], got["avx512"], strict=True):
        np.testing.assert_array_equal(x, y)
