"""nn.Module's API (registration, iteration, modes, state_dict, printing), the layers
(Linear, Sequential, activations, Dropout, Embedding, Flatten, Identity) and nn.init."""

import math
from collections import OrderedDict

import numpy as np
import pytest

import fastgrad as torch

nn = torch.nn
F = torch.nn.functional


def f32(a, requires_grad=False):
    return torch.tensor(np.asarray(a).tolist(), dtype=torch.float32, requires_grad=requires_grad)


def f64(a, requires_grad=False):
    return torch.tensor(np.asarray(a).tolist(), dtype=torch.float64, requires_grad=requires_grad)


class Net(nn.Module):
    """Two linear layers around an activation, plus a parameter and a buffer of its own."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(3, 2, bias=False)
        self.scale = nn.Parameter(torch.ones(2))
        self.register_buffer("offset", torch.zeros(2))

    def forward(self, x, shift=0.0):
        return self.fc2(self.act(self.fc1(x))) * self.scale + self.offset + shift


# --- Parameter -----------------------------------------------------------------------------------


def test_parameter_is_a_leaf_tensor_that_requires_grad():
    data = torch.ones(2, 3)
    p = nn.Parameter(data)
    assert isinstance(p, torch.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf and p.shape == (2, 3)
    assert not nn.Parameter(data, requires_grad=False).requires_grad
    # Results of ops on a Parameter are plain tensors.
    assert not isinstance(p * 2, nn.Parameter)
    assert nn.Parameter().shape == (0,)


def test_parameter_shares_storage_with_its_data():
    data = torch.zeros(3)
    p = nn.Parameter(data)
    with torch.no_grad():
        p.add_(1.0)
    np.testing.assert_array_equal(data.numpy(), [1.0, 1.0, 1.0])


def test_parameter_repr():
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert str(p) == repr(p)


# --- registration and attributes -----------------------------------------------------------------


def test_attributes_register_parameters_modules_and_buffers():
    net = Net()
    assert list(net._parameters) == ["scale"]
    assert list(net._modules) == ["fc1", "act", "fc2"]
    assert list(net._buffers) == ["offset"]
    assert net.fc1 is net._modules["fc1"] and net.scale is net._parameters["scale"]
    assert "fc1" not in net.__dict__ and "scale" not in net.__dict__
    net.note = "plain attribute"
    assert net.note == "plain attribute" and "note" not in net._parameters


def test_getattr_error_names_the_class():
    with pytest.raises(AttributeError) as info:
        _ = Net().missing
    assert str(info.value) == "'Net' object has no attribute 'missing'"


def test_reassigning_and_deleting():
    net = Net()
    net.fc1 = nn.Linear(4, 3, bias=False)
    assert net.fc1.bias is None
    net.scale = None
    assert net._parameters["scale"] is None
    assert [n for n, _ in net.named_parameters()] == ["fc1.weight", "fc2.weight"]
    del net.fc2
    assert "fc2" not in net._modules
    with pytest.raises(AttributeError):
        _ = net.fc2
    del net.offset
    assert list(net.state_dict()) == ["fc1.weight"]


def test_assigning_a_tensor_to_a_parameter_name_raises():
    lin = nn.Linear(2, 2)
    with pytest.raises(TypeError) as info:
        lin.weight = torch.zeros(2, 2)
    assert str(info.value) == (
        "cannot assign 'torch.FloatTensor' as parameter 'weight' "
        "(torch.nn.Parameter or None expected)"
    )
    net = Net()
    with pytest.raises(TypeError) as info:
        net.fc1 = 3
    assert (
        str(info.value)
        == "cannot assign 'int' as child module 'fc1' (torch.nn.Module or None expected)"
    )


def test_register_parameter_and_add_module_checks():
    m = nn.Module()
    m.register_parameter("w", nn.Parameter(torch.ones(1)))
    m.register_parameter("unused", None)
    m.add_module("child", nn.ReLU())
    m.add_module("empty", None)
    assert list(m._parameters) == ["w", "unused"]
    assert [n for n, _ in m.named_parameters()] == ["w"]
    assert [n for n, _ in m.named_children()] == ["child"]
    with pytest.raises(KeyError) as info:
        m.register_parameter("a.b", nn.Parameter(torch.ones(1)))
    assert info.value.args[0] == 'parameter name can\'t contain "."'
    with pytest.raises(KeyError) as info:
        m.register_parameter("training", nn.Parameter(torch.ones(1)))
    assert info.value.args[0] == "attribute 'training' already exists"
    with pytest.raises(TypeError) as info:
        m.register_parameter("t", torch.ones(1))
    assert str(info.value) == (
        "cannot assign 'torch.FloatTensor' object to parameter 't' "
        "(torch.nn.Parameter or None required)"
    )
    with pytest.raises(KeyError) as info:
        m.add_module("a.b", nn.ReLU())
    assert info.value.args[0] == 'module name can\'t contain ".", got: a.b'
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)


def test_forward_is_required_and_call_passes_arguments():
    with pytest.raises(NotImplementedError) as info:
        nn.Module()(1)
    assert str(info.value) == 'Module [Module] is missing the required "forward" function'
    net = Net()
    x = torch.ones(1, 4)
    np.testing.assert_allclose(
        net(x, shift=1.0).detach().numpy(), net.forward(x).detach().numpy() + 1.0, rtol=1e-6
    )


# --- iteration -----------------------------------------------------------------------------------


def test_named_parameters_children_modules():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale",
        "fc1.weight",
        "fc1.bias",
        "fc2.weight",
    ]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in net.named_parameters(prefix="net")][:2] == ["net.scale", "net.fc1.weight"]
    assert [p.shape for p in net.parameters()] == [(2,), (3, 4), (3,), (2, 3)]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert list(net.children()) == [net.fc1, net.act, net.fc2]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    assert list(net.modules())[0] is net
    assert [n for n, _ in net.named_buffers()] == ["offset"]
    assert len(list(net.buffers())) == 1


def test_shared_modules_and_parameters_are_listed_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_apply_visits_children_first_and_returns_self():
    net = Net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "Tanh", "Linear", "Net"]


def test_get_submodule():
    model = nn.Sequential(OrderedDict(block=nn.Sequential(nn.Linear(2, 2))))
    assert model.get_submodule("block.0") is model.block[0]
    assert model.get_submodule("") is model
    with pytest.raises(AttributeError):
        model.get_submodule("block.9")


# --- modes and gradients -------------------------------------------------------------------------


def test_train_eval_propagate():
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.ReLU()))
    assert net.training and all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net[1].train(False)
    assert net.training and not net[1][0].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")


def test_zero_grad_and_requires_grad_():
    net = Net()
    net(torch.ones(3, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    for p in net.parameters():
        np.testing.assert_array_equal(p.grad.numpy(), np.zeros(p.shape))
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())


def test_double_converts_parameters_and_buffers():
    net = Net().double()
    assert all(p.dtype == torch.float64 for p in net.parameters())
    assert net.offset.dtype == torch.float64
    assert net(torch.ones(1, 4, dtype=torch.float64)).dtype == torch.float64
    assert all(p.dtype == torch.float32 for p in net.float().parameters())
    assert net.to(torch.float64).fc1.weight.dtype == torch.float64


def test_gradcheck_through_a_double_model():
    torch.manual_seed(0)
    net = Net().double()
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(net, (x,))


# --- state_dict ----------------------------------------------------------------------------------


def test_state_dict_keys_values_and_detach():
    net = Net()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["scale", "offset", "fc1.weight", "fc1.bias", "fc2.weight"]
    assert not any(v.requires_grad for v in sd.values())
    np.testing.assert_array_equal(sd["fc1.weight"].numpy(), net.fc1.weight.detach().numpy())
    # Detached, not copied: the entries see later in-place updates.
    with torch.no_grad():
        net.fc1.weight.mul_(0.0)
    np.testing.assert_array_equal(sd["fc1.weight"].numpy(), np.zeros((3, 4)))
    kept = net.state_dict(keep_vars=True)
    assert kept["scale"] is net.scale
    assert list(net.state_dict(prefix="m.")) == ["m." + k for k in sd]


def test_non_persistent_buffers_stay_out_of_state_dict():
    m = nn.Module()
    m.register_buffer("kept", torch.ones(1))
    m.register_buffer("scratch", torch.ones(1), persistent=False)
    assert list(m.state_dict()) == ["kept"]
    assert [n for n, _ in m.named_buffers()] == ["kept", "scratch"]


def test_load_state_dict_copies_values():
    torch.manual_seed(0)
    src, dst = Net(), Net()
    result = dst.load_state_dict(src.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    x = torch.randn(5, 4)
    np.testing.assert_array_equal(dst(x).detach().numpy(), src(x).detach().numpy())
    weight = dst.fc1.weight
    dst.load_state_dict(Net().state_dict())
    assert dst.fc1.weight is weight and weight.requires_grad and weight.is_leaf


def test_load_state_dict_strict_error_message():
    net = Net()
    sd = net.state_dict()
    del sd["fc1.bias"]
    sd["fc3.weight"] = torch.zeros(1)
    sd["extra"] = torch.zeros(1)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd)
    assert str(info.value) == (
        "Error(s) in loading state_dict for Net:\n"
        '\tMissing key(s) in state_dict: "fc1.bias". \n'
        '\tUnexpected key(s) in state_dict: "fc3.weight", "extra". '
    )


def test_load_state_dict_non_strict_returns_the_keys():
    net = Net()
    sd = net.state_dict()
    del sd["scale"]
    sd["fc2.bias"] = torch.zeros(2)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["scale"] and result.unexpected_keys == ["fc2.bias"]
    assert repr(result) == "_IncompatibleKeys(missing_keys=['scale'], unexpected_keys=['fc2.bias'])"
    missing, unexpected = result
    assert (missing, unexpected) == (["scale"], ["fc2.bias"])


def test_load_state_dict_size_mismatch_is_reported_even_when_not_strict():
    net = nn.Linear(3, 2)
    sd = net.state_dict()
    sd["weight"] = torch.zeros(2, 4)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd, strict=False)
    assert str(info.value) == (
        "Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param "
        "with shape torch.Size([2, 4]) from checkpoint, the shape in current model is "
        "torch.Size([2, 3])."
    )
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        net.load_state_dict([1, 2])


# --- printing ------------------------------------------------------------------------------------


def test_repr_of_sequential_and_nested_modules():
    seq = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
    assert repr(seq) == (
        "Sequential(\n  (0): Linear(in_features=4, out_features=3, bias=True)\n  (1): ReLU()\n)"
    )
    assert repr(Net()) == (
        "Net(\n"
        "  (fc1): Linear(in_features=4, out_features=3, bias=True)\n"
        "  (act): Tanh()\n"
        "  (fc2): Linear(in_features=3, out_features=2, bias=False)\n"
        ")"
    )
    nested = nn.Sequential(nn.Sequential(nn.Linear(1, 1)), nn.Identity())
    assert repr(nested) == (
        "Sequential(\n"
        "  (0): Sequential(\n"
        "    (0): Linear(in_features=1, out_features=1, bias=True)\n"
        "  )\n"
        "  (1): Identity()\n"
        ")"
    )
    assert repr(nn.Sequential()) == "Sequential()"


def test_repr_with_multiline_extra_repr_and_module_list():
    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.ReLU()

        def extra_repr(self):
            return "alpha=1\nbeta=2"

    assert repr(Custom()) == "Custom(\n  alpha=1\n  beta=2\n  (inner): ReLU()\n)"
    ml = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU()])
    assert repr(ml) == (
        "ModuleList(\n"
        "  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n"
        "  (3): ReLU()\n"
        ")"
    )


@pytest.mark.parametrize(
    ("module", "text"),
    [
        (nn.ReLU(), "ReLU()"),
        (nn.ReLU(inplace=True), "ReLU(inplace=True)"),
        (nn.Tanh(), "Tanh()"),
        (nn.Sigmoid(), "Sigmoid()"),
        (nn.Softmax(dim=1), "Softmax(dim=1)"),
        (nn.Softmax(), "Softmax(dim=None)"),
        (nn.LogSoftmax(dim=-1), "LogSoftmax(dim=-1)"),
        (nn.Dropout(), "Dropout(p=0.5, inplace=False)"),
        (nn.Dropout(0.25, inplace=True), "Dropout(p=0.25, inplace=True)"),
        (nn.Embedding(10, 3), "Embedding(10, 3)"),
        (nn.Embedding(10, 3, padding_idx=-1), "Embedding(10, 3, padding_idx=9)"),
        (nn.Flatten(), "Flatten(start_dim=1, end_dim=-1)"),
        (nn.Flatten(0, 2), "Flatten(start_dim=0, end_dim=2)"),
        (nn.Identity(), "Identity()"),
        (nn.Linear(5, 1, bias=False), "Linear(in_features=5, out_features=1, bias=False)"),
    ],
)
def test_layer_reprs(module, text):
    assert repr(module) == text


# --- Linear --------------------------------------------------------------------------------------


def test_linear_forward_is_x_wt_plus_b():
    torch.manual_seed(0)
    lin = nn.Linear(4, 3)
    assert lin.weight.shape == (3, 4) and lin.bias.shape == (3,)
    assert (lin.in_features, lin.out_features) == (4, 3)
    x = np.random.default_rng(0).standard_normal((5, 4))
    out = lin(f32(x))
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    np.testing.assert_allclose(out.detach().numpy(), x @ w.T + b, rtol=1e-5, atol=1e-6)
    # Any number of leading dimensions, and none.
    assert lin(torch.ones(2, 7, 4)).shape == (2, 7, 3)
    assert lin(torch.ones(4)).shape == (3,)
    np.testing.assert_allclose(
        F.linear(f32(x), lin.weight).detach().numpy(), x @ w.T, rtol=1e-5, atol=1e-6
    )


def test_linear_gradients():
    torch.manual_seed(0)
    lin = nn.Linear(4, 3).double()
    x = f64(np.random.default_rng(1).standard_normal((5, 4)), requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, w, b: F.linear(x, w, b), (x, lin.weight, lin.bias))
    lin(x).sum().backward()
    np.testing.assert_allclose(lin.bias.grad.numpy(), np.full(3, 5.0))
    np.testing.assert_allclose(
        lin.weight.grad.numpy(), np.ones((3, 5)) @ x.detach().numpy(), rtol=1e-12
    )


def test_linear_default_init_is_uniform_in_plus_minus_one_over_sqrt_fan_in():
    torch.manual_seed(0)
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.99 * bound  # fills the range
    assert abs(w.mean()) < 0.01 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)  # uniform's std
    assert lin.weight.is_leaf and lin.weight.requires_grad and lin.weight.grad_fn is None


def test_linear_dtype_argument():
    assert nn.Linear(2, 3, dtype=torch.float64).weight.dtype == torch.float64


# --- Sequential and ModuleList -------------------------------------------------------------------


def test_sequential_chains_and_indexes():
    torch.manual_seed(0)
    a, b, c = nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)
    seq = nn.Sequential(a, b, c)
    x = torch.randn(5, 4)
    np.testing.assert_array_equal(seq(x).detach().numpy(), c(b(a(x))).detach().numpy())
    assert len(seq) == 3 and list(seq) == [a, b, c]
    assert seq[0] is a and seq[-1] is c
    tail = seq[1:]
    assert isinstance(tail, nn.Sequential) and list(tail) == [b, c]
    assert list(tail._modules) == ["1", "2"]
    with pytest.raises(IndexError) as info:
        seq[3]
    assert str(info.value) == "index 3 is out of range"


def test_sequential_append_insert_delete_setitem():
    seq = nn.Sequential(nn.ReLU())
    tanh = nn.Tanh()
    assert seq.append(tanh) is seq
    assert list(seq._modules) == ["0", "1"] and seq[1] is tanh
    seq.insert(0, nn.Identity())
    assert [type(m).__name__ for m in seq] == ["Identity", "ReLU", "Tanh"]
    del seq[0]
    assert list(seq._modules) == ["0", "1"] and seq[1] is tanh
    seq[0] = nn.Sigmoid()
    assert type(seq[0]).__name__ == "Sigmoid"
    seq.extend([nn.ReLU(), nn.ReLU()])
    assert len(seq) == 4


def test_sequential_from_ordered_dict_keeps_names():
    seq = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    assert seq.hidden is seq[0]
    assert list(seq.state_dict()) == ["hidden.weight", "hidden.bias"]


def test_module_list_registers_its_modules():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    holder = nn.Module()
    holder.layers = layers
    assert len(list(holder.parameters())) == 6
    assert layers[-1] is layers[2] and len(layers) == 3
    layers.append(nn.ReLU())
    assert list(holder.state_dict())[-1] == "layers.2.bias" and len(layers) == 4


# --- activations ---------------------------------------------------------------------------------

A = np.array([[-2.0, -0.5, 0.0, 0.7], [1.5, 3.0, -1.0, 0.2]])


def softmax_np(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize(
    ("module", "ref"),
    [
        (nn.ReLU(), lambda a: np.maximum(a, 0)),
        (nn.Tanh(), np.tanh),
        (nn.Sigmoid(), lambda a: 1 / (1 + np.exp(-a))),
        (nn.Softmax(dim=1), lambda a: softmax_np(a, 1)),
        (nn.Softmax(dim=0), lambda a: softmax_np(a, 0)),
        (nn.LogSoftmax(dim=1), lambda a: np.log(softmax_np(a, 1))),
        (nn.Identity(), lambda a: a),
    ],
)
def test_activation_values_and_gradcheck(module, ref):
    np.testing.assert_allclose(module(f32(A)).numpy(), ref(A), rtol=1e-5, atol=1e-7)
    shifted = A + 0.05  # keep relu's argument away from its kink
    assert torch.autograd.gradcheck(module, (f64(shifted, requires_grad=True),))


def test_softmax_without_dim_warns_and_picks_the_legacy_dim():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = nn.Softmax()(f32(A))
    np.testing.assert_allclose(out.numpy(), softmax_np(A, 1), rtol=1e-6)
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        out = F.log_softmax(f32(A[0]))
    np.testing.assert_allclose(out.numpy(), np.log(softmax_np(A[0], 0)), rtol=1e-5)


def test_identity_returns_its_input():
    x = torch.ones(2)
    assert nn.Identity(3, unused=True)(x) is x


# --- Dropout -------------------------------------------------------------------------------------


def test_dropout_in_training_zeroes_and_rescales():
    torch.manual_seed(0)
    drop = nn.Dropout(p=0.25)
    x = torch.ones(100000)
    out = drop(x).numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], 1 / 0.75, rtol=1e-6)
    assert kept.mean() == pytest.approx(0.75, abs=0.01)


def test_dropout_gradient_is_the_scaled_mask():
    torch.manual_seed(1)
    x = torch.ones(1000, requires_grad=True)
    out = F.dropout(x, p=0.4)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), out.detach().numpy())


def test_dropout_eval_and_p_zero_are_identity():
    x = torch.randn(10)
    drop = nn.Dropout(0.5).eval()
    assert drop(x) is x
    assert F.dropout(x, p=0.0) is x
    assert F.dropout(x, training=False) is x


def test_dropout_p_one_gives_zeros_and_bad_p_raises():
    np.testing.assert_array_equal(F.dropout(torch.ones(5), p=1.0).numpy(), np.zeros(5))
    with pytest.raises(ValueError) as info:
        nn.Dropout(1.5)
    assert str(info.value) == "dropout probability has to be between 0 and 1, but got 1.5"
    with pytest.raises(ValueError, match="but got -0.1"):
        F.dropout(torch.ones(2), p=-0.1)


# --- Embedding -----------------------------------------------------------------------------------


def test_embedding_looks_up_rows():
    torch.manual_seed(0)
    emb = nn.Embedding(10, 3)
    assert emb.weight.shape == (10, 3) and emb.weight.requires_grad
    idx = torch.tensor([[1, 4, 4], [9, 0, 1]])
    out = emb(idx)
    assert out.shape == (2, 3, 3)
    w = emb.weight.detach().numpy()
    np.testing.assert_array_equal(out.detach().numpy(), w[np.array([[1, 4, 4], [9, 0, 1]])])
    assert emb(torch.tensor(7)).shape == (3,)


def test_embedding_gradient_counts_lookups():
    emb = nn.Embedding(5, 2)
    emb(torch.tensor([1, 3, 3, 3])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.numpy()[:, 0], [0.0, 1.0, 0.0, 3.0, 0.0])


def test_embedding_default_init_is_standard_normal():
    torch.manual_seed(0)
    w = nn.Embedding(1000, 50).weight.detach().numpy()
    assert abs(w.mean()) < 0.02 and w.std() == pytest.approx(1.0, abs=0.02)


def test_embedding_padding_row_is_zero_and_gets_no_gradient():
    emb = nn.Embedding(4, 2, padding_idx=0)
    np.testing.assert_array_equal(emb.weight.detach().numpy()[0], [0.0, 0.0])
    emb(torch.tensor([0, 2, 0])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.numpy(), [[0, 0], [0, 0], [1, 1], [0, 0]])


def test_embedding_rejects_float_indices():
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices'"):
        nn.Embedding(3, 2)(torch.tensor([1.0]))


# --- Flatten -------------------------------------------------------------------------------------


def test_flatten():
    x = torch.randn(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Flatten(-2)(x).shape == (2, 3, 20)
    np.testing.assert_array_equal(nn.Flatten()(x).numpy(), x.numpy().reshape(2, 60))


# --- nn.init -------------------------------------------------------------------------------------


def test_init_functions_fill_in_place_and_keep_the_leaf():
    torch.manual_seed(0)
    p = nn.Parameter(torch.empty(200, 300))
    assert nn.init.uniform_(p, -0.5, 2.0) is p
    v = p.detach().numpy()
    assert v.min() >= -0.5 and v.max() <= 2.0 and v.mean() == pytest.approx(0.75, abs=0.01)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    nn.init.normal_(p, mean=1.0, std=0.5)
    v = p.detach().numpy()
    assert v.mean() == pytest.approx(1.0, abs=0.01) and v.std() == pytest.approx(0.5, rel=0.02)
    nn.init.constant_(p, 0.3)
    np.testing.assert_allclose(p.detach().numpy(), 0.3, rtol=1e-7)
    nn.init.zeros_(p)
    assert not p.detach().numpy().any()
    nn.init.ones_(p)
    assert (p.detach().numpy() == 1).all()


@pytest.mark.parametrize(
    ("kwargs", "gain"),
    [
        ({}, math.sqrt(2.0 / (1 + 0.0**2))),  # a=0 with leaky_relu is relu's sqrt(2)
        ({"a": math.sqrt(5)}, math.sqrt(1 / 3)),
        ({"nonlinearity": "relu"}, math.sqrt(2)),
        ({"mode": "fan_out", "nonlinearity": "tanh"}, 5 / 3),
    ],
)
def test_kaiming_uniform_bound(kwargs, gain):
    torch.manual_seed(0)
    w = torch.empty(300, 200)
    nn.init.kaiming_uniform_(w, **kwargs)
    fan = 300 if kwargs.get("mode") == "fan_out" else 200
    bound = math.sqrt(3) * gain / math.sqrt(fan)
    v = w.numpy()
    assert np.abs(v).max() <= bound * (1 + 1e-6) and np.abs(v).max() > 0.99 * bound


def test_xavier_uniform_bound_and_gain():
    torch.manual_seed(0)
    w = torch.empty(100, 300)
    nn.init.xavier_uniform_(w, gain=2.0)
    bound = 2.0 * math.sqrt(6 / 400)
    assert np.abs(w.numpy()).max() <= bound and np.abs(w.numpy()).max() > 0.99 * bound


def test_calculate_gain_and_fan_errors():
    gain = nn.init.calculate_gain
    assert gain("linear") == 1 and gain("sigmoid") == 1 and gain("relu") == math.sqrt(2)
    assert gain("tanh") == 5 / 3 and gain("selu") == 3 / 4
    assert gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        gain("gelu")
    with pytest.raises(ValueError) as info:
        nn.init.xavier_uniform_(torch.empty(3))
    assert str(info.value) == (
        "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
    )
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        nn.init.kaiming_uniform_(torch.empty(2, 2), mode="fan_avg")


def test_calling_a_module_runs_forward_through_the_c_call_slot():
    # Module.__call__ is _C._ModuleBase's tp_call: module(*args, **kwargs) ->
    # module.forward(*args, **kwargs), with the forward looked up on the instance.
    class Affine(torch.nn.Module):
        def forward(self, x, *, scale=1.0, shift=0.0):
            return x * scale + shift

    m = Affine()
    x = torch.tensor([1.0, 2.0])
    assert m(x).tolist() == [1.0, 2.0]
    assert m(x, scale=2.0, shift=1.0).tolist() == [3.0, 5.0]
    assert torch.nn.Module.__call__(m, x, scale=3.0).tolist() == [3.0, 6.0]
    m.forward = lambda x: x - 1  # an assigned forward is the one that runs, as in PyTorch
    assert m(x).tolist() == [0.0, 1.0]

    class Logged(Affine):
        calls = 0

        def __call__(self, *args, **kwargs):
            Logged.calls += 1
            return super().__call__(*args, **kwargs)

    assert Logged()(x, shift=1.0).tolist() == [2.0, 3.0] and Logged.calls == 1

    class Failing(torch.nn.Module):
        def forward(self, x):
            raise KeyError("inside forward")

    with pytest.raises(KeyError, match="inside forward"):
        Failing()(x)
    with pytest.raises(TypeError, match="positional argument"):
        Affine()(x, 2.0)
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        torch.nn.Module()(x)
    assert isinstance(m, torch.nn.Module) and "forward" in m.__dict__  # instance dict intact


def test_linear_reads_its_parameters_and_a_plain_tensor_that_replaced_one():
    # Linear.forward takes weight and bias from _parameters (the fast path) and falls back to
    # getattr for a name that is no longer a parameter.
    lin = torch.nn.Linear(3, 2)
    x = torch.tensor([[1.0, 2.0, 3.0]])
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    np.testing.assert_allclose(lin(x).detach().numpy(), x.numpy() @ w.T + b, rtol=1e-6)
    lin.weight = torch.nn.Parameter(torch.ones(2, 3))  # a new parameter is the one used
    np.testing.assert_allclose(lin(x).detach().numpy(), [[6.0 + b[0], 6.0 + b[1]]], rtol=1e-6)
    del lin.weight
    lin.weight = 2 * torch.ones(2, 3)  # a plain tensor attribute now
    assert "weight" not in lin._parameters
    np.testing.assert_allclose(lin(x).detach().numpy(), [[12.0 + b[0], 12.0 + b[1]]], rtol=1e-6)
    assert torch.nn.Linear(3, 2, bias=False)(x).shape == (1, 2)
