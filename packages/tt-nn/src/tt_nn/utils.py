"""Training utilities, as `torch.nn.utils` (importable as `tt.nn.utils`): gradient clipping
and flattening parameters into one vector.

    >>> loss.backward()
    >>> tt_nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    >>> opt.step()
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
from tt_tensor import Tensor, from_numpy


def _as_list(parameters: Iterable[Tensor] | Tensor) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so their combined norm is at most `max_norm`.

    The norm is taken over every gradient as if concatenated into one vector. Returns that
    total norm (before clipping) as a Tensor, as PyTorch does. Gradients are multiplied by
    `min(1, max_norm / (total + 1e-6))`, in place. A NaN or infinite total (a NaN
    gradient, say) makes every gradient NaN, as in PyTorch — the step is visibly broken
    instead of half the model silently training on; `error_if_nonfinite=True` raises instead.
    """
    grads = [p.grad.data for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return from_numpy(np.asarray(0.0, dtype=np.float32))
    norm_type = float(norm_type)
    if norm_type == float("inf"):
        total = max(float(np.abs(g).max()) if g.size else 0.0 for g in grads)
    else:
        total = float(sum(float((np.abs(g.astype(np.float64)) ** norm_type).sum()) for g in grads)
                      ** (1.0 / norm_type))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the "
                           f"gradients is {total}, so they cannot be clipped")
    with np.errstate(invalid="ignore"):
        scale = min(1.0, max_norm / (total + 1e-6)) if not np.isnan(total) else float("nan")
    if scale != 1.0:  # NaN != 1 too: a NaN norm spreads to every gradient, as in PyTorch
        with np.errstate(invalid="ignore"):  # inf·0 = NaN, also as in PyTorch
            for p in _as_list(parameters):
                if p.grad is not None:
                    p.grad.data *= p.grad.data.dtype.type(scale)
                    p.grad._version += 1
    return from_numpy(np.asarray(total, dtype=grads[0].dtype))


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    for p in _as_list(parameters):
        if p.grad is not None:
            np.clip(p.grad.data, -clip_value, clip_value, out=p.grad.data)
            p.grad._version += 1


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters' values in one flat Tensor (a copy), in the order given."""
    return from_numpy(np.concatenate([p.data.ravel() for p in parameters]))


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the flat `vec` into each parameter, in place (the inverse
    of `parameters_to_vector`)."""
    flat = vec.data if isinstance(vec, Tensor) else np.asarray(vec)
    params = list(parameters)
    needed = sum(p.data.size for p in params)
    if flat.ndim != 1 or flat.size != needed:
        raise ValueError(f"vector_to_parameters: expected a 1-D vector of {needed} numbers "
                         f"(the parameters' total size), got shape {flat.shape}")
    start = 0
    for p in params:
        p.data[...] = flat[start:start + p.data.size].reshape(p.data.shape)
        p._version += 1
        start += p.data.size
