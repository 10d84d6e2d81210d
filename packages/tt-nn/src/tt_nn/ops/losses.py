"""Loss ops, each fused into one graph node: mse_loss, binary_cross_entropy,
binary_cross_entropy_with_logits, cross_entropy and nll_loss.

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
    # np.add.reduce(x, axis=None) is what x.sum() runs, without its Python-level wrapper
    # (a loss is reduced once per step, and at small sizes the wrapper is most of the cost).
    if reduction == "mean":  # of no elements: NaN, as in PyTorch (without NumPy's warning)
        size = losses.size
        return np.asarray(np.add.reduce(losses, axis=None) / size if size else np.nan,
                          dtype=losses.dtype)
    if reduction == "sum":
        return np.asarray(np.add.reduce(losses, axis=None), dtype=losses.dtype)
    return losses


def _spread(grad: np.ndarray, reduction: str, size: int) -> np.ndarray:
    """d(reduced)/d(each element's loss), times the incoming gradient."""
    if reduction == "mean":
        return grad / size if size else grad * 0  # no elements: nothing to spread to
    return grad  # "sum": 1 for each element (broadcasts); "none": elementwise already


def _examples_pair(unit=False):
    """Gradient-check examples (input, float target) for each reduction; unit=True keeps the
    input inside (0, 1), where BCE on probabilities is defined."""
    r = np.random.default_rng(0)
    a = r.uniform(0.1, 0.9, (4, 3)) if unit else r.normal(size=(4, 3))
    b = r.uniform(0.0, 1.0, (4, 3))
    return [Example(a, b), Example(a, b, reduction="sum"), Example(a, b, reduction="none")]


class MSELossOp(Function):
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


def _clamped_logs(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log p and log(1 - p), each clamped at -100 as PyTorch does (so p = 0 or 1 is finite)."""
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0) = -inf, clamped just below
        log_p = np.asarray(np.log(p))  # asarray: a 0-d input gives a NumPy scalar
        log_1mp = np.asarray(np.log1p(-p))
    np.maximum(log_p, -100, out=log_p)
    np.maximum(log_1mp, -100, out=log_1mp)
    return log_p, log_1mp


class BCELossOp(Function):
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
        log_p, log_1mp = _clamped_logs(input)
        # -(y·log p + (1 - y)·log(1 - p)), with one temporary
        losses = np.asarray(target * log_p)
        rest = 1 - target
        rest *= log_1mp
        losses += rest
        np.negative(losses, out=losses)
        loss = _reduce(losses, reduction)
        # A probability outside [0, 1] makes a log NaN, so the range is checked (two more
        # passes) only when the result holds a NaN. (A reduced loss is one value, and NaN
        # is the only value not equal to itself: a cheaper test than np.isnan(...).any().)
        has_nan = np.isnan(loss).any() if loss.ndim else loss != loss
        if has_nan and input.size and (input.min() < 0 or input.max() > 1):
            raise ValueError(f"binary_cross_entropy: input must be probabilities in [0, 1], got "
                             f"values from {input.min():g} to {input.max():g}; apply sigmoid "
                             f"first, or use BCEWithLogitsLoss on the raw scores")
        ctx.input, ctx.target, ctx.reduction = input, target, reduction
        return loss

    @staticmethod
    def backward(ctx, grad):
        p, y = ctx.input, ctx.target
        scale = _spread(grad, ctx.reduction, p.size)
        d_input = d_target = None
        if ctx.needs_grad[0]:
            d_input = (p - y) / np.maximum(p * (1 - p), BCE_EPS) * scale
        if ctx.needs_grad[1]:  # d loss / d target = log(1 - p) - log p
            log_p, log_1mp = _clamped_logs(p)
            d_target = (log_1mp - log_p) * scale
        return d_input, d_target

    @staticmethod
    def flops(ctx, inputs, output):
        return int(8 * ctx.input.size)

    @staticmethod
    def examples():
        return _examples_pair(unit=True)


class BCEWithLogitsLossOp(Function):
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


def _scale_rows(d: np.ndarray, grad: np.ndarray, reduction: str, total: float) -> np.ndarray:
    """Multiply per-row gradients (rows, C) by the incoming gradient of the reduced loss.

    `total` is what "mean" divides by; when it is 0 (every target ignored) the loss is NaN,
    as in PyTorch, but no row contributed, so the gradient is zero (not 0/0).
    """
    if reduction == "none":
        d *= grad[..., None]
    elif reduction == "mean":
        d *= grad / total if total else 0
    else:
        d *= grad
    return d


def _reduce_rows(losses: np.ndarray, reduction: str, total: float, dtype) -> np.ndarray:
    """Reduce per-row losses; "mean" divides by `total` (0 gives NaN, as in PyTorch)."""
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(losses.sum() / total, dtype=dtype)
    if reduction == "sum":
        return np.asarray(losses.sum(), dtype=dtype)
    return losses.astype(dtype, copy=False)


def _classes_last(op: str, x: np.ndarray) -> np.ndarray:
    """Logits (N, C, d1, …) -> (N, d1, …, C); (C,) -> (1, C); (N, C) unchanged."""
    if x.ndim < 1 or x.dtype.kind != "f":
        raise ValueError(f"{op}: input must be floating-point of shape (N, C), (C,) or "
                         f"(N, C, d1, ...), got shape {x.shape} and dtype {x.dtype}")
    if x.ndim == 1:
        return x[None]
    # A contiguous copy: backward edits reshaped views of arrays computed from this one.
    return np.ascontiguousarray(np.moveaxis(x, 1, -1)) if x.ndim > 2 else x


def _classes_back(d: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo `_classes_last` on a gradient."""
    if len(shape) == 1:
        return d[0]
    return np.moveaxis(d, -1, 1) if len(shape) > 2 else d


def _check_weight(op: str, weight, classes: int, dtype):
    if weight is None:
        return None
    w = np.asarray(weight)
    if w.shape != (classes,):
        raise ValueError(f"{op}: weight must have one entry per class, shape ({classes},), "
                         f"got {w.shape}")
    return w.astype(dtype, copy=False)


def _class_indices(op: str, target, x_shape: tuple, rows_shape: tuple, classes: int,
                   ignore_index: int):
    """Check integer class targets; return (target as rows_shape, keep mask, safe targets)."""
    t = np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: target must hold integer class indices "
                        f"(or float class probabilities), got dtype {t.dtype}")
    expected = rows_shape if len(x_shape) > 1 else ()
    if t.shape != expected:
        raise ValueError(f"{op}: for logits of shape {x_shape} the target "
                         f"must have shape {expected} (one class index per sample), "
                         f"got {t.shape}")
    t = t.reshape(rows_shape)
    keep = t != ignore_index
    bad = keep & ((t < 0) | (t >= classes))
    if bad.any():
        raise IndexError(f"{op}: target values must be class indices in "
                         f"[0, {classes}), got {t[bad].ravel()[:5].tolist()}")
    return t, keep, np.where(keep, t, 0).ravel()


def _picked_weight(keep: np.ndarray, weight, safe: np.ndarray, dtype) -> np.ndarray:
    """Each row's weight: its target class's weight (1 without weights), 0 where ignored."""
    if weight is None:
        return keep.astype(dtype)
    return np.where(keep, weight[safe].reshape(keep.shape), 0).astype(dtype, copy=False)


class CrossEntropyOp(Function):
    """Cross-entropy from logits (N, C) — or (N, C, d1, …), or one sample (C,) — and targets.

    Targets are integer class indices (N,) — or (N, d1, …) — or class probabilities shaped
    like the logits (rows need not sum to 1: soft or multi-label targets are fine).
    Computed as log-softmax followed by the negative log-likelihood, with the row maximum
    subtracted first, so logits of any size are safe.

    Every case is one formula: each row's loss is `-(a · log p)` for a row of coefficients
    `a` (the one-hot or probability target, times the class `weight`, mixed with the uniform
    distribution by `label_smoothing` ε as `(1-ε)·a + ε/C·weight`). Its gradient with respect
    to the logits is `p·sum(a) - a`, with p = softmax(logits).
    Targets equal to `ignore_index` contribute nothing; "mean" divides by the summed weights
    of the counted targets (class indices) or by the number of rows (probabilities), as
    PyTorch does.

    Memory and passes: with class indices (the common case) the op keeps one (rows, C)
    array, turned in place from the shifted logits into the softmax that backward needs;
    the loss reads only the picked `log p` (see `_forward_indices`).
    """

    name = "cross_entropy"

    @staticmethod
    def forward(ctx, input, target, weight=None, ignore_index=-100, reduction="mean",
                label_smoothing=0.0):
        op = "cross_entropy"
        check_reduction(op, reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")
        x = np.asarray(input)
        logits = _classes_last(op, x)
        classes = logits.shape[-1]
        w = _check_weight(op, weight, classes, x.dtype)
        shifted = logits - logits.max(axis=-1, keepdims=True)
        eps = label_smoothing
        t = np.asarray(target)
        if t.dtype.kind != "f":  # class indices: the fast path, one (rows, C) array
            return CrossEntropyOp._forward_indices(ctx, x, shifted, t, w, ignore_index,
                                                   reduction, eps)
        # Class probabilities: the target's gradient needs the whole log p.
        if t.shape != x.shape:
            raise ValueError(f"{op}: probability targets must have the logits' "
                             f"shape {x.shape}, got {t.shape}")
        exp = np.exp(shifted)
        total = exp.sum(axis=-1, keepdims=True)
        log_probs = shifted
        log_probs -= np.log(total)  # in place: `shifted` is a fresh array
        coef = _classes_last(op, t.astype(x.dtype, copy=False))
        if eps:
            coef = coef * (1 - eps) + eps / classes
        if w is not None:
            coef = coef * w
        losses = -(coef * log_probs).sum(axis=-1)
        ctx.coef, ctx.pick, ctx.denominator = coef, None, losses.size
        exp /= total  # in place: e^x is not needed again, its softmax is
        ctx.softmax, ctx.weight, ctx.log_probs = exp, w, log_probs
        ctx.smoothing, ctx.reduction, ctx.shape = eps, reduction, x.shape
        if x.ndim == 1 and reduction == "none":
            losses = losses.reshape(())
        return _reduce_rows(losses, reduction, ctx.denominator, x.dtype)

    @staticmethod
    def _forward_indices(ctx, x, shifted, t, w, ignore_index, reduction, eps):
        """Class-index targets with one (rows, C) array: `shifted` (logits minus each row's
        maximum, a fresh array) becomes e^shifted and then the softmax, in place. The loss
        needs only the picked `log p = shifted[t] - log Σ e^shifted` (and, with label
        smoothing, the row sums of log p), taken from `shifted` before it is overwritten.
        Same values as the general path, which forms the whole log p array."""
        op = "cross_entropy"
        classes, rows_shape = shifted.shape[-1], shifted.shape[:-1]
        t, keep, safe = _class_indices(op, t, x.shape, rows_shape, classes, ignore_index)
        picked_weight = _picked_weight(keep, w, safe, x.dtype)
        rows = np.arange(t.size)
        flat = shifted.reshape(-1, classes)
        picked_shift = flat[rows, safe].reshape(rows_shape)
        spread_shift = None
        if eps:  # Σ_c w_c·log p_c = Σ_c w_c·shifted_c - (Σ_c w_c)·log Σ e^shifted
            spread_shift = shifted.sum(axis=-1) if w is None else shifted @ w
        np.exp(shifted, out=shifted)
        total = shifted.sum(axis=-1, keepdims=True)
        log_total = np.log(total).reshape(rows_shape)
        losses = -(1 - eps) * picked_weight * (picked_shift - log_total)
        ctx.smooth = None
        if eps:  # the uniform part, ε/C·weight on every class of each counted row
            smooth = keep.astype(x.dtype) * (eps / classes)
            spread = spread_shift - (classes if w is None else w.sum()) * log_total
            losses = losses - smooth * spread
            ctx.smooth = smooth
        ctx.coef, ctx.pick = None, (rows, safe, ((1 - eps) * picked_weight).ravel())
        ctx.denominator = picked_weight.sum()
        shifted /= total  # the softmax, which is all backward needs
        ctx.softmax, ctx.weight, ctx.log_probs = shifted, w, None
        ctx.smoothing, ctx.reduction, ctx.shape = eps, reduction, x.shape
        if x.ndim == 1 and reduction == "none":
            losses = losses.reshape(())
        return _reduce_rows(losses, reduction, ctx.denominator, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        reduction, total = ctx.reduction, ctx.denominator
        if len(ctx.shape) == 1 and reduction == "none":
            grad = grad.reshape(1)
        d_target = None
        if ctx.coef is not None and len(ctx.needs_grad) > 1 and ctx.needs_grad[1]:
            d_target = -(1 - ctx.smoothing) * ctx.log_probs  # d loss / d probability target
            if ctx.weight is not None:
                d_target *= ctx.weight
            d_target = _classes_back(_scale_rows(d_target, grad, reduction, total), ctx.shape)
        if not ctx.needs_grad[0]:
            return (None, d_target)
        if ctx.coef is not None:  # d = p·sum(a) - a
            d = ctx.softmax * ctx.coef.sum(axis=-1, keepdims=True)
            d -= ctx.coef
        else:
            rows, safe, picked = ctx.pick
            if ctx.weight is None and ctx.smooth is None:  # the common case: sum(a) is 1 or 0
                d = ctx.softmax.copy()
                if ctx.denominator != picked.size:  # some targets ignored: their rows are 0
                    d *= picked.reshape(d.shape[:-1])[..., None]
            else:
                row_sum = picked.reshape(ctx.softmax.shape[:-1])
                if ctx.smooth is not None:
                    w_sum = ctx.softmax.shape[-1] if ctx.weight is None else ctx.weight.sum()
                    row_sum = row_sum + ctx.smooth * w_sum
                d = ctx.softmax * row_sum[..., None]
                if ctx.smooth is not None:
                    d -= ctx.smooth[..., None] * (1 if ctx.weight is None else ctx.weight)
            d.reshape(-1, d.shape[-1])[rows, safe] -= picked  # a view of d: edits d itself
        d = _scale_rows(d, grad, reduction, total)
        return (_classes_back(d, ctx.shape), d_target)

    @staticmethod
    def flops(ctx, inputs, output):
        return int(6 * ctx.softmax.size)

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        x = r.normal(size=(5, 4)) * 2
        t = np.array([0, 3, 1, 1, 2])
        w = r.uniform(0.5, 2.0, 4)
        probs = r.dirichlet(np.ones(4), size=5)
        return [Example(x, t), Example(x, t, reduction="sum"), Example(x, t, reduction="none"),
                Example(x, t, label_smoothing=0.2),
                Example(x, t, weight=w, label_smoothing=0.2),
                Example(x, np.array([0, -100, 1, 1, -100])),  # ignored targets
                Example(r.normal(size=(2, 3, 4)), np.array([[0, 1, 2, 2], [1, 1, 0, 2]])),
                Example(r.normal(size=4), np.array(2)),
                Example(x, probs), Example(x, probs, label_smoothing=0.1),
                Example(x, probs * 1.7, weight=w)]  # rows not summing to 1


class NLLLossOp(Function):
    """Negative log-likelihood: input holds log-probabilities (N, C) — or (N, C, d1, …),
    or (C,) — and the target class indices; the loss of a sample is `-weight[t]·input[t]`.

    Targets equal to `ignore_index` contribute nothing; "mean" divides by the summed weights
    of the counted targets. Gradient: `-weight[t]` at each picked entry, 0 elsewhere.
    `cross_entropy(x, t)` is `nll_loss(log_softmax(x, 1), t)`.
    """

    name = "nll_loss"

    @staticmethod
    def forward(ctx, input, target, weight=None, ignore_index=-100, reduction="mean"):
        op = "nll_loss"
        check_reduction(op, reduction)
        x = np.asarray(input)
        scores = _classes_last(op, x)
        classes, rows_shape = scores.shape[-1], scores.shape[:-1]
        w = _check_weight(op, weight, classes, x.dtype)
        t, keep, safe = _class_indices(op, target, x.shape, rows_shape, classes, ignore_index)
        picked_weight = _picked_weight(keep, w, safe, x.dtype)
        rows = np.arange(t.size)
        losses = -picked_weight * scores.reshape(-1, classes)[rows, safe].reshape(rows_shape)
        ctx.pick, ctx.picked_weight = (rows, safe), picked_weight
        ctx.denominator, ctx.reduction, ctx.shape = picked_weight.sum(), reduction, x.shape
        ctx.moved_shape = scores.shape
        if x.ndim == 1 and reduction == "none":
            losses = losses.reshape(())
        return _reduce_rows(losses, reduction, ctx.denominator, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        if len(ctx.shape) == 1 and ctx.reduction == "none":
            grad = grad.reshape(1)
        d = np.zeros(ctx.moved_shape, dtype=ctx.picked_weight.dtype)
        d.reshape(-1, d.shape[-1])[ctx.pick] = -ctx.picked_weight.ravel()
        d = _scale_rows(d, grad, ctx.reduction, ctx.denominator)
        return (_classes_back(d, ctx.shape), None)

    @staticmethod
    def examples():
        r = np.random.default_rng(1)
        x = r.normal(size=(5, 4))
        t = np.array([0, 3, 1, -100, 2])
        return [Example(x, t), Example(x, t, reduction="sum"), Example(x, t, reduction="none"),
                Example(x, t, weight=r.uniform(0.5, 2.0, 4)),
                Example(r.normal(size=(2, 3, 4)), np.array([[0, 1, 2, 2], [1, 1, 0, 2]])),
                Example(r.normal(size=3), np.array(1))]
