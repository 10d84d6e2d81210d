"""The `layer_norm` op: normalise each sample over its last dimensions, then scale and shift."""

import functools
import math

import numpy as np
from tt_tensor import Example, Function


_vecdot = getattr(np, "vecdot", None)


def _row_dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Σ_j a[i, j]·b[i, j] for every row i: `np.vecdot` (NumPy ≥ 2, about twice as fast as
    the einsum for short rows), or the einsum on older NumPy."""
    return _vecdot(a, b) if _vecdot is not None else np.einsum("ij,ij->i", a, b)


@functools.cache
def _averager(features: int, dtype: np.dtype) -> np.ndarray:
    """(1/F, …, 1/F), read-only: `rows @ averager` is every row's mean in one BLAS call."""
    averager = np.full(features, 1.0 / features, dtype=dtype)
    averager.flags.writeable = False
    return averager


def _outer(column: np.ndarray, row: np.ndarray) -> np.ndarray:
    """column[:, None] * row[None, :] as a BLAS product with an inner size of 2 (the second
    terms zero): about twice as fast as NumPy's broadcasting product for rows of ~100."""
    left = np.zeros((column.size, 2), dtype=np.result_type(column.dtype, row.dtype))
    left[:, 0] = column
    right = np.zeros((2, row.size), dtype=left.dtype)
    right[0] = row
    return left @ right


class LayerNormOp(Function):
    """y = (x - mean) / sqrt(var + eps) · weight + bias, mean and (biased) variance taken over
    the last `normalized_ndim` dimensions; weight and bias (shaped like those dimensions) may
    be None.

    Backward, with x̂ the normalised input, r = 1/sqrt(var + eps) and ĝ = g·weight:
        dx = r · (ĝ - mean(ĝ) - x̂ · mean(ĝ · x̂))      (means over the normalised dims)
        dweight = sum of g·x̂ over the other dims,  dbias = sum of g over them.

    Fast paths (the textbook formulas are in the tests): row means are products with
    (1/F, …, 1/F) and column sums products with a vector (one BLAS call each, several times
    faster than NumPy's reductions along short rows); backward never forms x̂, it computes
    dx = G - α·x + β per row with G = g·(r ⊗ weight) (see `backward`), as torch's kernel does.
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
        averager = _averager(features, x.dtype if x.dtype.kind == "f" else np.dtype(np.float64))
        mean = rows @ averager
        xhat = rows - mean[:, None]                                    # centred
        variance = _row_dots(xhat, xhat) / features                    # biased, as PyTorch
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
        # The formula of the class docstring, rearranged so that x̂ is never formed (as
        # torch's CPU kernel does): with x̂ = r·(x - m) and G = r·ĝ,
        #     dx = G - mean(G) - r²·(x - m)·c  =  G - α·x + β   per row, with
        #     c = mean(G·(x - m)) = mean(G·x) - m·mean(G),  α = r²·c,  β = α·m - mean(G),
        #     dweight = Σ_rows r·g·(x - m) = r @ (g·x) - (r·m) @ g,   dbias = Σ_rows g.
        # Row means and column sums are BLAS products (with 1/F or with the row vector),
        # and the per-row weight r and per-feature weight enter G together as one
        # (rows, F) factor r ⊗ weight (see `_outer`).
        rows, mean, rstd, weight, needs = ctx.rows, ctx.mean, ctx.rstd, ctx.weight, ctx.needs_grad
        g = grad.reshape(rows.shape)
        grad_x = grad_w = grad_b = None
        if len(needs) > 1 and needs[1]:
            grad_w = (rstd @ (g * rows) - (rstd * mean) @ g).reshape(ctx.feature_shape)
        if len(needs) > 2 and needs[2]:
            grad_b = (np.ones(g.shape[0], dtype=g.dtype) @ g).reshape(ctx.feature_shape)
        if needs[0]:
            big = g * (_outer(rstd, weight.reshape(-1)) if weight is not None else rstd[:, None])
            mean_g = big @ ctx.averager
            c = _row_dots(big, rows)
            c *= 1.0 / rows.shape[1]
            c -= mean * mean_g
            alpha = rstd * rstd * c
            beta = alpha * mean
            beta -= mean_g
            scaled = rows * alpha[:, None]
            big -= scaled
            big += beta[:, None]
            grad_x = big.reshape(grad.shape)
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
