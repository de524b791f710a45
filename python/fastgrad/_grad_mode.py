"""Grad-mode switches. The flag itself lives in C++ (thread-local); these wrap it as context
managers and decorators, as torch.no_grad & co. do."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from . import _C

F = TypeVar("F", bound=Callable[..., Any])

is_grad_enabled = _C.is_grad_enabled


_set_grad_enabled = _C._set_grad_enabled  # returns the previous mode


class _GradModeContext(_C._GradModeBase):
    """Base: sets grad mode on enter, restores the previous mode on exit; usable as decorator.

    Construction, __enter__ and __exit__ are C (`_C._GradModeBase`): a training step enters
    no_grad once per step, and as Python methods they were three interpreter frames. The mode
    comes from the class's `_enabled`; `cls(func)` decorates when `_decorates_bare` is set.
    """

    __slots__ = ()
    _enabled: bool

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._clone():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _clone(self) -> _GradModeContext:
        return self.__class__()

    def clone(self) -> _GradModeContext:
        return self._clone()


class no_grad(_GradModeContext):  # noqa: N801
    """Disables gradient recording inside the block (or the decorated function)."""

    __slots__ = ()
    _enabled = False
    _decorates_bare = True  # @no_grad without parentheses


class enable_grad(_GradModeContext):  # noqa: N801
    """Enables gradient recording inside the block, e.g. within no_grad."""

    __slots__ = ()
    _enabled = True
    _decorates_bare = True  # @enable_grad without parentheses


class set_grad_enabled(_GradModeContext):  # noqa: N801
    """set_grad_enabled(mode): as a function it sets the mode; as a context it restores it."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(
                f"set_grad_enabled(): argument 'mode' must be bool, not {type(mode).__name__}"
            )
        self._prev = _C.is_grad_enabled()
        self._enabled = mode
        _C._set_grad_enabled(mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _C._set_grad_enabled(self._prev)

    def __call__(self, func: F) -> F:
        # Used as a decorator: undo the immediate switch made by __init__.
        _C._set_grad_enabled(self._prev)
        return super().__call__(func)

    def _clone(self) -> _GradModeContext:
        return enable_grad() if self._enabled else no_grad()


class inference_mode(_GradModeContext):  # noqa: N801
    """Like no_grad (fastgrad has no separate inference tensors): records no graph."""

    _depth = 0

    def __new__(cls, mode: Any = True) -> Any:
        self = super().__new__(cls)
        if callable(mode):  # used as @inference_mode without parentheses
            self.__init__()
            return self(mode)
        return self

    def __init__(self, mode: Any = True) -> None:
        self.mode = bool(mode)
        # inference_mode(False) turns grad mode back on, as c10::InferenceMode(false) does.
        self._enabled = not self.mode

    def __enter__(self) -> None:
        super().__enter__()
        self._prev_inference = _C.is_inference_mode_enabled()
        _C._set_inference_mode(self.mode)

    def __exit__(self, *exc: object) -> None:
        _C._set_inference_mode(self._prev_inference)
        super().__exit__(*exc)

    def _clone(self) -> _GradModeContext:
        return self.__class__(self.mode)


is_inference_mode_enabled = _C.is_inference_mode_enabled
