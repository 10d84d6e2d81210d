"""The `layer_norm` op: normalise each sample over its last dimensions, then scale and shift."""

import numpy as np
from tt_tensor import Example, Function


class LayerNorm(Function):
    """y = (x - mean) / sqrt(var + eps) · weight + bias, mean and (biased) variance taken over
    the last `normalized_ndim` dimensions; weight and bias (shaped like those dimensions) may
    be None.

    Backward, with x̂ the normalised input, r = 1/sqrt(var + eps) and ĝ = g·weight:
        dx = r · (ĝ - mean(ĝ) - x̂ · mean(ĝ · x̂))      (means over the normalised dims)
        dweight = sum of g·x̂ over the other dims,  dbias = sum of g over them.
    """

    name = "layer_norm"

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, normalized_ndim=1, eps=1e-5):
        axes = tuple(range(-normalized_ndim, 0))
        mean = x.mean(axis=axes, keepdims=True)
        centred = x - mean
        rstd = 1 / np.sqrt((centred * centred).mean(axis=axes, keepdims=True) + eps)
        xhat = centred * rstd
        ctx.xhat, ctx.rstd, ctx.weight, ctx.axes = xhat, rstd, weight, axes
        out = xhat
        if weight is not None:
            out = out * weight
        if bias is not None:
            out = out + bias
        return out

    @staticmethod
    def backward(ctx, grad):
        xhat, axes = ctx.xhat, ctx.axes
        needs = ctx.needs_grad
        batch_axes = tuple(range(grad.ndim - len(axes)))
        g_hat = grad if ctx.weight is None else grad * ctx.weight
        grad_x = grad_w = grad_b = None
        if needs[0]:
            grad_x = ctx.rstd * (g_hat - g_hat.mean(axis=axes, keepdims=True)
                                 - xhat * (g_hat * xhat).mean(axis=axes, keepdims=True))
        if len(needs) > 1 and needs[1]:
            grad_w = (grad * xhat).sum(axis=batch_axes)
        if len(needs) > 2 and needs[2]:
            grad_b = grad.sum(axis=batch_axes)
        return grad_x, grad_w, grad_b

    @staticmethod
    def flops(ctx, inputs, output):
        return int(8 * output.size)

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        x = r.normal(size=(3, 5)) * 2 + 1
        return [Example(x, 1 + r.normal(size=5) * 0.1, r.normal(size=5)),
                Example(r.normal(size=(2, 3, 4)), r.normal(size=(3, 4)), r.normal(size=(3, 4)),
                        normalized_ndim=2),
                Example(x)]
