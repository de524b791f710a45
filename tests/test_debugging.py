"""Debugging aids: anomaly mode (NaN in backward names the node and its forward traceback) and
fastgrad.profile (time per op kind, forward and backward)."""

import math

import pytest

import fastgrad
from fastgrad import autograd

ANOMALY_WARNING = "Anomaly Detection has been enabled"


def _nan_at_zero():
    x = fastgrad.tensor([0.0, 1.0], requires_grad=True)
    y = x.sqrt()  # forward line the traceback must show
    return x, (y * 0.0).sum()  # d sqrt(x)/dx at 0 is inf, and 0 * inf is NaN


def test_without_anomaly_mode_nan_passes_silently():
    x, loss = _nan_at_zero()
    loss.backward()
    assert math.isnan(x.grad[0].item())


def test_detect_anomaly_names_node_and_forward_traceback():
    with pytest.warns(UserWarning, match=ANOMALY_WARNING):
        ctx = autograd.detect_anomaly()
    with ctx:
        assert autograd.is_anomaly_enabled()
        x = fastgrad.tensor([0.0, 1.0], requires_grad=True)
        y = x.sqrt()  # the line to find
        loss = (y * 0.0).sum()
        with pytest.raises(RuntimeError) as info:
            loss.backward()
    assert not autograd.is_anomaly_enabled()
    msg = str(info.value)
    assert msg.startswith("Function 'SqrtBackward0' returned nan values in its 0th output.")
    assert "Traceback of forward call that caused the error:" in msg
    assert "y = x.sqrt()  # the line to find" in msg
    assert "test_debugging.py" in msg


def test_set_detect_anomaly_function_and_context():
    autograd.set_detect_anomaly(True)
    assert autograd.is_anomaly_enabled()
    autograd.set_detect_anomaly(False)
    assert not autograd.is_anomaly_enabled()
    with autograd.set_detect_anomaly(True):
        assert autograd.is_anomaly_enabled()
    assert not autograd.is_anomaly_enabled()


def test_anomaly_grad_fn_records_trace_only_when_on():
    x = fastgrad.ones(2, requires_grad=True)
    assert (x * 2).grad_fn._anomaly_trace == ""
    with autograd.set_detect_anomaly(True):
        y = x * 2
    assert "test_anomaly_grad_fn_records_trace_only_when_on" in y.grad_fn._anomaly_trace


def test_anomaly_mode_in_custom_function():
    class Bad(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    x = fastgrad.ones(2, requires_grad=True)
    with autograd.set_detect_anomaly(True):
        y = Bad.apply(x)
        with pytest.raises(RuntimeError, match="Function 'BadBackward' returned nan values"):
            y.sum().backward()


def test_profile_reports_forward_and_backward_per_op_kind():
    x = fastgrad.randn(64, 32, requires_grad=True)
    w = fastgrad.randn(32, 8, requires_grad=True)
    with fastgrad.profile() as prof:
        for _ in range(3):
            loss = fastgrad.sigmoid(x @ w).pow(2).mean()
            loss.backward()
    recs = {(r.name, r.phase): r for r in prof.records()}
    assert recs[("__matmul__", "forward")].calls == 3
    assert recs[("sigmoid", "forward")].calls == 3
    assert recs[("pow", "forward")].calls == 3
    assert recs[("MmBackward0", "backward")].calls == 3
    assert recs[("SigmoidBackward0", "backward")].calls == 3
    assert recs[("AccumulateGrad", "backward")].calls == 6
    assert all(r.seconds >= 0 for r in recs.values())
    table = prof.table()
    assert table.splitlines()[0].split() == [
        "op",
        "phase",
        "calls",
        "total",
        "ms",
        "mean",
        "us",
        "%",
    ]
    assert "MmBackward0" in table and "backward nodes" in table


def test_profile_restores_everything_on_exit():
    before_mul = fastgrad.Tensor.__mul__
    before_exp = fastgrad.exp
    with fastgrad.profile():
        assert fastgrad.exp is not before_exp
    assert fastgrad.Tensor.__mul__ is before_mul
    assert fastgrad.exp is before_exp
    with fastgrad.profile() as prof:
        pass
    assert prof.records() == []
    # The backward timer is off again: a later backward records nothing.
    x = fastgrad.ones(2, requires_grad=True)
    (x * 2).sum().backward()
    assert prof.records() == []
