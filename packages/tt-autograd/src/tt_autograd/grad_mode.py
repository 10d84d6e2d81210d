"""Switching gradient recording off and on: `no_grad()` and `enable_grad()`.

Inside `no_grad()` ops record nothing, so evaluation uses less memory and time. Both work
as a `with` block or as a function decorator, like their PyTorch namesakes.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from tt_tensor import GradMode


class _SetGradMode:
    enabled: bool

    def __enter__(self) -> None:
        self._previous = GradMode.enabled
        GradMode.enabled = self.enabled

    def __exit__(self, *exc: Any) -> None:
        GradMode.enabled = self._previous

    def __call__(self, function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return function(*args, **kwargs)
        return wrapper


class no_grad(_SetGradMode):  # noqa: N801  (PyTorch's name)
    """Record no graph inside this block (or decorated function)."""

    enabled = False


class enable_grad(_SetGradMode):  # noqa: N801
    """Record the graph again inside this block, even within `no_grad`."""

    enabled = True


def is_grad_enabled() -> bool:
    """Whether ops currently record the graph."""
    return GradMode.enabled
