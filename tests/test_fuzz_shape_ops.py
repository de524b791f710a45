"""Random calls of the shape, indexing and reduction ops with random (often invalid) arguments:
each must either work or raise a clear Python exception — never crash, never escape with an
internal error type."""

import random

import pytest

import fastgrad as torch

ALLOWED = (RuntimeError, IndexError, ValueError, TypeError)
# Messages that betray a Python-level slip rather than a deliberate error.
INTERNAL = ("tuple index", "list index", "NoneType", "object has no attribute", "not subscriptable")


def _shape(rng):
    return [rng.choice([0, 1, 2, 3]) for _ in range(rng.randint(0, 3))]


def _key(rng, nd):
    key = []
    for _ in range(rng.randint(0, nd + 1)):
        c = rng.random()
        if c < 0.2:
            key.append(rng.randint(-4, 4))
        elif c < 0.4:
            key.append(
                slice(
                    rng.choice([None, -3, 0, 1, 5]),
                    rng.choice([None, -1, 2, 9]),
                    rng.choice([None, 1, 2, -1, 0]),
                )
            )
        elif c < 0.5:
            key.append(None)
        elif c < 0.6:
            key.append(Ellipsis)
        elif c < 0.75:
            key.append(
                torch.tensor(
                    [rng.randint(-3, 3) for _ in range(rng.randint(0, 3))], dtype=torch.int64
                )
            )
        elif c < 0.85:
            key.append([rng.randint(-3, 3)])
        else:
            key.append(torch.tensor([rng.random() > 0.5 for _ in range(rng.randint(0, 3))]))
    return tuple(key)


def _call(rng, op, x):
    d = rng.randint(-3, 3)
    if op == "getitem":
        y = x[_key(rng, x.dim())]
        if y.requires_grad and y.numel():
            y.sum().backward()
    elif op == "setitem":
        z = x.detach().clone()
        z[_key(rng, x.dim())] = rng.random()
    elif op == "cat":
        torch.cat([x, torch.rand(*_shape(rng))], d)
    elif op == "stack":
        torch.stack([x, torch.rand(*_shape(rng))], d)
    elif op == "gather":
        x.gather(d, torch.tensor([[rng.randint(-3, 3)]]))
    elif op == "index_select":
        x.index_select(d, torch.tensor([rng.randint(-3, 3)]))
    elif op == "where":
        torch.where(x > 0.5, x, torch.rand(*_shape(rng)))
    elif op == "masked_fill":
        x.masked_fill(torch.rand(*_shape(rng)) > 0.5, 1.0)
    elif op == "softmax":
        y = x.softmax(d)
        if y.requires_grad:
            y.sum().backward()
    elif op == "prod":
        x.prod(d)
    elif op == "cumsum":
        x.cumsum(d)
    elif op == "flip":
        x.flip(*[rng.randint(-3, 3) for _ in range(rng.randint(0, 2))])
    elif op == "split":
        x.split(rng.randint(0, 3), d)
    elif op == "norm":
        x.norm(rng.choice([1, 2, float("inf"), 3]), dim=rng.choice([None, 0, -1]))
    elif op == "argmax":
        x.argmax(rng.choice([None, 0, -1]))
    elif op == "narrow":
        x.narrow(d, rng.randint(-3, 3), rng.randint(-1, 3))
    elif op == "repeat":
        x.repeat(*[rng.randint(0, 2) for _ in range(rng.randint(0, 4))])
    elif op == "reshape":
        x.reshape(*[rng.choice([-1, 0, 1, 2, 3, 6]) for _ in range(rng.randint(0, 3))])


OPS = [
    "getitem",
    "setitem",
    "cat",
    "stack",
    "gather",
    "index_select",
    "where",
    "masked_fill",
    "softmax",
    "prod",
    "cumsum",
    "flip",
    "split",
    "norm",
    "argmax",
    "narrow",
    "repeat",
    "reshape",
]


@pytest.mark.parametrize("op", OPS)
def test_random_arguments_work_or_raise_clearly(op):
    rng = random.Random(op)
    ok = 0
    for _ in range(200):
        x = torch.rand(*_shape(rng), requires_grad=rng.random() < 0.5)
        try:
            _call(rng, op, x)
            ok += 1
        except ALLOWED as e:
            assert not any(s in str(e) for s in INTERNAL), f"{op}: {type(e).__name__}: {e}"
    assert ok > 0  # the generator also produces valid calls
