"""Training utilities: `clip_grad_norm_`, `parameters_to_vector`."""

from __future__ import annotations

from typing import Iterable

import numpy as np
from tt_tensor import Tensor


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False) -> Tensor:
    """Scale all gradients together so their combined norm is at most `max_norm`.

    The norm is taken over every gradient as if concatenated into one vector. Returns that
    total norm (before clipping) as a Tensor, as PyTorch does. Gradients are scaled by
    max_norm / (total + 1e-6) when that is below 1.
    """
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p.grad.data for p in params if p.grad is not None]
    if not grads:
        return Tensor(np.float32(0.0))
    norm_type = float(norm_type)
    if norm_type == float("inf"):
        total = max(float(np.abs(g).max()) for g in grads)
    else:
        total = float(sum(float((np.abs(g.astype(np.float64)) ** norm_type).sum()) for g in grads)
                      ** (1.0 / norm_type))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the "
                           f"gradients is {total}, so they cannot be clipped")
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for g in grads:
            g *= g.dtype.type(scale)
    return Tensor(np.asarray(total, dtype=grads[0].dtype))


def parameters_to_vector(parameters: Iterable[Tensor]) -> np.ndarray:
    """All parameters' values in one flat array (a copy)."""
    return np.concatenate([p.data.ravel() for p in parameters])

