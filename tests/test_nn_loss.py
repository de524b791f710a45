"""torch.nn.functional losses and the BCELoss / MSELoss / Sigmoid / ReLU modules."""

import numpy as np
import pytest

import fastgrad as torch

F = torch.nn.functional

P = [0.9, 0.2, 0.6, 0.35]
T = [1.0, 0.0, 0.0, 1.0]
W = [2.0, 1.0, 0.5, 3.0]


def f64(data, requires_grad=True):
    return torch.tensor(data, dtype=torch.float64, requires_grad=requires_grad)


def bce_np(p, t, w=None):
    p, t = np.asarray(p, dtype=np.float64), np.asarray(t, dtype=np.float64)
    loss = -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log(1 - p), -100))
    return loss if w is None else loss * np.asarray(w)


def reduce_np(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](loss)


# --- binary_cross_entropy ------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight", [None, W])
def test_bce_values(reduction, weight):
    p = torch.tensor(P, requires_grad=True)
    w = None if weight is None else torch.tensor(weight)
    loss = F.binary_cross_entropy(p, torch.tensor(T), weight=w, reduction=reduction)
    expected = reduce_np(bce_np(P, T, weight), reduction)
    assert loss.shape == np.shape(expected) and loss.dtype == torch.float32
    np.testing.assert_allclose(loss.detach().numpy(), expected, rtol=1e-5)
    assert type(loss.grad_fn).__name__ == "BinaryCrossEntropyBackward0"


def test_bce_default_reduction_is_mean():
    p, t = torch.tensor(P), torch.tensor(T)
    assert F.binary_cross_entropy(p, t).item() == pytest.approx(bce_np(P, T).mean(), rel=1e-5)
    assert F.binary_cross_entropy(p, t).shape == ()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_gradient(reduction):
    p = torch.tensor(P, requires_grad=True)
    F.binary_cross_entropy(p, torch.tensor(T), reduction=reduction).sum().backward()
    pn, tn = np.array(P), np.array(T)
    expected = (pn - tn) / (pn * (1 - pn)) / (len(P) if reduction == "mean" else 1)
    np.testing.assert_allclose(p.grad.numpy(), expected, rtol=1e-5)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight", [None, W])
def test_bce_gradcheck(reduction, weight):
    w = None if weight is None else f64(weight, requires_grad=False)
    t = f64(T, requires_grad=False)

    def fn(p):
        return F.binary_cross_entropy(p, t, weight=w, reduction=reduction)

    assert torch.autograd.gradcheck(fn, (f64(P),))


def test_bce_gradcheck_soft_targets_and_target_grad():
    t = f64([0.3, 0.8, 0.5, 0.1])
    assert torch.autograd.gradcheck(F.binary_cross_entropy, (f64(P), t))


def test_bce_clamps_log_at_minus_100():
    p = torch.tensor([0.0, 1.0, 0.5], requires_grad=True)
    loss = F.binary_cross_entropy(p, torch.tensor([1.0, 0.0, 1.0]))
    assert loss.item() == pytest.approx((100 + 100 + np.log(2)) / 3, rel=1e-6)
    loss.backward()
    g = p.grad.numpy()
    assert np.isfinite(g).all()
    # the backward divides by max(p * (1 - p), 1e-12)
    np.testing.assert_allclose(g, [-1e12 / 3, 1e12 / 3, -2 / 3], rtol=1e-4)


def test_bce_perfect_prediction_at_bounds():
    p = torch.tensor([0.0, 1.0], requires_grad=True)
    loss = F.binary_cross_entropy(p, torch.tensor([0.0, 1.0]))
    assert loss.item() == 0.0
    loss.backward()
    assert p.grad.tolist() == [0.0, 0.0]


def test_bce_single_extreme_value_is_100():
    loss = F.binary_cross_entropy(torch.tensor([0.0]), torch.tensor([1.0]), reduction="sum")
    assert loss.item() == 100.0


@pytest.mark.parametrize("bad", [1.5, -0.5])
def test_bce_input_out_of_range_raises(bad):
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(torch.tensor([0.5, bad]), torch.tensor([1.0, 0.0]))


def test_bce_target_size_mismatch_raises():
    with pytest.raises(
        ValueError,
        match=r"Using a target size \(torch.Size\(\[1\]\)\) that is different to the input "
        r"size \(torch.Size\(\[2\]\)\) is deprecated",
    ):
        F.binary_cross_entropy(torch.tensor([0.5, 0.5]), torch.tensor([1.0]))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([0.5], torch.tensor([1.0])), r"argument 'input' \(position 1\) must be Tensor, not list"),
        ((torch.tensor([0.5]), np.ones(1)), r"'target' \(position 2\) must be Tensor, not ndarray"),
        ((torch.tensor([0.5]), torch.tensor([1.0]), 2.0), r"'weight' \(position 3\) .* not float"),
        ((torch.tensor([0.5, 0.5]), torch.tensor([1.0, 0.0]), torch.ones(3)), r"expand|size"),
    ],
)
def test_bce_argument_errors(args, message):
    # Checked in C++ (the training-step path); same errors as the Python checks they replaced.
    with pytest.raises((TypeError, RuntimeError), match=message):
        F.binary_cross_entropy(*args)
    if len(args) == 2 or isinstance(args[2], torch.Tensor):  # BCELoss checks weight itself
        with pytest.raises((TypeError, RuntimeError), match=message):
            torch.nn.BCELoss(weight=args[2] if len(args) > 2 else None)(*args[:2])


@pytest.mark.parametrize("loss_fn", [F.binary_cross_entropy, F.mse_loss])
def test_invalid_reduction_raises(loss_fn):
    with pytest.raises(ValueError, match="bogus is not a valid value for reduction"):
        loss_fn(torch.tensor([0.5]), torch.tensor([1.0]), reduction="bogus")


def test_bce_weight_broadcasts():
    p = torch.tensor([[0.5, 0.2], [0.9, 0.4]])
    t = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    w = torch.tensor([2.0, 1.0])
    loss = F.binary_cross_entropy(p, t, weight=w, reduction="none")
    expected = bce_np(p.tolist(), t.tolist(), [[2.0, 1.0], [2.0, 1.0]])
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-6)


def test_bce_seed_example():
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    y_pred = torch.sigmoid(w * torch.tensor(6.7) + b)
    loss = torch.nn.BCELoss()(y_pred, torch.tensor(0.0))
    assert type(loss.grad_fn).__name__ == "BinaryCrossEntropyBackward0"
    assert loss.item() == pytest.approx(6.7012, abs=1e-4)
    loss.backward()
    assert w.grad.item() == pytest.approx(6.6918, abs=1e-4)
    assert b.grad.item() == pytest.approx(0.9988, abs=1e-4)


# --- mse_loss ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_values_and_grads(reduction):
    a = torch.tensor([[1.0, 2.0], [3.0, -1.0]], requires_grad=True)
    b = torch.tensor([[0.5, 2.0], [1.0, 1.0]], requires_grad=True)
    loss = F.mse_loss(a, b, reduction=reduction)
    assert type(loss.grad_fn).__name__ == "MseLossBackward0"
    diff = np.array([[0.5, 0.0], [2.0, -2.0]])
    np.testing.assert_allclose(loss.detach().numpy(), reduce_np(diff**2, reduction))
    loss.sum().backward()
    scale = 4 if reduction == "mean" else 1
    np.testing.assert_allclose(a.grad.numpy(), 2 * diff / scale)
    np.testing.assert_allclose(b.grad.numpy(), -2 * diff / scale)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_gradcheck(reduction):
    a = f64([[0.3, -1.2, 2.0], [0.1, 0.0, 4.0]])
    b = f64([[1.0, 0.5, -1.0], [0.1, 2.0, 3.0]])

    def fn(x, y):
        return F.mse_loss(x, y, reduction=reduction)

    assert torch.autograd.gradcheck(fn, (a, b))


def test_mse_default_reduction_and_scalar_inputs():
    assert F.mse_loss(torch.tensor([1.0, 3.0]), torch.tensor([0.0, 0.0])).item() == 5.0
    x = torch.tensor(2.0, requires_grad=True)
    loss = F.mse_loss(x, torch.tensor(5.0))
    assert loss.shape == () and loss.item() == 9.0
    loss.backward()
    assert x.grad.item() == -6.0


def test_mse_target_size_mismatch_warns():
    with pytest.warns(
        UserWarning, match="Using a target size .* that is different to the input size"
    ):
        F.mse_loss(torch.tensor([1.0]), torch.tensor([[0.0], [1.0]]))


# --- modules -------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_modules_match_functional(reduction):
    p = torch.tensor(P, requires_grad=True)
    t = torch.tensor(T)
    bce = torch.nn.BCELoss(reduction=reduction)(p, t)
    np.testing.assert_allclose(
        bce.detach().numpy(), F.binary_cross_entropy(p, t, reduction=reduction).detach().numpy()
    )
    mse = torch.nn.MSELoss(reduction=reduction)(p, t)
    np.testing.assert_allclose(
        mse.detach().numpy(), F.mse_loss(p, t, reduction=reduction).detach().numpy()
    )
    assert type(bce.grad_fn).__name__ == "BinaryCrossEntropyBackward0"
    assert type(mse.grad_fn).__name__ == "MseLossBackward0"


def test_bce_module_weight():
    p, t, w = torch.tensor(P), torch.tensor(T), torch.tensor(W)
    loss = torch.nn.BCELoss(weight=w)(p, t)
    assert loss.item() == pytest.approx(bce_np(P, T, W).mean(), rel=1e-5)


def test_default_module_reductions():
    p, t = torch.tensor(P), torch.tensor(T)
    assert torch.nn.BCELoss()(p, t).item() == pytest.approx(bce_np(P, T).mean(), rel=1e-5)
    assert torch.nn.MSELoss()(p, t).item() == pytest.approx(np.mean((np.array(P) - T) ** 2))


@pytest.mark.parametrize(
    ("module", "ref", "grad_fn"),
    [
        (torch.nn.Sigmoid, lambda a: 1 / (1 + np.exp(-a)), "SigmoidBackward0"),
        (torch.nn.ReLU, lambda a: np.maximum(a, 0), "ReluBackward0"),
    ],
)
def test_activation_modules(module, ref, grad_fn):
    m = module()
    data = [[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]]
    x = torch.tensor(data, requires_grad=True)
    y = m(x)
    assert type(y.grad_fn).__name__ == grad_fn
    np.testing.assert_allclose(y.detach().numpy(), ref(np.array(data)), rtol=1e-6)
    np.testing.assert_allclose(m.forward(x).detach().numpy(), y.detach().numpy())
    assert torch.autograd.gradcheck(m, (f64([[-2.0, -0.5, 0.1], [0.5, 1.0, 3.0]]),))


def test_module_reprs_and_base_class():
    for cls, text in [
        (torch.nn.BCELoss, "BCELoss()"),
        (torch.nn.MSELoss, "MSELoss()"),
        (torch.nn.Sigmoid, "Sigmoid()"),
        (torch.nn.ReLU, "ReLU()"),
    ]:
        m = cls()
        assert repr(m) == text and isinstance(m, torch.nn.Module)


def test_logistic_regression_training_reduces_loss():
    torch.manual_seed(0)
    x = torch.randn(64, 2)
    y = (x.sum(1, keepdim=True) > 0).float()
    w = torch.zeros(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    model = torch.nn.Sigmoid()
    loss_fn = torch.nn.BCELoss()
    losses = []
    for _ in range(50):
        loss = loss_fn(model(x @ w + b), y)
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= 0.5 * w.grad
            b -= 0.5 * b.grad
        w.grad = None
        b.grad = None
    assert losses[0] == pytest.approx(np.log(2), rel=1e-6)
    assert losses[-1] < 0.3 * losses[0]
    assert w.is_leaf and b.is_leaf
