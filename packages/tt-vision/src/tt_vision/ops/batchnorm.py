"""Batch normalisation over (N, H, W) for each channel of an (N, C, H, W) input.

Training: normalise with this batch's mean and (biased) variance, so the gradient flows
through those statistics too, and move the running estimates towards them (in place, as
PyTorch's `F.batch_norm` does; the running variance uses the unbiased estimate).
Evaluation: normalise with the running estimates, which are constants.
"""

from __future__ import annotations

import numpy as np
from tt_tensor import Example, Function

from tt_vision.ops._windows import check_4d

_AXES = (0, 2, 3)  # everything but the channel


def _per_channel(v: np.ndarray) -> np.ndarray:
    return v.reshape(1, -1, 1, 1)


class BatchNorm2d(Function):
    """out = (x - mean) / sqrt(var + eps) * weight + bias, per channel.

    Shapes: x (N, C, H, W); weight, bias, running_mean, running_var (C,) or None.
    """

    name = "batch_norm2d"

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, *, running_mean=None, running_var=None,
                training=True, momentum=0.1, eps=1e-5):
        x = np.asarray(x)
        check_4d("batch_norm2d", x.shape)
        channels = x.shape[1]
        for label, v in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                         ("running_var", running_var)):
            if v is not None and np.shape(v) != (channels,):
                raise ValueError(f"batch_norm2d: {label} of shape {np.shape(v)} does not fit "
                                 f"input of shape {x.shape}: expected ({channels},)")
        if training:
            count = x.size // channels
            if count < 2:
                raise ValueError(f"batch_norm2d: training needs more than one value per channel "
                                 f"to estimate a variance, got input of shape {x.shape}")
            mean = x.mean(axis=_AXES)
            centred = x - _per_channel(mean)
            var = np.mean(centred * centred, axis=_AXES)
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += momentum * mean
            if running_var is not None:
                running_var *= 1 - momentum
                running_var += momentum * var * (count / (count - 1))
        else:
            if running_mean is None or running_var is None:
                raise ValueError("batch_norm2d: evaluation (training=False) needs running_mean "
                                 "and running_var")
            centred = x - _per_channel(np.asarray(running_mean, dtype=x.dtype))
            var = np.asarray(running_var, dtype=x.dtype)
        inv_std = 1.0 / np.sqrt(var + eps)
        x_hat = centred * _per_channel(inv_std)
        out = x_hat if weight is None else x_hat * _per_channel(weight)
        if bias is not None:
            out = out + _per_channel(bias)
        ctx.x_hat, ctx.inv_std, ctx.weight, ctx.training = x_hat, inv_std, weight, training
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x_hat, inv_std, weight = ctx.x_hat, ctx.inv_std, ctx.weight
        # needs_grad has one entry per input given: fewer when weight and bias were left out.
        need_x, need_w, need_b = ctx.needs_grad + (False,) * (3 - len(ctx.needs_grad))
        grad_x = grad_w = grad_b = None
        if need_x:
            g_hat = grad if weight is None else grad * _per_channel(weight)
            if ctx.training:
                # x_hat depends on x directly and through the batch mean and variance; the
                # last two terms remove the parts of g_hat along 1 and along x_hat.
                count = grad.size // grad.shape[1]
                mean_g = g_hat.sum(axis=_AXES) / count
                mean_gx = (g_hat * x_hat).sum(axis=_AXES) / count
                grad_x = (g_hat - _per_channel(mean_g) - x_hat * _per_channel(mean_gx)) \
                    * _per_channel(inv_std)
            else:
                grad_x = g_hat * _per_channel(inv_std)
        if need_w:
            grad_w = (grad * x_hat).sum(axis=_AXES)
        if need_b:
            grad_b = grad.sum(axis=_AXES)
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
                Example(x, r.normal(size=2), r.normal(size=2), training=False,
                        running_mean=np.array([0.5, -0.2]), running_var=np.array([1.5, 0.7]))]
