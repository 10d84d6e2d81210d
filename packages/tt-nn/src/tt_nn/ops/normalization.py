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
        mean = rows @ averager
        xhat = rows - mean[:, None]                                    # centred
        variance = np.einsum("ij,ij->i", xhat, xhat) / features        # biased, as PyTorch
        rstd = 1.0 / np.sqrt(variance + eps)
        xhat *= rstd[:, None]
        # Memory: like torch, keep the input (alive in the graph anyway), the means and the
        # 1/std, not x̂ (a second array as big as x): backward recomputes x̂ in two passes.
        # So scale and shift x̂ in its own memory, which becomes the output.
        ctx.rows, ctx.mean, ctx.rstd, ctx.averager, ctx.weight = rows, mean, rstd, averager, weight
        ctx.feature_shape = feature_shape
        if weight is not None:
            xhat *= weight.reshape(-1)
        if bias is not None:
            xhat += bias.reshape(-1)
        return xhat.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        averager, needs = ctx.averager, ctx.needs_grad
        xhat = ctx.rows - ctx.mean[:, None]
        xhat *= ctx.rstd[:, None]                                      # x̂ again
        g = grad.reshape(xhat.shape)
        grad_x = grad_w = grad_b = None
        if len(needs) > 1 and needs[1]:
            grad_w = np.einsum("ij,ij->j", g, xhat).reshape(ctx.feature_shape)
        if len(needs) > 2 and needs[2]:
            # A vector-matrix product sums the rows in one BLAS call (faster than .sum(0)).
            ones = np.ones(g.shape[0], dtype=g.dtype)
            grad_b = (ones @ g).reshape(ctx.feature_shape)
        if needs[0]:
            # dx = r·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)): the two row means are one BLAS
            # matrix-vector product and one einsum; the rest runs in place in x̂'s memory.
            g_hat = g * ctx.weight.reshape(-1) if ctx.weight is not None else g
            mean_g = g_hat @ averager
            mean_gx = np.einsum("ij,ij->i", g_hat, xhat) / xhat.shape[1]
            xhat *= -mean_gx[:, None]
            xhat += g_hat
            xhat -= mean_g[:, None]
            xhat *= ctx.rstd[:, None]
            grad_x = xhat.reshape(grad.shape)
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
