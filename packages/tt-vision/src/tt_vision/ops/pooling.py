"""Max and average pooling over kH x kW windows, overlapping or not.

Both loop over the kH*kW *offsets* inside a window, never over pixels: for offset (i, j),
the strided slice `x[:, :, i::stride, j::stride]` holds that element of every window of
every image at once, so a 2x2 pool is four whole-batch NumPy operations. (Reducing a
(…, kH*kW) window array along its short last axis is several times slower in NumPy.)
Backward sends each window's gradient back through the same slices; where windows
overlap (stride < kernel) a pixel's contributions add up.
"""

from __future__ import annotations

import numpy as np
from tt_tensor import Example, Function

from tt_vision.ops._windows import check_4d, offset_index, output_size, pair


def _setup(who, x, kernel_size, stride):
    kernel = pair(kernel_size, "kernel_size", who)
    stride = kernel if stride is None else pair(stride, "stride", who)
    check_4d(who, np.shape(x))
    out_hw = output_size(who, x.shape[2:], kernel, stride)
    return kernel, stride, out_hw


def _offsets(kernel, stride, out_hw):
    """`offset_index` of every offset (i, j) in a window, row by row (kept for backward)."""
    return [offset_index(i, j, stride, out_hw) for i in range(kernel[0]) for j in range(kernel[1])]


def _overlapping(kernel, stride) -> bool:
    return stride[0] < kernel[0] or stride[1] < kernel[1]


class MaxPool2d(Function):
    """The largest value of each window: (N, C, H, W) -> (N, C, oH, oW), oH = (H - kH) // stride + 1.

    The gradient goes to exactly one element per window, the first largest one (ties are
    broken by position, row by row), as in PyTorch.
    """

    name = "max_pool2d"

    @staticmethod
    def forward(ctx, x, *, kernel_size, stride=None):
        x = np.asarray(x)
        kernel, stride, out_hw = _setup("max_pool2d", x, kernel_size, stride)
        offsets = _offsets(kernel, stride, out_hw)
        out = x[offsets[0]].copy()
        for index in offsets[1:]:
            np.maximum(out, x[index], out=out)
        ctx.x, ctx.out, ctx.offsets, ctx.overlapping = x, out, offsets, _overlapping(kernel, stride)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.x, ctx.out
        grad_x = np.zeros(x.shape, dtype=grad.dtype)
        claimed = np.zeros(out.shape, dtype=bool)  # windows whose first maximum is found
        for index in ctx.offsets:
            hit = (x[index] == out) & ~claimed  # a later equal value is not the first maximum
            claimed |= hit
            if ctx.overlapping:
                grad_x[index] += grad * hit
            else:  # each pixel lies in at most one window: assigning is enough
                grad_x[index] = grad * hit
        return (grad_x,)

    @staticmethod
    def flops(ctx, inputs, output):
        """kH*kW - 1 comparisons per output element."""
        return int(output.size * (len(ctx.offsets) - 1))

    @staticmethod
    def examples():
        # Distinct values (a shuffled range) keep every maximum clear of its runner-up by
        # more than the finite-difference step, so the check is about the gradient, not ties.
        r = np.random.default_rng(0)

        def image(*shape):
            return r.permutation(np.prod(shape)).reshape(shape) * 0.1

        return [Example(image(2, 3, 4, 4), kernel_size=2),
                Example(image(2, 2, 5, 5), kernel_size=3, stride=1),          # overlapping
                Example(image(1, 2, 7, 6), kernel_size=(3, 2), stride=(2, 1)),
                Example(image(2, 1, 5, 5), kernel_size=2),                     # 5 not a multiple
                Example(image(1, 2, 7, 7), kernel_size=2, stride=3)]           # gaps between windows


class AvgPool2d(Function):
    """The mean of each window: (N, C, H, W) -> (N, C, oH, oW), oH = (H - kH) // stride + 1."""

    name = "avg_pool2d"

    @staticmethod
    def forward(ctx, x, *, kernel_size, stride=None):
        x = np.asarray(x)
        kernel, stride, out_hw = _setup("avg_pool2d", x, kernel_size, stride)
        offsets = _offsets(kernel, stride, out_hw)
        total = x[offsets[0]].copy()
        for index in offsets[1:]:
            total += x[index]
        ctx.shape, ctx.dtype, ctx.offsets = x.shape, x.dtype, offsets
        ctx.overlapping = _overlapping(kernel, stride)
        return total / np.asarray(len(offsets), dtype=total.dtype)

    @staticmethod
    def backward(ctx, grad):
        share = grad / np.asarray(len(ctx.offsets), dtype=grad.dtype)  # equal for every pixel
        grad_x = np.zeros(ctx.shape, dtype=grad.dtype)
        for index in ctx.offsets:
            if ctx.overlapping:
                grad_x[index] += share
            else:
                grad_x[index] = share
        return (grad_x,)

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        return [Example(r.normal(size=(2, 3, 4, 4)), kernel_size=2),
                Example(r.normal(size=(2, 2, 5, 5)), kernel_size=3, stride=1),
                Example(r.normal(size=(1, 2, 7, 6)), kernel_size=(3, 2), stride=(2, 1)),
                Example(r.normal(size=(2, 1, 5, 5)), kernel_size=2),
                Example(r.normal(size=(1, 2, 7, 7)), kernel_size=2, stride=3)]
