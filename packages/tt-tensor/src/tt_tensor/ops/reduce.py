"""Reductions over dimensions: sum, mean, prod, amax, amin; and the running (cumulative)
sum and product along one dimension.

`dim` is an int, a tuple of ints, or None; as in torch, `dim=()` reduces every dimension
too, and a 0-d tensor accepts `dim=0` or `-1` (there is nothing to reduce).
"""

import numpy as np

from tt_tensor.function import Example, Function


def _axes(dim, ndim):
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"dimension {d} is out of range for a tensor with {ndim} dimensions "
                             f"(expected {-max(ndim, 1)}..{max(ndim, 1) - 1})")
    return tuple(sorted({int(d) % ndim for d in dims})) if ndim else ()


def _restore(grad, axes, keepdim):
    """Put the reduced axes back (size 1) so the gradient broadcasts over the input."""
    return grad if keepdim else np.expand_dims(grad, axes)


def _examples(**params):
    x = np.random.default_rng(0).normal(size=(3, 4, 5))
    return [Example(x, **params), Example(x, dim=1, **params),
            Example(x, dim=(0, 2), keepdim=True, **params), Example(x, dim=-1, **params),
            Example(np.array(x[0, 0, 0]), **params)]


def _sum_dtype(a: np.ndarray, dtype):
    """torch's accumulation dtype: integers and bools sum to int64 unless `dtype` says."""
    if dtype is not None:
        return np.dtype(dtype)
    return np.dtype(np.int64) if a.dtype.kind in "iub" else a.dtype


class SumOp(Function):
    """Sum over `dim`; every input element gets the gradient of the sum it fed."""

    name = "sum"
    saves_inputs = False  # its backward never reads the input values

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        a = np.asarray(a)
        ctx.axes = _axes(dim, a.ndim)
        ctx.shape, ctx.keepdim = a.shape, keepdim
        return np.asarray(np.sum(a, axis=ctx.axes, keepdims=keepdim, dtype=_sum_dtype(a, dtype)))

    @staticmethod
    def backward(ctx, grad):
        return (np.broadcast_to(_restore(grad, ctx.axes, ctx.keepdim), ctx.shape),)

    @staticmethod
    def flops(ctx, inputs, output):
        return int(np.prod(ctx.shape))

    examples = staticmethod(_examples)


class MeanOp(Function):
    """Mean over `dim`; each element gets 1/n of the gradient (the mean of nothing is nan)."""

    name = "mean"
    saves_inputs = False  # its backward never reads the input values

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        a = np.asarray(a) if dtype is None else np.asarray(a).astype(dtype)
        if a.dtype.kind != "f":
            raise TypeError(f"mean: needs a floating-point tensor, got dtype {a.dtype}; "
                            "use x.float().mean() or mean(dtype=tt.float32)")
        ctx.axes = _axes(dim, a.ndim)
        ctx.shape, ctx.keepdim = a.shape, keepdim
        ctx.count = int(np.prod([ctx.shape[d] for d in ctx.axes]))
        with np.errstate(invalid="ignore", divide="ignore"):
            if ctx.count == 0:
                return np.full(np.sum(a, axis=ctx.axes, keepdims=keepdim).shape, np.nan, a.dtype)
            return np.asarray(np.mean(a, axis=ctx.axes, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        return (np.broadcast_to(_restore(grad, ctx.axes, ctx.keepdim) / max(ctx.count, 1), ctx.shape),)

    @staticmethod
    def flops(ctx, inputs, output):
        return int(np.prod(ctx.shape))

    examples = staticmethod(_examples)


def _check_not_empty(op, a, axes):
    for d in axes:
        if a.shape[d] == 0:
            raise ValueError(f"{op}: cannot reduce over dimension {d} of size 0 (input shape "
                             f"{a.shape}); the {op} of nothing is undefined")
    if a.size == 0 and not axes and a.ndim == 0:  # pragma: no cover  (a 0-d array has size 1)
        raise ValueError(f"{op}: empty input")


class AmaxOp(Function):
    """Largest value over `dim` (values only, `torch.amax`); tied maxima share the gradient."""

    saves_inputs = False  # backward reads no input value

    name = "amax"
    pick = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, a, dim=None, keepdim=False, nan_wins=False):
        a = np.asarray(a)
        axes = _axes(dim, a.ndim)
        _check_not_empty(cls.name, a, axes)
        kept = cls.pick(a, axis=axes, keepdims=True)
        ctx.winners = a == kept
        if nan_wins and a.dtype.kind == "f":  # torch's max()/min(): a nan result's gradient
            ctx.winners |= np.isnan(a) & np.isnan(kept)  # goes to the nans, shared
        ctx.axes, ctx.keepdim = axes, keepdim
        return kept if keepdim else np.squeeze(kept, axis=axes)

    @staticmethod
    def backward(ctx, grad):
        winners = ctx.winners
        with np.errstate(invalid="ignore", divide="ignore"):
            share = winners / winners.sum(axis=ctx.axes, keepdims=True)
        return (_restore(grad, ctx.axes, ctx.keepdim) * share,)

    @staticmethod
    def flops(ctx, inputs, output):
        return int(ctx.winners.size)

    @staticmethod
    def examples():
        return _examples() + [Example(np.random.default_rng(1).normal(size=(3, 4)), nan_wins=True)]


class AminOp(AmaxOp):
    """Smallest value over `dim` (values only, `torch.amin`); tied minima share the gradient."""

    name = "amin"
    pick = staticmethod(np.min)


def _to_last(a, axes):
    """Move `axes` to the end and merge them into one: (rest..., n)."""
    moved = np.moveaxis(a, axes, range(a.ndim - len(axes), a.ndim))
    kept = moved.shape[:a.ndim - len(axes)]
    return moved.reshape(kept + (int(np.prod(moved.shape[len(kept):])),))


class ProdOp(Function):
    """Product over `dim`. Derivative for element i: the product of all the others.

    Computed as (product of those before i) × (product of those after i), so zeros in the
    input are handled exactly (dividing the product by a_i would give nan at a_i = 0).
    """

    name = "prod"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        a = np.asarray(a)
        ctx.axes = _axes(dim, a.ndim)
        ctx.a, ctx.keepdim = a, keepdim
        return np.asarray(np.prod(a, axis=ctx.axes, keepdims=keepdim, dtype=_sum_dtype(a, dtype)))

    @staticmethod
    def backward(ctx, grad):
        a, axes = ctx.a, ctx.axes
        flat = _to_last(a, axes)
        if flat.shape[-1] == 0:  # an empty product (= 1) depends on nothing
            return (np.zeros(a.shape, grad.dtype),)
        ones = np.ones(flat.shape[:-1] + (1,), a.dtype)
        before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        after = np.flip(np.cumprod(np.concatenate([ones, np.flip(flat, -1)[..., :-1]], axis=-1), axis=-1), -1)
        g = _restore(grad, axes, ctx.keepdim)
        g = _to_last(np.broadcast_to(g, tuple(1 if d in axes else n for d, n in enumerate(a.shape))), axes)
        others = (before * after * g).reshape(
            tuple(a.shape[d] for d in range(a.ndim) if d not in axes) + tuple(a.shape[d] for d in axes))
        return (np.moveaxis(others, range(a.ndim - len(axes), a.ndim), axes),)

    @staticmethod
    def examples():
        x = np.random.default_rng(0).normal(size=(3, 4, 5))
        x[0, 1, 2] = x[2, 3, 0] = x[2, 3, 4] = 0.0  # single and double zeros in a row
        return [Example(x[:, :2, :2]), Example(x, dim=1), Example(x, dim=-1, keepdim=True),
                Example(x, dim=(0, 2)), Example(np.array(x[0, 0, 0]))]


def _scan_axis(a, dim):
    if a.ndim == 0:
        if dim not in (0, -1):
            raise IndexError(f"dimension {dim} is out of range for a 0-d tensor (expected -1..0)")
        return None
    if not -a.ndim <= dim < a.ndim:
        raise IndexError(f"dimension {dim} is out of range for a tensor with {a.ndim} dimensions "
                         f"(expected {-a.ndim}..{a.ndim - 1})")
    return dim % a.ndim


def _reverse_cumsum(x, axis):
    return np.flip(np.cumsum(np.flip(x, axis), axis=axis), axis)


class CumsumOp(Function):
    """Running sum along `dim`. Derivative: element i feeds every sum from i on, so its
    gradient is the sum of those gradients (a running sum from the end)."""

    saves_inputs = False  # backward reads no input value

    name = "cumsum"

    @staticmethod
    def forward(ctx, a, dim, dtype=None):
        a = np.asarray(a)
        ctx.axis = _scan_axis(a, dim)
        if ctx.axis is None:
            return a.astype(_sum_dtype(a, dtype))
        return np.cumsum(a, axis=ctx.axis, dtype=_sum_dtype(a, dtype))

    @staticmethod
    def backward(ctx, grad):
        return (grad if ctx.axis is None else _reverse_cumsum(grad, ctx.axis),)

    @staticmethod
    def examples():
        x = np.random.default_rng(0).normal(size=(3, 4))
        return [Example(x, dim=0), Example(x, dim=-1), Example(np.array(x[0, 0]), dim=0)]


class CumprodOp(Function):
    """Running product along `dim`.

    Derivative for element k: Σ_{j≥k} g_j · Π_{i≤j, i≠k} a_i. Before the first zero of a
    row that is the running sum from the end of g·out, divided by a_k; at the first zero
    it is the same sum with that zero replaced by 1; after it, 0.
    """

    saves_output = True  # backward reads the result

    name = "cumprod"

    @staticmethod
    def forward(ctx, a, dim, dtype=None):
        a = np.asarray(a)
        ctx.axis = _scan_axis(a, dim)
        if ctx.axis is None:
            ctx.a = a
            return a.astype(_sum_dtype(a, dtype))
        ctx.a = a
        ctx.out = np.cumprod(a, axis=ctx.axis, dtype=_sum_dtype(a, dtype))
        return ctx.out

    @staticmethod
    def backward(ctx, grad):
        if ctx.axis is None:
            return (grad,)
        a, out, axis = ctx.a, ctx.out, ctx.axis
        zero = a == 0
        with np.errstate(invalid="ignore", divide="ignore"):
            plain = _reverse_cumsum(grad * out, axis) / np.where(zero, 1, a)
        seen = np.cumsum(zero, axis=axis)
        first_zero = zero & (seen == 1)
        replaced = np.cumprod(np.where(first_zero, 1, a), axis=axis)
        at_zero = _reverse_cumsum(grad * replaced * (seen >= 1) * (seen <= 1), axis)
        result = np.where(seen == 0, plain, np.where(first_zero, at_zero, 0))
        return (result.astype(grad.dtype, copy=False),)

    @staticmethod
    def examples():
        x = np.random.default_rng(0).normal(size=(3, 5))
        x[1, 2] = 0.0
        x[2, 1] = x[2, 3] = 0.0
        return [Example(x, dim=1), Example(x, dim=0), Example(np.array(x[0, 0]), dim=0)]


class NormOp(Function):
    """The vector p-norm over `dim` (`torch.linalg.vector_norm`): `(Σ |x|^p)^(1/p)`;
    p = inf is max |x|, p = -inf is min |x|, p = 0 counts the non-zeros.

    Derivatives: p = 2 gives `x / norm`, p = 1 `sign(x)`, other p `x·|x|^(p-2) / norm^(p-1)`;
    ±inf sends the gradient to the elements that reach the norm (ties share it). Where the
    norm is 0 the gradient is 0, as in torch (the formula alone would give nan).
    """

    name = "norm"
    saves_output = True  # backward reads the norm (and the input)

    @staticmethod
    def forward(ctx, a, ord=2, dim=None, keepdim=False):  # noqa: A002
        a = np.asarray(a)
        if a.dtype.kind != "f":
            raise TypeError(f"norm: needs a floating-point tensor, got dtype {a.dtype}")
        axes = _axes(dim, a.ndim)
        magnitude = np.abs(a)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            if ord == np.inf or ord == -np.inf:
                if a.size and any(a.shape[d] == 0 for d in axes):
                    raise ValueError(f"norm: ord={ord} of an empty dimension is undefined (shape {a.shape})")
                pick = np.max if ord == np.inf else np.min
                out = pick(magnitude, axis=axes, keepdims=True) if a.size else np.zeros(
                    np.sum(a, axis=axes, keepdims=True).shape, a.dtype)
            elif ord == 0:
                out = np.sum(a != 0, axis=axes, keepdims=True).astype(a.dtype)
            elif ord == 2:
                out = np.sqrt(np.sum(a * a, axis=axes, keepdims=True))
            elif ord == 1:
                out = np.sum(magnitude, axis=axes, keepdims=True)
            else:
                out = np.sum(magnitude ** ord, axis=axes, keepdims=True) ** (1.0 / ord)
        ctx.a, ctx.kept, ctx.ord, ctx.axes, ctx.keepdim = a, out, ord, axes, keepdim
        return out if keepdim else np.squeeze(out, axis=axes)

    @staticmethod
    def backward(ctx, grad):
        a, norm, p = ctx.a, ctx.kept, ctx.ord
        g = _restore(grad, ctx.axes, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if p == 0:
                slope = np.zeros_like(a)
            elif p == 1:
                slope = np.sign(a)
            elif p == 2:
                slope = np.where(norm == 0, 0, a / np.where(norm == 0, 1, norm))
            elif p == np.inf or p == -np.inf:
                reach = np.abs(a) == norm
                slope = np.sign(a) * reach / np.maximum(reach.sum(axis=ctx.axes, keepdims=True), 1)
            else:
                slope = np.where((norm == 0) | (a == 0), 0,
                                 a * np.abs(a) ** (p - 2) / np.where(norm == 0, 1, norm) ** (p - 1))
        return (np.asarray(g * slope),)

    @staticmethod
    def examples():
        x = np.random.default_rng(0).normal(size=(3, 4))
        return [Example(x), Example(x, dim=1), Example(x, ord=1, dim=0, keepdim=True),
                Example(x, ord=3, dim=-1), Example(x, ord=np.inf, dim=1), Example(x, ord=-np.inf),
                Example(x, ord=0.5, dim=(0, 1))]
