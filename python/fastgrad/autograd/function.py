"""autograd.Function: user-defined ops with a Python forward and backward.

forward runs under no_grad; its outputs are then connected to one graph Node (a C++ PyNode)
whose backward calls the class's static backward(ctx, *grads). Tensors passed to
ctx.save_for_backward are kept by that Node as saved variables (version-checked, freed after
backward), and ctx refers to the Node only weakly, so no reference cycle forms. An output that
forward created is connected in place and returned as the same object, as in PyTorch; a cycle
that ctx attributes make through it (ctx.out = out) is collected by gc
(csrc/bindings/tensor_gc.cpp).
"""

from __future__ import annotations

from typing import Any

from .. import _C
from .._grad_mode import no_grad

Tensor = _C.Tensor


class FunctionCtx:
    """The `ctx` object that a custom Function's forward and backward receive.

    forward stores what backward needs on it: tensors through save_for_backward(), anything
    else as attributes. `needs_input_grad` tells backward which inputs want a gradient.
    """

    def __init__(self) -> None:
        self._to_save: tuple[Any, ...] = ()
        self._node: Any = None
        self.needs_input_grad: tuple[bool, ...] = ()
        self.materialize_grads = True

    def save_for_backward(self, *tensors: Any) -> None:
        """Saves tensors (or None) for backward, which reads them back as ctx.saved_tensors.

        Call it at most once, in forward. The saved tensors are checked for in-place changes
        when backward reads them, as in PyTorch.
        """
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    "save_for_backward can only save variables, but argument "
                    f"{tensors.index(t)} is of type {type(t).__name__}"
                )
        self._to_save = tensors

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The tensors given to save_for_backward(), in the same order."""
        if self._node is None:
            return self._to_save
        return self._node.saved_tensors()

    def mark_non_differentiable(self, *args: Any) -> None:
        """Accepted for compatibility; fastgrad does not act on it (the outputs are not marked,
        and their gradients still reach backward)."""
        pass

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted for compatibility and stored as ctx.materialize_grads; fastgrad always
        passes zeros to backward for outputs that received no gradient (PyTorch passes None
        after set_materialize_grads(False))."""
        self.materialize_grads = value


class Function:
    """Subclass with static forward(ctx, *args) and backward(ctx, *grads); call .apply(*args)."""

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        """Computes the outputs from the inputs; subclasses define it as a staticmethod.

        It runs under no_grad. Store what backward needs on `ctx` (ctx.save_for_backward for
        tensors). Return a tensor or a tuple.
        """
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """Computes the gradients of the inputs from those of the outputs; subclasses define it
        as a staticmethod.

        It receives one gradient per output of forward and returns one gradient (or None) per
        input of forward, in order.
        """
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Runs the Function on `args` and records it in the autograd graph; returns forward's
        outputs.

        Call this, not forward(). The graph node is recorded only when grad mode is on and some
        tensor argument requires grad.
        """
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            outputs = cls.forward(ctx, *args, **kwargs)
        if not (_C.is_grad_enabled() and any(ctx.needs_input_grad)):
            return outputs
        is_tuple = isinstance(outputs, tuple)
        outs = outputs if is_tuple else (outputs,)
        tensor_positions = [i for i, o in enumerate(outs) if isinstance(o, Tensor)]
        inputs = [a if isinstance(a, Tensor) else None for a in args]
        connected, node = _C._function_apply(
            cls.backward,
            ctx,
            cls.__name__ + "Backward",
            inputs,
            [outs[i] for i in tensor_positions],
        )
        result = list(outs)
        for i, t in zip(tensor_positions, connected):
            result[i] = t
        # Saved outputs must refer to the connected tensors.
        remap = {id(outs[i]): t for i, t in zip(tensor_positions, connected)}
        node.save([remap.get(id(t), t) if t is not None else None for t in ctx._to_save])
        ctx._to_save = ()
        ctx._node = node
        return tuple(result) if is_tuple else result[0]
