"""A faster `batch_norm` for the systems milestone, swapped in through the registry.

tt-vision's `BatchNormOp` is the textbook NumPy: statistics with `mean(axis=(0, 2, 3))`
(a reduction over several strided axes) and one new array per term of the formula —
forward and backward together make about a dozen full-size temporaries and read the
activations some twenty times. The same maths, arranged for the memory instead:

- view `(N, C, H, W)` as `(N, C, H·W)`, so each channel's values are contiguous runs;
  per-channel sums are `sum(axis=2)` then a sum over N, and the per-channel dot products
  (`Σ x̂²`, `Σ g·x̂`) are one `einsum` each;
- normalise in place in the centred copy (which backward keeps as `x̂`);
- backward computes `Σ g` and `Σ g·x̂` once and uses them for all three gradients
  (`dbias = Σ g`, `dweight = Σ g·x̂`, and the input's
  `dx = (g - Σ g / m - x̂ · Σ g·x̂ / m) · weight / σ`), in one output array.

Outputs and gradients equal the built-in op's up to float rounding (the sums are added in
another order): within `1e-5` relative. Evaluation mode (running statistics) is handed to
the built-in op unchanged.

It is provided by a plugin object (`FastBatchNormPlugin`) under the provider name
`"tt-milestones-fast"`; `with fast_batch_norm():` registers it and selects it with
`tt_tensor.plugins.use`, exactly as a learner's own op would be swapped in.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import numpy as np
from tt_tensor import Function, hookimpl, plugins

PROVIDER = "tt-milestones-fast"


def _builtin():
    from tt_vision.ops.batchnorm import BatchNormOp

    return BatchNormOp


class FastBatchNormOp(Function):
    """`batch_norm` in training mode with fewer passes over memory (see the module)."""

    name = "batch_norm"

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, *, running_mean=None, running_var=None,
                training=True, eps=1e-5):
        x = np.asarray(x)
        simple = (training and x.ndim >= 2 and x.dtype.kind == "f" and x.shape[1] > 0
                  and x.size // x.shape[1] >= 2
                  and all(v is None or np.shape(v) == (x.shape[1],) for v in (weight, bias)))
        ctx.fallback = not simple
        if ctx.fallback:  # evaluation, and the errors for bad shapes: the built-in op's
            return _builtin().forward(ctx, x, weight, bias, running_mean=running_mean,
                                      running_var=running_var, training=training, eps=eps)
        n, c = x.shape[:2]
        v = x.reshape(n, c, -1)
        count = v.shape[0] * v.shape[2]
        mean = v.sum(axis=2).sum(axis=0) / count
        x_hat = v - mean.astype(x.dtype)[:, None]
        var = np.einsum("ncl,ncl->c", x_hat, x_hat) / count
        inv_std = (1.0 / np.sqrt(var + eps)).astype(x.dtype)
        x_hat *= inv_std[:, None]
        out = x_hat * np.asarray(weight, x.dtype)[:, None] if weight is not None else x_hat.copy()
        if bias is not None:
            out += np.asarray(bias, x.dtype)[:, None]
        ctx.x_hat, ctx.inv_std, ctx.weight, ctx.count = x_hat, inv_std, weight, count
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        if ctx.fallback:
            return _builtin().backward(ctx, grad)
        x_hat, inv_std, weight, count = ctx.x_hat, ctx.inv_std, ctx.weight, ctx.count
        needs = tuple(ctx.needs_grad) + (False,) * (3 - len(ctx.needs_grad))
        g = grad.reshape(x_hat.shape)
        sum_g = g.sum(axis=2).sum(axis=0)
        sum_gx = np.einsum("ncl,ncl->c", g, x_hat)
        grad_x = None
        if needs[0]:
            grad_x = x_hat * (-(sum_gx / count)).astype(g.dtype)[:, None]
            grad_x += g
            grad_x -= (sum_g / count).astype(g.dtype)[:, None]
            scale = inv_std if weight is None else np.asarray(weight, g.dtype) * inv_std
            grad_x *= scale[:, None]
            grad_x = grad_x.reshape(grad.shape)
        grad_w = sum_gx.astype(g.dtype) if needs[1] and weight is not None else None
        grad_b = sum_g.astype(g.dtype) if needs[2] else None
        return grad_x, grad_w, grad_b

    @staticmethod
    def flops(ctx, inputs, output):
        return _builtin().flops(ctx, inputs, output)

    @staticmethod
    def examples():
        return _builtin().examples()


class FastBatchNormPlugin:
    """The plugin that provides `FastBatchNormOp` as the op `batch_norm`."""

    @hookimpl
    def register_ops(self, register):
        register("batch_norm", FastBatchNormOp)


@contextmanager
def fast_batch_norm() -> Iterator[None]:
    """Inside the block, every `batch_norm` (layers, functional) runs `FastBatchNormOp`."""
    with plugins.plugin(FastBatchNormPlugin(), PROVIDER):
        plugins.use("batch_norm", PROVIDER, kind="ops")
        yield
