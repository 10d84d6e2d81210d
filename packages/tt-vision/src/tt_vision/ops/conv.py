"""2-D convolution (really cross-correlation, as in every deep-learning library) and its transpose.

im2col: every kH x kW window of the (padded) input becomes one column of a matrix `cols`
(`kH*kW*C` rows, one column per output pixel of every image), so the convolution is ONE
matrix product `weight (O, kH*kW*C) @ cols` (one per group with `groups`). The backward
pass is two more products with the same matrices; the input's gradient is then added back
from columns to pixels (col2im).

The fast path of `conv2d`, step by step (the simple formula is in the docstring of `Conv2dOp`
and, as a loop, in the tests):
- the batch is cut into chunks of a few images (`_chunk_size`), so that a chunk's columns
  and product fit in a core's cache: the product reads them back from the cache instead
  of memory (whole-batch products of LeNet's layers ran at a third of the speed).
- the columns of a chunk are filled by ONE strided copy: a read-only view of the padded
  chunk whose axes are (kernel offset i, j, channel, output row y, column x) and whose
  strides walk through the image (`as_strided`), copied into a scratch array.
- forward keeps the *batch first*: columns `(m, K, oH*oW)` per image, so the product
  `weight @ cols` (one small matrix product per image, a stacked matmul) is written
  straight into the (N, O, oH, oW) output, and the bias is added in place.
- backward with an input gradient puts the *batch last* inside a chunk: the padded chunk
  is copied once into a (C, Hp, Wp, m) array and the gradient into (O, oH, oW, m). Then
  the pixels of one kernel offset for all windows of all images of the chunk,
  `[:, i:i+oH, j:j+oW, :]`, are runs of `oW*m` contiguous numbers, and the kH*kW `+=` of
  col2im move long runs (batch first they are runs of oW, ~10 numbers, which NumPy adds
  slowly). With the batch last the chunk is one product, kept under OpenBLAS's
  small-matrix size when the layer is small (those kernels ran 3x faster, measured).
- backward rebuilds each chunk's columns from the input (cheap: the copies are cache-hot;
  keeping them would cost more memory than torch's whole step). A first layer (its input
  needs no gradient) runs neither the `weightᵀ @ grad` product nor col2im, and stays
  batch first; if its batch was one chunk, it reuses the columns forward kept.
- the bias gradient is `grad` times a vector of ones per image (a BLAS product, ~1.5x
  NumPy's sum over three axes).
- col2im is `kH*kW` strided `+=`, never a scatter with index arrays; `weightᵀ @ grad` is
  written into the chunk's column array, and scratch arrays of more than a MB come from a
  small pool (`_buffers`): a fresh multi-MB allocation every step costs page faults.
"""

from __future__ import annotations

import math

import numpy as np
from tt_tensor import Example, Function

from tt_vision.ops import _buffers
from tt_vision.ops._windows import (cached, check_4d, col2im, conv_output_size, im2col, needs,
                                    pad, pair, window_view)


def conv_arguments(who, x_shape, w_shape, bias_shape, stride, padding, dilation, groups, *,
                   transposed=False):
    """Check shapes and normalise arguments; returns (stride, padding, dilation, groups).

    `bias_shape` is the bias's shape, or None without a bias.
    """
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
    if bias_shape is not None and tuple(bias_shape) != (out_channels,):
        raise ValueError(f"{who}: bias of shape {tuple(bias_shape)} does not fit weight of shape "
                         f"{tuple(w_shape)}: expected ({out_channels},)")
    return stride, padding, dilation, int(groups)


@cached
def _conv2d_plan(x_shape, w_shape, bias_shape, stride, padding, dilation, groups):
    """conv2d's checked arguments and output size: (stride, padding, dilation, groups, oH/oW)."""
    stride, padding, dilation, groups = conv_arguments(
        "conv2d", x_shape, w_shape, bias_shape, stride, padding, dilation, groups)
    out_hw = conv_output_size("conv2d", x_shape[2:], w_shape[2:], stride, padding, dilation)
    return stride, padding, dilation, groups, out_hw


def _weight_rows(weight: np.ndarray, groups: int) -> np.ndarray:
    """(O, C/G, kH, kW) -> (G, O/G, kH*kW*C/G): the rows of the product, ordered like `cols`."""
    o, cg, kh, kw = weight.shape
    return np.ascontiguousarray(weight.reshape(groups, o // groups, cg, kh, kw).transpose(
        0, 1, 3, 4, 2)).reshape(groups, o // groups, kh * kw * cg)


def _weight_from_rows(rows: np.ndarray, shape) -> np.ndarray:
    """The inverse of `_weight_rows`: (G, O/G, kH*kW*C/G) -> (O, C/G, kH, kW)."""
    o, cg, kh, kw = shape
    g = rows.shape[0]
    return rows.reshape(g, o // g, kh, kw, cg).transpose(0, 1, 4, 2, 3).reshape(shape)


SMALL_PRODUCT = 1_000_000  # multiply-adds up to which OpenBLAS uses its small-matrix kernels
CHUNK_BYTES = 2 * 2**20  # otherwise a chunk's columns and product take about this much (L2)


def _chunk_size(n: int, channels: int, kernel, out_hw, out_channels: int, groups: int,
                itemsize: int, batch_last: bool = True) -> int:
    """How many images one chunk holds (chunks are made as equal as possible).

    `channels` is the input's C. Per image, a product does `O/G * kH*kW*C/G * oH*oW`
    multiply-adds, and the columns and the product take `(kH*kW*C + O) * oH*oW * itemsize`
    bytes. With the batch last (one product per chunk) a chunk holds as many images as keep
    the product under `SMALL_PRODUCT` if that is at least 8 (small layers: OpenBLAS's fast
    small-matrix kernels); otherwise, and always with the batch first (one product per
    image anyway), as many as fit in `CHUNK_BYTES` (at least one). Measured on LeNet-5 and
    a CIFAR-size CNN: whole-batch products of those layers ran at a third to half the speed.
    """
    pixels = out_hw[0] * out_hw[1]
    rows = kernel[0] * kernel[1] * channels  # of all groups' column matrices together
    per_product = (out_channels // groups) * (rows // groups) * pixels
    size = SMALL_PRODUCT // max(per_product, 1) if batch_last else 0
    if size < 8:
        size = CHUNK_BYTES // max((rows + out_channels) * pixels * itemsize, 1)
    size = int(min(max(n, 1), max(size, 1)))
    return -(-n // -(-n // size)) if n else 1  # equal chunks: ceil(n / number of chunks)


def _offset(i: int, j: int, stride, dilation, out_hw) -> tuple[slice, ...]:
    """Element (i, j) of every window of a (..., Hp, Wp, m) array: a (..., oH, oW, m) slice."""
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, out_hw
    return (Ellipsis, slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (ow - 1) + 1, sw), slice(None))


def _padded_into(out: np.ndarray, x: np.ndarray, padding, axis: int) -> np.ndarray:
    """Copy x into the middle of `out`, whose axes `axis`, `axis + 1` are 2*padding larger,
    and zero the borders (a reused scratch array may hold anything there)."""
    (ph, pw), lead = padding, (slice(None),) * axis
    h, w = out.shape[axis] - 2 * ph, out.shape[axis + 1] - 2 * pw
    if ph:
        out[lead + (slice(0, ph),)] = 0
        out[lead + (slice(ph + h, None),)] = 0
    if pw:
        out[lead + (slice(None), slice(0, pw))] = 0
        out[lead + (slice(None), slice(pw + w, None))] = 0
    out[lead + (slice(ph, ph + h), slice(pw, pw + w))] = x
    return out


def _scratch(flat: np.ndarray, shape) -> np.ndarray:
    """The first `prod(shape)` entries of a flat scratch array, as a C-contiguous `shape`."""
    return flat[:math.prod(shape)].reshape(shape)


class _Chunks:
    """The chunk loop of one conv2d call in one layout, and its scratch arrays.

    `batch_last=False`: columns `(m, G, K, oH*oW)` per image (the product comes out as
    (m, O, oH*oW), i.e. NCHW); `batch_last=True`: `(G, K, oH*oW*m)` with the batch as the
    last axis (long runs for col2im; products and gradients are transposed once per chunk).
    K = kH*kW*C/G, rows ordered (i, j, c). Scratch arrays are sized for the largest chunk.
    """

    def __init__(self, ctx, batch_last: bool, dtype) -> None:
        self.ctx, self.batch_last, self.dtype = ctx, batch_last, np.dtype(dtype)
        (n, c), (hp, wp) = ctx.x_shape[:2], ctx.padded_hw
        (kh, kw), (oh, ow), o = ctx.weight_shape[2:], ctx.out_hw, ctx.weight_shape[0]
        self.m = m = _chunk_size(n, c, (kh, kw), ctx.out_hw, o, ctx.groups, self.dtype.itemsize,
                                 batch_last)
        self.sizes = dict(x=c * hp * wp * m, cols=kh * kw * c * oh * ow * m, out=o * oh * ow * m)
        self.flat: dict[str, np.ndarray] = {}

    def ranges(self) -> list[tuple[int, int]]:
        n = self.ctx.x_shape[0]
        return [(start, min(n, start + self.m)) for start in range(0, n, self.m)] or [(0, 0)]

    def array(self, what: str, shape) -> np.ndarray:
        """Scratch array `what` ("x", "cols" or "out") as `shape` (from the pool, once)."""
        if what not in self.flat:
            self.flat[what] = _buffers.take((self.sizes[what],), self.dtype)
        return _scratch(self.flat[what], shape)

    def give_back(self, keep: str | None = None) -> None:
        """Return the scratch arrays to the pool (all but `keep`, which the caller owns)."""
        for what, flat in self.flat.items():
            if what != keep:
                _buffers.give(flat)
        self.flat = {}

    def columns(self, x: np.ndarray, start: int, stop: int) -> np.ndarray:
        """The column matrix of images start..stop-1 of x (N, C, H, W), in this layout.

        The (padded) chunk is copied once (batch first: only when there is padding), then
        every window of it is copied into `cols` by ONE strided copy: a read-only view
        with axes (…, i, j, c, y, x, …) whose strides step through the image
        (`stride`, `dilation` included).
        """
        ctx, m = self.ctx, stop - start
        g, (kh, kw), (oh, ow) = ctx.groups, ctx.weight_shape[2:], ctx.out_hw
        c, cg, (hp, wp) = ctx.x_shape[1], ctx.x_shape[1] // g, ctx.padded_hw
        (sh, sw), (dh, dw) = ctx.stride, ctx.dilation
        if self.batch_last:
            xp = _padded_into(self.array("x", (c, hp, wp, m)),
                              x[start:stop].transpose(1, 2, 3, 0), ctx.padding, 1)
            strides = xp.strides
            shape = (g, kh, kw, cg, oh, ow, m)
            view = (cg * strides[0], dh * strides[1], dw * strides[2], strides[0],
                    sh * strides[1], sw * strides[2], strides[3])
        else:
            xp = x[start:stop] if ctx.padding == (0, 0) else \
                _padded_into(self.array("x", (m, c, hp, wp)), x[start:stop], ctx.padding, 2)
            strides = xp.strides
            shape = (m, g, kh, kw, cg, oh, ow)
            view = (strides[0], cg * strides[1], dh * strides[2], dw * strides[3], strides[1],
                    sh * strides[2], sw * strides[3])
        cols = self.array("cols", shape)
        np.copyto(cols, window_view(xp, shape, view))
        k = kh * kw * cg
        return cols.reshape(g, k, oh * ow * m) if self.batch_last else \
            cols.reshape(m, g, k, oh * ow)


class Conv2dOp(Function):
    """`out[n, o, y, x] = bias[o] + sum over c, i, j of weight[o, c, i, j] * x_padded[n, c, y*s + i*d, x*s + j*d]`.

    (s = stride, d = dilation; with `groups`, output channel o only sees the input channels
    of its group.) Shapes: x (N, C, H, W), weight (O, C/groups, kH, kW), bias (O,) or None
    -> (N, O, oH, oW) with `oH = (H + 2*padding - dilation*(kH - 1) - 1) // stride + 1`.

    Gradients: `grad_weight = grad @ colsᵀ`, `grad_bias = grad summed over (N, oH, oW)`,
    `grad_x = col2im(weightᵀ @ grad)`. The fast path (batch chunks, two layouts) is
    described in the module docstring.
    """

    name = "conv2d"

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride=1, padding=0, dilation=1, groups=1):
        x, weight = np.asarray(x), np.asarray(weight)
        stride, padding, dilation, groups, out_hw = _conv2d_plan(
            x.shape, weight.shape, None if bias is None else np.shape(bias), stride, padding,
            dilation, groups)
        n, o = x.shape[0], weight.shape[0]
        ctx.x, ctx.x_shape, ctx.weight_shape, ctx.padding = x, x.shape, weight.shape, padding
        ctx.padded_hw = (x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1])
        ctx.stride, ctx.dilation, ctx.groups, ctx.out_hw = stride, dilation, groups, out_hw
        ctx.rows = rows = _weight_rows(weight.astype(x.dtype, copy=False), groups)
        need_x, need_w, _ = needs(ctx, 3)
        chunks = _Chunks(ctx, False, x.dtype)  # batch first: the product is the output
        out = np.empty((n, o, *out_hw), dtype=x.dtype)
        b = None if bias is None else np.asarray(bias, dtype=x.dtype)[:, None, None]
        ranges = chunks.ranges()
        for start, stop in ranges:
            cols = chunks.columns(x, start, stop)  # (m, G, K, oH*oW)
            part = out[start:stop].reshape(stop - start, groups, o // groups, cols.shape[-1])
            np.matmul(rows, cols, out=part)
            if b is not None:  # while the chunk's output is in the cache
                out[start:stop] += b
        ctx.cols = None
        if len(ranges) == 1 and need_w and not need_x:  # backward reuses these columns
            ctx.cols = cols
            _buffers.give_when_freed(ctx, chunks.flat["cols"])
            chunks.give_back(keep="cols")
        else:
            chunks.give_back()
        return out

    @staticmethod
    def backward(ctx, grad):
        need_x, need_w, need_b = needs(ctx, 3)
        groups, o, x = ctx.groups, ctx.weight_shape[0], ctx.x
        (kh, kw), (oh, ow), (ph, pw) = ctx.weight_shape[2:], ctx.out_hw, ctx.padding
        (h, w), (hp, wp), c = ctx.x_shape[2:], ctx.padded_hw, ctx.x_shape[1]
        grad = np.asarray(grad, dtype=x.dtype)
        grad_b = None
        if need_b:  # the sum over (N, oH, oW) as products with a vector of ones (BLAS: ~1.5x
            # NumPy's sum over three axes, measured)
            per_image = grad.reshape(grad.shape[0], o, oh * ow) @ np.ones(oh * ow, grad.dtype)
            grad_b = per_image.sum(axis=0)
        if not (need_x or need_w):
            return None, None, grad_b
        chunks = _Chunks(ctx, need_x, x.dtype)  # col2im wants the batch last
        grad_x = np.empty(ctx.x_shape, dtype=x.dtype) if need_x else None
        rows_grad = np.zeros(ctx.rows.shape, dtype=x.dtype) if need_w else None
        offsets = [(i, j) for i in range(kh) for j in range(kw)]  # col2im's, row by row
        where = [_offset(i, j, ctx.stride, ctx.dilation, ctx.out_hw) for i, j in offsets] \
            if need_x else []
        for start, stop in chunks.ranges():
            m = stop - start
            if not need_x:  # batch first: (m, G, O/G, oH*oW) and (m, G, K, oH*oW), per image
                cols = ctx.cols if ctx.cols is not None else chunks.columns(x, start, stop)
                g = grad[start:stop].reshape(m, groups, o // groups, oh * ow)
                rows_grad += np.matmul(g, cols.swapaxes(-1, -2)).sum(axis=0)
                continue
            # batch last: this chunk's gradient as (G, O/G, oH*oW*m), copied once
            g = chunks.array("out", (o, oh, ow, m))
            g[...] = grad[start:stop].transpose(1, 2, 3, 0)
            g = g.reshape(groups, o // groups, oh * ow * m)
            if need_w:
                cols = chunks.columns(x, start, stop)
                # colsᵀ-side order, (G, K, m*P) @ (G, m*P, O/G), is the faster one for OpenBLAS
                rows_grad += np.matmul(cols, g.transpose(0, 2, 1)).transpose(0, 2, 1)
            # weightᵀ @ grad, written into the chunk's column array (no longer read)
            grad_cols = chunks.array("cols", (groups, kh * kw * (c // groups), oh * ow * m))
            np.matmul(ctx.rows.transpose(0, 2, 1), g, out=grad_cols)
            parts = grad_cols.reshape(groups, kh, kw, c // groups, oh, ow, m)
            gxt = chunks.array("x", (c, hp, wp, m))
            gxt[...] = 0
            per_group = gxt.reshape(groups, c // groups, hp, wp, m)
            for (i, j), index in zip(offsets, where):  # runs of oW*m numbers (stride 1)
                per_group[index] += parts[:, i, j]
            grad_x[start:stop] = gxt[:, ph:ph + h, pw:pw + w].transpose(3, 0, 1, 2)
        chunks.give_back()
        grad_w = None if rows_grad is None else _weight_from_rows(rows_grad, ctx.weight_shape)
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
            "conv_transpose2d", x.shape, weight.shape, None if bias is None else np.shape(bias),
            stride, padding, dilation, groups, transposed=True)
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
