"""The switches every op reads: grad mode, anomaly mode and op observers — one per thread.

Each thread has its own copy, as in PyTorch: a `no_grad()` block in a data-loading thread
never stops the main thread from recording its graph. A new thread starts with gradients
on, anomaly mode off and no observers.

    >>> import tt_tensor as tt
    >>> x = tt.ones(2, requires_grad=True)
    >>> with tt.no_grad():
    ...     (x * 2).requires_grad
    False

`no_grad`, `enable_grad`, `set_grad_enabled`, `inference_mode` and `detect_anomaly` work
as `with` blocks and as decorators (with or without parentheses, on plain functions and
on generator functions).
"""

from __future__ import annotations

import functools
import inspect
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import numpy as np


class _ThreadState(threading.local):
    """Per-thread switches; class attributes are each new thread's starting values."""

    grad_enabled: bool = True
    anomaly_enabled: bool = False
    # Installed observers (see `observing`); an empty tuple costs an op nothing.
    observers: tuple = ()


state = _ThreadState()


def is_grad_enabled() -> bool:
    """Whether ops in this thread currently record the graph for backward."""
    return state.grad_enabled


class _Mode:
    """A switch that is a `with` block and a decorator, like PyTorch's grad-mode classes.

    Subclasses say in `_set(self)` what to switch on entry; the previous value comes back
    on exit, whatever happened inside.
    """

    def __new__(cls, function: Callable | None = None, *args: Any, **kwargs: Any):
        # `@no_grad` without parentheses hands us the function itself.
        if callable(function) and not args and not kwargs and cls._takes_no_arguments:
            return cls()(function)
        return super().__new__(cls)

    _takes_no_arguments = True

    def __enter__(self) -> None:
        self._previous = self._get()
        self._set()

    def __exit__(self, *exc: Any) -> None:
        self._restore(self._previous)

    def __call__(self, function: Callable) -> Callable:
        mode = self

        if inspect.isgeneratorfunction(function):
            # A generator runs in pieces, and between them the caller's mode applies: switch
            # the mode on around every piece, not only around creating the generator.
            return _resumable(function, mode)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mode.clone():
                return function(*args, **kwargs)
        return wrapper

    def clone(self) -> "_Mode":
        return self

    def _get(self) -> Any:
        raise NotImplementedError

    def _set(self) -> None:
        raise NotImplementedError

    def _restore(self, previous: Any) -> None:
        raise NotImplementedError


def _resumable(function: Callable, mode: _Mode) -> Callable:
    """Wrap a generator function so each step of the generator runs inside `mode`."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any):
        generator = function(*args, **kwargs)
        sent: Any = None
        while True:
            with mode.clone():
                try:
                    value = generator.send(sent)
                except StopIteration as stop:
                    return stop.value
            sent = yield value
    return wrapper


class _GradSwitch(_Mode):
    enabled: bool = True

    def _get(self) -> bool:
        return state.grad_enabled

    def _set(self) -> None:
        state.grad_enabled = self.enabled

    def _restore(self, previous: bool) -> None:
        state.grad_enabled = previous

    def clone(self) -> "_GradSwitch":
        return type(self)()


class no_grad(_GradSwitch):  # noqa: N801  (PyTorch's name)
    """Record no graph inside this block or decorated function (this thread only).

    Evaluation and parameter updates run under `no_grad`: nothing is kept for backward,
    so they use less memory and time.
    """

    enabled = False


class enable_grad(_GradSwitch):  # noqa: N801
    """Record the graph again inside this block, even within `no_grad`."""

    enabled = True


class inference_mode(_GradSwitch):  # noqa: N801
    """`inference_mode(mode=True)`: as `no_grad()` when `mode` is true (tt has one such mode)."""

    def __init__(self, mode: bool = True) -> None:
        self.enabled = not mode  # mode=False turns recording on, as PyTorch's does

    def clone(self) -> "inference_mode":
        return inference_mode(not self.enabled)


class set_grad_enabled(_GradSwitch):  # noqa: N801
    """`set_grad_enabled(mode)`: switch recording on or off, for a block or from now on.

    Called as a plain function it takes effect at once (and stays); used with `with`, the
    previous mode returns at the end of the block, as in PyTorch.
    """

    _takes_no_arguments = False

    def __init__(self, mode: bool) -> None:
        self.enabled = bool(mode)
        self._previous = state.grad_enabled
        state.grad_enabled = self.enabled

    def __enter__(self) -> None:  # already switched in __init__
        pass

    def __call__(self, function: Callable) -> Callable:
        # As a decorator it switches only while the function runs: undo __init__'s switch.
        state.grad_enabled = self._previous
        return super().__call__(function)

    def clone(self) -> "set_grad_enabled":
        return set_grad_enabled(self.enabled)


# ----- observers ----------------------------------------------------------------------------
@contextmanager
def observing(observer: Any) -> Iterator[None]:
    """`with observing(observer):` every op run inside the block (in this thread) reports to it.

    `observer` is either a callable, called after each op's forward as
    `observer(op, inputs, output, ctx)`, or an object with methods
    `forward(op, inputs, output, ctx, seconds)` and/or `backward(op, inputs, grads, ctx,
    seconds)`; such an object gets the time each op's forward and backward took, which is
    what a profiler needs. Anomaly mode and the milestones' FLOP and memory counters are
    observers; outside such a block ops pay nothing for the feature.
    """
    previous = state.observers
    state.observers = previous + (_as_observer(observer),)
    try:
        yield
    finally:
        state.observers = previous


class _Observer:
    """An observer as the op machinery calls it: `forward` and `backward`, either may be None."""

    __slots__ = ("forward", "backward", "timed", "original")

    def __init__(self, forward: Callable | None, backward: Callable | None, timed: bool,
                 original: Any) -> None:
        self.forward, self.backward, self.timed, self.original = forward, backward, timed, original


def _as_observer(observer: Any) -> _Observer:
    forward = getattr(observer, "forward", None)
    backward = getattr(observer, "backward", None)
    if forward is None and backward is None:
        if not callable(observer):
            raise TypeError(f"observing: expected a callable or an object with forward/backward "
                            f"methods, got {type(observer).__name__}")
        return _Observer(lambda op, inputs, output, ctx, seconds: observer(op, inputs, output, ctx),
                         None, False, observer)
    return _Observer(forward, backward, True, observer)


def observers() -> tuple:
    """The observers installed in this thread, innermost last (as passed to `observing`)."""
    return tuple(o.original for o in state.observers)


# ----- anomaly mode ---------------------------------------------------------------------------
class AnomalyError(FloatingPointError):
    """Raised in anomaly mode at the first non-finite value, naming the op and the shapes."""


def is_anomaly_enabled() -> bool:
    """Whether anomaly mode is on in this thread."""
    return state.anomaly_enabled


def describe_nonfinite(values: np.ndarray) -> str:
    """`"NaN"`, `"Inf"` or `"NaN and Inf"`: what is wrong with an array that is not finite."""
    kinds = []
    if np.isnan(values).any():
        kinds.append("NaN")
    if np.isinf(values).any():
        kinds.append("Inf")
    return " and ".join(kinds) or "non-finite values"


def _shapes(inputs) -> str:
    # Inputs are tensors in forward, graph nodes or leaves (both have .shape) in backward.
    shapes = ", ".join(str(x.shape if hasattr(x, "shape") else np.shape(x)) for x in inputs)
    return f"(input shapes {shapes})"


class _AnomalyChecks:
    """The observer anomaly mode installs: checks every op's output and every gradient."""

    @staticmethod
    def forward(op, inputs, output, ctx, seconds) -> None:
        data = output.data
        if data.dtype.kind == "f" and not np.isfinite(data).all():
            raise AnomalyError(f"detect_anomaly: '{op.name}' produced {describe_nonfinite(data)} "
                               f"in forward {_shapes(inputs)}")

    @staticmethod
    def backward(op, inputs, grads, ctx, seconds) -> None:
        for grad in grads:
            if grad is not None and not np.isfinite(grad).all():
                raise AnomalyError(f"detect_anomaly: the backward of '{op.name}' produced "
                                   f"{describe_nonfinite(grad)} {_shapes(inputs)}")


class detect_anomaly(_Mode):  # noqa: N801  (PyTorch's name)
    """Check every op output and every gradient for NaN/Inf, and name the op that made it.

        with detect_anomaly():
            loss = model(x)      # raises here if an op's output is not finite
            loss.backward()      # or here, if an op's backward produces NaN/Inf
    """

    def __init__(self, *args: Any) -> None:
        self._observing = None

    def _get(self) -> bool:
        return state.anomaly_enabled

    def _set(self) -> None:
        state.anomaly_enabled = True
        self._observing = observing(_AnomalyChecks)
        self._observing.__enter__()

    def _restore(self, previous: bool) -> None:
        if self._observing is not None:
            self._observing.__exit__(None, None, None)
            self._observing = None
        state.anomaly_enabled = previous

    def clone(self) -> "detect_anomaly":
        return detect_anomaly()
