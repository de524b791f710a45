"""float32 exp, sigmoid, log and tanh run through hand-vectorised kernels (AVX-512 or AVX2,
whichever the CPU has): their accuracy, their special values, that a result does not depend on
where the element sits, and that the two vector versions agree bit for bit. The elementwise
loops, compiled for the baseline and for AVX2, agree bit for bit too."""

import numpy as np
import pytest

import fastgrad as torch
from fastgrad import _C

VECTOR_ISAS = {"avx512": ["avx512", "avx2"], "avx2": ["avx2"], "scalar": []}[_C._vector_isa()]


@pytest.fixture
def isa():
    """Sets the kernels' instruction set for one test; restores the default afterwards."""
    default = _C._vector_isa()
    yield _C._set_vector_isa
    _C._set_vector_isa(default)


def _ordered(a: np.ndarray) -> np.ndarray:
    """float32 bit patterns as integers that grow with the value (-0.0 and 0.0 both 0)."""
    i = a.view(np.int32).astype(np.int64)
    return np.where(i < 0, -(2**31) - i, i)


def _ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How many float32 values lie between a and b, elementwise (across zero too)."""
    return np.abs(_ordered(a) - _ordered(b))


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


def _any_floats(n: int, seed: int) -> np.ndarray:
    """n float32 values drawn uniformly over all bit patterns (every exponent, both signs,
    subnormals, infs and NaNs alike)."""
    bits = np.random.default_rng(seed).integers(0, 2**32, n, dtype=np.uint64)
    return bits.astype(np.uint32).view(np.float32)


# The bound per vector level. Without AVX2 the C library's functions run: glibc's tanhf is
# within 2 ulp (measured over every float32 the same way), its logf within 1.
_LOG_TANH_BOUND = {name: 1 for name in VECTOR_ISAS} or {"scalar": 2}


def _worst_ulps(op: str, x: np.ndarray) -> int:
    """fastgrad's float32 `op` against NumPy's in float64 rounded to float32: NaN exactly
    where the reference has NaN, and the largest distance in ulps elsewhere."""
    got = getattr(torch, op)(torch.from_numpy(x)).numpy()
    with np.errstate(all="ignore"):
        ref = getattr(np, op)(x.astype(np.float64)).astype(np.float32)
    nan = np.isnan(ref)
    np.testing.assert_array_equal(np.isnan(got), nan, err_msg=op)
    return int(_ulps(got[~nan], ref[~nan]).max(initial=0))


@pytest.mark.parametrize("op", ["log", "tanh"])
def test_log_and_tanh_float32_within_one_ulp_of_correctly_rounded(isa, op):
    # Every float32 input was checked once (2^32 of them, both vector levels: at most 1 ulp,
    # 0.64% of log's and 0.17% of tanh's results not the correctly rounded one); this samples
    # that check, with the ranges where the formulas switch written out.
    one_ulp_steps = np.arange(-3000, 3000, dtype=np.int32)
    near = {
        "log": [np.float32(1.0), np.float32(np.sqrt(2)), np.float32(np.sqrt(0.5)), 1.17549435e-38],
        "tanh": [np.float32(0.625), np.float32(-0.625), np.float32(9.0), np.float32(1e-4)],
    }[op]
    x = np.concatenate(
        [_any_floats(1_000_000, 11), _inputs()]
        + [(np.float32(c).view(np.int32) + one_ulp_steps).view(np.float32) for c in near]
    )
    for name, ulps in _LOG_TANH_BOUND.items():
        isa(name)
        assert _worst_ulps(op, x) <= ulps, name


@pytest.mark.slow
@pytest.mark.parametrize("op", ["log", "tanh"])
def test_log_and_tanh_within_one_ulp_over_a_stride_through_every_float(isa, op):
    # Every 61st float32 bit pattern (70M inputs: each exponent, both signs, mantissas in
    # every residue class), at each vector level, in 8M pieces.
    for name, ulps in _LOG_TANH_BOUND.items():
        isa(name)
        for start in range(0, 2**32, 61 * 2**23):
            bits = np.arange(start, min(start + 61 * 2**23, 2**32), 61, dtype=np.uint64)
            assert _worst_ulps(op, bits.astype(np.uint32).view(np.float32)) <= ulps, name


def test_log_and_tanh_float32_special_values(isa):
    tiny = np.float32(1e-45)  # the smallest subnormal
    big = np.finfo(np.float32).max
    for name in [*VECTOR_ISAS, "scalar"]:
        isa(name)
        x = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, tiny, big], np.float32)
        got = torch.log(torch.from_numpy(x)).numpy()
        want = [-np.inf, -np.inf, 0.0, np.nan, np.inf, np.nan, np.nan, -103.27893, 88.72284]
        np.testing.assert_array_equal(got, np.array(want, np.float32), err_msg=name)
        x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, tiny, -tiny, 9.1, -20.0, big], np.float32)
        got = torch.tanh(torch.from_numpy(x)).numpy()
        want = np.array([0.0, -0.0, 1.0, -1.0, np.nan, tiny, -tiny, 1.0, -1.0, 1.0], np.float32)
        np.testing.assert_array_equal(got, want, err_msg=name)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want), err_msg=name)


@pytest.mark.parametrize("op", [torch.exp, torch.sigmoid, torch.log, torch.tanh])
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


@pytest.mark.parametrize("op", [torch.exp, torch.sigmoid, torch.log, torch.tanh])
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


def test_vector_isa_setter_checks_its_argument(isa):
    assert _C._vector_isa() in ("avx512", "avx2", "scalar")
    with pytest.raises(RuntimeError, match="unknown instruction set 'sse9'"):
        isa("sse9")
    assert isa("scalar") in ("avx512", "avx2", "scalar")
    assert _C._vector_isa() == "scalar"
    if "avx512" not in VECTOR_ISAS:
        with pytest.raises(RuntimeError, match="does not support 'avx512'"):
            isa("avx512")


@pytest.mark.parametrize("op", ["exp", "sigmoid", "log", "tanh"])
def test_vector_versions_agree_bitwise(isa, op):
    # Every vector version this CPU has against the AVX2 one, on the accuracy inputs plus
    # NaN/inf and every ragged length up to two vectors at odd offsets, streamed and not.
    if len(VECTOR_ISAS) < 2:
        pytest.skip(f"only {VECTOR_ISAS or 'scalar'} on this CPU: nothing to compare")
    fn = getattr(torch, op)
    special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 88.8, -104.0, 1e-45], np.float32)
    arrays = [_inputs(), special, _any_floats(100_000, 5)] + [
        np.linspace(-5, 5, n + off, dtype=np.float32)[off:] for n in range(1, 34) for off in (0, 3)
    ]
    results = {}
    for name in VECTOR_ISAS:
        isa(name)
        results[name] = [fn(torch.from_numpy(a)).numpy() for a in arrays]
        old = _C._set_streaming_store_threshold(0)
        results[name + "+stream"] = [fn(torch.from_numpy(a)).numpy() for a in arrays]
        _C._set_streaming_store_threshold(old)
    base = results["avx2"]
    for name, got in results.items():
        for a, x, y in zip(arrays, got, base):
            np.testing.assert_array_equal(
                x.view(np.int32), y.view(np.int32), err_msg=f"{name}, n={a.size}"
            )


def _rows(x, width: int):
    w = min(width, x.numel())
    return x[: x.numel() // w * w].reshape(-1, w)


ELEMENTWISE = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "add alpha": lambda x, y: torch.add(x, y, alpha=0.3),
    "sub alpha": lambda x, y: torch.sub(x, y, alpha=1.7),
    "x * number": lambda x, y: x * 2.5,
    "number / x": lambda x, y: 2.5 / x,
    "x - 0-dim": lambda x, y: x - y[0],
    "maximum": lambda x, y: torch.maximum(x, y),
    "gt": lambda x, y: x > y,
    "neg": lambda x, y: -x,
    "abs": lambda x, y: x.abs(),
    "sqrt": lambda x, y: x.sqrt(),
    "relu": lambda x, y: x.relu(),
    "clamp": lambda x, y: x.clamp(-0.5, 0.5),
    "to other float": lambda x, y: x.double() if x.dtype == torch.float32 else x.float(),
    "rows + row": lambda x, y: _rows(x, 8) + y[: min(8, y.numel())],
    "add_": lambda x, y: x.clone().add_(y, alpha=-0.7),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op", ELEMENTWISE)
def test_elementwise_loops_agree_bitwise_across_vector_levels(isa, op, dtype):
    # The contiguous elementwise loops are compiled for the baseline and for AVX2 (chosen at
    # run time): both must give the same bits (no FMA contraction of `x + alpha * y`, the same
    # NaN, inf, -0.0 and subnormal handling), for every ragged length, at odd offsets, on
    # one thread and two, streamed and not.
    if not VECTOR_ISAS:
        pytest.skip("no AVX2 on this CPU: only the baseline loops run")
    fn = ELEMENTWISE[op]
    rng = np.random.default_rng(7)
    special = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-40, -3e-39, 1e38, 0.5, -0.5]
    arrays = []
    for n in [*range(1, 41), 1000, 70001]:
        x = (rng.standard_normal(n + 3) * 3).astype(dtype)
        y = (rng.standard_normal(n + 3) * 3).astype(dtype)
        x[: min(n, len(special))] = special[:n]
        y[1 : 1 + min(n - 1, len(special))] = special[: max(n - 1, 0)]
        arrays.append((x[3:], y[3:]))  # odd offsets: a view 3 elements in
        arrays.append((x[:n], y[:n]))
    results = {}
    previous_threads = torch.get_num_threads()
    try:
        for name in ["scalar", *VECTOR_ISAS]:
            isa(name)
            for threads in (1, 2):
                torch.set_num_threads(threads)
                for stream in (False, True):
                    old = _C._set_streaming_store_threshold(0) if stream else None
                    results[(name, threads, stream)] = [
                        fn(torch.from_numpy(x), torch.from_numpy(y)).numpy() for x, y in arrays
                    ]
                    if stream:
                        _C._set_streaming_store_threshold(old)
    finally:
        torch.set_num_threads(previous_threads)
    base = results[("scalar", 1, False)]
    for key, got in results.items():
        for (x, _), g, b in zip(arrays, got, base):
            assert g.dtype == b.dtype
            np.testing.assert_array_equal(
                g.view(np.uint8), b.view(np.uint8), err_msg=f"{op} {key}, n={x.size}"
            )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sqrt_is_correctly_rounded(dtype):
    # The library is built with -fno-math-errno so that the loop vectorises (sqrtps/sqrtpd):
    # IEEE square roots, correctly rounded like NumPy's, -0.0 kept, NaN for negatives.
    rng = np.random.default_rng(3)
    x = np.concatenate(
        [
            rng.random(10_000).astype(dtype) * 10.0 ** rng.integers(-30, 30, 10_000),
            np.array([0.0, -0.0, np.inf, 1e-45, 1e-310, 2.0, -1.0, -np.inf, np.nan], dtype),
        ]
    ).astype(dtype)
    with np.errstate(invalid="ignore"):
        want = np.sqrt(x)
    got = torch.from_numpy(x).sqrt().numpy()
    assert got.dtype == want.dtype
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    view = np.int32 if dtype == np.float32 else np.int64
    np.testing.assert_array_equal(got[~nan].view(view), want[~nan].view(view))
