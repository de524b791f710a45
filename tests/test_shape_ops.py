"""Shape ops (views and copies), joining, where/masked_fill/gather/index_select.

Forward values are checked against NumPy in float32 and float64, gradients against float64 finite
differences (see op_helpers.check_op), on contiguous leaves, transposed views and views of views.
Views must share storage and the version counter with their base. Expectations (dtypes, messages,
grad_fn names) were validated against PyTorch. Every op is looked up lazily inside a lambda, so a
missing op fails its own tests, not the whole module.
"""

import math
import re

import numpy as np
import pytest
from op_helpers import BOOL, F32, F64, I64, T, View, assert_matches, check_op, make, sample

import fastgrad as torch

# A transposed view of a (4, 3, 2) leaf, and a view of a view of a (4, 2, 3) leaf: both (2, 3, 4)
# and non-contiguous.
TR = View("transpose(0,2)", lambda t: t.transpose(0, 2), lambda a: a.transpose(2, 1, 0))
VV = View(
    "transpose.transpose",
    lambda t: t.transpose(0, 2).transpose(0, 1),
    lambda a: a.swapaxes(0, 2).swapaxes(0, 1),
)


def ix(data):
    """An int64 index tensor (built inside the op lambdas, so lazily)."""
    return torch.tensor(data, dtype=I64)


def bmask(data):
    return torch.tensor(np.asarray(data, dtype=bool).tolist(), dtype=BOOL)


# ---------------------------------------------------------------------------------------------
# Single-input shape ops: case -> (fn, numpy oracle[, leaf shape[, view]]); default leaf (2, 3, 4).
# ---------------------------------------------------------------------------------------------
SHAPE_OPS = {
    # reshape / view
    "reshape(6,4)": (lambda x: x.reshape(6, 4), lambda a: a.reshape(6, 4)),
    "reshape((4,-1))": (lambda x: x.reshape((4, -1)), lambda a: a.reshape(4, -1)),
    "reshape(-1)": (lambda x: x.reshape(-1), lambda a: a.reshape(-1)),
    "reshape(4,1,6)": (lambda x: x.reshape(4, 1, 6), lambda a: a.reshape(4, 1, 6)),
    "torch.reshape(x,(3,8))": (lambda x: torch.reshape(x, (3, 8)), lambda a: a.reshape(3, 8)),
    "T.reshape(-1)": (lambda x: x.reshape(-1), lambda a: a.reshape(-1), (4, 3), T),
    "VV.reshape(4,6)": (lambda x: x.reshape(4, 6), lambda a: a.reshape(4, 6), (4, 2, 3), VV),
    "0dim.reshape(1,1)": (lambda x: x.reshape(1, 1), lambda a: a.reshape(1, 1), ()),
    "empty.reshape(-1)": (lambda x: x.reshape(-1), lambda a: a.reshape(-1), (2, 0)),
    "empty.reshape(5,0)": (lambda x: x.reshape(5, 0), lambda a: a.reshape(5, 0), (2, 0)),
    "view(4,6)": (lambda x: x.view(4, 6), lambda a: a.reshape(4, 6)),
    "view(-1,3)": (lambda x: x.view(-1, 3), lambda a: a.reshape(-1, 3)),
    "view((24,))": (lambda x: x.view((24,)), lambda a: a.reshape(24)),
    "view(2,3,4)": (lambda x: x.view(2, 3, 4), lambda a: a.reshape(2, 3, 4), (24,)),
    # A transposed (6, 4) view whose stride-1 dim splits in two is still viewable.
    "T.view(2,3,4)": (lambda x: x.view(2, 3, 4), lambda a: a.reshape(2, 3, 4), (4, 6), T),
    "0dim.view(1)": (lambda x: x.view(1), lambda a: a.reshape(1), ()),
    # contiguous
    "contiguous": (lambda x: x.contiguous(), lambda a: a),
    "T.contiguous": (lambda x: x.contiguous(), lambda a: a, (4, 3), T),
    "VV.contiguous": (lambda x: x.contiguous(), lambda a: a, (4, 2, 3), VV),
    # transpose / t / T / mT / permute
    "transpose(0,2)": (lambda x: x.transpose(0, 2), lambda a: a.swapaxes(0, 2)),
    "transpose(-1,1)": (lambda x: x.transpose(-1, 1), lambda a: a.swapaxes(-1, 1)),
    "torch.transpose(x,0,1)": (lambda x: torch.transpose(x, 0, 1), lambda a: a.swapaxes(0, 1)),
    "VV.transpose(1,2)": (lambda x: x.transpose(1, 2), lambda a: a.swapaxes(1, 2), (4, 2, 3), VV),
    "t()": (lambda x: x.t(), lambda a: a.T, (3, 4)),
    "torch.t(x)": (lambda x: torch.t(x), lambda a: a.T, (3, 4)),
    "1d.t()": (lambda x: x.t(), lambda a: a, (5,)),
    "T.t()": (lambda x: x.t(), lambda a: a.T, (4, 3), T),
    "x.T": (lambda x: x.T, lambda a: a.T, (3, 4)),
    "T.T": (lambda x: x.T, lambda a: a.T, (4, 3), T),
    "x.mT": (lambda x: x.mT, lambda a: a.swapaxes(-1, -2)),
    "2d.mT": (lambda x: x.mT, lambda a: a.T, (3, 4)),
    "VV.mT": (lambda x: x.mT, lambda a: a.swapaxes(-1, -2), (4, 2, 3), VV),
    "permute(2,0,1)": (lambda x: x.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1)),
    "permute((1,0,2))": (lambda x: x.permute((1, 0, 2)), lambda a: a.transpose(1, 0, 2)),
    "permute(-1,0,1)": (lambda x: x.permute(-1, 0, 1), lambda a: a.transpose(2, 0, 1)),
    "torch.permute(x,(2,1,0))": (
        lambda x: torch.permute(x, (2, 1, 0)),
        lambda a: a.transpose(2, 1, 0),
    ),
    "TR.permute(1,2,0)": (
        lambda x: x.permute(1, 2, 0),
        lambda a: a.transpose(1, 2, 0),
        (4, 3, 2),
        TR,
    ),
    # unsqueeze / squeeze
    "unsqueeze(0)": (lambda x: x.unsqueeze(0), lambda a: a[None]),
    "unsqueeze(-1)": (lambda x: x.unsqueeze(-1), lambda a: a[..., None]),
    "unsqueeze(2)": (lambda x: x.unsqueeze(2), lambda a: np.expand_dims(a, 2)),
    "unsqueeze(-2)": (lambda x: x.unsqueeze(-2), lambda a: np.expand_dims(a, -2)),
    "torch.unsqueeze(x,1)": (lambda x: torch.unsqueeze(x, 1), lambda a: np.expand_dims(a, 1)),
    "0dim.unsqueeze(0)": (lambda x: x.unsqueeze(0), lambda a: a.reshape(1), ()),
    "T.unsqueeze(1)": (lambda x: x.unsqueeze(1), lambda a: a[:, None], (4, 3), T),
    "squeeze()": (lambda x: x.squeeze(), lambda a: a.squeeze(), (2, 1, 3, 1)),
    "squeeze(1)": (lambda x: x.squeeze(1), lambda a: a.squeeze(1), (2, 1, 3, 1)),
    "squeeze(-1)": (lambda x: x.squeeze(-1), lambda a: a.squeeze(-1), (2, 1, 3, 1)),
    "squeeze(0)-noop": (lambda x: x.squeeze(0), lambda a: a, (2, 1, 3, 1)),
    "squeeze(dim=(1,3))": (
        lambda x: x.squeeze(dim=(1, 3)),
        lambda a: a.squeeze((1, 3)),
        (2, 1, 3, 1),
    ),
    "torch.squeeze(x)": (lambda x: torch.squeeze(x), lambda a: a.squeeze(), (2, 1, 3, 1)),
    "torch.squeeze(x,1)": (lambda x: torch.squeeze(x, 1), lambda a: a.squeeze(1), (2, 1, 3, 1)),
    "1x1.squeeze()": (lambda x: x.squeeze(), lambda a: a.reshape(()), (1, 1)),
    "0dim.squeeze(0)": (lambda x: x.squeeze(0), lambda a: a, ()),
    "T.squeeze(0)": (lambda x: x.squeeze(0), lambda a: a[0], (3, 1), T),
    # expand / expand_as / broadcast_to
    "expand(3,4)": (lambda x: x.expand(3, 4), lambda a: np.broadcast_to(a, (3, 4)), (3, 1)),
    "expand(2,3,4)": (lambda x: x.expand(2, 3, 4), lambda a: np.broadcast_to(a, (2, 3, 4)), (3, 1)),
    "expand(-1,4)": (lambda x: x.expand(-1, 4), lambda a: np.broadcast_to(a, (3, 4)), (3, 1)),
    "expand((2,-1,-1))": (
        lambda x: x.expand((2, -1, -1)),
        lambda a: np.broadcast_to(a, (2, 3, 1)),
        (3, 1),
    ),
    "0dim.expand(2,3)": (lambda x: x.expand(2, 3), lambda a: np.broadcast_to(a, (2, 3)), ()),
    "T.expand(2,3,4)": (
        lambda x: x.expand(2, 3, 4),
        lambda a: np.broadcast_to(a, (2, 3, 4)),
        (1, 3),
        T,
    ),
    "expand_as": (
        lambda x: x.expand_as(torch.zeros(2, 3, 4)),
        lambda a: np.broadcast_to(a, (2, 3, 4)),
        (3, 1),
    ),
    "torch.broadcast_to": (
        lambda x: torch.broadcast_to(x, (2, 3, 4)),
        lambda a: np.broadcast_to(a, (2, 3, 4)),
        (1, 4),
    ),
    "x.broadcast_to": (
        lambda x: x.broadcast_to((3, 4)),
        lambda a: np.broadcast_to(a, (3, 4)),
        (3, 1),
    ),
    # flatten
    "flatten()": (lambda x: x.flatten(), lambda a: a.reshape(-1)),
    "flatten(1)": (lambda x: x.flatten(1), lambda a: a.reshape(2, 12)),
    "flatten(0,1)": (lambda x: x.flatten(0, 1), lambda a: a.reshape(6, 4)),
    "flatten(start_dim=-2,end_dim=-1)": (
        lambda x: x.flatten(start_dim=-2, end_dim=-1),
        lambda a: a.reshape(2, 12),
    ),
    "flatten(1,1)-noop": (lambda x: x.flatten(1, 1), lambda a: a),
    "torch.flatten(x)": (lambda x: torch.flatten(x), lambda a: a.reshape(-1)),
    "torch.flatten(x,1)": (lambda x: torch.flatten(x, 1), lambda a: a.reshape(2, 12)),
    "0dim.flatten()": (lambda x: x.flatten(), lambda a: a.reshape(1), ()),
    "VV.flatten(1)": (lambda x: x.flatten(1), lambda a: a.reshape(2, 12), (4, 2, 3), VV),
    # repeat (copies; numpy's tile has the same rules)
    "repeat(2,1,1)": (lambda x: x.repeat(2, 1, 1), lambda a: np.tile(a, (2, 1, 1))),
    "repeat((1,2,3))": (lambda x: x.repeat((1, 2, 3)), lambda a: np.tile(a, (1, 2, 3))),
    "repeat(2,1,1,2)": (lambda x: x.repeat(2, 1, 1, 2), lambda a: np.tile(a, (2, 1, 1, 2))),
    "0dim.repeat(3)": (lambda x: x.repeat(3), lambda a: np.tile(a, 3), ()),
    "T.repeat(2,2)": (lambda x: x.repeat(2, 2), lambda a: np.tile(a, (2, 2)), (4, 3), T),
    # flip (copies)
    "flip(0)": (lambda x: x.flip(0), lambda a: np.flip(a, 0)),
    "flip((0,2))": (lambda x: x.flip((0, 2)), lambda a: np.flip(a, (0, 2))),
    "flip(-1)": (lambda x: x.flip(-1), lambda a: np.flip(a, -1)),
    "torch.flip(x,[1])": (lambda x: torch.flip(x, [1]), lambda a: np.flip(a, 1)),
    "torch.flip(x,(0,1,2))": (lambda x: torch.flip(x, (0, 1, 2)), lambda a: np.flip(a)),
    "T.flip(0)": (lambda x: x.flip(0), lambda a: np.flip(a, 0), (4, 3), T),
    # narrow
    "narrow(1,1,2)": (lambda x: x.narrow(1, 1, 2), lambda a: a[:, 1:3]),
    "narrow(-1,0,3)": (lambda x: x.narrow(-1, 0, 3), lambda a: a[..., :3]),
    "narrow(1,-2,2)": (lambda x: x.narrow(1, -2, 2), lambda a: a[:, -2:]),
    "torch.narrow(x,0,1,1)": (lambda x: torch.narrow(x, 0, 1, 1), lambda a: a[1:2]),
    "narrow(2,4,0)-empty": (lambda x: x.narrow(2, 4, 0), lambda a: a[:, :, 4:4]),
    "T.narrow(0,1,2)": (lambda x: x.narrow(0, 1, 2), lambda a: a[1:3], (4, 3), T),
}


@pytest.mark.parametrize("case", SHAPE_OPS)
def test_shape_op(case):
    fn, np_fn, *layout = SHAPE_OPS[case]
    shape = layout[0] if layout else (2, 3, 4)
    view = layout[1] if len(layout) > 1 else None
    check_op(fn, np_fn, [shape], views=[view])


# ---------------------------------------------------------------------------------------------
# chunk / split: several outputs. case -> (fn, numpy oracle returning a list, leaf shape[, view])
# ---------------------------------------------------------------------------------------------
SPLITS = {
    "chunk(3,1)": (lambda x: x.chunk(3, 1), lambda a: np.split(a, [2, 4], 1), (2, 5, 3)),
    "chunk(2)": (lambda x: x.chunk(2), lambda a: np.split(a, 2, 0), (2, 3, 4)),
    "torch.chunk(x,4,-1)": (lambda x: torch.chunk(x, 4, -1), lambda a: np.split(a, 4, -1), (2, 4)),
    # chunk(4) of 6 rows: chunks of ceil(6/4) = 2, so only 3 chunks.
    "chunk(4)-fewer": (lambda x: x.chunk(4), lambda a: np.split(a, 3, 0), (6, 2)),
    "chunk(dim=1,chunks=2)": (
        lambda x: x.chunk(dim=1, chunks=2),
        lambda a: np.split(a, [2], 1),
        (2, 3),
    ),
    "split(2)": (lambda x: x.split(2), lambda a: np.split(a, [2, 4], 0), (5, 3)),
    "split(2,dim=-1)": (lambda x: x.split(2, dim=-1), lambda a: np.split(a, [2, 4], -1), (3, 5)),
    "split([1,3,1],1)": (lambda x: x.split([1, 3, 1], 1), lambda a: np.split(a, [1, 4], 1), (2, 5)),
    "torch.split(x,[2,3])": (lambda x: torch.split(x, [2, 3]), lambda a: np.split(a, [2], 0), (5,)),
    "torch.split(x,2,1)": (lambda x: torch.split(x, 2, 1), lambda a: np.split(a, [2], 1), (2, 3)),
    "split(10)-one-piece": (lambda x: x.split(10), lambda a: [a], (4, 2)),
    "split([0,3],1)-empty-piece": (
        lambda x: x.split([0, 3], 1),
        lambda a: [a[:, :0], a],
        (2, 3),
    ),
    "T.split(1,1)": (lambda x: x.split(1, 1), lambda a: np.split(a, 4, 1), (4, 3), T),
    "T.chunk(2,0)": (lambda x: x.chunk(2, 0), lambda a: np.split(a, [2], 0), (4, 3), T),
}


@pytest.mark.parametrize("case", SPLITS)
def test_split_and_chunk(case):
    fn, np_fn, shape, *view = SPLITS[case]
    view = view[0] if view else None
    tv = view.torch_fn if view else (lambda t: t)
    nv = view.np_fn if view else (lambda a: a)
    (a,) = sample([shape])
    for dtype in (F32, F64):
        rounded = a.astype(np.float32 if dtype == F32 else np.float64).astype(np.float64)
        pieces = fn(tv(make(rounded, dtype)))
        refs = np_fn(nv(rounded))
        assert isinstance(pieces, tuple)
        assert len(pieces) == len(refs)
        for piece, ref in zip(pieces, refs):
            assert_matches(piece, ref, dtype)
    leaf = make(a, F64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x: fn(tv(x)), (leaf,))


def test_split_pieces_get_their_slice_of_the_gradient():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=F64, requires_grad=True)
    a, b, c = x.split([1, 3, 1])
    (a * 1 + c * 3).sum().backward()  # b unused: its slice gets zeros
    assert x.grad.tolist() == [1.0, 0.0, 0.0, 0.0, 3.0]


# ---------------------------------------------------------------------------------------------
# Multi-input and index ops: case -> (fn, numpy oracle, leaf shapes[, views])
# ---------------------------------------------------------------------------------------------
COND = np.array([[True, False, True], [False, False, True]])
COND_ROW = np.array([False, True, True])
MASK = np.array([[True, False, False], [False, True, True]])
GIDX = np.array([[0, 2, 2], [3, 0, 1]])  # repeated indices: gradients accumulate


def np_gather(a, dim, idx):
    grid = list(np.indices(idx.shape))
    grid[dim] = idx
    return a[tuple(grid)]


def np_where(c, x, y):
    return np.where(c, x, y)


MULTI = {
    # cat
    "cat([a,b])": (
        lambda a, b: torch.cat([a, b]),
        lambda a, b: np.concatenate([a, b]),
        [(2, 3), (1, 3)],
    ),
    "cat((a,b),1)": (
        lambda a, b: torch.cat((a, b), 1),
        lambda a, b: np.concatenate([a, b], 1),
        [(2, 3), (2, 2)],
    ),
    "cat(dim=-1)": (
        lambda a, b: torch.cat([a, b], dim=-1),
        lambda a, b: np.concatenate([a, b], -1),
        [(2, 2, 1), (2, 2, 3)],
    ),
    "cat(dim=-2)": (
        lambda a, b: torch.cat([a, b], dim=-2),
        lambda a, b: np.concatenate([a, b], -2),
        [(2, 1, 3), (2, 2, 3)],
    ),
    "cat(3 inputs)": (
        lambda a, b, c: torch.cat([a, b, c], 1),
        lambda a, b, c: np.concatenate([a, b, c], 1),
        [(2, 1), (2, 3), (2, 2)],
    ),
    "cat([a])": (lambda a: torch.cat([a]), lambda a: a, [(2, 3)]),
    "cat([a,a])-reused": (
        lambda a: torch.cat([a, a], 0),
        lambda a: np.concatenate([a, a]),
        [(2, 3)],
    ),
    "cat(empty (0,3))": (
        lambda a, b: torch.cat([a, b]),
        lambda a, b: np.concatenate([a, b]),
        [(2, 3), (0, 3)],
    ),
    "cat(empty (2,0),1)": (
        lambda a, b: torch.cat([b, a], 1),
        lambda a, b: np.concatenate([b, a], 1),
        [(2, 3), (2, 0)],
    ),
    "cat(T,b)": (
        lambda a, b: torch.cat([a, b]),
        lambda a, b: np.concatenate([a, b]),
        [(3, 2), (1, 3)],
        [T, None],
    ),
    "cat(TR,VV,dim=1)": (
        lambda a, b: torch.cat([a, b], 1),
        lambda a, b: np.concatenate([a, b], 1),
        [(4, 3, 2), (4, 2, 3)],
        [TR, VV],
    ),
    # stack
    "stack([a,b])": (
        lambda a, b: torch.stack([a, b]),
        lambda a, b: np.stack([a, b]),
        [(2, 3), (2, 3)],
    ),
    "stack((a,b),1)": (
        lambda a, b: torch.stack((a, b), 1),
        lambda a, b: np.stack([a, b], 1),
        [(2, 3), (2, 3)],
    ),
    "stack(dim=-1)": (
        lambda a, b, c: torch.stack([a, b, c], dim=-1),
        lambda a, b, c: np.stack([a, b, c], -1),
        [(2, 3), (2, 3), (2, 3)],
    ),
    "stack(dim=2)": (
        lambda a, b: torch.stack([a, b], 2),
        lambda a, b: np.stack([a, b], 2),
        [(2, 3), (2, 3)],
    ),
    "stack(0dim)": (lambda a, b: torch.stack([a, b]), lambda a, b: np.stack([a, b]), [(), ()]),
    "stack([a,a])-reused": (lambda a: torch.stack([a, a]), lambda a: np.stack([a, a]), [(3,)]),
    "stack(T,b)": (
        lambda a, b: torch.stack([a, b], 1),
        lambda a, b: np.stack([a, b], 1),
        [(3, 2), (2, 3)],
        [T, None],
    ),
    # where
    "where(c,x,y)": (
        lambda x, y: torch.where(bmask(COND), x, y),
        lambda x, y: np_where(COND, x, y),
        [(2, 3), (2, 3)],
    ),
    "where(c_row,x,y)": (
        lambda x, y: torch.where(bmask(COND_ROW), x, y),
        lambda x, y: np_where(COND_ROW, x, y),
        [(2, 3), (2, 3)],
    ),
    "where(c,x(2,1),y(1,3))": (
        lambda x, y: torch.where(bmask(COND), x, y),
        lambda x, y: np_where(COND, x, y),
        [(2, 1), (1, 3)],
    ),
    "where(c,x,0dim)": (
        lambda x, y: torch.where(bmask(COND), x, y),
        lambda x, y: np_where(COND, x, y),
        [(2, 3), ()],
    ),
    "where(c,x,0.0)": (
        lambda x: torch.where(bmask(COND), x, 0.0),
        lambda x: np_where(COND, x, 0.0),
        [(2, 3)],
    ),
    "where(c,1.5,y)": (
        lambda y: torch.where(bmask(COND), 1.5, y),
        lambda y: np_where(COND, 1.5, y),
        [(2, 3)],
    ),
    "where(c,x,2)-int": (
        lambda x: torch.where(bmask(COND_ROW), x, 2),
        lambda x: np_where(COND_ROW, x, 2.0),
        [(2, 3)],
    ),
    "x.where(c,y)": (
        lambda x, y: x.where(bmask(COND), y),
        lambda x, y: np_where(COND, x, y),
        [(2, 3), (2, 3)],
    ),
    "where(c,T,y)": (
        lambda x, y: torch.where(bmask(COND), x, y),
        lambda x, y: np_where(COND, x, y),
        [(3, 2), (2, 3)],
        [T, None],
    ),
    # masked_fill
    "masked_fill(m,0.5)": (
        lambda x: x.masked_fill(bmask(MASK), 0.5),
        lambda x: np.where(MASK, 0.5, x),
        [(2, 3)],
    ),
    "masked_fill(m,2)-int": (
        lambda x: x.masked_fill(bmask(MASK), 2),
        lambda x: np.where(MASK, 2.0, x),
        [(2, 3)],
    ),
    "masked_fill(m_row)": (
        lambda x: x.masked_fill(bmask(COND_ROW), -1.0),
        lambda x: np.where(COND_ROW, -1.0, x),
        [(2, 3)],
    ),
    "masked_fill(m_col)": (
        lambda x: x.masked_fill(bmask([[True], [False]]), 3.0),
        lambda x: np.where([[True], [False]], 3.0, x),
        [(2, 3)],
    ),
    "masked_fill(m,0dim_tensor)": (
        lambda x, v: x.masked_fill(bmask(MASK), v),
        lambda x, v: np.where(MASK, v, x),
        [(2, 3), ()],
    ),
    "torch.masked_fill": (
        lambda x: torch.masked_fill(x, bmask(MASK), 0.25),
        lambda x: np.where(MASK, 0.25, x),
        [(2, 3)],
    ),
    "T.masked_fill": (
        lambda x: x.masked_fill(bmask(MASK), 0.5),
        lambda x: np.where(MASK, 0.5, x),
        [(3, 2)],
        [T],
    ),
    # gather
    "gather(1,idx)": (lambda x: x.gather(1, ix(GIDX)), lambda a: np_gather(a, 1, GIDX), [(2, 4)]),
    "gather(0,idx)": (
        lambda x: x.gather(0, ix([[0, 2, 2, 1], [1, 1, 0, 2]])),
        lambda a: np_gather(a, 0, np.array([[0, 2, 2, 1], [1, 1, 0, 2]])),
        [(3, 4)],
    ),
    "gather(-1,smaller idx)": (
        lambda x: x.gather(-1, ix([[3, 3], [0, 1]])),
        lambda a: np_gather(a, 1, np.array([[3, 3], [0, 1]])),
        [(3, 4)],
    ),
    "torch.gather(x,1,idx)": (
        lambda x: torch.gather(x, 1, ix(GIDX)),
        lambda a: np_gather(a, 1, GIDX),
        [(2, 4)],
    ),
    "gather(dim=1,index=idx)": (
        lambda x: x.gather(dim=1, index=ix(GIDX)),
        lambda a: np_gather(a, 1, GIDX),
        [(2, 4)],
    ),
    "T.gather(1,idx)": (
        lambda x: x.gather(1, ix(GIDX)),
        lambda a: np_gather(a, 1, GIDX),
        [(4, 2)],
        [T],
    ),
    # index_select
    "index_select(0,[2,0,2])": (
        lambda x: x.index_select(0, ix([2, 0, 2])),
        lambda a: a[[2, 0, 2]],
        [(3, 4)],
    ),
    "index_select(-1,[3,1])": (
        lambda x: x.index_select(-1, ix([3, 1])),
        lambda a: a[:, [3, 1]],
        [(3, 4)],
    ),
    "torch.index_select(x,1,idx)": (
        lambda x: torch.index_select(x, 1, ix([0, 0, 2])),
        lambda a: a[:, [0, 0, 2]],
        [(2, 3)],
    ),
    "index_select(0,empty)": (
        lambda x: x.index_select(0, ix([])),
        lambda a: a[np.zeros(0, dtype=np.int64)],
        [(2, 3)],
    ),
    "1d.index_select": (lambda x: x.index_select(0, ix([4, 0])), lambda a: a[[4, 0]], [(5,)]),
    "T.index_select(1,idx)": (
        lambda x: x.index_select(1, ix([2, 0])),
        lambda a: a[:, [2, 0]],
        [(3, 4)],
        [T],
    ),
}


@pytest.mark.parametrize("case", MULTI)
def test_multi_input_op(case):
    fn, np_fn, shapes, *views = MULTI[case]
    check_op(fn, np_fn, shapes, views=views[0] if views else None)


def test_cat_legacy_empty_1d_is_skipped():
    # PyTorch skips 1-D empty tensors in cat, whatever the other shapes (accumulation idiom).
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = torch.cat([torch.tensor([]), x, torch.zeros(0)])
    assert_matches(out, [[1.0, 2.0], [3.0, 4.0]], F32)
    assert_matches(torch.cat([x, torch.zeros(0)], 1), [[1.0, 2.0], [3.0, 4.0]], F32)
    out.sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_gather_and_index_select_accumulate_repeated_indices():
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=F64, requires_grad=True)
    x.gather(1, ix([[2, 2, 0], [1, 1, 1]])).sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]]
    x.grad = None
    x.index_select(1, ix([0, 2, 0, 0])).sum().backward()
    assert x.grad.tolist() == [[3.0, 0.0, 1.0], [3.0, 0.0, 1.0]]


def test_where_and_masked_fill_route_gradients():
    x = torch.tensor([1.0, 2.0, 3.0], dtype=F64, requires_grad=True)
    y = torch.tensor([4.0, 5.0, 6.0], dtype=F64, requires_grad=True)
    c = bmask([True, False, True])
    torch.where(c, x * 2, y * 3).sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 2.0]
    assert y.grad.tolist() == [0.0, 3.0, 0.0]
    v = torch.tensor(7.0, dtype=F64, requires_grad=True)
    x.grad = None
    x.masked_fill(c, v).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]
    assert v.grad.item() == 2.0  # one gradient per filled element


def test_expand_and_repeat_sum_gradients():
    x = torch.tensor([[1.0], [2.0]], dtype=F64, requires_grad=True)
    x.expand(3, 2, 4).sum().backward()
    assert x.grad.tolist() == [[12.0], [12.0]]
    x.grad = None
    (x.repeat(2, 3) * torch.arange(12.0, dtype=F64).reshape(4, 3)).sum().backward()
    # rows 0 and 2 of the tiled result come from x[0], rows 1 and 3 from x[1]
    assert x.grad.tolist() == [[0 + 1 + 2 + 6 + 7 + 8.0], [3 + 4 + 5 + 9 + 10 + 11.0]]


# ---------------------------------------------------------------------------------------------
# dtypes: cat/stack/where promote like binary ops; masked_fill, gather, index_select keep self's
# ---------------------------------------------------------------------------------------------
def tt(data, dtype):
    return torch.tensor(data, dtype=dtype)


DTYPES = {
    "cat(f32,f64)": (lambda: torch.cat([tt([1.5], F32), tt([2.5], F64)]), F64, [1.5, 2.5]),
    "cat(i64,f32)": (lambda: torch.cat([tt([1], I64), tt([2.5], F32)]), F32, [1.0, 2.5]),
    "cat(i64,bool)": (lambda: torch.cat([tt([3], I64), tt([True], BOOL)]), I64, [3, 1]),
    "cat(bool,bool)": (lambda: torch.cat([tt([True], BOOL), tt([False], BOOL)]), BOOL, [1, 0]),
    "cat(i64,i64)": (lambda: torch.cat([tt([3], I64), tt([4], I64)]), I64, [3, 4]),
    "stack(f32,f64)": (lambda: torch.stack([tt([1.5], F32), tt([2.5], F64)]), F64, [[1.5], [2.5]]),
    "stack(i64,f32)": (lambda: torch.stack([tt(1, I64), tt(2.5, F32)]), F32, [1.0, 2.5]),
    "where(c,f32,f64)": (
        lambda: torch.where(bmask([True, False]), tt([1.0, 2.0], F32), tt([3.0, 4.0], F64)),
        F64,
        [1.0, 4.0],
    ),
    # Python numbers do not lift the tensor's dtype within its category ...
    "where(c,f32,pyfloat)": (
        lambda: torch.where(bmask([True, False]), tt([1.0, 2.0], F32), 0.5),
        F32,
        [1.0, 0.5],
    ),
    "where(c,f64,pyfloat)": (
        lambda: torch.where(bmask([True, False]), tt([1.0, 2.0], F64), 0.5),
        F64,
        [1.0, 0.5],
    ),
    "where(c,i64,pyint)": (
        lambda: torch.where(bmask([True, False]), tt([1, 2], I64), 0),
        I64,
        [1, 0],
    ),
    # ... but a float number with an int tensor gives the default float dtype.
    "where(c,i64,pyfloat)": (
        lambda: torch.where(bmask([True, False]), tt([1, 2], I64), 0.5),
        F32,
        [1.0, 0.5],
    ),
    "where(c,pyfloat,pyfloat)": (
        lambda: torch.where(bmask([True, False]), 1.0, 0.0),
        F32,
        [1.0, 0.0],
    ),
    "where(c,pyint,pyint)": (lambda: torch.where(bmask([True, False]), 1, 0), I64, [1, 0]),
    "where(c,i64,f64)": (
        lambda: torch.where(bmask([True, False]), tt([1, 2], I64), tt([3.0, 4.0], F64)),
        F64,
        [1.0, 4.0],
    ),
    "masked_fill(i64,2.5)": (
        lambda: tt([1, 2], I64).masked_fill(bmask([True, False]), 2.5),
        I64,
        [2, 2],
    ),
    "masked_fill(bool,0)": (
        lambda: tt([True, True], BOOL).masked_fill(bmask([True, False]), 0),
        BOOL,
        [0, 1],
    ),
    "gather(i64)": (lambda: tt([[5, 6, 7]], I64).gather(1, ix([[2, 0]])), I64, [[7, 5]]),
    "index_select(bool)": (
        lambda: tt([True, False], BOOL).index_select(0, ix([1, 1, 0])),
        BOOL,
        [0, 0, 1],
    ),
    "flip(i64)": (lambda: tt([1, 2, 3], I64).flip(0), I64, [3, 2, 1]),
    "repeat(bool)": (lambda: tt([True, False], BOOL).repeat(2), BOOL, [1, 0, 1, 0]),
}


@pytest.mark.parametrize("case", DTYPES)
def test_dtypes(case):
    fn, dtype, values = DTYPES[case]
    ref = np.asarray(values, dtype=bool) if dtype == BOOL else np.asarray(values)
    assert_matches(fn(), ref, dtype)


# ---------------------------------------------------------------------------------------------
# Views share storage and the version counter with their base; copies do not.
# case -> (view fn, numpy view fn, base shape). The NumPy fns return NumPy views as well.
# ---------------------------------------------------------------------------------------------
VIEWS = {
    "view": (lambda t: t.view(6, 4), lambda a: a.reshape(6, 4), (2, 3, 4)),
    "reshape(contiguous)": (lambda t: t.reshape(4, 6), lambda a: a.reshape(4, 6), (2, 3, 4)),
    "flatten(contiguous)": (lambda t: t.flatten(), lambda a: a.reshape(-1), (2, 3, 4)),
    "transpose": (lambda t: t.transpose(0, 2), lambda a: a.swapaxes(0, 2), (2, 3, 4)),
    "t": (lambda t: t.t(), lambda a: a.T, (3, 4)),
    "T": (lambda t: t.T, lambda a: a.T, (3, 4)),
    "mT": (lambda t: t.mT, lambda a: a.swapaxes(1, 2), (2, 3, 4)),
    "permute": (lambda t: t.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1), (2, 3, 4)),
    "unsqueeze": (lambda t: t.unsqueeze(1), lambda a: a[:, None], (3, 4)),
    "squeeze": (lambda t: t.squeeze(1), lambda a: a[:, 0], (3, 1, 4)),
    "narrow": (lambda t: t.narrow(1, 1, 2), lambda a: a[:, 1:3], (3, 4)),
    "chunk": (lambda t: t.chunk(2, 1)[1], lambda a: a[:, 2:], (3, 4)),
    "split": (lambda t: t.split([1, 2], 0)[1], lambda a: a[1:], (3, 4)),
    "contiguous(contiguous)": (lambda t: t.contiguous(), lambda a: a, (3, 4)),
    # views of views
    "t().narrow()": (lambda t: t.t().narrow(0, 1, 2), lambda a: a.T[1:3], (3, 4)),
    "view.transpose.narrow": (
        lambda t: t.view(4, 6).transpose(0, 1).narrow(0, 2, 3),
        lambda a: a.reshape(4, 6).T[2:5],
        (2, 3, 4),
    ),
    "permute.unsqueeze.split": (
        lambda t: t.permute(1, 0).unsqueeze(0).split(2, 1)[1],
        lambda a: a.T[None][:, 2:],
        (3, 4),
    ),
}


def _base(shape):
    a = np.arange(math.prod(shape), dtype=np.float64).reshape(shape)
    return a, make(a, F32)


@pytest.mark.parametrize("case", VIEWS)
def test_write_through_view_reaches_base(case):
    fn, np_fn, shape = VIEWS[case]
    a, base = _base(shape)
    v = fn(base)
    v0 = base._version
    v.mul_(-1)
    expected = a.copy()
    ev = np_fn(expected)
    assert np.shares_memory(ev, expected)  # the oracle itself is a view
    ev *= -1
    assert_matches(base, expected, F32)
    assert_matches(v, ev, F32)
    assert base._version == v._version == v0 + 1


@pytest.mark.parametrize("case", VIEWS)
def test_write_to_base_shows_in_view(case):
    fn, np_fn, shape = VIEWS[case]
    a, base = _base(shape)
    v = fn(base)
    v0 = v._version
    base.add_(100.0)
    assert_matches(v, np_fn(a + 100.0), F32)
    assert base._version == v._version == v0 + 1


@pytest.mark.parametrize(
    "fn",
    [
        lambda t: t.expand(2, 3, 4),
        lambda t: t.expand_as(torch.zeros(2, 3, 4)),
        lambda t: torch.broadcast_to(t, (2, 3, 4)),
        lambda t: t.broadcast_to((2, 3, 4)),
    ],
    ids=["expand", "expand_as", "torch.broadcast_to", "broadcast_to"],
)
def test_expanded_view_sees_base_writes(fn):
    a, base = _base((3, 1))
    v = fn(base)
    base.mul_(2.0)
    assert_matches(v, np.broadcast_to(2 * a, (2, 3, 4)), F32)
    assert v._version == base._version


COPIES = {
    "flip": lambda t: t.flip(0),
    "repeat": lambda t: t.repeat(1, 1),
    "t().reshape": lambda t: t.t().reshape(-1),
    "t().contiguous": lambda t: t.t().contiguous(),
    "t().flatten": lambda t: t.t().flatten(),
    "cat": lambda t: torch.cat([t]),
    "stack": lambda t: torch.stack([t]),
    "index_select": lambda t: t.index_select(0, ix([0, 1, 2])),
    "gather": lambda t: t.gather(0, ix([[0, 1, 2, 0]])),
    "masked_fill": lambda t: t.masked_fill(bmask([False]), 0.0),
    "where": lambda t: torch.where(bmask([True]), t, 0.0),
}


@pytest.mark.parametrize("case", COPIES)
def test_copying_ops_do_not_share_storage(case):
    a, base = _base((3, 4))
    out = COPIES[case](base)
    v0 = base._version
    out.mul_(-1)
    assert_matches(base, a, F32)
    assert base._version == v0


def test_contiguous_flags():
    x = torch.zeros(3, 4)
    assert x.is_contiguous() and not x.t().is_contiguous()
    assert x.t().contiguous().is_contiguous()
    assert x.t().t().is_contiguous()
    assert not x.narrow(1, 0, 2).is_contiguous()
    assert x.narrow(0, 1, 2).is_contiguous()


def test_contiguous_of_contiguous_is_self():
    x = torch.zeros(3, 4, requires_grad=True)
    assert x.contiguous() is x
    y = x * 1
    assert y.contiguous() is y


def test_view_gradient_after_write_through_view():
    # A non-leaf viewed twice; writing through the inner view is seen by the gradient of both.
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=F64, requires_grad=True)
    y = x * 1
    y.t().narrow(0, 1, 1).mul_(10)  # the second column of y
    assert y.tolist() == [[1.0, 20.0], [3.0, 40.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[1.0, 10.0], [1.0, 10.0]]


# ---------------------------------------------------------------------------------------------
# Errors: (fn, exception type, PyTorch's message, matched literally)
# ---------------------------------------------------------------------------------------------
def z(*shape):
    return torch.zeros(*shape)


ERRORS = {
    "view-strides": (
        lambda: z(2, 3).t().view(6),
        RuntimeError,
        "view size is not compatible with input tensor's size and stride",
    ),
    "view-strides-3d": (
        lambda: z(2, 3, 4).transpose(0, 1).view(3, 8),
        RuntimeError,
        "view size is not compatible with input tensor's size and stride",
    ),
    "view-numel": (
        lambda: z(2, 3).view(4),
        RuntimeError,
        "shape '[4]' is invalid for input of size 6",
    ),
    "reshape-numel": (
        lambda: z(2, 3).reshape(4, -1),
        RuntimeError,
        "shape '[4, -1]' is invalid for input of size 6",
    ),
    "view-two-minus-one": (
        lambda: z(2, 3).view(-1, -1),
        RuntimeError,
        "only one dimension can be inferred",
    ),
    "expand-size": (
        lambda: z(2, 3).expand(3, 3),
        RuntimeError,
        "The expanded size of the tensor (3) must match the existing size (2) at non-singleton "
        "dimension 0",
    ),
    "broadcast_to-size": (
        lambda: torch.broadcast_to(z(2, 3), (4, 3)),
        RuntimeError,
        "The expanded size of the tensor (4) must match the existing size (2)",
    ),
    "expand-fewer-dims": (
        lambda: z(2, 3).expand(3),
        RuntimeError,
        "the number of sizes provided (1) must be greater or equal to the number of dimensions in "
        "the tensor (2)",
    ),
    "transpose-dim": (
        lambda: z(2, 3).transpose(0, 2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    "unsqueeze-dim": (
        lambda: z(2, 3).unsqueeze(3),
        IndexError,
        "Dimension out of range (expected to be in range of [-3, 2], but got 3)",
    ),
    "squeeze-dim": (
        lambda: z(2, 3).squeeze(-3),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got -3)",
    ),
    "permute-duplicate": (
        lambda: z(2, 3).permute(0, 0),
        RuntimeError,
        "duplicate dims are not allowed",
    ),
    "permute-length": (
        lambda: z(2, 3).permute(0),
        RuntimeError,
        "number of dimensions in the tensor input does not match the length of the desired "
        "ordering of dimensions",
    ),
    "t-3d": (
        lambda: z(2, 3, 4).t(),
        RuntimeError,
        "t() expects a tensor with <= 2 dimensions, but self is 3D",
    ),
    "mT-1d": (
        lambda: z(3).mT,
        RuntimeError,
        "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.",
    ),
    "flatten-order": (
        lambda: z(2, 3).flatten(1, 0),
        RuntimeError,
        "start_dim cannot come after end_dim",
    ),
    "repeat-fewer-dims": (
        lambda: z(2, 3).repeat(2),
        RuntimeError,
        "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
        "tensor",
    ),
    "narrow-range": (
        lambda: z(3, 3).narrow(1, 2, 2),
        RuntimeError,
        "start (2) + length (2) exceeds dimension size (3).",
    ),
    "split-sizes": (
        lambda: z(5).split([2, 2]),
        RuntimeError,
        "split_with_sizes expects split_sizes to sum exactly to 5 (input tensor's size at "
        "dimension 0), but got split_sizes=[2, 2]",
    ),
    "cat-sizes": (
        lambda: torch.cat([z(2, 3), z(2, 4)]),
        RuntimeError,
        "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for "
        "tensor number 1 in the list.",
    ),
    "cat-ndim": (
        lambda: torch.cat([z(2, 3), z(3)]),
        RuntimeError,
        "Tensors must have same number of dimensions: got 2 and 1",
    ),
    "cat-dim": (
        lambda: torch.cat([z(2, 3), z(2, 3)], 2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    "stack-sizes": (
        lambda: torch.stack([z(2, 3), z(3, 2)]),
        RuntimeError,
        "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at "
        "entry 1",
    ),
    "where-cond-dtype": (
        lambda: torch.where(ix([1, 0]), z(2), z(2)),
        RuntimeError,
        "where expected condition to be a boolean tensor, but got a tensor with dtype Long",
    ),
    "masked_fill-mask-dtype": (
        lambda: z(3).masked_fill(ix([1, 0, 1]), 0.0),
        RuntimeError,
        # PyTorch spells the dtype "long int" here; the spelling is not checked.
        "masked_fill_ only supports boolean masks, but got mask with dtype",
    ),
    "masked_fill-value-dim": (
        lambda: z(3).masked_fill(bmask([True, False, True]), torch.zeros(2)),
        RuntimeError,
        "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 "
        "dimension(s).",
    ),
    "gather-range": (
        lambda: z(2, 3).gather(1, ix([[0, 3]])),
        RuntimeError,
        "index 3 is out of bounds for dimension 1 with size 3",
    ),
    "index_select-2d-index": (
        lambda: z(2, 3).index_select(0, ix([[0]])),
        IndexError,
        "index_select(): Index is supposed to be a vector",
    ),
}


@pytest.mark.parametrize("case", ERRORS)
def test_errors(case):
    fn, exc, msg = ERRORS[case]
    with pytest.raises(exc, match=re.escape(msg)):
        fn()


def test_index_select_out_of_range_raises():
    # PyTorch's CPU kernels disagree on the type and text ("INDICES element is out of DATA
    # bounds", "index out of range in self"); both say "out of".
    with pytest.raises((RuntimeError, IndexError), match="out of"):
        z(2, 3).index_select(1, ix([3]))


# ---------------------------------------------------------------------------------------------
# grad_fn names
# ---------------------------------------------------------------------------------------------
GRAD_FN = {
    "reshape": (lambda m: m.reshape(6), "ViewBackward0"),
    "view": (lambda m: m.view(3, 2), "ViewBackward0"),
    "t().reshape": (lambda m: m.t().reshape(6), "UnsafeViewBackward0"),
    "flatten": (lambda m: m.flatten(), "ViewBackward0"),
    "t().contiguous": (lambda m: m.t().contiguous(), "CloneBackward0"),
    "transpose": (lambda m: m.transpose(0, 1), "TransposeBackward0"),
    "t": (lambda m: m.t(), "TBackward0"),
    "T": (lambda m: m.T, "PermuteBackward0"),
    "mT": (lambda m: m.mT, "TransposeBackward0"),
    "permute": (lambda m: m.permute(1, 0), "PermuteBackward0"),
    "unsqueeze": (lambda m: m.unsqueeze(0), "UnsqueezeBackward0"),
    "squeeze()": (lambda m: m.unsqueeze(0).squeeze(), "SqueezeBackward0"),
    "squeeze(0)": (lambda m: m.unsqueeze(0).squeeze(0), "SqueezeBackward1"),
    "expand": (lambda m: m.expand(2, 2, 3), "ExpandBackward0"),
    "expand_as": (lambda m: m.expand_as(torch.zeros(2, 2, 3)), "ExpandBackward0"),
    "broadcast_to": (lambda m: torch.broadcast_to(m, (2, 2, 3)), "ExpandBackward0"),
    "repeat": (lambda m: m.repeat(2, 1), "RepeatBackward0"),
    "flip": (lambda m: m.flip(0), "FlipBackward0"),
    "narrow": (lambda m: m.narrow(1, 0, 2), "SliceBackward0"),
    "chunk": (lambda m: m.chunk(2)[0], "SplitBackward0"),
    "split(int)": (lambda m: m.split(1)[1], "SplitBackward0"),
    "split(list)": (lambda m: m.split([1, 2], 1)[0], "SplitWithSizesBackward0"),
    "cat": (lambda m: torch.cat([m, m]), "CatBackward0"),
    "stack": (lambda m: torch.stack([m, m]), "StackBackward0"),
    "where": (lambda m: torch.where(m > 2, m, 0.0), "WhereBackward0"),
    "masked_fill": (lambda m: m.masked_fill(m > 2, 0.0), "MaskedFillBackward0"),
    "gather": (lambda m: m.gather(1, ix([[0], [1]])), "GatherBackward0"),
    "index_select": (lambda m: m.index_select(0, ix([1])), "IndexSelectBackward0"),
}


@pytest.mark.parametrize("case", GRAD_FN)
def test_grad_fn_names(case):
    fn, name = GRAD_FN[case]
    m = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = fn(m * 1)
    assert y.requires_grad and not y.is_leaf
    assert type(y.grad_fn).__name__ == name
    assert y.grad_fn.name() == name
