"""Anomaly mode: stop at the first NaN or Inf, naming the op that produced it.

    with tt_autograd.detect_anomaly():
        loss = model(x)          # raises here if any op's output is not finite
        loss.backward()          # or here, if any op's backward produces NaN/Inf
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from tt_tensor import Tensor, observing


class AnomalyMode:
    """While enabled, every op output and every gradient is checked for NaN/Inf."""

    enabled = False


class AnomalyError(FloatingPointError):
    """Raised in anomaly mode at the first non-finite value, with the op and shapes."""


def describe(values: np.ndarray) -> str:
    kinds = []
    if np.isnan(values).any():
        kinds.append("NaN")
    if np.isinf(values).any():
        kinds.append("Inf")
    return " and ".join(kinds) or "non-finite values"


def describe_inputs(inputs) -> str:
    shapes = ", ".join(str(np.shape(x.data if isinstance(x, Tensor) else x)) for x in inputs)
    return f"(input shapes {shapes})"


def check_gradient(op, inputs, grad: np.ndarray) -> None:
    """Raise if the gradient an op's backward produced is not finite."""
    if not np.isfinite(grad).all():
        raise AnomalyError(f"detect_anomaly: the backward of '{op.name}' produced "
                           f"{describe(grad)} {describe_inputs(inputs)}")


def _check_forward(op, inputs, output, ctx) -> None:
    data = output.data
    if data.dtype.kind == "f" and not np.isfinite(data).all():
        raise AnomalyError(f"detect_anomaly: '{op.name}' produced {describe(data)} in forward "
                           f"{describe_inputs(inputs)}")


class detect_anomaly:  # noqa: N801  (PyTorch's name)
    """Context manager (and decorator) that checks every op output and gradient for NaN/Inf."""

    def __enter__(self) -> "detect_anomaly":
        self._previous = AnomalyMode.enabled
        AnomalyMode.enabled = True
        self._forward_checks = observing(_check_forward)
        self._forward_checks.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._forward_checks.__exit__(*exc)
        AnomalyMode.enabled = self._previous

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with detect_anomaly():
                return function(*args, **kwargs)
        return wrapper
