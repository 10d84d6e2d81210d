"""Reductions over dimensions: sum, mean, max (values only, like `torch.amax`)."""

import numpy as np

from tt_tensor.function import Example, Function


def _axes(dim, ndim):
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    for d in dims:
        if not -ndim <= d < max(ndim, 1):
            raise IndexError(f"dimension {d} is out of range for a tensor with {ndim} dimensions")
    return tuple(d % max(ndim, 1) for d in dims)


def _restore(grad, axes, keepdim):
    """Put the reduced axes back (size 1) so the gradient broadcasts over the input."""
    return grad if keepdim else np.expand_dims(grad, axes)


def _examples(**params):
    x = np.random.default_rng(0).normal(size=(3, 4, 5))
    return [Example(x), Example(x, dim=1), Example(x, dim=(0, 2), keepdim=True), Example(x, dim=-1)]


class Sum(Function):
    """Sum over `dim`; every input element gets the gradient of the sum it fed."""

    name = "sum"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        ctx.axes = _axes(dim, np.ndim(a))
        ctx.shape, ctx.keepdim = np.shape(a), keepdim
        return np.asarray(np.sum(a, axis=ctx.axes, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        return (np.broadcast_to(_restore(grad, ctx.axes, ctx.keepdim), ctx.shape),)

    @staticmethod
    def flops(ctx, inputs, output):
        return int(np.prod(ctx.shape))

    examples = staticmethod(_examples)


class Mean(Function):
    """Mean over `dim`; each element gets 1/n of the gradient."""

    name = "mean"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        if np.asarray(a).dtype.kind != "f":
            raise TypeError(f"mean: needs a floating-point tensor, got dtype {np.asarray(a).dtype}")
        ctx.axes = _axes(dim, np.ndim(a))
        ctx.shape, ctx.keepdim = np.shape(a), keepdim
        ctx.count = int(np.prod([ctx.shape[d] for d in ctx.axes]))
        return np.asarray(np.mean(a, axis=ctx.axes, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        return (np.broadcast_to(_restore(grad, ctx.axes, ctx.keepdim) / ctx.count, ctx.shape),)

    @staticmethod
    def flops(ctx, inputs, output):
        return int(np.prod(ctx.shape))

    examples = staticmethod(_examples)


class Max(Function):
    """Largest value over `dim`; tied maxima share the gradient equally (as torch.amax)."""

    name = "max"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        axes = _axes(dim, np.ndim(a))
        if np.size(a) == 0:
            raise ValueError("max: cannot take the max of an empty tensor")
        kept = np.max(a, axis=axes, keepdims=True)
        ctx.winners = a == kept
        ctx.axes, ctx.keepdim = axes, keepdim
        return kept if keepdim else np.squeeze(kept, axis=axes)

    @staticmethod
    def backward(ctx, grad):
        winners = ctx.winners
        share = winners / winners.sum(axis=ctx.axes, keepdims=True)
        return (_restore(grad, ctx.axes, ctx.keepdim) * share,)

    @staticmethod
    def flops(ctx, inputs, output):
        return int(ctx.winners.size)

    examples = staticmethod(_examples)
