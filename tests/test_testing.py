"""fastgrad.testing.assert_close: PyTorch's semantics and messages (strings below were printed
by torch.testing.assert_close 2.13 on the same inputs)."""

import pytest

import fastgrad
from fastgrad.testing import assert_close

F64 = fastgrad.float64

CASES = [
    (
        fastgrad.tensor([1.0, 2.0, 3.0]),
        fastgrad.tensor([1.0, 2.1, 3.0]),
        {},
        "Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n"
        "Greatest absolute difference: 0.09999990463256836 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.04761900380253792 at index (1,) (up to 1.3e-06 allowed)",
    ),
    (
        fastgrad.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=F64),
        fastgrad.tensor([[1.0, 2.0], [3.0, 4.5]], dtype=F64),
        {},
        "Tensor-likes are not close!\n\nMismatched elements: 1 / 4 (25.0%)\n"
        "Greatest absolute difference: 0.5 at index (1, 1) (up to 1e-07 allowed)\n"
        "Greatest relative difference: 0.1111111111111111 at index (1, 1) (up to 1e-07 allowed)",
    ),
    (
        fastgrad.tensor([1, 2, 3]),
        fastgrad.tensor([1, 5, 3]),
        {},
        "Tensor-likes are not equal!\n\nMismatched elements: 1 / 3 (33.3%)\n"
        "Greatest absolute difference: 3 at index (1,)\n"
        "Greatest relative difference: 0.6000000238418579 at index (1,)",
    ),
    (
        fastgrad.tensor(1.0),
        fastgrad.tensor(1.5),
        {},
        "Scalars are not close!\n\nExpected 1.5 but got 1.0.\n"
        "Absolute difference: 0.5 (up to 1e-05 allowed)\n"
        "Relative difference: 0.3333333333333333 (up to 1.3e-06 allowed)",
    ),
    (
        fastgrad.tensor([1.0]),
        fastgrad.tensor([1.0], dtype=F64),
        {},
        "The values for attribute 'dtype' do not match: torch.float32 != torch.float64.",
    ),
    (
        fastgrad.tensor([1.0]),
        fastgrad.tensor([1.0, 2.0]),
        {},
        "The values for attribute 'shape' do not match: torch.Size([1]) != torch.Size([2]).",
    ),
    (
        fastgrad.tensor([1.0, float("nan")]),
        fastgrad.tensor([1.0, float("nan")]),
        {},
        "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
        "Greatest absolute difference: nan at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: nan at index (1,) (up to 1.3e-06 allowed)",
    ),
    (
        fastgrad.tensor([1.0, 0.5]),
        fastgrad.tensor([1.0, 0.0]),
        {},
        "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
        "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: inf at index (1,) (up to 1.3e-06 allowed)",
    ),
    (
        fastgrad.tensor([1.0, 2.0]),
        fastgrad.tensor([1.0, 2.5]),
        {"rtol": 0.1, "atol": 0.1},
        "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
        "Greatest absolute difference: 0.5 at index (1,) (up to 0.1 allowed)\n"
        "Greatest relative difference: 0.20000000298023224 at index (1,) (up to 0.1 allowed)",
    ),
    (
        fastgrad.tensor([True, False]),
        fastgrad.tensor([True, True]),
        {},
        "Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\n"
        "Greatest absolute difference: 1 at index (1,)\n"
        "Greatest relative difference: 1.0 at index (1,)",
    ),
    (
        fastgrad.tensor([1.0, 2.0]),
        fastgrad.tensor([1.0, 2.5], dtype=F64),
        {"check_dtype": False},
        "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
        "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.2 at index (1,) (up to 1.3e-06 allowed)",
    ),
]


@pytest.mark.parametrize("actual, expected, kwargs, message", CASES)
def test_messages_match_pytorch(actual, expected, kwargs, message):
    with pytest.raises(AssertionError) as info:
        assert_close(actual, expected, **kwargs)
    assert str(info.value) == message


def test_close_values_pass_with_default_tolerances():
    assert_close(fastgrad.tensor([1.0, 2.0]), fastgrad.tensor([1.0 + 1e-6, 2.0]))
    assert_close(
        fastgrad.tensor([1.0, float("nan")]), fastgrad.tensor([1.0, float("nan")]), equal_nan=True
    )
    assert_close(fastgrad.tensor([3, 4]), fastgrad.tensor([3, 4]))
    x = fastgrad.ones(3, requires_grad=True)
    assert_close(x * 2, fastgrad.full((3,), 2.0))  # tensors that require grad are fine


def test_tolerances_come_in_pairs_and_msg_overrides():
    with pytest.raises(
        ValueError,
        match="Both 'rtol' and 'atol' must be either specified or omitted, but got no atol.",
    ):
        assert_close(fastgrad.ones(1), fastgrad.ones(1), rtol=1e-3)
    with pytest.raises(AssertionError, match="^custom$"):
        assert_close(fastgrad.ones(1), fastgrad.zeros(1), msg="custom")
    with pytest.raises(AssertionError, match="^prefix: Tensor-likes are not close!"):
        assert_close(fastgrad.ones(1), fastgrad.zeros(1), msg=lambda m: "prefix: " + m)
