"""softmax and log_softmax along one dimension, stable for any size of logit.

Both subtract the row's maximum first: e^(x - max) is at most 1, so nothing overflows, and
the result is unchanged because softmax ignores a constant added to every logit.
"""

import numpy as np

from tt_tensor.dtypes import floating
from tt_tensor.function import Example, Function


def _examples():
    x = np.random.default_rng(0).normal(size=(3, 5))
    return [Example(x, dim=-1), Example(x * 3, dim=0), Example(x[None].repeat(2, 0), dim=1),
            Example(np.array(x[0, 0]), dim=0)]


def _axis(x, dim):
    """The axis to reduce: `dim` checked; a 0-d tensor (dim 0 or -1) reduces its one value."""
    n = max(x.ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"dimension {dim} is out of range for a tensor with {x.ndim} dimensions "
                         f"(expected {-n}..{n - 1})")
    return None if x.ndim == 0 else dim


class SoftmaxOp(Function):
    """exp(x) / sum(exp(x)) along `dim`. Backward: s * (g - sum(g * s))."""

    name = "softmax"
    saves_output = True  # its backward reads its own result, not the input
    saves_inputs = False

    @staticmethod
    def forward(ctx, x, dim=-1):
        x = floating(x)
        dim = _axis(x, dim)
        if x.size == 0:
            ctx.out, ctx.dim = x.copy(), dim
            return ctx.out
        shifted = x - np.max(x, axis=dim, keepdims=True)
        e = np.exp(shifted)
        ctx.out, ctx.dim = e / e.sum(axis=dim, keepdims=True), dim
        return ctx.out

    @staticmethod
    def backward(ctx, grad):
        s = ctx.out
        return (s * (grad - (grad * s).sum(axis=ctx.dim, keepdims=True)),)

    @staticmethod
    def flops(ctx, inputs, output):
        return int(5 * output.size)

    examples = staticmethod(_examples)


class LogSoftmaxOp(Function):
    """x - logsumexp(x) along `dim`. Backward: g - softmax * sum(g)."""

    saves_inputs = False  # backward reads no input value
    saves_output = True  # backward reads the result

    name = "log_softmax"

    @staticmethod
    def forward(ctx, x, dim=-1):
        x = floating(x)
        dim = _axis(x, dim)
        if x.size == 0:
            ctx.out, ctx.dim = x.copy(), dim
            return ctx.out
        shifted = x - np.max(x, axis=dim, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.out, ctx.dim = out, dim
        return out

    @staticmethod
    def backward(ctx, grad):
        return (grad - np.exp(ctx.out) * grad.sum(axis=ctx.dim, keepdims=True),)

    @staticmethod
    def flops(ctx, inputs, output):
        return int(5 * output.size)

    examples = staticmethod(_examples)
