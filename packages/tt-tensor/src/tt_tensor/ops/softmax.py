"""softmax and log_softmax along one dimension, stable for any size of logit.

Both subtract the row's maximum first: e^(x - max) is at most 1, so nothing overflows, and
the result is unchanged because softmax ignores a constant added to every logit.
"""

import numpy as np

from tt_tensor.function import Example, Function


def _examples():
    x = np.random.default_rng(0).normal(size=(3, 5))
    return [Example(x, dim=-1), Example(x * 3, dim=0), Example(x[None].repeat(2, 0), dim=1)]


class Softmax(Function):
    """exp(x) / sum(exp(x)) along `dim`. Backward: s * (g - sum(g * s))."""

    name = "softmax"

    @staticmethod
    def forward(ctx, x, dim=-1):
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


class LogSoftmax(Function):
    """x - logsumexp(x) along `dim`. Backward: g - softmax * sum(g)."""

    name = "log_softmax"

    @staticmethod
    def forward(ctx, x, dim=-1):
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
