"""2-D convolution (really cross-correlation, as in every deep-learning library).

im2col: every kH x kW window of the (padded) input becomes one column of a matrix `cols`
(C*kH*kW rows, one column per output pixel of every image), so the whole convolution is
ONE matrix product `weight (O, C*kH*kW) @ cols`. The backward pass is two more products
with the same matrices; the input's gradient is then added back from columns to pixels.
"""

from __future__ import annotations

import numpy as np
from tt_tensor import Example, Function

from tt_vision.ops._windows import check_4d, output_size, pad, pair, scatter_windows, windows


def _im2col(x: np.ndarray, kernel, stride, out_hw) -> np.ndarray:
    """(N, C, H, W) -> (C*kH*kW, N*oH*oW): one column per window, rows ordered like the weight."""
    win = windows(x, kernel, stride, out_hw)  # (N, C, oH, oW, kH, kW), a view
    c, (kh, kw) = x.shape[1], kernel
    # Putting (C, kH, kW) first makes the matmul below a plain 2-D product whose result is
    # already (O, N, oH, oW) in memory: one copy here, none afterwards.
    return win.transpose(1, 4, 5, 0, 2, 3).reshape(c * kh * kw, -1)


class Conv2d(Function):
    """out[n, o] = bias[o] + sum over c, i, j of weight[o, c, i, j] * x_padded[n, c, y*s + i, x*s + j].

    Shapes: x (N, C, H, W), weight (O, C, kH, kW), bias (O,) or None -> (N, O, oH, oW) with
    oH = (H + 2*padding - kH) // stride + 1 (likewise oW).
    """

    name = "conv2d"

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride=1, padding=0):
        stride, padding = pair(stride, "stride", "conv2d"), pair(padding, "padding", "conv2d")
        x, weight = np.asarray(x), np.asarray(weight)
        check_4d("conv2d", x.shape)
        if weight.ndim != 4 or weight.shape[1] != x.shape[1]:
            raise ValueError(f"conv2d: weight of shape {weight.shape} does not fit input of shape "
                             f"{x.shape}: expected (out_channels, {x.shape[1]}, kH, kW)")
        o, c, kh, kw = weight.shape
        if bias is not None and np.shape(bias) != (o,):
            raise ValueError(f"conv2d: bias of shape {np.shape(bias)} does not fit weight of "
                             f"shape {weight.shape}: expected ({o},)")
        n = x.shape[0]
        out_hw = output_size("conv2d", x.shape[2:], (kh, kw), stride, padding)
        xp = pad(x, padding)
        cols = _im2col(xp, (kh, kw), stride, out_hw)
        w2 = weight.reshape(o, -1)
        out = w2 @ cols  # (O, N*oH*oW)
        if bias is not None:
            out += bias[:, None]
        ctx.cols, ctx.w2, ctx.weight_shape = cols, w2, weight.shape
        ctx.padded_shape, ctx.stride, ctx.padding, ctx.out_hw = xp.shape, stride, padding, out_hw
        return out.reshape(o, n, *out_hw).transpose(1, 0, 2, 3)

    @staticmethod
    def backward(ctx, grad):
        # needs_grad has one entry per input given: two when bias was left out.
        need_x, need_w, need_b = ctx.needs_grad + (False,) * (3 - len(ctx.needs_grad))
        o = ctx.weight_shape[0]
        g = grad.transpose(1, 0, 2, 3).reshape(o, -1)  # (O, N*oH*oW), free if grad kept our layout
        grad_x = grad_w = grad_b = None
        if need_w:
            grad_w = (g @ ctx.cols.T).reshape(ctx.weight_shape)
        if need_b:
            grad_b = g.sum(axis=1)
        if need_x:
            n, c, hp, wp = ctx.padded_shape
            kh, kw = ctx.weight_shape[2:]
            grad_cols = (ctx.w2.T @ g).reshape(c, kh, kw, n, *ctx.out_hw)
            # col2im: each column's gradient goes back to the pixels its window covered.
            grad_xp = scatter_windows(grad_cols.transpose(0, 3, 4, 5, 1, 2), (hp, wp), ctx.stride)
            ph, pw = ctx.padding
            grad_x = grad_xp.transpose(1, 0, 2, 3)[:, :, ph:hp - ph, pw:wp - pw]
        return grad_x, grad_w, grad_b

    @staticmethod
    def flops(ctx, inputs, output):
        """A multiply and an add per weight per output pixel."""
        per_pixel = int(np.prod(np.shape(inputs[1])[1:]))  # C*kH*kW; inputs[1] is the weight
        return 2 * output.size * per_pixel

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        x = r.normal(size=(2, 3, 5, 5))
        return [Example(x, r.normal(size=(4, 3, 3, 3)), r.normal(size=4)),
                Example(x, r.normal(size=(2, 3, 3, 3)), None, stride=2, padding=1),
                Example(r.normal(size=(2, 2, 6, 5)), r.normal(size=(3, 2, 2, 3)), r.normal(size=3),
                        stride=(2, 1), padding=(1, 0)),                       # rectangular
                Example(r.normal(size=(1, 3, 4, 4)), r.normal(size=(2, 3, 1, 1)), None),  # 1x1
                Example(r.normal(size=(2, 1, 7, 7)), r.normal(size=(2, 1, 3, 3)), r.normal(size=2),
                        stride=3, padding=2)]                                 # stride skips pixels
