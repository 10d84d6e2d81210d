"""2-D convolution (really cross-correlation, as in every deep-learning library) and its transpose.

im2col: every kH x kW window of the (padded) input becomes one column of a matrix `cols`
(`kH*kW*C` rows, one column per output pixel of every image), so the convolution is ONE
matrix product `weight (O, kH*kW*C) @ cols` (one per group with `groups`). The backward
pass is two more products with the same matrices; the input's gradient is then added back
from columns to pixels (col2im).

The fast path, step by step (the simple formula is in the docstring of `Conv2dOp` and, as a
loop, in the tests):
- `cols` is filled one kernel offset at a time (`kH*kW` block copies, see `_windows.im2col`),
  with rows ordered (i, j, c) and columns (n, y, x): every copy writes one contiguous block.
- a batch whose columns would take more than `WHOLE_BATCH_BYTES` (8 MB) is cut into chunks
  of about `CHUNK_BYTES` (2 MB, a core's L2 cache): each chunk's columns are still in the
  cache when the product reads them, instead of a 20 MB matrix going out to memory and back.
  The product of a chunk, `(O, m, oH*oW)`, is copied into the (N, O, oH, oW) output with the
  bias added on the way.
- backward rebuilds each chunk's columns from the padded input (cheaper than keeping them:
  the copy is cache-hot) unless the whole batch was one chunk, whose columns forward kept.
  A first layer (its input needs no gradient) is always one chunk: it keeps its columns for
  the weight gradient, which measured faster than rebuilding them, and runs neither the
  `weightᵀ @ grad` product nor col2im.
- col2im is `kH*kW` strided `+=` (plain assignment when windows do not overlap), never a
  scatter with index arrays.
- the column arrays come from a small pool (`_buffers`) and go back to it when no longer
  read: a fresh multi-MB allocation every step costs page faults.
"""

from __future__ import annotations

import numpy as np
from tt_tensor import Example, Function

from tt_vision.ops import _buffers
from tt_vision.ops._windows import (check_4d, col2im, col2im_into, conv_output_size, im2col,
                                    im2col_shape, needs, pad, pair)


def conv_arguments(who, x_shape, w_shape, bias, stride, padding, dilation, groups, *,
                   transposed=False):
    """Check shapes and normalise arguments; returns (stride, padding, dilation, groups)."""
    stride, padding = pair(stride, "stride", who), pair(padding, "padding", who)
    dilation = pair(dilation, "dilation", who)
    check_4d(who, x_shape)
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{who}: groups must be a positive int, got {groups!r}")
    c = x_shape[1]
    if len(w_shape) != 4:
        raise ValueError(f"{who}: weight must be 4-D, got shape {tuple(w_shape)}")
    if c % groups:
        raise ValueError(f"{who}: input channels {c} (input of shape {tuple(x_shape)}) are not "
                         f"divisible by groups={groups}")
    if transposed:
        expected = f"({c}, out_channels/groups, kH, kW)"
        fits, out_channels = w_shape[0] == c, w_shape[1] * groups
    else:
        expected = f"(out_channels, {c // groups}, kH, kW)"
        fits, out_channels = w_shape[1] * groups == c and w_shape[0] % groups == 0, w_shape[0]
    if not fits:
        raise ValueError(f"{who}: weight of shape {tuple(w_shape)} does not fit input of shape "
                         f"{tuple(x_shape)} with groups={groups}: expected {expected}")
    if bias is not None and np.shape(bias) != (out_channels,):
        raise ValueError(f"{who}: bias of shape {np.shape(bias)} does not fit weight of shape "
                         f"{tuple(w_shape)}: expected ({out_channels},)")
    return stride, padding, dilation, int(groups)


def _weight_rows(weight: np.ndarray, groups: int) -> np.ndarray:
    """(O, C/G, kH, kW) -> (G, O/G, kH*kW*C/G): the rows of the product, ordered like `cols`."""
    o, cg, kh, kw = weight.shape
    return weight.reshape(groups, o // groups, cg, kh, kw).transpose(0, 1, 3, 4, 2).reshape(
        groups, o // groups, kh * kw * cg)


def _weight_from_rows(rows: np.ndarray, shape) -> np.ndarray:
    """The inverse of `_weight_rows`: (G, O/G, kH*kW*C/G) -> (O, C/G, kH, kW)."""
    o, cg, kh, kw = shape
    g = rows.shape[0]
    return rows.reshape(g, o // g, kh, kw, cg).transpose(0, 1, 4, 2, 3).reshape(shape)


CHUNK_BYTES = 2 * 2**20  # im2col works on batch chunks whose columns take about this much,
WHOLE_BATCH_BYTES = 8 * 2**20  # unless the whole batch's columns are at most this large


def _chunks(padded_shape, kernel, out_hw, groups, itemsize) -> list[tuple[int, int]]:
    """(start, stop) image ranges whose column matrices are about CHUNK_BYTES each.

    Small batches stay whole: their columns are built once and kept for backward.
    """
    n, c = padded_shape[:2]
    per_image = kernel[0] * kernel[1] * c * out_hw[0] * out_hw[1] * itemsize
    if not CHUNK_BYTES or per_image * n <= WHOLE_BATCH_BYTES:
        return [(0, n)]
    step = max(1, CHUNK_BYTES // max(per_image, 1))
    return [(start, min(n, start + step)) for start in range(0, n, step)]


def _columns(ctx, chunks, keep=False):
    """Yield (start, stop, cols, pooled buffer or None) for each chunk of the batch.

    The columns kept from forward (one chunk) are reused; otherwise they are rebuilt from
    the padded input, which is cheap for a chunk that fits in the cache.
    """
    kernel = ctx.weight_shape[2:]
    for start, stop in chunks:
        if keep and getattr(ctx, "cols", None) is not None:
            yield start, stop, ctx.cols, None
            continue
        part = ctx.xp[start:stop]
        buffer = _buffers.take(im2col_shape(part.shape, kernel, ctx.out_hw, ctx.groups),
                               part.dtype)
        yield start, stop, im2col(part, kernel, ctx.stride, ctx.dilation, ctx.out_hw,
                                  ctx.groups, out=buffer), buffer


class Conv2dOp(Function):
    """`out[n, o, y, x] = bias[o] + sum over c, i, j of weight[o, c, i, j] * x_padded[n, c, y*s + i*d, x*s + j*d]`.

    (s = stride, d = dilation; with `groups`, output channel o only sees the input channels
    of its group.) Shapes: x (N, C, H, W), weight (O, C/groups, kH, kW), bias (O,) or None
    -> (N, O, oH, oW) with `oH = (H + 2*padding - dilation*(kH - 1) - 1) // stride + 1`.

    Gradients: `grad_weight = grad @ colsᵀ`, `grad_bias = grad summed over (N, oH, oW)`,
    `grad_x = col2im(weightᵀ @ grad)` (see the module docstring for how it is made fast).
    """

    name = "conv2d"

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride=1, padding=0, dilation=1, groups=1):
        x, weight = np.asarray(x), np.asarray(weight)
        stride, padding, dilation, groups = conv_arguments(
            "conv2d", x.shape, weight.shape, bias, stride, padding, dilation, groups)
        kernel = weight.shape[2:]
        out_hw = conv_output_size("conv2d", x.shape[2:], kernel, stride, padding, dilation)
        xp = pad(x, padding)
        rows = _weight_rows(weight.astype(x.dtype, copy=False), groups)
        n, o = x.shape[0], weight.shape[0]
        ctx.weight_shape, ctx.padded_shape, ctx.padding = weight.shape, xp.shape, padding
        ctx.stride, ctx.dilation, ctx.groups, ctx.out_hw = stride, dilation, groups, out_hw
        ctx.rows, ctx.xp = rows, xp
        out = np.empty((n, o, out_hw[0] * out_hw[1]), dtype=x.dtype)
        need_x, need_w, _ = needs(ctx, 3)
        # A first layer (no input gradient) keeps its whole batch's columns for the weight
        # gradient: rebuilding them chunk by chunk would cost more than the cache saves.
        ctx.chunks = chunks = [(0, n)] if need_w and not need_x else \
            _chunks(xp.shape, kernel, out_hw, groups, x.dtype.itemsize)
        for start, stop, cols, buffer in _columns(ctx, chunks):
            product = np.matmul(rows, cols)  # (G, O/G, m*oH*oW)
            # sizes spelled out: with an empty batch NumPy cannot infer a -1
            flat = product.reshape(o, stop - start, out_hw[0] * out_hw[1]).transpose(1, 0, 2)
            if bias is None:
                out[start:stop] = flat
            else:
                np.add(flat, np.asarray(bias, dtype=x.dtype)[:, None], out=out[start:stop])
            if len(chunks) == 1 and need_w:  # one chunk: keep its columns for backward
                ctx.cols = cols
                _buffers.give_when_freed(ctx, buffer)
            else:
                _buffers.give(buffer)
        return out.reshape(n, o, *out_hw)

    @staticmethod
    def backward(ctx, grad):
        need_x, need_w, need_b = needs(ctx, 3)
        groups, o = ctx.groups, ctx.weight_shape[0]
        grad_x = grad_w = grad_b = None
        rows_grad = 0
        grad_xp = np.zeros((groups, ctx.padded_shape[1] // groups, *ctx.padded_shape[0:1],
                            *ctx.padded_shape[2:]), dtype=grad.dtype) if need_x else None
        for start, stop, cols, buffer in _columns(ctx, ctx.chunks, keep=True):
            # this chunk's gradient as (G, O/G, m*oH*oW), the layout of the forward product
            g = np.ascontiguousarray(grad[start:stop].reshape(
                stop - start, o, ctx.out_hw[0] * ctx.out_hw[1]).transpose(1, 0, 2)).reshape(
                groups, o // groups, (stop - start) * ctx.out_hw[0] * ctx.out_hw[1])
            if need_w:
                # (G, K, m*P) @ (G, m*P, O/G) is the faster order for OpenBLAS.
                rows_grad = rows_grad + np.matmul(cols, g.transpose(0, 2, 1))
            if need_x:
                col2im_into(grad_xp[:, :, start:stop], np.matmul(ctx.rows.transpose(0, 2, 1), g),
                            ctx.weight_shape[2:], ctx.stride, ctx.dilation, ctx.out_hw)
            if buffer is not None:
                _buffers.give(buffer)
        if need_w:
            grad_w = _weight_from_rows(rows_grad.transpose(0, 2, 1), ctx.weight_shape)
        if need_b:
            grad_b = grad.sum(axis=(0, 2, 3))
        if need_x:
            n, c, hp, wp = ctx.padded_shape
            (ph, pw) = ctx.padding
            grad_x = grad_xp.reshape(c, n, hp, wp).transpose(1, 0, 2, 3)[:, :, ph:hp - ph,
                                                                         pw:wp - pw]
        return grad_x, grad_w, grad_b

    @staticmethod
    def flops(ctx, inputs, output):
        """A multiply and an add per weight per output pixel."""
        weight = inputs[1].data if hasattr(inputs[1], "data") else inputs[1]
        per_pixel = int(np.prod(np.shape(weight)[1:]))  # C/groups * kH * kW
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
                        stride=3, padding=2),                                 # stride skips pixels
                Example(r.normal(size=(2, 4, 6, 6)), r.normal(size=(6, 2, 3, 2)), r.normal(size=6),
                        groups=2, dilation=(2, 1), padding=1)]                # groups, dilation


class ConvTranspose2dOp(Function):
    """The transpose of `conv2d`: what conv2d's backward does to a gradient, as a layer.

    Each input pixel spreads `weight`-shaped copies of itself onto the output:
    `out[n, o, y*s + i*d - p, x*s + j*d - p] += x[n, c, y, x] * weight[c, o, i, j]`.
    Shapes: x (N, C, H, W), weight (C, O/groups, kH, kW), bias (O,) or None ->
    (N, O, oH, oW) with `oH = (H - 1)*stride - 2*padding + dilation*(kH - 1) + output_padding + 1`.

    Forward is `col2im(weightᵀ @ x)` (conv2d's input gradient); backward is conv2d's
    forward (im2col of the gradient) for the input, and `x @ colsᵀ` for the weight.
    """

    name = "conv_transpose2d"

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride=1, padding=0, output_padding=0, groups=1,
                dilation=1):
        x, weight = np.asarray(x), np.asarray(weight)
        stride, padding, dilation, groups = conv_arguments(
            "conv_transpose2d", x.shape, weight.shape, bias, stride, padding, dilation, groups,
            transposed=True)
        output_padding = pair(output_padding, "output_padding", "conv_transpose2d")
        if any(not 0 <= q < max(s, d) for q, s, d in zip(output_padding, stride, dilation)):
            raise ValueError(f"conv_transpose2d: output_padding {output_padding} must be "
                             f"smaller than stride {stride} or dilation {dilation}")
        n, c, h, w = x.shape
        cg, og, kh, kw = weight.shape[0] // groups, weight.shape[1], *weight.shape[2:]
        padded = tuple((size - 1) * s + d * (k - 1) + 1 + q for size, s, d, k, q in
                       zip((h, w), stride, dilation, (kh, kw), output_padding))
        if padded[0] <= 2 * padding[0] or padded[1] <= 2 * padding[1]:
            raise ValueError(f"conv_transpose2d: padding {padding} leaves no output for input "
                             f"of shape {x.shape} and kernel {(kh, kw)}")
        # rows[g] (kH*kW*O/G, C/G): weight (C, O/G, kH, kW) with rows ordered (i, j, o).
        rows = weight.astype(x.dtype, copy=False).reshape(groups, cg, og, kh, kw).transpose(
            0, 3, 4, 2, 1).reshape(groups, kh * kw * og, cg)
        x2 = np.ascontiguousarray(x.transpose(1, 0, 2, 3)).reshape(groups, cg, n * h * w)
        out_p = col2im(np.matmul(rows, x2), (n, og * groups, *padded), (kh, kw), stride,
                       dilation, (h, w), groups)
        (ph, pw) = padding
        out = out_p[:, :, ph:padded[0] - ph, pw:padded[1] - pw]
        if bias is not None:
            out = out + np.asarray(bias, dtype=x.dtype)[:, None, None]
        need_x, need_w, _ = needs(ctx, 3)
        ctx.rows = rows if need_x else None
        ctx.x2 = x2 if need_w else None
        ctx.args = (stride, padding, dilation, groups, (h, w), (kh, kw), weight.shape, padded)
        return np.ascontiguousarray(out)

    @staticmethod
    def backward(ctx, grad):
        need_x, need_w, need_b = needs(ctx, 3)
        stride, padding, dilation, groups, in_hw, kernel, w_shape, padded = ctx.args
        n = grad.shape[0]
        (ph, pw) = padding
        extra = (padded[0] - 2 * ph - grad.shape[2], padded[1] - 2 * pw - grad.shape[3])
        gp = pad(grad, padding, extra)
        cols = im2col(gp, kernel, stride, dilation, in_hw, groups)  # (G, kH*kW*O/G, N*H*W)
        grad_x = grad_w = grad_b = None
        if need_x:
            gx = np.matmul(ctx.rows.transpose(0, 2, 1), cols)  # (G, C/G, N*H*W)
            grad_x = gx.reshape(gx.shape[0] * gx.shape[1], n, *in_hw).transpose(1, 0, 2, 3)
        if need_w:
            rows_grad = np.matmul(cols, ctx.x2.transpose(0, 2, 1))  # (G, kH*kW*O/G, C/G)
            c, og = w_shape[0], w_shape[1]
            grad_w = rows_grad.reshape(groups, kernel[0], kernel[1], og, c // groups).transpose(
                0, 4, 3, 1, 2).reshape(w_shape)
        if need_b:
            grad_b = grad.sum(axis=(0, 2, 3))
        return grad_x, grad_w, grad_b

    @staticmethod
    def flops(ctx, inputs, output):
        """A multiply and an add per weight per input pixel."""
        x = inputs[0].data if hasattr(inputs[0], "data") else inputs[0]
        weight = inputs[1].data if hasattr(inputs[1], "data") else inputs[1]
        return 2 * int(np.size(x)) * int(np.prod(np.shape(weight)[1:]))

    @staticmethod
    def examples():
        r = np.random.default_rng(1)
        return [Example(r.normal(size=(2, 3, 4, 4)), r.normal(size=(3, 2, 3, 3)), r.normal(size=2)),
                Example(r.normal(size=(2, 2, 3, 4)), r.normal(size=(2, 3, 2, 3)), None, stride=2,
                        padding=1, output_padding=1),
                Example(r.normal(size=(1, 4, 3, 3)), r.normal(size=(4, 1, 3, 2)), r.normal(size=2),
                        stride=(1, 2), groups=2, dilation=2)]
