"""Loss ops, each fused into one graph node: mse_loss, binary_cross_entropy,
binary_cross_entropy_with_logits and cross_entropy.

Every loss first computes one value per element (or per sample), then reduces it:
reduction="mean" (the default), "sum", or "none" (keep the per-element losses).
Float targets get gradients too (PyTorch allows it, and a loss between two outputs needs it);
integer class indices are data.
"""

import numpy as np
from tt_tensor import Example, Function

REDUCTIONS = ("mean", "sum", "none")
# The floor of p(1 - p) in BCE's gradient: PyTorch's 1e-12, stored as a float32 there.
BCE_EPS = float(np.float32(1e-12))


def check_reduction(op: str, reduction: str) -> None:
    """Raise a ValueError naming `op` unless reduction is "mean", "sum" or "none"."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _check_same_shape(op: str, input, target) -> None:
    # PyTorch broadcasts with only a warning; (N, 1) against (N,) then silently compares
    # every prediction with every target. We refuse instead.
    if np.shape(input) != np.shape(target):
        raise ValueError(f"{op}: input shape {np.shape(input)} and target shape "
                         f"{np.shape(target)} differ; they must be equal (reshape the target, "
                         f"e.g. target.reshape(input.shape))")


def _check_float_target(op: str, target) -> None:
    if np.asarray(target).dtype.kind != "f":
        raise TypeError(f"{op}: target must be a floating-point tensor, got dtype "
                        f"{np.asarray(target).dtype} (convert it with .float())")


def _reduce(losses: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return np.asarray(losses.mean(), dtype=losses.dtype)
    if reduction == "sum":
        return np.asarray(losses.sum(), dtype=losses.dtype)
    return losses


def _spread(grad: np.ndarray, reduction: str, size: int) -> np.ndarray:
    """d(reduced)/d(each element's loss), times the incoming gradient."""
    if reduction == "mean":
        return grad / size
    return grad  # "sum": 1 for each element (broadcasts); "none": elementwise already


def _examples_pair(unit=False):
    """Gradient-check examples (input, float target) for each reduction; unit=True keeps the
    input inside (0, 1), where BCE on probabilities is defined."""
    r = np.random.default_rng(0)
    a = r.uniform(0.1, 0.9, (4, 3)) if unit else r.normal(size=(4, 3))
    b = r.uniform(0.0, 1.0, (4, 3))
    return [Example(a, b), Example(a, b, reduction="sum"), Example(a, b, reduction="none")]


class MSELoss(Function):
    """Mean squared error: (input - target)², reduced. Both inputs get gradients."""

    name = "mse_loss"

    @staticmethod
    def forward(ctx, input, target, reduction="mean"):
        check_reduction("mse_loss", reduction)
        _check_same_shape("mse_loss", input, target)
        diff = input - target
        ctx.diff, ctx.reduction = diff, reduction
        return _reduce(diff * diff, reduction)

    @staticmethod
    def backward(ctx, grad):
        d = 2 * ctx.diff * _spread(grad, ctx.reduction, ctx.diff.size)
        return (d if ctx.needs_grad[0] else None,
                -d if ctx.needs_grad[1] else None)

    @staticmethod
    def flops(ctx, inputs, output):
        return int(3 * ctx.diff.size)

    examples = staticmethod(_examples_pair)


class BCELoss(Function):
    """Binary cross-entropy on probabilities p in [0, 1] against targets y:
    -(y·log p + (1 - y)·log(1 - p)).

    As in PyTorch, each log is clamped at -100, so p of exactly 0 or 1 gives a large finite
    loss, not inf; the gradient (p - y) / (p(1 - p)) has p(1 - p) clamped below at 1e-12.
    """

    name = "binary_cross_entropy"

    @staticmethod
    def forward(ctx, input, target, reduction="mean"):
        check_reduction("binary_cross_entropy", reduction)
        _check_same_shape("binary_cross_entropy", input, target)
        _check_float_target("binary_cross_entropy", target)
        if input.size and (input.min() < 0 or input.max() > 1):
            raise ValueError(f"binary_cross_entropy: input must be probabilities in [0, 1], got "
                             f"values from {input.min():g} to {input.max():g}; apply sigmoid "
                             f"first, or use BCEWithLogitsLoss on the raw scores")
        with np.errstate(divide="ignore"):  # log(0) = -inf, clamped just below
            log_p = np.maximum(np.log(input), -100)
            log_1mp = np.maximum(np.log1p(-input), -100)
        ctx.input, ctx.target, ctx.reduction = input, target, reduction
        ctx.log_odds = log_1mp - log_p  # d loss / d target
        return _reduce(-(target * log_p + (1 - target) * log_1mp), reduction)

    @staticmethod
    def backward(ctx, grad):
        p, y = ctx.input, ctx.target
        scale = _spread(grad, ctx.reduction, p.size)
        d_input = d_target = None
        if ctx.needs_grad[0]:
            d_input = (p - y) / np.maximum(p * (1 - p), BCE_EPS) * scale
        if ctx.needs_grad[1]:
            d_target = ctx.log_odds * scale
        return d_input, d_target

    @staticmethod
    def flops(ctx, inputs, output):
        return int(8 * ctx.input.size)

    @staticmethod
    def examples():
        return _examples_pair(unit=True)


class BCEWithLogitsLoss(Function):
    """Binary cross-entropy on raw scores x (logits): BCE(sigmoid(x), y), computed stably as
    max(x, 0) - x·y + log(1 + e^-|x|), which never overflows. Gradient: sigmoid(x) - y.

    `pos_weight` (optional, broadcast over the last dimension) multiplies the loss of the
    positive targets, as in PyTorch.
    """

    name = "binary_cross_entropy_with_logits"

    @staticmethod
    def forward(ctx, input, target, reduction="mean", pos_weight=None):
        check_reduction("binary_cross_entropy_with_logits", reduction)
        _check_same_shape("binary_cross_entropy_with_logits", input, target)
        _check_float_target("binary_cross_entropy_with_logits", target)
        softplus_neg = np.log1p(np.exp(-np.abs(input))) + np.maximum(-input, 0)  # log(1+e^-x)
        if pos_weight is None:
            losses = (1 - target) * input + softplus_neg
        else:
            # -(w·y·log σ(x) + (1-y)·log(1-σ(x))), with -log σ(x) = softplus(-x).
            losses = (1 - target) * input + (1 + (pos_weight - 1) * target) * softplus_neg
        ctx.input, ctx.target, ctx.reduction, ctx.pos_weight = input, target, reduction, pos_weight
        ctx.softplus_neg = softplus_neg
        return _reduce(losses.astype(input.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, w = ctx.input, ctx.target, ctx.pos_weight
        scale = _spread(grad, ctx.reduction, x.size)
        d_input = d_target = None
        if ctx.needs_grad[0]:
            e = np.exp(-np.abs(x))
            sig = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
            d_input = (sig - y if w is None else (1 + (w - 1) * y) * sig - w * y) * scale
        if ctx.needs_grad[1]:
            d_target = (-x if w is None else -x + (w - 1) * ctx.softplus_neg) * scale
        return d_input, d_target

    @staticmethod
    def flops(ctx, inputs, output):
        return int(8 * ctx.input.size)

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        x, y = r.normal(size=(4, 3)) * 3, r.uniform(0.0, 1.0, (4, 3))
        return [*_examples_pair(), Example(x, y, pos_weight=np.array([0.5, 2.0, 3.0]))]


def _scale_rows(d: np.ndarray, grad: np.ndarray, reduction: str, count: int) -> np.ndarray:
    """Multiply per-row gradients (rows, C) by the incoming gradient of the reduced loss."""
    if reduction == "none":
        d *= grad[..., None]
    elif reduction == "mean":
        d *= grad / count
    else:
        d *= grad
    return d


class CrossEntropyLoss(Function):
    """Cross-entropy from logits (N, C) — or (N, C, d1, …) — and targets, in one op.

    Targets are integer class indices (N,) — or (N, d1, …) — or class probabilities shaped
    like the logits. Computed as log-softmax followed by the negative log-likelihood, with
    the row maximum subtracted first, so logits of any size are safe.

    label_smoothing ε mixes the target with the uniform distribution: (1-ε)·onehot + ε/C.
    Targets equal to ignore_index contribute nothing (and are not counted by "mean").
    Gradient with respect to the logits: softmax(logits) - target distribution.
    """

    name = "cross_entropy"

    @staticmethod
    def forward(ctx, input, target, reduction="mean", label_smoothing=0.0, ignore_index=-100):
        check_reduction("cross_entropy", reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
        x = np.asarray(input)
        if x.ndim < 1 or x.dtype.kind != "f":
            raise ValueError(f"cross_entropy: input must be floating-point logits of shape (N, C) "
                             f"or (N, C, d1, ...), got shape {x.shape} and dtype {x.dtype}")
        # Put the class dimension last: rows are samples (and positions), columns are classes.
        logits = np.moveaxis(x, 1, -1) if x.ndim > 2 else x
        classes = logits.shape[-1]
        t = np.asarray(target)
        if t.dtype.kind == "f":  # class probabilities
            if t.shape != x.shape:
                raise ValueError(f"cross_entropy: probability targets must have the logits' "
                                 f"shape {x.shape}, got {t.shape}")
            dist = np.moveaxis(t, 1, -1) if t.ndim > 2 else t
            if label_smoothing:
                dist = dist * (1 - label_smoothing) + label_smoothing / classes
            keep = None
        else:
            expected = logits.shape[:-1]
            if t.dtype.kind not in "iu":
                raise TypeError(f"cross_entropy: target must hold integer class indices "
                                f"(or float class probabilities), got dtype {t.dtype}")
            if t.shape != expected:
                raise ValueError(f"cross_entropy: for logits of shape {x.shape} the target "
                                 f"must have shape {expected} (one class index per sample), "
                                 f"got {t.shape}")
            keep = t != ignore_index
            bad = keep & ((t < 0) | (t >= classes))
            if bad.any():
                raise IndexError(f"cross_entropy: target values must be class indices in "
                                 f"[0, {classes}), got {t[bad].ravel()[:5].tolist()}")
            dist = None
        shifted = logits - logits.max(axis=-1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=-1, keepdims=True)
        log_probs = shifted - np.log(total)
        if dist is None:
            # The (row, class) pairs to pick, as flat index arrays: plain fancy indexing.
            rows = np.arange(t.size)
            safe_t = np.where(keep, t, 0).ravel()
            picked = log_probs.reshape(-1, classes)[rows, safe_t].reshape(t.shape)
            losses = -picked
            if label_smoothing:
                losses = (1 - label_smoothing) * losses - label_smoothing * log_probs.mean(axis=-1)
            losses = np.where(keep, losses, 0).astype(x.dtype, copy=False)
            count = int(keep.sum())
        else:
            losses = (-(dist * log_probs).sum(axis=-1)).astype(x.dtype, copy=False)
            count = losses.size
        ctx.softmax = exp / total
        ctx.log_probs = log_probs if dist is not None else None
        ctx.pick = (rows, safe_t) if dist is None else None
        ctx.dist, ctx.keep = dist, keep
        ctx.smoothing, ctx.reduction, ctx.count, ctx.moved = label_smoothing, reduction, count, x.ndim > 2
        if reduction == "mean":
            # Mean over the counted samples (all-ignored gives nan, as in PyTorch).
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.asarray(losses.sum() / count, dtype=x.dtype)
        return _reduce(losses, reduction)

    @staticmethod
    def backward(ctx, grad):
        d_target = None
        if len(ctx.needs_grad) > 1 and ctx.needs_grad[1]:  # probability targets: -(1-ε)·log p
            d_target = -(1 - ctx.smoothing) * ctx.log_probs
            d_target = _scale_rows(d_target, grad, ctx.reduction, ctx.count)
            if ctx.moved:
                d_target = np.moveaxis(d_target, -1, 1)
        if not ctx.needs_grad[0]:
            return (None, d_target)
        d = ctx.softmax.copy()  # d loss / d logits = softmax - target distribution
        if ctx.dist is not None:
            d -= ctx.dist
        else:
            eps = ctx.smoothing
            if eps:
                d -= eps / d.shape[-1]
            d.reshape(-1, d.shape[-1])[ctx.pick] -= 1 - eps  # a view of d: edits d itself
            if not ctx.keep.all():
                d *= ctx.keep[..., None]
        d = _scale_rows(d, grad, ctx.reduction, ctx.count)
        if ctx.moved:
            d = np.moveaxis(d, -1, 1)
        return (d, d_target)

    @staticmethod
    def flops(ctx, inputs, output):
        return int(6 * ctx.softmax.size)

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        x = r.normal(size=(5, 4)) * 2
        t = np.array([0, 3, 1, 1, 2])
        probs = r.dirichlet(np.ones(4), size=5)
        return [Example(x, t), Example(x, t, reduction="sum"), Example(x, t, reduction="none"),
                Example(x, t, label_smoothing=0.2),
                Example(x, np.array([0, -100, 1, 1, -100])),  # ignored targets
                Example(r.normal(size=(2, 3, 4)), np.array([[0, 1, 2, 2], [1, 1, 0, 2]])),
                Example(x, probs), Example(x, probs, label_smoothing=0.1)]
