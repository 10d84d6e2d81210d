"""Batch normalisation: each channel of an (N, C, *) input normalised over every other axis.

Training: normalise with this batch's mean and (biased) variance, so the gradient flows
through those statistics too. Evaluation: normalise with given running estimates, which
are constants. The op never changes its inputs: moving the running estimates towards the
batch statistics is done by `tt_vision.functional.batch_norm` (what the layers call).
"""

from __future__ import annotations

import numpy as np
from tt_tensor import Example, Function

from tt_vision.ops._windows import needs


def _axes(ndim: int) -> tuple[int, ...]:
    return (0, *range(2, ndim))  # everything but the channel


def _per_channel(v: np.ndarray, ndim: int) -> np.ndarray:
    return np.reshape(v, (1, -1) + (1,) * (ndim - 2))


class BatchNormOp(Function):
    """out = (x - mean) / sqrt(var + eps) * weight + bias, per channel.

    Shapes: x (N, C) or (N, C, L) or (N, C, H, W) (any (N, C, *)); weight, bias (C,) or None;
    with training=False, running_mean and running_var (C,) are the statistics used.
    """

    name = "batch_norm"
    saves_output = True  # backward reads the normalised output it returned

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, *, running_mean=None, running_var=None,
                training=True, eps=1e-5):
        x = np.asarray(x)
        if x.ndim < 2:
            raise ValueError(f"batch_norm: expected an input (N, C, *) with at least 2 "
                             f"dimensions, got shape {x.shape}")
        channels, nd, axes = x.shape[1], x.ndim, _axes(x.ndim)
        for label, v in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                         ("running_var", running_var)):
            if v is not None and np.shape(v) != (channels,):
                raise ValueError(f"batch_norm: {label} of shape {np.shape(v)} does not fit "
                                 f"input of shape {x.shape}: expected ({channels},)")
        if training:
            if x.size // max(channels, 1) < 2:
                raise ValueError(f"batch_norm: training needs more than one value per channel "
                                 f"to estimate a variance, got input of shape {x.shape}")
            mean = x.mean(axis=axes)
            centred = x - _per_channel(mean, nd)
            var = np.mean(centred * centred, axis=axes)
        else:
            if running_mean is None or running_var is None:
                raise ValueError("batch_norm: evaluation (training=False) needs running_mean "
                                 "and running_var")
            centred = x - _per_channel(np.asarray(running_mean, dtype=x.dtype), nd)
            var = np.asarray(running_var, dtype=x.dtype)
        inv_std = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        x_hat = centred * _per_channel(inv_std, nd)
        out = x_hat if weight is None else x_hat * _per_channel(weight, nd)
        if bias is not None:
            out = out + _per_channel(bias, nd)
        ctx.x_hat, ctx.inv_std, ctx.weight, ctx.training = x_hat, inv_std, weight, training
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x_hat, inv_std, weight = ctx.x_hat, ctx.inv_std, ctx.weight
        nd, axes = grad.ndim, _axes(grad.ndim)
        need_x, need_w, need_b = needs(ctx, 3)
        grad_x = grad_w = grad_b = None
        if need_x:
            g_hat = grad if weight is None else grad * _per_channel(weight, nd)
            if ctx.training:
                # x_hat depends on x directly and through the batch mean and variance; the
                # last two terms remove the parts of g_hat along 1 and along x_hat.
                count = grad.size // grad.shape[1]
                mean_g = g_hat.sum(axis=axes) / count
                mean_gx = (g_hat * x_hat).sum(axis=axes) / count
                grad_x = (g_hat - _per_channel(mean_g, nd) - x_hat * _per_channel(mean_gx, nd)) \
                    * _per_channel(inv_std, nd)
            else:
                grad_x = g_hat * _per_channel(inv_std, nd)
        if need_w:
            grad_w = (grad * x_hat).sum(axis=axes)
        if need_b:
            grad_b = grad.sum(axis=axes)
        return grad_x, grad_w, grad_b

    @staticmethod
    def flops(ctx, inputs, output):
        """Statistics, normalisation and the affine map: about 8 per element."""
        return int(8 * output.size)

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        x = r.normal(1.0, 2.0, size=(3, 2, 3, 3))
        return [Example(x, r.normal(size=2), r.normal(size=2)),
                Example(r.normal(size=(4, 3, 1, 1)), r.normal(size=3), None),   # N=4, 1x1 images
                Example(x, None, None),                                         # no affine part
                Example(r.normal(size=(5, 3)), r.normal(size=3), r.normal(size=3)),    # (N, C)
                Example(r.normal(size=(2, 3, 4)), r.normal(size=3), r.normal(size=3)),  # (N, C, L)
                Example(x, r.normal(size=2), r.normal(size=2), training=False,
                        running_mean=np.array([0.5, -0.2]), running_var=np.array([1.5, 0.7]))]
