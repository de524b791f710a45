"""fastgrad: a C++-accelerated autograd library with PyTorch's Python API.

import fastgrad as torch
x = torch.tensor(2.0, requires_grad=True)
(x ** 2).backward()
print(x.grad)        # tensor(4.)
"""

from __future__ import annotations

import os as _os

# OpenMP threads must sleep, not spin, between parallel regions: on a shared machine a spinning
# worker steals the core another process needs. Read by the OpenMP runtime when _C loads.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from . import (  # noqa: E402
    _C,  # noqa: E402
    _tensor,  # noqa: E402,F401  (attaches the Python-side Tensor methods)
    autograd,
    nn,
)
from ._C import Tensor, bool, dtype, float32, float64, int64, is_grad_enabled  # noqa: E402  # noqa: E402
from ._creation import (  # noqa: E402
    arange,
    empty,
    empty_like,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from ._device import device  # noqa: E402
from ._functions import (  # noqa: E402
    abs,
    add,
    clamp,
    clip,
    clone,
    cos,
    detach,
    div,
    divide,
    eq,
    exp,
    ge,
    greater,
    gt,
    is_floating_point,
    is_tensor,
    le,
    less,
    log,
    lt,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    multiply,
    ne,
    neg,
    negative,
    numel,
    permute,
    pow,
    relu,
    reshape,
    result_type,
    sigmoid,
    sin,
    sqrt,
    squeeze,
    sub,
    subtract,
    sum,
    t,
    tanh,
    transpose,
    true_divide,
    unsqueeze,
)
from ._grad_mode import enable_grad, no_grad, set_grad_enabled  # noqa: E402
from ._size import Size  # noqa: E402
from ._tensor_str import get_printoptions, printoptions, set_printoptions  # noqa: E402

float = float32  # noqa: A001 - PyTorch's aliases
double = float64
long = int64

__version__ = "0.1.0"


def _dtype_from_name(name: str) -> dtype:
    return getattr(_C, name)


def get_default_dtype() -> dtype:
    return float32


__all__ = [
    "Size",
    "Tensor",
    "abs",
    "add",
    "arange",
    "autograd",
    "bool",
    "clamp",
    "clip",
    "clone",
    "cos",
    "detach",
    "device",
    "div",
    "divide",
    "double",
    "dtype",
    "empty",
    "empty_like",
    "enable_grad",
    "eq",
    "exp",
    "float",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "ge",
    "get_default_dtype",
    "get_printoptions",
    "greater",
    "gt",
    "int64",
    "is_floating_point",
    "is_grad_enabled",
    "is_tensor",
    "le",
    "less",
    "linspace",
    "log",
    "long",
    "lt",
    "manual_seed",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mm",
    "mul",
    "multiply",
    "ne",
    "neg",
    "negative",
    "nn",
    "no_grad",
    "numel",
    "ones",
    "ones_like",
    "permute",
    "pow",
    "printoptions",
    "rand",
    "rand_like",
    "randn",
    "randn_like",
    "relu",
    "reshape",
    "result_type",
    "set_grad_enabled",
    "set_printoptions",
    "sigmoid",
    "sin",
    "sqrt",
    "squeeze",
    "sub",
    "subtract",
    "sum",
    "t",
    "tanh",
    "tensor",
    "transpose",
    "true_divide",
    "unsqueeze",
    "zeros",
    "zeros_like",
]
