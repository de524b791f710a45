"""fastgrad.save / fastgrad.load: round trips, the documented zip + JSON + .npy format, and
refusal of anything that would need unpickling. fastgrad-only: torch.save pickles."""

import io
import json
import math
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import fastgrad as torch

pytestmark = pytest.mark.skipif(
    torch.__name__ != "fastgrad", reason="fastgrad's file format (torch.save pickles)"
)

nn = torch.nn


def roundtrip(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return torch.load(buf)


def assert_same_tensor(a, b):
    assert type(a) is torch.Tensor
    assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


# --- round trips ---------------------------------------------------------------------------------


def test_plain_values_and_containers_keep_their_types():
    obj = {
        "none": None,
        "flags": [True, False],
        "ints": (0, -7, 2**80),
        "floats": [0.1, -2.5e-300, 1e308, float("inf"), float("-inf")],
        "text": 'héllo\n"quoted"',
        3: "int key",
        (1, "a"): "tuple key",
        "nested": OrderedDict([("b", [1, (2, [3])]), ("a", {})]),
        "empty": ([], (), {}),
    }
    out = roundtrip(obj)
    assert out == obj
    assert type(out["ints"]) is tuple and type(out["nested"]) is OrderedDict
    assert list(out["nested"]) == ["b", "a"]
    assert type(out["empty"][1]) is tuple and type(out["flags"][0]) is bool
    assert math.isnan(roundtrip(float("nan")))


@pytest.mark.parametrize(
    "t",
    [
        torch.tensor(3.5),
        torch.tensor([[1.0, -2.0], [3.0, 4.5]], dtype=torch.float64),
        torch.arange(12).reshape(2, 3, 2),
        torch.tensor([True, False, True]),
        torch.zeros(0, 3),
        torch.tensor(-1),
    ],
)
def test_tensor_dtype_shape_and_values(t):
    assert_same_tensor(roundtrip(t), t)


def test_requires_grad_is_recorded_and_tensors_come_back_as_leaves():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3  # a non-leaf: saved by value
    out_x, out_y = roundtrip([x, y])
    assert out_x.requires_grad and out_x.is_leaf and out_x.grad_fn is None
    assert out_y.requires_grad and out_y.is_leaf
    np.testing.assert_array_equal(out_y.detach().numpy(), [3.0, 6.0])


def test_parameters_load_as_plain_tensors():
    p = nn.Parameter(torch.ones(2))
    out = roundtrip({"p": p})["p"]
    assert type(out) is torch.Tensor and not isinstance(out, nn.Parameter)
    assert out.requires_grad


def test_non_contiguous_tensor_is_saved_in_logical_order():
    t = torch.arange(6.0).reshape(2, 3).t()
    out = roundtrip(t)
    assert out.shape == (3, 2)
    np.testing.assert_array_equal(out.numpy(), np.arange(6.0).reshape(2, 3).T)


def test_a_tensor_reached_twice_loads_as_one_tensor():
    t = torch.ones(3)
    a, b, c = roundtrip([t, {"again": t}, torch.ones(3)])
    assert a is b["again"] and a is not c


def test_loaded_tensors_own_their_memory():
    out = roundtrip(torch.zeros(3))
    out.add_(1.0)  # writable
    np.testing.assert_array_equal(out.numpy(), [1.0, 1.0, 1.0])


# --- files ---------------------------------------------------------------------------------------


def test_path_str_pathlib_and_file_objects(tmp_path):
    obj = {"w": torch.randn(4, 2)}
    path = tmp_path / "ckpt.pt"
    torch.save(obj, path)
    assert_same_tensor(torch.load(path)["w"], obj["w"])
    torch.save(obj, str(path))
    assert_same_tensor(torch.load(str(path))["w"], obj["w"])
    with open(path, "wb") as f:
        torch.save(obj, f)
    with open(path, "rb") as f:
        assert_same_tensor(torch.load(f)["w"], obj["w"])


def test_unseekable_streams():
    class WriteOnly(io.RawIOBase):
        def __init__(self):
            self.data = bytearray()

        def writable(self):
            return True

        def write(self, b):
            self.data += b
            return len(b)

    class ReadOnce(io.RawIOBase):
        def __init__(self, data):
            self._buf = io.BytesIO(data)

        def readable(self):
            return True

        def seekable(self):
            return False

        def readinto(self, b):
            return self._buf.readinto(b)

    sink = WriteOnly()
    torch.save({"t": torch.arange(3)}, sink)
    out = torch.load(ReadOnce(bytes(sink.data)))
    assert_same_tensor(out["t"], torch.arange(3))


def test_load_accepts_cpu_map_location_and_weights_only():
    buf = io.BytesIO()
    torch.save(torch.ones(1), buf)
    for kw in (
        {"map_location": "cpu"},
        {"map_location": torch.device("cpu")},
        {"weights_only": True},
    ):
        buf.seek(0)
        assert_same_tensor(torch.load(buf, **kw), torch.ones(1))


# --- models and optimizers -----------------------------------------------------------------------


def make_model():
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def test_model_state_dict_round_trip(tmp_path):
    torch.manual_seed(0)
    model = make_model()
    torch.save(model.state_dict(), tmp_path / "m.pt")
    sd = torch.load(tmp_path / "m.pt")
    assert type(sd) is OrderedDict and list(sd) == list(model.state_dict())
    torch.manual_seed(1)
    fresh = make_model()
    assert fresh.load_state_dict(sd).missing_keys == []
    x = torch.randn(5, 3)
    np.testing.assert_array_equal(fresh(x).detach().numpy(), model(x).detach().numpy())


def test_checkpoint_resumes_training_exactly(tmp_path):
    torch.manual_seed(0)
    x, y = torch.randn(16, 3), torch.tensor([0, 1] * 8)

    def train(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()

    model = make_model()
    opt = torch.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    train(model, opt, 3)
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": 3}, tmp_path / "c")
    train(model, opt, 4)

    ckpt = torch.load(tmp_path / "c")
    assert ckpt["epoch"] == 3 and list(ckpt["opt"]["state"]) == [0, 1, 2, 3]
    assert ckpt["opt"]["state"][0]["step"].dtype == torch.float32
    resumed = make_model()
    resumed.load_state_dict(ckpt["model"])
    opt2 = torch.optim.Adam(resumed.parameters(), lr=0.01, amsgrad=True)
    opt2.load_state_dict(ckpt["opt"])
    train(resumed, opt2, 4)
    for a, b in zip(model.parameters(), resumed.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


# --- the documented format -----------------------------------------------------------------------


def test_archive_layout_matches_the_documentation():
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2, 3), "n": 1}, buf)
    with zipfile.ZipFile(buf) as zf:
        assert sorted(zf.namelist()) == ["data.json", "tensors/0.npy"]
        doc = json.loads(zf.read("data.json"))
        arr = np.load(io.BytesIO(zf.read("tensors/0.npy")), allow_pickle=False)
    assert doc == {
        "format": "fastgrad",
        "version": 1,
        "root": {
            "t": "dict",
            "items": [
                [
                    {"t": "str", "v": "w"},
                    {
                        "t": "tensor",
                        "id": 0,
                        "dtype": "float32",
                        "shape": [2, 3],
                        "requires_grad": False,
                    },
                ],
                [{"t": "str", "v": "n"}, {"t": "int", "v": 1}],
            ],
        },
    }
    assert arr.dtype == np.float32 and arr.shape == (2, 3)


@pytest.mark.parametrize(
    "obj",
    [nn.Linear(2, 2), np.zeros(2), {1, 2}, object(), b"bytes", [torch.float32]],
)
def test_unsupported_objects_raise_type_error(obj):
    with pytest.raises(TypeError, match="fastgrad.save cannot store an object of type"):
        torch.save(obj, io.BytesIO())


def test_self_containing_object_raises():
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        torch.save(loop, io.BytesIO())


# --- untrusted files: nothing is ever unpickled --------------------------------------------------

EXECUTED = []


def _side_effect():
    EXECUTED.append(True)
    return "pwned"


class Malicious:
    def __reduce__(self):
        return (_side_effect, ())


def archive(document, files=()):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("data.json", document if isinstance(document, str) else json.dumps(document))
        for name, data in files:
            zf.writestr(name, data)
    buf.seek(0)
    return buf


def tensor_doc(dtype="float32", shape=(2,)):
    node = {"t": "tensor", "id": 0, "dtype": dtype, "shape": list(shape), "requires_grad": False}
    return {"format": "fastgrad", "version": 1, "root": node}


def npy(array, allow_pickle=False):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


def test_a_pickle_file_is_refused_without_running_it():
    EXECUTED.clear()
    with pytest.raises(ValueError, match="is not a fastgrad file .not a zip archive."):
        torch.load(io.BytesIO(pickle.dumps({"x": Malicious()})))
    assert EXECUTED == []


def test_a_torch_save_style_zip_is_refused():
    EXECUTED.clear()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps(Malicious()))
        zf.writestr("archive/version", "3\n")
    buf.seek(0)
    with pytest.raises(ValueError, match="no data.json in the archive"):
        torch.load(buf)
    assert EXECUTED == []


def test_an_object_array_in_a_tensor_entry_is_refused():
    EXECUTED.clear()
    evil = np.array([Malicious(), 1], dtype=object)
    buf = archive(tensor_doc(), [("tensors/0.npy", npy(evil, allow_pickle=True))])
    with pytest.raises(ValueError, match="Object arrays cannot be loaded when allow_pickle=False"):
        torch.load(buf)
    assert EXECUTED == []


@pytest.mark.parametrize(
    ("document", "files", "message"),
    [
        ("{not json", (), "data.json is not valid JSON"),
        ({"format": "other"}, (), "does not describe a fastgrad object"),
        ({"format": "fastgrad", "version": 99, "root": {"t": "none"}}, (), "version 99"),
        ({"format": "fastgrad", "version": 1, "root": {"t": "code"}}, (), "unknown node type"),
        ({"format": "fastgrad", "version": 1, "root": [1]}, (), "malformed node"),
        ({"format": "fastgrad", "version": 1, "root": {"t": "int", "v": "1"}}, (), "malformed int"),
        ('{"format": "fastgrad", "version": 1, "root": {"t": "float", "v": NaN}}', (), "NaN"),
        (tensor_doc(), (), "tensors/0.npy is missing"),
        (tensor_doc(), [("tensors/0.npy", npy(np.zeros(3, np.float32)))], "says float32 [2]"),
        (tensor_doc(), [("tensors/0.npy", npy(np.zeros(2, np.int32)))], "holds int32 [2]"),
        (tensor_doc(dtype="complex64"), (), "malformed tensor node"),
        (tensor_doc(shape=(-1,)), (), "malformed tensor node"),
    ],
)
def test_malformed_archives_raise_value_error(document, files, message):
    with pytest.raises(ValueError) as info:
        torch.load(archive(document, files))
    assert message in str(info.value)
