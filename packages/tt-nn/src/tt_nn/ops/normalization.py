"""The `layer_norm` op: normalise each sample over its last dimensions, then scale and shift."""

import math

import numpy as np
from tt_tensor import Example, Function


class LayerNormOp(Function):
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
        # One row per sample, one column per normalised feature: the statistics are row
        # means, and `rows @ (1/F, …, 1/F)` computes them in one BLAS call, several times
        # faster than .mean(axis=-1) on short rows.
        feature_shape = x.shape[x.ndim - normalized_ndim:]
        features = math.prod(feature_shape)
        rows = x.reshape(-1, features)
        averager = np.full(features, 1.0 / features,
                           dtype=x.dtype if x.dtype.kind == "f" else np.float64)
        xhat = rows - (rows @ averager)[:, None]                       # centred
        variance = np.einsum("ij,ij->i", xhat, xhat) / features        # biased, as PyTorch
        rstd = 1.0 / np.sqrt(variance + eps)
        xhat *= rstd[:, None]
        ctx.xhat, ctx.rstd, ctx.averager, ctx.weight = xhat, rstd, averager, weight
        ctx.feature_shape = feature_shape
        out = xhat if weight is None else xhat * weight.reshape(-1)
        if bias is not None:
            # In place when `out` is a fresh array: one allocation (and pass) fewer.
            out = out + bias.reshape(-1) if out is xhat else np.add(out, bias.reshape(-1), out=out)
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        xhat, averager, needs = ctx.xhat, ctx.averager, ctx.needs_grad
        g = grad.reshape(xhat.shape)
        grad_x = grad_w = grad_b = None
        if needs[0]:
            # dx = r·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)): the two row means are one BLAS
            # matrix-vector product and one einsum; then three in-place passes over ĝ
            # (a fresh array when there is a weight) instead of new temporaries.
            g_hat = g * ctx.weight.reshape(-1) if ctx.weight is not None else g.copy()
            mean_g = g_hat @ averager
            mean_gx = np.einsum("ij,ij->i", g_hat, xhat) / xhat.shape[1]
            g_hat -= xhat * mean_gx[:, None]
            g_hat -= mean_g[:, None]
            g_hat *= ctx.rstd[:, None]
            grad_x = g_hat.reshape(grad.shape)
        if len(needs) > 1 and needs[1]:
            grad_w = np.einsum("ij,ij->j", g, xhat).reshape(ctx.feature_shape)
        if len(needs) > 2 and needs[2]:
            # A vector-matrix product sums the rows in one BLAS call (faster than .sum(0)).
            ones = np.ones(g.shape[0], dtype=g.dtype)
            grad_b = (ones @ g).reshape(ctx.feature_shape)
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
