"""optim.SGD / Adam / AdamW: trajectories against numbers recorded from PyTorch 2.13 and against
NumPy implementations of the documented updates; Optimizer API, state_dict, PyTorch's errors."""

import math

import numpy as np
import pytest

import fastgrad as torch

optim = torch.optim
nn = torch.nn

RNG = np.random.default_rng(0)
X = RNG.standard_normal((6, 3))
Y = RNG.standard_normal((6, 2)) * 0.5
W0 = RNG.standard_normal((3, 2)) * 0.5
B0 = RNG.standard_normal(2) * 0.5
STEPS = 8


def tensor(a, dtype, requires_grad=False):
    return torch.tensor(np.asarray(a).tolist(), dtype=dtype, requires_grad=requires_grad)


def make_params(dtype=torch.float32):
    return [tensor(W0, dtype, True), tensor(B0, dtype, True)]


def loss_of(params):
    w, b = params
    x, y = tensor(X, w.dtype), tensor(Y, w.dtype)
    return (((x @ w + b).tanh() - y) ** 2).mean()


# name -> fn(params) building the optimizer.
CONFIGS = {
    "sgd_default_lr": lambda p: optim.SGD(p),
    "sgd_plain": lambda p: optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    "sgd_dampening": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.3),
    "sgd_nesterov_wd": lambda p: optim.SGD(
        p, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1
    ),
    "sgd_maximize": lambda p: optim.SGD(p, lr=0.01, momentum=0.5, weight_decay=0.01, maximize=True),
    "sgd_groups": lambda p: optim.SGD(
        [{"params": [p[0]]}, {"params": [p[1]], "lr": 0.5, "momentum": 0.9}], lr=0.1
    ),
    "adam_default": lambda p: optim.Adam(p),
    "adam_lr": lambda p: optim.Adam(p, lr=0.05),
    "adam_amsgrad_wd": lambda p: optim.Adam(p, lr=0.05, amsgrad=True, weight_decay=0.1),
    "adam_betas_eps_maximize": lambda p: optim.Adam(
        p, lr=0.02, betas=(0.3, 0.9), eps=1e-3, maximize=True
    ),
    "adam_decoupled": lambda p: optim.Adam(
        p, lr=0.05, weight_decay=0.2, decoupled_weight_decay=True
    ),
    "adam_groups": lambda p: optim.Adam(
        [{"params": [p[0]], "amsgrad": True}, {"params": [p[1]], "lr": 0.2}], lr=0.01
    ),
    "adamw_lr": lambda p: optim.AdamW(p, lr=0.05),
    "adamw_amsgrad": lambda p: optim.AdamW(p, lr=0.05, weight_decay=0.5, amsgrad=True),
}


def run(name, dtype=torch.float32, steps=STEPS):
    """Losses before each step and the final parameters (flattened w then b)."""
    params = make_params(dtype)
    opt = CONFIGS[name](params)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_of(params)
        loss.backward()
        losses.append(loss.item())
        assert opt.step() is None
    final = np.concatenate([p.detach().numpy().reshape(-1) for p in params])
    return np.array(losses), final


# Recorded from PyTorch 2.13 (CPU, float32, foreach=False): name -> (losses, final params).
EXPECTED = {
    "adam_amsgrad_wd": (
        [
            0.240967751,
            0.185629323,
            0.13696532,
            0.0961727127,
            0.0641115829,
            0.0412614159,
            0.0273697805,
            0.0210877787,
        ],
        [
            -0.12891838,
            0.173692301,
            0.220044851,
            -0.0980127454,
            0.474125504,
            0.409523278,
            0.0308495201,
            0.305302352,
        ],
    ),
    "adam_betas_eps_maximize": (
        [
            0.240967751,
            0.264419258,
            0.288758308,
            0.313988835,
            0.340062708,
            0.366878301,
            0.394285917,
            0.422095776,
        ],
        [
            -0.658347309,
            -0.280476779,
            -0.223889157,
            0.426587552,
            -0.0493729338,
            0.00609844923,
            -0.508084953,
            -0.226945654,
        ],
    ),
    "adam_decoupled": (
        [
            0.240967751,
            0.183977246,
            0.134375975,
            0.0935650393,
            0.0624036156,
            0.0410188474,
            0.028455874,
            0.022742914,
        ],
        [
            -0.115608186,
            0.185189873,
            0.202206939,
            -0.111122601,
            0.462645561,
            0.463342905,
            0.00346419588,
            0.303734064,
        ],
    ),
    "adam_default": (
        [
            0.240967751,
            0.23980701,
            0.238648355,
            0.237491831,
            0.236337438,
            0.23518531,
            0.234035373,
            0.232887805,
        ],
        [
            -0.496807784,
            -0.0965998694,
            -0.0716100857,
            0.262424082,
            0.11532966,
            0.185677141,
            -0.318981349,
            -0.0568091683,
        ],
    ),
    "adam_groups": (
        [
            0.240967751,
            0.202582195,
            0.185101256,
            0.188045204,
            0.183676124,
            0.167330384,
            0.148992836,
            0.137155101,
        ],
        [
            -0.42519328,
            -0.0248526707,
            -0.0159465559,
            0.221436352,
            0.187304884,
            0.257816285,
            -0.179681346,
            0.197203353,
        ],
    ),
    "adam_lr": (
        [
            0.240967751,
            0.185629353,
            0.137016386,
            0.0964834914,
            0.0649226829,
            0.0426488109,
            0.0290686861,
            0.0225709062,
        ],
        [
            -0.137315735,
            0.184118763,
            0.222434759,
            -0.103668869,
            0.48540768,
            0.485636294,
            -0.0106730312,
            0.312313527,
        ],
    ),
    "adamw_amsgrad": (
        [
            0.240967751,
            0.18150346,
            0.130523846,
            0.0894849971,
            0.0591342114,
            0.0392201804,
            0.0281737614,
            0.023533253,
        ],
        [
            -0.0870851651,
            0.186177388,
            0.172089487,
            -0.120687097,
            0.430848062,
            0.432249308,
            0.0217658468,
            0.291279376,
        ],
    ),
    "adamw_lr": (
        [
            0.240967751,
            0.185546651,
            0.136883005,
            0.0963337943,
            0.0647901073,
            0.0425585955,
            0.0290289894,
            0.0225715414,
        ],
        [
            -0.136175856,
            0.184179738,
            0.221427053,
            -0.104063258,
            0.484238505,
            0.484490186,
            -0.00993116572,
            0.311879277,
        ],
    ),
    "sgd_dampening": (
        [
            0.240967751,
            0.216454148,
            0.17934227,
            0.135766611,
            0.0954177603,
            0.0676348656,
            0.0537159592,
            0.0481301844,
        ],
        [
            -0.0311484113,
            0.128291041,
            -0.0517516993,
            0.123241283,
            0.433484852,
            0.414769799,
            -0.213145733,
            0.380887151,
        ],
    ),
    "sgd_default_lr": (
        [
            0.240967751,
            0.240719572,
            0.240471527,
            0.240223572,
            0.239975736,
            0.239728019,
            0.239480332,
            0.239232838,
        ],
        [
            -0.502408862,
            -0.10337951,
            -0.0793296397,
            0.269834042,
            0.108805202,
            0.178770617,
            -0.326872408,
            -0.0626028329,
        ],
    ),
    "sgd_groups": (
        [
            0.240967751,
            0.193732545,
            0.162805304,
            0.15642333,
            0.145420775,
            0.119401895,
            0.0922724083,
            0.0809796974,
        ],
        [
            -0.280462205,
            0.0476124361,
            -0.05529489,
            0.245948032,
            0.245225683,
            0.295954138,
            -0.185794637,
            0.168186441,
        ],
    ),
    "sgd_maximize": (
        [
            0.240967751,
            0.2434358,
            0.247152612,
            0.251511991,
            0.256211162,
            0.261098027,
            0.266096145,
            0.271166712,
        ],
        [
            -0.545697749,
            -0.126529142,
            -0.0846673995,
            0.280353606,
            0.0817195252,
            0.157971069,
            -0.32705754,
            -0.104443774,
        ],
    ),
    "sgd_momentum": (
        [
            0.240967751,
            0.216454148,
            0.172776386,
            0.120642595,
            0.077788122,
            0.0558490753,
            0.0488082357,
            0.0471515618,
        ],
        [
            0.0236496404,
            0.172070652,
            -0.0606405027,
            0.0848947987,
            0.491027921,
            0.469188243,
            -0.139564812,
            0.464239895,
        ],
    ),
    "sgd_nesterov_wd": (
        [
            0.240967751,
            0.217382312,
            0.187116086,
            0.153993398,
            0.122310854,
            0.0957668945,
            0.0758321509,
            0.0616291873,
        ],
        [
            -0.143410757,
            0.0516599193,
            -0.0495919734,
            0.149288028,
            0.293499738,
            0.297648519,
            -0.227902412,
            0.209376246,
        ],
    ),
    "sgd_plain": (
        [
            0.240967751,
            0.216454148,
            0.193272188,
            0.17176871,
            0.152307689,
            0.135148957,
            0.120357133,
            0.107794322,
        ],
        [
            -0.293314725,
            -0.0125388186,
            -0.0635707974,
            0.214795008,
            0.245364651,
            0.268726408,
            -0.301335782,
            0.110997885,
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_trajectory_matches_pytorch(name):
    losses, final = run(name)
    expected_losses, expected_final = EXPECTED[name]
    np.testing.assert_allclose(losses, expected_losses, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(final, expected_final, rtol=1e-5, atol=1e-6)


# --- NumPy implementations of the documented updates ----------------------------------------------


def grads_np(w, b):
    z = X @ w + b
    t = np.tanh(z)
    dz = 2 * (t - Y) * (1 - t**2) / Y.size
    return X.T @ dz, dz.sum(0)


def sgd_np(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    params, bufs = [W0.copy(), B0.copy()], [None, None]
    for _ in range(STEPS):
        for i, g in enumerate(grads_np(*params)):
            g = -g if maximize else g
            g = g + weight_decay * params[i]
            if momentum:
                bufs[i] = g.copy() if bufs[i] is None else momentum * bufs[i] + (1 - dampening) * g
                g = g + momentum * bufs[i] if nesterov else bufs[i]
            params[i] = params[i] - lr * g
    return np.concatenate([p.reshape(-1) for p in params])


def adam_np(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False):
    b1, b2 = betas
    params = [W0.copy(), B0.copy()]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    vmax = [np.zeros_like(p) for p in params]
    for t in range(1, STEPS + 1):
        for i, g in enumerate(grads_np(*params)):
            if decoupled:
                params[i] = params[i] * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * params[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            vmax[i] = np.maximum(vmax[i], v[i])
            v_hat = (vmax[i] if amsgrad else v[i]) / (1 - b2**t)
            params[i] = params[i] - lr * (m[i] / (1 - b1**t)) / (np.sqrt(v_hat) + eps)
    return np.concatenate([p.reshape(-1) for p in params])


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("sgd_default_lr", lambda: sgd_np(1e-3)),
        ("sgd_plain", lambda: sgd_np(0.1)),
        ("sgd_momentum", lambda: sgd_np(0.1, momentum=0.9)),
        ("sgd_dampening", lambda: sgd_np(0.1, momentum=0.9, dampening=0.3)),
        (
            "sgd_nesterov_wd",
            lambda: sgd_np(0.05, momentum=0.8, nesterov=True, weight_decay=0.1),
        ),
        (
            "sgd_maximize",
            lambda: sgd_np(0.01, momentum=0.5, weight_decay=0.01, maximize=True),
        ),
        ("adam_default", lambda: adam_np(1e-3)),
        ("adam_lr", lambda: adam_np(0.05)),
        ("adam_amsgrad_wd", lambda: adam_np(0.05, weight_decay=0.1, amsgrad=True)),
        ("adam_decoupled", lambda: adam_np(0.05, weight_decay=0.2, decoupled=True)),
        ("adamw_lr", lambda: adam_np(0.05, weight_decay=1e-2, decoupled=True)),
        ("adamw_amsgrad", lambda: adam_np(0.05, weight_decay=0.5, amsgrad=True, decoupled=True)),
    ],
)
def test_float64_trajectory_matches_numpy(name, reference):
    _, final = run(name, dtype=torch.float64)
    np.testing.assert_allclose(final, reference(), rtol=1e-10, atol=1e-12)


def test_adam_maximize_is_adam_on_the_negated_loss():
    params = make_params(torch.float64)
    opt = optim.Adam(params, lr=0.02, betas=(0.3, 0.9), eps=1e-3, maximize=True)
    twin = make_params(torch.float64)
    opt_twin = optim.Adam(twin, lr=0.02, betas=(0.3, 0.9), eps=1e-3)
    for _ in range(STEPS):
        for p, o, sign in ((params, opt, 1), (twin, opt_twin, -1)):
            o.zero_grad()
            (sign * loss_of(p)).backward()
            o.step()
    for a, b in zip(params, twin):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)


# --- the Optimizer API ---------------------------------------------------------------------------


def test_defaults_and_param_groups():
    w, b = make_params()
    sgd = optim.SGD([w, b])
    assert sgd.defaults == {
        "lr": 0.001,
        "momentum": 0,
        "dampening": 0,
        "weight_decay": 0,
        "nesterov": False,
        "maximize": False,
        "foreach": None,
        "differentiable": False,
        "fused": None,
    }
    adam = optim.Adam([w, b])
    assert adam.defaults == {
        "lr": 0.001,
        "betas": (0.9, 0.999),
        "eps": 1e-08,
        "weight_decay": 0,
        "amsgrad": False,
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "fused": None,
        "decoupled_weight_decay": False,
    }
    adamw = optim.AdamW([w, b])
    assert adamw.defaults["weight_decay"] == 0.01
    assert adamw.defaults["decoupled_weight_decay"] is True
    assert len(adam.param_groups) == 1
    group = adam.param_groups[0]
    assert group["params"][0] is w and group["params"][1] is b
    assert {k: v for k, v in group.items() if k != "params"} == adam.defaults


def test_repr():
    w, b = make_params()
    assert repr(optim.SGD([w, b], lr=0.1, momentum=0.9)) == (
        "SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n"
        "    foreach: None\n    fused: None\n    lr: 0.1\n    maximize: False\n"
        "    momentum: 0.9\n    nesterov: False\n    weight_decay: 0\n)"
    )
    opt = optim.Adam([{"params": [w]}, {"params": [b], "lr": 0.5}])
    assert repr(opt).splitlines()[:4] == [
        "Adam (",
        "Parameter Group 0",
        "    amsgrad: False",
        "    betas: (0.9, 0.999)",
    ]
    assert "Parameter Group 1" in repr(opt) and "    lr: 0.5" in repr(opt)


def test_add_param_group_fills_defaults():
    w, b = make_params()
    opt = optim.SGD([w], lr=0.1, momentum=0.5)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["params"][0] is b
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["momentum"] == 0.5


def test_named_parameters_record_param_names():
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.param_groups[0]["params"][0] is model.weight
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]


def test_step_returns_closure_loss_with_grad_enabled():
    params = make_params()
    opt = optim.SGD(params, lr=0.1)
    calls = []

    def closure():
        opt.zero_grad()
        loss = loss_of(params)
        calls.append(torch.is_grad_enabled())
        loss.backward()
        return loss

    with torch.no_grad():
        loss = opt.step(closure)
    assert calls == [True]
    assert loss.item() == pytest.approx(EXPECTED["sgd_plain"][0][0], rel=1e-5)
    assert not np.allclose(params[0].detach().numpy(), W0)


def test_params_without_grad_are_skipped():
    w, b = make_params()
    for opt in (optim.SGD([w, b], lr=0.1, momentum=0.9), optim.Adam([w, b], lr=0.1)):
        (w.sum() * 2).backward()
        opt.step()
        np.testing.assert_array_equal(b.detach().numpy(), np.asarray(B0, dtype=np.float32))
        assert b not in opt.state and w in opt.state
        w.grad = None


def test_zero_grad():
    params = make_params()
    opt = optim.Adam(params)
    loss_of(params).backward()
    opt.zero_grad(set_to_none=False)
    for p in params:
        assert p.grad is not None and not p.grad.requires_grad
        np.testing.assert_array_equal(p.grad.numpy(), np.zeros(p.shape))
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_zero_learning_rate_changes_nothing():
    params = make_params()
    opt = optim.Adam(params, lr=0.0)
    loss_of(params).backward()
    opt.step()
    np.testing.assert_array_equal(params[0].detach().numpy(), np.asarray(W0, dtype=np.float32))


def test_sgd_momentum_buffer_starts_as_the_gradient():
    params = make_params()
    opt = optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=0.5)
    loss_of(params).backward()
    expected = (params[0].grad + 0.5 * params[0]).detach().numpy()
    opt.step()
    np.testing.assert_allclose(opt.state[params[0]]["momentum_buffer"].numpy(), expected)
    assert list(opt.state[params[0]]) == ["momentum_buffer"]


def test_sgd_without_momentum_keeps_no_state():
    params = make_params()
    opt = optim.SGD(params, lr=0.1)
    loss_of(params).backward()
    opt.step()
    assert opt.state_dict()["state"] == {}


# --- state_dict ----------------------------------------------------------------------------------


def test_adam_state_dict_layout():
    params = make_params()
    opt = optim.Adam([{"params": [params[0]]}, {"params": [params[1]], "amsgrad": True}])
    for _ in range(2):
        opt.zero_grad()
        loss_of(params).backward()
        opt.step()
    sd = opt.state_dict()
    assert list(sd) == ["state", "param_groups"]
    assert list(sd["state"]) == [0, 1]
    assert list(sd["state"][0]) == ["step", "exp_avg", "exp_avg_sq"]
    assert list(sd["state"][1]) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    step = sd["state"][0]["step"]
    assert step.dtype == torch.float32 and step.shape == () and step.item() == 2.0
    assert sd["state"][0]["exp_avg"].shape == (3, 2)
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["amsgrad"] is True and sd["param_groups"][0]["amsgrad"] is False
    assert set(sd["param_groups"][0]) == {*opt.defaults, "params"}


@pytest.mark.parametrize("name", ["sgd_momentum", "adam_amsgrad_wd", "adamw_lr", "adam_groups"])
def test_load_state_dict_resumes_exactly(name):
    params = make_params()
    opt = CONFIGS[name](params)
    for _ in range(3):
        opt.zero_grad()
        loss_of(params).backward()
        opt.step()
    resumed = [p.detach().clone().requires_grad_(True) for p in params]
    opt2 = CONFIGS[name](resumed)
    # load_state_dict keeps the given state tensors (no copy, as in PyTorch): clone them, as
    # a save/load round trip would, so the two optimizers do not share buffers.
    sd = opt.state_dict()
    state = {k: {n: v.clone() for n, v in s.items()} for k, s in sd["state"].items()}
    opt2.load_state_dict({"state": state, "param_groups": sd["param_groups"]})
    assert opt2.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    for _ in range(3):
        for ps, o in ((params, opt), (resumed, opt2)):
            o.zero_grad()
            loss_of(ps).backward()
            o.step()
    for a, b in zip(params, resumed):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_load_state_dict_takes_saved_hyperparameters():
    params = make_params()
    opt = optim.SGD(params, lr=0.1)
    opt2 = optim.SGD(make_params(), lr=0.5)
    opt2.load_state_dict(opt.state_dict())
    assert opt2.param_groups[0]["lr"] == 0.1


def test_load_state_dict_errors():
    params = make_params()
    opt = optim.SGD(params, lr=0.1)
    two_groups = optim.SGD([{"params": [params[0]]}, {"params": [params[1]]}], lr=0.1)
    with pytest.raises(ValueError) as info:
        opt.load_state_dict(two_groups.state_dict())
    assert str(info.value) == "loaded state dict has a different number of parameter groups"
    with pytest.raises(ValueError) as info:
        opt.load_state_dict(optim.SGD(params[:1], lr=0.1).state_dict())
    assert str(info.value) == (
        "loaded state dict contains a parameter group that doesn't match the size of "
        "optimizer's group"
    )


# --- argument checks, as PyTorch words them ------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
        (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
        (
            lambda p: optim.SGD(p, lr=0.1, nesterov=True),
            "Nesterov momentum requires a momentum and zero dampening",
        ),
        (
            lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
            "Nesterov momentum requires a momentum and zero dampening",
        ),
        (lambda p: optim.Adam(p, lr=-1), "Invalid learning rate: -1"),
        (lambda p: optim.Adam(p, eps=-1.0), "Invalid epsilon value: -1.0"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
        (lambda p: optim.Adam(p, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda p: optim.AdamW(p, lr=-0.1), "Invalid learning rate: -0.1"),
        (lambda p: optim.AdamW(p, weight_decay=-0.5), "Invalid weight_decay value: -0.5"),
        (lambda p: optim.SGD([], lr=0.1), "optimizer got an empty parameter list"),
        (
            lambda p: optim.SGD([p[0] * 2], lr=0.1),
            "can't optimize a non-leaf Tensor",
        ),
        (
            lambda p: optim.SGD([{"params": p}, {"params": p[:1]}], lr=0.1),
            "some parameters appear in more than one parameter group",
        ),
    ],
)
def test_value_errors(make, message):
    with pytest.raises(ValueError) as info:
        make(make_params())
    assert str(info.value) == message


def test_type_errors():
    w, b = make_params()
    with pytest.raises(TypeError) as info:
        optim.SGD(w, lr=0.1)
    assert str(info.value) == (
        "params argument given to the optimizer should be an iterable of Tensors or dicts, "
        "but got torch.FloatTensor"
    )
    with pytest.raises(TypeError, match="optimizer parameters need to be organized in ordered"):
        optim.SGD([{"params": {w, b}}], lr=0.1)
    with pytest.raises(TypeError) as info:
        optim.SGD([w, 1.0], lr=0.1)
    assert str(info.value) == "optimizer can only optimize Tensors, but one of the params is float"
    opt = optim.SGD([w], lr=0.1)
    with pytest.raises(TypeError) as info:
        opt.add_param_group([b])
    assert str(info.value) == "param_group must be a dict, but got <class 'list'>"


def test_duplicate_parameters_warn():
    w, _ = make_params()
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([w, w], lr=0.1)


# --- training ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_opt",
    [
        lambda p: optim.SGD(p, lr=0.2, momentum=0.9),
        lambda p: optim.Adam(p, lr=0.02),
        lambda p: optim.AdamW(p, lr=0.02),
    ],
)
def test_training_an_mlp_fits_two_moons_like_data(make_opt):
    rng = np.random.default_rng(3)
    angle = rng.uniform(0, np.pi, 200)
    label = rng.integers(0, 2, 200)
    pts = np.stack([np.cos(angle), np.sin(angle)], 1)
    pts[label == 1] = pts[label == 1] * [1, -1] + [1.0, 0.5]
    pts += rng.normal(0, 0.05, pts.shape)
    x, y = tensor(pts, torch.float32), torch.tensor(label.tolist())
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 2))
    opt = make_opt(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    first = None
    for _ in range(300):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        first = loss.item() if first is None else first
    assert first == pytest.approx(math.log(2), abs=0.3)
    assert loss.item() < 0.1
    accuracy = (model(x).argmax(1) == y).float().mean().item()
    assert accuracy > 0.97
