"""Indexing: __getitem__ (basic, advanced, boolean) and __setitem__ under autograd.

Forward values are checked against NumPy (whose indexing rules PyTorch shares for these cases),
gradients against float64 finite differences (see op_helpers.check_op). Expectations (messages,
grad_fn names, version counters, leaf rules) were validated against PyTorch.
"""

import operator
import re

import numpy as np
import pytest
from op_helpers import BOOL, F32, F64, I64, T, assert_matches, check_op, make

import fastgrad as torch

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
MODIFIED = (
    "one of the variables needed for gradient computation has been modified by an inplace operation"
)

SHAPE = (6, 4, 3)
# Fixed masks (NumPy); converted to bool tensors inside the lambdas.
ROWS = np.array([True, False, True, True, False, False])  # a 1-D mask on dim 0
MASK2 = np.zeros((6, 4), dtype=bool)
MASK2[[0, 2, 5], [1, 3, 0]] = True  # a mask over the first two dims
MASK3 = (np.arange(72).reshape(SHAPE) % 5) == 1  # a mask of the full shape


def ix(data):
    return torch.tensor(np.asarray(data).tolist(), dtype=I64)


def bm(data):
    return torch.tensor(np.asarray(data, dtype=bool).tolist(), dtype=BOOL)


def key_for_torch(key):
    """NumPy index arrays in a key become tensors; everything else passes through."""
    if isinstance(key, tuple):
        return tuple(key_for_torch(k) for k in key)
    if isinstance(key, np.ndarray):
        return bm(key) if key.dtype == bool else ix(key)
    return key


# ---------------------------------------------------------------------------------------------
# __getitem__: case -> key (NumPy spelling; arrays become tensors), on a (6, 4, 3) input.
# Lists stay Python lists (PyTorch treats them as index tensors, like NumPy).
# ---------------------------------------------------------------------------------------------
GETITEM = {
    # integers
    "x[1]": 1,
    "x[-1]": -1,
    "x[-6]": -6,
    "x[1,2]": (1, 2),
    "x[1,-1,0]": (1, -1, 0),  # 0-dim result
    "x[:,2]": (slice(None), 2),
    "x[:,:,-2]": (slice(None), slice(None), -2),
    # slices
    "x[1:]": slice(1, None),
    "x[:-2]": slice(None, -2),
    "x[::2]": slice(None, None, 2),
    "x[1:-1:3]": slice(1, -1, 3),
    "x[:,::3]": (slice(None), slice(None, None, 3)),
    "x[1:5:2,1:,::2]": (slice(1, 5, 2), slice(1, None), slice(None, None, 2)),
    "x[2:100]": slice(2, 100),  # clamped to the size
    "x[-100:2]": slice(-100, 2),
    "x[4:2]": slice(4, 2),  # empty
    "x[:]": slice(None),
    # None and Ellipsis
    "x[None]": None,
    "x[:,None]": (slice(None), None),
    "x[...,None]": (Ellipsis, None),
    "x[None,1,None]": (None, 1, None),
    "x[...]": Ellipsis,
    "x[...,1]": (Ellipsis, 1),
    "x[1,...]": (1, Ellipsis),
    "x[...,1:,0]": (Ellipsis, slice(1, None), 0),
    "x[:,None,2:]": (slice(None), None, slice(2, None)),
    "x[1,:,None,::2]": (1, slice(None), None, slice(None, None, 2)),
    # integer tensors and lists
    "x[[0,2]]": [0, 2],
    "x[[-1,0]]": [-1, 0],
    "x[[0,0,2]]": [0, 0, 2],  # repeated: gradients accumulate
    "x[tensor([1,0])]": np.array([1, 0]),
    "x[tensor(2-D)]": np.array([[0, 1], [5, 5]]),
    "x[tensor(1)]": np.array(1),  # a 0-dim index tensor acts like an int
    "x[:,[0,3]]": (slice(None), [0, 3]),
    "x[...,[2,2,0]]": (Ellipsis, [2, 2, 0]),
    "x[[0,1],[2,0]]": ([0, 1], [2, 0]),
    "x[idx0,idx1]-bcast": (np.array([[0], [3]]), np.array([0, 2, 2])),
    "x[[0,1],:,[1,2]]": ([0, 1], slice(None), [1, 2]),  # separated: the index dims go first
    "x[1,[0,3]]": (1, [0, 3]),
    "x[None,[0,1]]": (None, [0, 1]),
    "x[[0,5],1:3,[2]]": ([0, 5], slice(1, 3), [2]),
    # bool masks
    "x[rows]": ROWS,
    "x[rows-list]": ROWS.tolist(),
    "x[:,rows4]": (slice(None), np.array([False, True, True, False])),
    "x[mask2]": MASK2,
    "x[mask3]": MASK3,
    "x[all-false]": np.zeros(6, dtype=bool),
    "x[rows,1]": (ROWS, 1),
}


@pytest.mark.parametrize("case", GETITEM)
def test_getitem(case):
    key = GETITEM[case]
    check_op(lambda x: x[key_for_torch(key)], lambda a: a[key], [SHAPE])


def test_getitem_data_dependent_mask():
    # x[x > 0] and friends: the mask comes from the input (kept away from 0 by the sampler).
    check_op(lambda x: x[x > 0], lambda a: a[a > 0], [SHAPE], avoid=(0,))
    check_op(lambda x: x[x[:, 0] > 0], lambda a: a[a[:, 0] > 0], [(6, 2)], avoid=(0,))


# Non-contiguous inputs (a transposed (4, 6) view), indexed once or several times in a row:
# case -> the successive keys.
VIEWED = {
    "T[1]": [1],
    "T[:,::2]": [(slice(None), slice(None, None, 2))],
    "T[[2,0]]": [[2, 0]],
    "T[mask]": [np.array([[True, False, True, False, True, True]] * 4)],
    "T[1:][::2,None]": [slice(1, None), (slice(None, None, 2), None)],
    "T[:,1:][...,[0,0]]": [(slice(None), slice(1, None)), (Ellipsis, [0, 0])],
    "T[2][1:]": [2, slice(1, None)],
    "T[None][:,1:3][0,:,4]": [None, (slice(None), slice(1, 3)), (0, slice(None), 4)],
}


@pytest.mark.parametrize("case", VIEWED)
def test_getitem_on_views(case):
    keys = VIEWED[case]

    def torch_fn(x):
        for key in keys:
            x = x[key_for_torch(key)]
        return x

    def np_fn(a):
        for key in keys:
            a = a[key]
        return a

    check_op(torch_fn, np_fn, [(6, 4)], views=[T])


def test_getitem_0dim():
    x = torch.tensor(5.0)
    assert_matches(x[None], np.array([5.0]), F32)
    assert_matches(x[...], np.array(5.0), F32)
    assert_matches(x[bm(True)], np.array([5.0]), F32)
    assert_matches(x[bm(False)], np.zeros(0), F32)


def test_getitem_bool_and_int64_tensors():
    x = torch.tensor([[True, False], [False, True]])
    assert_matches(x[1], np.array([False, True]), BOOL)
    assert_matches(x[x], np.array([True, True]), BOOL)
    y = torch.tensor([[1, 2, 3], [4, 5, 6]])
    assert_matches(y[:, [2, 0]], np.array([[3, 1], [6, 4]]), I64)
    assert_matches(y[y > 2], np.array([3, 4, 5, 6]), I64)
    assert_matches(y[-1, ::2], np.array([4, 6]), I64)


# ---------------------------------------------------------------------------------------------
# Gradients in closed form; repeated indices accumulate
# ---------------------------------------------------------------------------------------------
def test_repeated_indices_accumulate():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=F64, requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0, 0.0]
    x.grad = None
    x[ix([[3, 3], [3, 1]])].sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0, 3.0]


def test_two_index_tensors_accumulate():
    x = torch.zeros(2, 3, dtype=F64, requires_grad=True)
    (x[ix([[0], [1]]), ix([0, 2, 2])] * 2).sum().backward()
    assert x.grad.tolist() == [[2.0, 0.0, 4.0], [2.0, 0.0, 4.0]]


def test_mask_gradient_is_the_mask():
    x = torch.tensor([[1.0, -2.0], [-3.0, 4.0]], dtype=F64, requires_grad=True)
    (x[x > 0] * torch.tensor([10.0, 20.0], dtype=F64)).sum().backward()
    assert x.grad.tolist() == [[10.0, 0.0], [0.0, 20.0]]


def test_basic_indexing_gradient_through_several_views():
    x = torch.arange(12.0, dtype=F64).reshape(3, 4).requires_grad_()
    y = x[1:][:, ::2][None, ..., 1]  # shape (1, 2)
    assert y.tolist() == [[6.0, 10.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[0.0] * 4, [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.0, 0.0]]


# ---------------------------------------------------------------------------------------------
# Basic indexing gives views; advanced indexing gives copies
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "key",
    [1, (slice(None), 2), slice(None, None, 2), (Ellipsis, None, 1), (slice(1, None), slice(1, 3))],
    ids=["int", "[:,2]", "::2", "[...,None,1]", "[1:,1:3]"],
)
def test_basic_index_is_a_view(key):
    a = np.arange(12.0).reshape(3, 4)
    x = make(a, F32)
    v = x[key]
    v0 = x._version
    v.mul_(-1)
    a[key] *= -1
    assert_matches(x, a, F32)
    assert x._version == v._version == v0 + 1


@pytest.mark.parametrize(
    "key", [[0, 2], np.array([1]), np.array([True, False, True])], ids=["list", "tensor", "mask"]
)
def test_advanced_index_is_a_copy(key):
    a = np.arange(12.0).reshape(3, 4)
    x = make(a, F32)
    v = x[key_for_torch(key)]
    v0 = x._version
    v.mul_(-1)
    assert_matches(x, a, F32)
    assert x._version == v0


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------
def xs():
    return torch.zeros(SHAPE)


GETITEM_ERRORS = {
    "int-dim0": (
        lambda: xs()[6],
        IndexError,
        "index 6 is out of bounds for dimension 0 with size 6",
    ),
    "negative": (
        lambda: xs()[-7],
        IndexError,
        "index -7 is out of bounds for dimension 0 with size 6",
    ),
    "int-dim1": (
        lambda: xs()[:, 4],
        IndexError,
        "index 4 is out of bounds for dimension 1 with size 4",
    ),
    "int-dim2": (
        lambda: xs()[0, 0, 3],
        IndexError,
        "index 3 is out of bounds for dimension 2 with size 3",
    ),
    "list": (
        lambda: xs()[[0, 6]],
        IndexError,
        "index 6 is out of bounds for dimension 0 with size 6",
    ),
    "tensor": (
        lambda: xs()[ix([1, -7])],
        IndexError,
        "index -7 is out of bounds for dimension 0 with size 6",
    ),
    # PyTorch names the dimension of the index tensor here ("dimension 0"): not checked.
    "tensor-dim1": (lambda: xs()[:, ix([4])], IndexError, "index 4 is out of bounds for dimension"),
    "too-many": (
        lambda: xs()[0, 0, 0, 0],
        IndexError,
        "too many indices for tensor of dimension 3",
    ),
    "0dim": (lambda: torch.tensor(5.0)[0], IndexError, "invalid index of a 0-dim tensor"),
    "mask-shape": (
        lambda: xs()[bm([True, False])],
        IndexError,
        "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor "
        "[6, 4, 3] at index 0",
    ),
    "mask-shape-dim1": (
        lambda: xs()[bm(np.ones((6, 3)))],
        IndexError,
        "The shape of the mask [6, 3] at index 1 does not match the shape of the indexed tensor "
        "[6, 4, 3] at index 1",
    ),
    "index-broadcast": (
        lambda: xs()[ix([0, 1]), ix([0, 1, 2])],
        IndexError,
        "shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]",
    ),
    "float-index": (
        lambda: xs()[1.5],
        IndexError,
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
        "indices",
    ),
    "float-tensor-index": (
        lambda: xs()[torch.tensor([0.0, 1.0])],
        IndexError,
        "tensors used as indices must be long, int, byte or bool tensors",
    ),
    "negative-step": (lambda: xs()[::-1], ValueError, "step must be greater than zero"),
}


@pytest.mark.parametrize("case", GETITEM_ERRORS)
def test_getitem_errors(case):
    fn, exc, msg = GETITEM_ERRORS[case]
    with pytest.raises(exc, match=re.escape(msg)):
        fn()


# ---------------------------------------------------------------------------------------------
# __setitem__ on a clone of the input: case -> (key, value), on a (5, 4) input. A value given as
# a shape is a second (differentiable) input; a number is assigned as is. A callable key is
# applied to the clone (a data-dependent mask). gradcheck covers both the written values and
# the untouched rest.
# ---------------------------------------------------------------------------------------------
SMASK = np.array(
    [
        [True, False, False, True],
        [False, False, False, False],
        [False, True, True, False],
        [False, False, False, False],
        [True, False, False, False],
    ]
)
SROWS = np.array([False, True, False, False, True])

SETITEM = {
    "x[1]=5": (1, 5.0),
    "x[-1]=2(int)": (-1, 2),
    "x[1]=row": (1, (4,)),
    "x[:,0]=col": ((slice(None), 0), (5,)),
    "x[1:]=row-bcast": (slice(1, None), (4,)),
    "x[::2,1:3]=t": ((slice(None, None, 2), slice(1, 3)), (3, 2)),
    "x[...,-1]=0dim": ((Ellipsis, -1), ()),
    "x[1,2]=0dim": ((1, 2), ()),
    "x[:]=t": (slice(None), (5, 4)),
    "x[mask]=0": (SMASK, 0.0),
    "x[mask]=t": (SMASK, (int(SMASK.sum()),)),
    "x[mask]=0dim": (SMASK, ()),
    "x[rows]=row-bcast": (SROWS, (4,)),
    "x[x>0]=0": (lambda y: y > 0, 0.0),
    "x[x>0]=1.5": (lambda y: y > 0, 1.5),
    "x[idx]=t": (np.array([0, 3]), (2, 4)),
    "x[[4,1]]=scalar": ([4, 1], -1.0),
    "x[idx]=row-bcast": (np.array([2, 0]), (4,)),
    "x[idx0,idx1]=t": ((np.array([0, 2, 4]), np.array([1, 3, 0])), (3,)),
    "x[:,idx]=t": ((slice(None), [3, 0]), (5, 2)),
    "x[1,idx]=t": ((1, [0, 2]), (2,)),
}


def _assign(y, key, value):
    if callable(key):
        key = key(y)
    elif not isinstance(y, np.ndarray):
        key = key_for_torch(key)
    y[key] = value


def _setitem_fns(key, value):
    """torch and NumPy functions of (x[, v]): clone x, assign into it, square it."""
    if isinstance(value, tuple):

        def torch_fn(x, v):
            y = x.clone()
            _assign(y, key, v)
            return y * y

        def np_fn(a, v):
            y = a.copy()
            _assign(y, key, v)
            return y * y

        return torch_fn, np_fn, [(5, 4), value]

    def torch_fn1(x):
        y = x.clone()
        _assign(y, key, value)
        return y * y

    def np_fn1(a):
        y = a.copy()
        _assign(y, key, value)
        return y * y

    return torch_fn1, np_fn1, [(5, 4)]


@pytest.mark.parametrize("case", SETITEM)
def test_setitem_values_and_gradients(case):
    torch_fn, np_fn, shapes = _setitem_fns(*SETITEM[case])
    check_op(torch_fn, np_fn, shapes, avoid=(0,))


def test_setitem_on_transposed_non_leaf():
    def torch_fn(x, v):
        y = x * 2
        y.t()[1] = v  # writes column 1 of y through a view
        return y

    def np_fn(a, v):
        y = a * 2
        y.T[1] = v
        return y

    check_op(torch_fn, np_fn, [(4, 3), (4,)])
    check_op(torch_fn, np_fn, [(3, 4), (4,)], views=[T, None])


def test_setitem_gradients_closed_form():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=F64, requires_grad=True)
    v = torch.tensor([10.0, 20.0], dtype=F64, requires_grad=True)
    y = x * 3
    y[[1, 3]] = v
    (y * torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=F64)).sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 9.0, 0.0]  # overwritten entries get no gradient
    assert v.grad.tolist() == [2.0, 4.0]
    x.grad = None
    y = x * 3
    y[1:3] = 0.0
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 0.0, 3.0]


@pytest.mark.parametrize(
    ("key", "grad_fn"),
    [
        (1, "CopySlices"),
        ((slice(None), 0), "CopySlices"),
        (slice(None, None, 2), "CopySlices"),
        ([0, 2], "IndexPutBackward0"),
        (np.array([True, False, True]), "IndexPutBackward0"),
    ],
    ids=["int", "[:,0]", "::2", "list", "mask"],
)
def test_setitem_grad_fn(key, grad_fn):
    x = torch.ones(3, 2, requires_grad=True)
    y = x * 1
    y[key_for_torch(key)] = 0.0
    assert type(y.grad_fn).__name__ == grad_fn
    # PyTorch's CopySlices.name() is "torch::autograd::CopySlices"; only the type name is checked.
    assert y.grad_fn.name().endswith(grad_fn)


def test_setitem_value_requiring_grad_makes_result_require_grad():
    v = torch.tensor(2.0, requires_grad=True)
    y = torch.zeros(3)
    y[0] = v
    assert y.requires_grad and type(y.grad_fn).__name__ == "CopySlices"
    (y * 3).sum().backward()
    assert v.grad.item() == 3.0
    w = torch.tensor(2.0, requires_grad=True)
    z = torch.zeros(3)
    z[[0, 2]] = w  # a 0-dim value broadcast to two places: two gradient contributions
    assert z.requires_grad and type(z.grad_fn).__name__ == "IndexPutBackward0"
    z.sum().backward()
    assert w.grad.item() == 2.0


# Leaf rules: every assignment into a leaf that requires grad is an in-place op on it.
LEAF_KEYS = {
    "x[1]=5": (1, 5.0, True),
    "x[:,0]=t": ((slice(None), 0), "zeros", True),
    "x[...,0]=1": ((Ellipsis, 0), 1.0, True),
    "x[1:]=0": (slice(1, None), 0.0, True),
    "x[[0,1]]=t": ([0, 1], "zeros", False),
    "x[mask]=0": (np.array([True, False, True]), 0.0, False),
    "x[idx]=0": (np.array([2]), 0.0, False),
}


@pytest.mark.parametrize("case", LEAF_KEYS)
def test_setitem_into_leaf_requiring_grad_raises(case):
    key, value, is_view = LEAF_KEYS[case]
    x = torch.ones(3, 2, requires_grad=True)
    if value == "zeros":  # a tensor of the indexed shape
        value = torch.zeros(*x.detach()[key_for_torch(key)].shape)
    with pytest.raises(RuntimeError, match=re.escape(LEAF_INPLACE)) as info:
        x[key_for_torch(key)] = value
    # Basic indexing writes through a view of the leaf, and PyTorch says so.
    assert (VIEW_OF_LEAF in str(info.value)) == is_view
    assert x.tolist() == [[1.0, 1.0]] * 3


def test_setitem_into_leaf_under_no_grad():
    x = torch.ones(3, requires_grad=True)
    v0 = x._version
    with torch.no_grad():
        x[1] = 5.0
        x[[0]] = 2.0
    assert x.tolist() == [2.0, 5.0, 1.0]
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    assert x._version == v0 + 2


# ---------------------------------------------------------------------------------------------
# Version counter
# ---------------------------------------------------------------------------------------------
def test_setitem_bumps_version_shared_with_views():
    y = torch.zeros(3, 4)
    col = y[:, 1]
    assert y._version == col._version == 0
    y[0] = 2.0
    assert y._version == col._version == 1
    y[[0, 1]] = 3.0
    assert y._version == col._version == 2
    y[y > 2] = 0.0
    assert y._version == col._version == 3
    col[0] = 7.0  # through the view
    assert y._version == col._version == 4
    assert y[0, 1].item() == 7.0


def test_setitem_on_saved_tensor_is_detected():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp saves its result
    y[0] = 0.0
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()
    # mul by a constant saves nothing of y: writing into y is fine
    z = x * 2
    z[0] = 0.0
    z.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0]


# ---------------------------------------------------------------------------------------------
# __setitem__ values: dtypes, broadcasting, errors
# ---------------------------------------------------------------------------------------------
def test_setitem_converts_values_to_the_tensor_dtype():
    zi = torch.zeros(3, dtype=I64)
    zi[0] = 2.7  # truncated
    zi[1:] = torch.tensor([1.9, -1.9])  # basic indexing copies with conversion
    assert_matches(zi, np.array([2, 1, -1]), I64)
    zf = torch.zeros(3)
    zf[0] = torch.tensor(1.5, dtype=F64)
    zf[[1]] = 4  # Python numbers are converted for advanced indexing too
    zf[bm([False, False, True])] = True
    assert_matches(zf, np.array([1.5, 4.0, 1.0]), F32)
    zb = torch.zeros(2, dtype=BOOL)
    zb[1] = 1
    assert_matches(zb, np.array([False, True]), BOOL)


def test_setitem_advanced_index_requires_matching_value_dtype():
    y = torch.zeros(3)
    with pytest.raises(
        RuntimeError,
        match="Index put requires the source and destination dtypes match, got Float for the "
        "destination and Double for the source.",
    ):
        y[[0]] = torch.tensor([1.0], dtype=F64)


SETITEM_ERRORS = {
    "int-range": (5, 1.0, IndexError, "index 5 is out of bounds for dimension 0 with size 5"),
    "list-range": ([0, 5], 1.0, IndexError, "index 5 is out of bounds for dimension 0 with size 5"),
    "basic-bcast": (
        (slice(None), 0),
        "ones(3)",
        RuntimeError,
        "The expanded size of the tensor (5) must match the existing size (3) at non-singleton "
        "dimension 0",
    ),
    "mask-bcast": (
        np.array([True, False, True, False, False]),
        "ones(3)",
        RuntimeError,
        "shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of "
        "shape [2, 4]",
    ),
}


@pytest.mark.parametrize("case", SETITEM_ERRORS)
def test_setitem_errors(case):
    key, value, exc, msg = SETITEM_ERRORS[case]
    y = torch.zeros(5, 4)
    if value == "ones(3)":
        value = torch.ones(3)
    with pytest.raises(exc, match=re.escape(msg)):
        operator.setitem(y, key_for_torch(key), value)


# ---------------------------------------------------------------------------------------------
# grad_fn names of __getitem__
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "name"),
    [
        (1, "SelectBackward0"),
        ((Ellipsis, 1), "SelectBackward0"),
        (np.array(1), "SelectBackward0"),
        (slice(1, None), "SliceBackward0"),
        (slice(None), "SliceBackward0"),
        ((slice(None), None, slice(1, None)), "SliceBackward0"),
        (None, "UnsqueezeBackward0"),
        (Ellipsis, "AliasBackward0"),
        ([0], "IndexBackward0"),
        (np.array([1, 0]), "IndexBackward0"),
        (np.array([True, False, True]), "IndexBackward0"),
    ],
    ids=[
        "int",
        "[...,1]",
        "0dim-tensor",
        "1:",
        ":",
        "[:,None,1:]",
        "None",
        "...",
        "list",
        "tensor",
        "mask",
    ],
)
def test_getitem_grad_fn(key, name):
    x = torch.ones(3, 2, requires_grad=True)
    y = (x * 1)[key_for_torch(key)]
    assert type(y.grad_fn).__name__ == name
    assert y.grad_fn.name() == name
