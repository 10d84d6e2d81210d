"""Stateless forms of the layers and losses (`tt_nn.functional`, usually imported as F).

Each function looks its op up in the registry on every call (one dict lookup), so an op
replaced through the plugin registry is used everywhere at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from tt_tensor import OPS, Tensor, generator


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input (…, in) @ weight (out, in).T + bias (out,) -> (…, out)."""
    return OPS["linear"].apply(input, weight, bias)


def relu(input: Tensor) -> Tensor:
    """max(x, 0)."""
    return OPS["relu"].apply(input)


def tanh(input: Tensor) -> Tensor:
    """The hyperbolic tangent, elementwise: values in (-1, 1)."""
    return OPS["tanh"].apply(input)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + e^-x), stable for large |x|."""
    return OPS["sigmoid"].apply(input)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x·Φ(x) (exact erf form), or its tanh approximation with approximate="tanh"."""
    return OPS["gelu"].apply(input, approximate=approximate)


def softmax(input: Tensor, dim: int = -1) -> Tensor:
    """Probabilities along `dim`: e^x / sum(e^x), stable for any logits."""
    return OPS["softmax"].apply(input, dim=dim)


def log_softmax(input: Tensor, dim: int = -1) -> Tensor:
    """x - logsumexp(x) along `dim`."""
    return OPS["log_softmax"].apply(input, dim=dim)


def flatten(input: Tensor, start_dim: int = 1, end_dim: int = -1) -> Tensor:
    """Merge dimensions start_dim..end_dim into one (keeps the batch dimension by default)."""
    return input.flatten(start_dim, end_dim)


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p), while training.

    The mask is drawn from tt's seeded generator, so `manual_seed` repeats it.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p}")
    if not training or p == 0.0:
        return input
    data = input.data if isinstance(input, Tensor) else np.asarray(input)
    if p == 1.0:
        mask = np.zeros(data.shape, dtype=data.dtype)
    else:
        mask = (generator().random(data.shape) >= p).astype(data.dtype) * data.dtype.type(1 / (1 - p))
    return OPS["mul"].apply(input, mask)  # the mask is data, not a tensor: no gradient for it


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing `normalized_shape` dimensions, then scale and shift."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[len(input.shape) - len(shape):]) != shape:
        raise ValueError(f"layer_norm: input of shape {tuple(input.shape)} does not end with "
                         f"normalized_shape {shape}")
    return OPS["layer_norm"].apply(input, weight, bias, normalized_ndim=len(shape), eps=eps)


# ----- losses ---------------------------------------------------------------------------
def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error (input and target must have the same shape)."""
    return OPS["mse_loss"].apply(input, target, reduction=reduction)


def binary_cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """BCE on probabilities in [0, 1] (logs clamped at -100, as in PyTorch)."""
    return OPS["binary_cross_entropy"].apply(input, target, reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, reduction: str = "mean",
                                     pos_weight: Any = None) -> Tensor:
    """BCE on raw scores, computed stably without forming sigmoid(x)."""
    if isinstance(pos_weight, Tensor):
        pos_weight = pos_weight.data
    return OPS["binary_cross_entropy_with_logits"].apply(input, target, reduction=reduction,
                                                         pos_weight=pos_weight)


def cross_entropy(input: Tensor, target: Any, reduction: str = "mean",
                  label_smoothing: float = 0.0, ignore_index: int = -100) -> Tensor:
    """Cross-entropy from logits (N, C[, d…]) and integer class targets (N[, d…])
    (or class probabilities shaped like the logits)."""
    return OPS["cross_entropy"].apply(input, target, reduction=reduction,
                                      label_smoothing=label_smoothing, ignore_index=ignore_index)
