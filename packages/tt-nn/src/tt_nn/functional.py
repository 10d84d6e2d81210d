"""Stateless forms of the layers and losses (`tt_nn.functional`, usually imported as F).

Argument names and defaults are PyTorch's, so `F.cross_entropy(logits, y, ignore_index=0)`
reads the same in both. A function backed by an op looks it up in the registry on every
call (`OPS["cross_entropy"]`, one dict lookup), so an op replaced through the plugin
registry is used everywhere at once; the op checks its inputs. Most activations are a line
of existing tensor ops (composition: no backward of their own to get wrong).

These functions are registered under the same names as functional forms
(`register_functions` in `tt_nn.plugin`), which is what `tt.nn.functional` shows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from tt_tensor import OPS, Tensor, from_numpy, generator, where

# ----- layers ---------------------------------------------------------------------------


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input (…, in) @ weight (out, in).T + bias (out,) -> (…, out)."""
    return OPS["linear"].apply(input, weight, bias)


def flatten(input: Tensor, start_dim: int = 1, end_dim: int = -1) -> Tensor:
    """Merge dimensions start_dim..end_dim into one (keeps the batch dimension by default)."""
    return input.flatten(start_dim, end_dim)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by `1/(1-p)`, while training.

    The mask is drawn from tt's seeded generator, so `manual_seed` repeats it. `inplace` is
    accepted for PyTorch compatibility; the result is always a new tensor.
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
    input_shape = input.data.shape if isinstance(input, Tensor) else tuple(np.shape(input))
    if input_shape[len(input_shape) - len(shape):] != shape:
        raise ValueError(f"layer_norm: input of shape {input_shape} does not end with "
                         f"normalized_shape {shape}")
    # (checked on every call, so written without NumPy's Python-level helpers on the way)
    for name, value in (("weight", weight), ("bias", bias)):
        if value is None:
            continue
        value_shape = value.data.shape if isinstance(value, Tensor) else tuple(np.shape(value))
        if value_shape != shape:
            raise ValueError(f"layer_norm: {name} has shape {value_shape}, expected "
                             f"normalized_shape {shape}")
    return OPS["layer_norm"].apply(input, weight, bias, normalized_ndim=len(shape), eps=eps)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """Divide by the p-norm along `dim`: `x / max(‖x‖_p, eps)` (unit rows by default)."""
    if p == 2:
        norm = (input * input).sum(dim, keepdim=True).sqrt()
    elif p == math.inf:
        norm = input.abs().amax(dim, keepdim=True)
    else:
        norm = (input.abs() ** p).sum(dim, keepdim=True) ** (1.0 / p)
    return input / norm.clamp(min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """`x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps))` along `dim` (inputs broadcast)."""
    n1 = (x1 * x1).sum(dim).sqrt().clamp(min=eps)
    n2 = (x2 * x2).sum(dim).sqrt().clamp(min=eps)
    return (x1 * x2).sum(dim) / (n1 * n2)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """`‖x1 - x2 + eps‖_p` along the last dimension (eps keeps the gradient finite at 0)."""
    diff = x1 - x2 + eps
    if p == 2:
        return (diff * diff).sum(-1, keepdim=keepdim).sqrt()
    if p == math.inf:
        return diff.abs().amax(-1, keepdim=keepdim)
    return (diff.abs() ** p).sum(-1, keepdim=keepdim) ** (1.0 / p)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Integer class indices (any shape) -> int64 one-hot vectors, shape (…, num_classes).

    num_classes=-1 uses the largest index + 1. Not differentiable (indices are data).
    """
    t = tensor.data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if t.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected integer class indices, got dtype {t.dtype}")
    if num_classes == -1:
        num_classes = int(t.max()) + 1 if t.size else 0
    if t.size and (t.min() < 0 or t.max() >= num_classes):
        raise ValueError(f"one_hot: class indices must be in [0, {num_classes}), got values "
                         f"from {t.min()} to {t.max()}")
    return from_numpy((t[..., None] == np.arange(num_classes)).astype(np.int64))


# ----- activations ----------------------------------------------------------------------


def relu(input: Tensor, inplace: bool = False) -> Tensor:
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


def _implicit_dim(input: Tensor, dim: int | None) -> int:
    """PyTorch's (deprecated) choice when no dim is given: 0 for 0-, 1- and 3-D inputs, else 1."""
    if dim is not None:
        return dim
    return 0 if input.ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """Probabilities along `dim`: e^x / sum(e^x), stable for any logits. Give `dim`: without
    it PyTorch's old implicit choice is followed (see `_implicit_dim`)."""
    if dtype is not None:
        input = input.to(dtype)
    return OPS["softmax"].apply(input, dim=_implicit_dim(input, dim))


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """x - logsumexp(x) along `dim` (give it; without it as `softmax`)."""
    if dtype is not None:
        input = input.to(dtype)
    return OPS["log_softmax"].apply(input, dim=_implicit_dim(input, dim))


def softmin(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """softmax(-x): most weight on the smallest values."""
    return softmax(-input, dim, dtype)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x·sigmoid(x) (the swish of Ramachandran et al., 2017)."""
    return input * input.sigmoid()


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·tanh(softplus(x)) (Misra, 2019)."""
    return input * softplus(input).tanh()


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """`log(1 + e^(beta·x)) / beta`, linear (x itself) where beta·x > threshold."""
    return OPS["softplus"].apply(input, beta=beta, threshold=threshold)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), exact for large |x| (no log of a rounded 0 or 1)."""
    return -softplus(-input, threshold=math.inf)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|): like tanh, with polynomial tails."""
    return input / (input.abs() + 1)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    return input.clamp(min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return input.clamp(0.0, 6.0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """A piecewise-linear sigmoid: relu6(x + 3) / 6 (0 below -3, 1 above 3)."""
    return (input + 3).clamp(0.0, 6.0) / 6


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·hardsigmoid(x) (MobileNetV3's activation)."""
    return input * hardsigmoid(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope·x otherwise."""
    return where(input > 0, input, input * negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha·(e^x - 1) otherwise (Clevert et al., 2016).

    The exponential sees min(x, 0), so a large positive x never overflows in the branch
    `where` discards (an inf there would turn its zero gradient into NaN).
    """
    return where(input > 0, input, (input.clamp(max=0.0).exp() - 1) * alpha)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha·(e^(x/alpha) - 1) otherwise (ELU made continuously differentiable)."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides x)")
    return where(input > 0, input, ((input.clamp(max=0.0) / alpha).exp() - 1) * alpha)


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale·elu(x, alpha) with Klambauer et al.'s (2017) constants, which keep activations
    near zero mean and unit variance through deep stacks."""
    return elu(input, SELU_ALPHA) * SELU_SCALE


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, weight·x otherwise; `weight` is one learned slope, or one per channel
    (dimension 1)."""
    if weight.numel() != 1 and input.ndim >= 2:
        shape = [1] * input.ndim
        shape[1] = weight.numel()
        weight = weight.reshape(*shape)
    return where(input > 0, input, input * weight)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else `value`."""
    return where(input > threshold, input, value)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, 0 in between."""
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be >= 0, got {lambd}")
    return where(input > lambd, input - lambd, where(input < -lambd, input + lambd, 0.0))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, 0 elsewhere."""
    return where((input > lambd) | (input < -lambd), input, 0.0)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: split `dim` in halves a, b and return a·sigmoid(b)."""
    size = input.shape[dim]
    if size % 2:
        raise ValueError(f"glu: dimension {dim} of shape {tuple(input.shape)} has odd size "
                         f"{size}; it must split into two equal halves")
    axis = dim % input.ndim
    first = (slice(None),) * axis + (slice(0, size // 2),)
    second = (slice(None),) * axis + (slice(size // 2, size),)
    return input[first] * input[second].sigmoid()


# ----- losses ---------------------------------------------------------------------------


def _data(value: Any) -> Any:
    """A Tensor's array (for arguments that are data, never differentiated, e.g. weights)."""
    return value.data if isinstance(value, Tensor) else value


def _legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """PyTorch's deprecated size_average/reduce flags, mapped to a reduction."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def mse_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """Mean squared error (input and target must have the same shape)."""
    return OPS["mse_loss"].apply(input, target,
                                 reduction=_legacy_reduction(size_average, reduce, reduction))


def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """BCE on probabilities in [0, 1] (logs clamped at -100, as in PyTorch); `weight`
    (broadcast to the input) multiplies each element's loss before the reduction."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        losses = OPS["binary_cross_entropy"].apply(input, target, reduction="none")
        return _reduce(losses * weight, reduction, "binary_cross_entropy")
    return OPS["binary_cross_entropy"].apply(input, target, reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Any = None,
                                     size_average: Any = None, reduce: Any = None,
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """BCE on raw scores, computed stably without forming sigmoid(x); `weight` multiplies
    each element's loss, `pos_weight` (per class, last dimension) the positives' part."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    op = OPS["binary_cross_entropy_with_logits"]
    if weight is not None:
        losses = op.apply(input, target, reduction="none", pos_weight=_data(pos_weight))
        return _reduce(losses * weight, reduction, "binary_cross_entropy_with_logits")
    return op.apply(input, target, reduction=reduction, pos_weight=_data(pos_weight))


def cross_entropy(input: Tensor, target: Any, weight: Any = None, size_average: Any = None,
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy from logits (N, C[, d…]) and integer class targets (N[, d…]), or class
    probabilities shaped like the logits; optional class `weight` (C,)."""
    return OPS["cross_entropy"].apply(
        input, target, weight=_data(weight), ignore_index=ignore_index,
        reduction=_legacy_reduction(size_average, reduce, reduction),
        label_smoothing=label_smoothing)


def nll_loss(input: Tensor, target: Any, weight: Any = None, size_average: Any = None,
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities (N, C[, d…]) at the target classes."""
    return OPS["nll_loss"].apply(input, target, weight=_data(weight), ignore_index=ignore_index,
                                 reduction=_legacy_reduction(size_average, reduce, reduction))


def _as_tensor(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else from_numpy(np.asarray(value))


def _reduce(losses: Tensor, reduction: str, op: str) -> Tensor:
    """Reduce elementwise losses built by composition ("mean", "sum" or "none")."""
    from tt_nn.ops.losses import check_reduction

    check_reduction(op, reduction)
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def _difference(op: str, input: Tensor, target: Any) -> Tensor:
    """input - target, refusing different shapes (PyTorch broadcasts them with a warning,
    which silently compares every prediction with every target)."""
    if tuple(np.shape(getattr(target, "data", target))) != tuple(input.shape):
        raise ValueError(f"{op}: input shape {tuple(input.shape)} and target shape "
                         f"{tuple(np.shape(getattr(target, 'data', target)))} differ; they must "
                         f"be equal (reshape the target, e.g. target.reshape(input.shape))")
    return input - target


def l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean") -> Tensor:
    """Mean absolute error `|input - target|`, reduced."""
    losses = _difference("l1_loss", input, target).abs()
    return _reduce(losses, _legacy_reduction(size_average, reduce, reduction), "l1_loss")


def smooth_l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """`0.5·d²/beta` where `d = |input - target| < beta`, else `d - 0.5·beta` (Fast R-CNN's
    loss: quadratic near 0, linear for outliers); beta=0 is the L1 loss."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    d = _difference("smooth_l1_loss", input, target).abs()
    losses = d if beta == 0 else where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta)
    return _reduce(losses, _legacy_reduction(size_average, reduce, reduction), "smooth_l1_loss")


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0,
               weight: Any = None) -> Tensor:
    """`0.5·d²` where `d = |input - target| < delta`, else `delta·(d - 0.5·delta)`."""
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be > 0, got {delta}")
    d = _difference("huber_loss", input, target).abs()
    losses = where(d < delta, d * d * 0.5, (d - 0.5 * delta) * delta)
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction, "huber_loss")


def kl_div(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence `target·(log target - input)`, with `input` holding
    log-probabilities (and `target` too when log_target). Use reduction="batchmean" for the
    mathematical KL of each sample averaged over the batch ("mean" averages every element,
    as PyTorch's default does)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _as_tensor(target)
    _difference("kl_div", input, target)  # the same-shape check
    if log_target:
        losses = target.exp() * (target - input)
    else:  # 0·log 0 = 0: the log sees 1 where the target is 0, so nothing becomes NaN
        losses = target * (where(target > 0, target, 1.0).log() - input)
    if reduction == "batchmean":
        return losses.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(losses, reduction, "kl_div")


# The functional forms registered under PyTorch's names (see tt_nn.plugin).
FUNCTIONS = ("linear", "dropout", "layer_norm", "normalize", "one_hot", "cosine_similarity",
             "pairwise_distance",
             "relu", "tanh", "sigmoid", "gelu", "softmax", "log_softmax", "softmin", "silu",
             "mish", "softplus", "logsigmoid", "softsign", "hardtanh", "relu6", "hardsigmoid",
             "hardswish", "leaky_relu", "elu", "celu", "selu", "glu",
             "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
             "cross_entropy", "nll_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div",
             "prelu", "threshold", "tanhshrink", "softshrink", "hardshrink")
