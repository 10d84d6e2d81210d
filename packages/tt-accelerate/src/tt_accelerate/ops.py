"""tt-accelerate's ops: the same names, arguments and results as the NumPy ops they replace.

Each op is a `Function` with forward and backward side by side, like every tt op. The
arithmetic runs in the compiled loops of `tt_accelerate.kernels`; argument checks, shapes
and what is saved for backward are here, in plain Python. A case a kernel does not cover
(GELU's tanh approximation, pooling windows other than 2x2 with stride 2, convolutions
other than small stride-1 ones, a dtype other than float32/float64) runs the NumPy op
itself, through the same `ctx`, so the op always
means exactly what the NumPy op means.

Nothing here imports numba or the replaced ops at import time: the registry imports this
module whenever one of their names is first looked up, chosen or not, so it must be
cheap. The kernels are compiled (or loaded from numba's cache) on first call.
"""

from __future__ import annotations

import importlib
import math
import threading

import numpy as np
from tt_tensor import Example, Function

# Native-byte-order float32 and float64: what the kernels are compiled for.
FAST_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


_KERNELS = None  # the kernels module, once imported


def kernels():
    """The compiled kernels module (importing numba on first use)."""
    global _KERNELS
    if _KERNELS is not None:
        return _KERNELS
    try:
        _KERNELS = importlib.import_module("tt_accelerate.kernels")
        return _KERNELS
    except ImportError as error:
        raise ImportError(f"tt-accelerate's kernels need numba ({error}); install it with "
                          "`pip install numba`, or switch the accelerator off with "
                          "tt_accelerate.disable()") from error


def base(name: str) -> type:
    """The NumPy op that `name`'s accelerated op stands in for (its reference)."""
    if name == "gelu":
        from tt_nn.ops.activations import GELUOp
        return GELUOp
    if name == "layer_norm":
        from tt_nn.ops.normalization import LayerNormOp
        return LayerNormOp
    if name == "relu":
        from tt_tensor.ops.elementwise import ReLUOp
        return ReLUOp
    if name == "max_pool2d":
        from tt_vision.ops.pooling import MaxPool2dOp
        return MaxPool2dOp
    if name == "conv2d":
        from tt_vision.ops.conv import Conv2dOp
        return Conv2dOp
    raise KeyError(name)


def _in_memory_order(a: np.ndarray) -> np.ndarray:
    """`a` itself if it is C- or F-contiguous, else a C-contiguous copy.

    Elementwise kernels walk an array in memory order (`ravel(order="K")` is then a view).
    A column-major array, such as `linear`'s output for a few rows, is processed as it
    lies and its results keep its layout: transposing it into row order would cost a slow
    copy, and NumPy is many times slower on later ops that mix the two layouts.
    """
    return a if a.flags.c_contiguous or a.flags.f_contiguous else np.ascontiguousarray(a)


def _flat(a: np.ndarray) -> np.ndarray:
    """The values of a C- or F-contiguous array as a 1-D view, in memory order."""
    return a.ravel(order="K")


def _same_layout(a: np.ndarray, b: np.ndarray) -> bool:
    """True when two arrays of one shape lie in memory in the same order (flat views match)."""
    return ((a.flags.c_contiguous and b.flags.c_contiguous)
            or (a.flags.f_contiguous and b.flags.f_contiguous))


class GELUOp(Function):
    """gelu(x) = x·Φ(x) (exact erf form) in one compiled pass; same op as tt-nn's `gelu`.

    Forward computes the output and, when a gradient is wanted, the slope Φ(x) + x·φ(x)
    in the same loop (`kernels.gelu_float32`: one read of x, two writes, no temporaries;
    tt-nn's float32 path makes ~25 NumPy passes for the same Hastings formula). Backward is
    `grad * slope`, one pass. Float64 uses the C library's erf (exact to rounding).
    `approximate="tanh"` and other dtypes run tt-nn's op unchanged.
    """

    name = "gelu"
    saves_inputs = True
    saves_output = False

    @staticmethod
    def forward(ctx, x, approximate="none"):
        x = np.asarray(x)
        if approximate != "none" or x.dtype not in FAST_DTYPES:
            ctx.fallback = base("gelu")
            return ctx.fallback.forward(ctx, x, approximate)
        ctx.fallback = None
        x = _in_memory_order(x)
        out = np.empty_like(x)  # (empty_like keeps x's layout)
        with_slope = True in ctx.needs_grad
        slope = np.empty_like(x) if with_slope else np.empty(0, dtype=x.dtype)
        kernel = kernels().gelu_float32 if x.dtype == np.float32 else kernels().gelu_float64
        kernel(_flat(x), _flat(out), _flat(slope), with_slope)
        ctx.slope = slope if with_slope else None
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.fallback is not None:
            return ctx.fallback.backward(ctx, grad)
        return (grad * ctx.slope,)

    @staticmethod
    def flops(ctx, inputs, output):
        return base("gelu").flops(ctx, inputs, output)

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        x = r.normal(size=(3, 4)) * 2
        wide = np.linspace(-9, 9, 13)  # both tails and the middle of the Hastings formula
        return [Example(x), Example(wide), Example(np.array(0.7)),
                Example(x, approximate="tanh")]


class ReLUOp(Function):
    """max(x, 0) with its mask in one compiled pass, and `grad · mask` in another; same op
    as tt-tensor's `relu` (`kernels.relu_forward`, `kernels.relu_backward`). Other dtypes
    (integers, half) run tt-tensor's op unchanged."""

    name = "relu"
    saves_inputs = False  # backward reads the mask, no input value
    saves_output = False

    @staticmethod
    def forward(ctx, a):
        a = np.asarray(a)
        if a.dtype not in FAST_DTYPES:
            ctx.fallback = base("relu")
            return ctx.fallback.forward(ctx, a)
        ctx.fallback = None
        a = _in_memory_order(a)
        out = np.empty_like(a)  # (empty_like keeps a's layout)
        wanted = True in ctx.needs_grad
        mask = np.empty_like(a, dtype=np.bool_) if wanted else np.empty(0, dtype=np.bool_)
        kernels().relu_forward(_flat(a), _flat(out), _flat(mask))
        ctx.mask = mask if wanted else None
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.fallback is not None:
            return ctx.fallback.backward(ctx, grad)
        grad, mask = np.asarray(grad), ctx.mask
        if not _same_layout(grad, mask):
            return (grad * mask,)  # layouts differ: NumPy pairs the elements up (same values)
        out = np.empty_like(grad)
        kernels().relu_backward(_flat(grad), _flat(mask), _flat(out))
        return (out,)

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        x = r.normal(size=(3, 4))
        return [Example(np.where(np.abs(x) < 0.1, 0.5, x)),  # away from the kink at 0
                Example(np.array([-2.0, 0.7, 3.0]))]


class LayerNormOp(Function):
    """LayerNorm with the row statistics and all three gradients in one compiled sweep per
    row; same op as tt-nn's `layer_norm` (same arguments: weight and bias may be None,
    `normalized_ndim` trailing dimensions are normalised, biased variance, `eps`).

    Forward (`kernels.layer_norm_forward`) keeps the input, and each row's mean and 1/std,
    as PyTorch does; backward (`kernels.layer_norm_backward`) recomputes x̂ row by row in
    cache. Statistics and the weight/bias gradients are accumulated in float64. Dtypes other
    than float32/float64 run tt-nn's op unchanged.
    """

    name = "layer_norm"
    saves_inputs = True
    saves_output = False

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, normalized_ndim=1, eps=1e-5):
        x = np.asarray(x)
        feature_shape = x.shape[x.ndim - normalized_ndim:]
        features = math.prod(feature_shape)
        # The kernel reads weight[j] and bias[j] for every feature j unchecked: anything but
        # one matching value per feature (and the input's dtype) goes to tt-nn's op, which
        # raises or promotes exactly as it always does.
        fits = all(p is None or (np.asarray(p).dtype == x.dtype and np.size(p) == features)
                   for p in (weight, bias))
        if x.dtype not in FAST_DTYPES or not fits or not features:
            ctx.fallback = base("layer_norm")
            return ctx.fallback.forward(ctx, x, weight, bias, normalized_ndim, eps)
        ctx.fallback = None
        rows = np.ascontiguousarray(x).reshape(-1, features)
        empty = np.empty(0, dtype=x.dtype)
        w = empty if weight is None else np.ascontiguousarray(weight).reshape(-1)
        b = empty if bias is None else np.ascontiguousarray(bias).reshape(-1)
        out = np.empty_like(rows)
        mean = np.empty(rows.shape[0])
        rstd = np.empty(rows.shape[0])
        kernels().layer_norm_forward(rows, w, b, float(eps), out, mean, rstd)
        ctx.rows, ctx.weight, ctx.mean, ctx.rstd = rows, w, mean, rstd
        ctx.feature_shape, ctx.shape = feature_shape, x.shape
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        if ctx.fallback is not None:
            return ctx.fallback.backward(ctx, grad)
        needs = ctx.needs_grad
        rows = ctx.rows
        want_w = len(needs) > 1 and needs[1]
        want_b = len(needs) > 2 and needs[2]
        features = rows.shape[1]
        g = np.ascontiguousarray(grad, dtype=rows.dtype).reshape(rows.shape)
        grad_x = np.empty_like(rows) if needs[0] else np.empty((0, features), dtype=rows.dtype)
        grad_w = np.zeros(features if want_w else 0)
        grad_b = np.zeros(features if want_b else 0)
        kernels().layer_norm_backward(g, rows, ctx.weight, ctx.mean, ctx.rstd,
                                      grad_x, grad_w, grad_b, bool(needs[0]))
        dtype = rows.dtype
        return (grad_x.reshape(ctx.shape) if needs[0] else None,
                grad_w.astype(dtype).reshape(ctx.feature_shape) if want_w else None,
                grad_b.astype(dtype).reshape(ctx.feature_shape) if want_b else None)

    @staticmethod
    def flops(ctx, inputs, output):
        return base("layer_norm").flops(ctx, inputs, output)

    @staticmethod
    def examples():
        # tt-nn's own cases (with and without weight and bias, two normalised dimensions),
        # and a weight without a bias at another eps.
        r = np.random.default_rng(0)
        x = r.normal(size=(3, 5)) * 2 + 1
        return base("layer_norm").examples() + [Example(x, r.normal(size=5), None, eps=1e-3)]


class MaxPool2dOp(Function):
    """The 2x2, stride-2 max pool (LeNet's and most CNNs') in one compiled pass each way;
    same op as tt-vision's `max_pool2d` (same arguments, checks and winners).

    Forward (`kernels.max_pool2x2_forward`) keeps one byte per output, which of the four
    window elements won; backward (`kernels.max_pool2x2_backward`) writes each gradient
    there and zeros elsewhere. Any other window (size, stride, padding, dilation,
    ceil_mode's partial windows) or dtype runs tt-vision's op unchanged.
    """

    name = "max_pool2d"
    saves_inputs = True
    saves_output = False

    @staticmethod
    def forward(ctx, x, *, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
        from tt_vision.ops.pooling import pool_arguments

        x = np.asarray(x)
        kernel, stride_, padding_, dilation_, out_hw, extra = pool_arguments(
            "max_pool2d", x.shape, kernel_size, stride, padding, dilation, ceil_mode)
        pairs = kernel == stride_ == (2, 2) and padding_ == (0, 0) and dilation_ == (1, 1) \
            and extra == (0, 0)
        if not pairs or x.dtype not in FAST_DTYPES:
            ctx.fallback = base("max_pool2d")
            return ctx.fallback.forward(ctx, x, kernel_size=kernel_size, stride=stride,
                                        padding=padding, dilation=dilation, ceil_mode=ceil_mode)
        ctx.fallback = None
        ctx.count = 4  # for the FLOP counter (tt-vision's flops reads it)
        record = bool(ctx.needs_grad) and ctx.needs_grad[0]
        out = np.empty((*x.shape[:2], *out_hw), dtype=x.dtype)
        winner = np.empty(out.shape if record else (0, 0, 0, 0), dtype=np.uint8)
        kernels().max_pool2x2_forward(np.ascontiguousarray(x), out, winner)
        ctx.winner, ctx.shape = winner, x.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.fallback is not None:
            return ctx.fallback.backward(ctx, grad)
        g = np.ascontiguousarray(grad)
        oh, ow = g.shape[2:]
        exact = ctx.shape[2:] == (2 * oh, 2 * ow)  # odd sizes leave a row/column untouched
        grad_x = (np.empty if exact else np.zeros)(ctx.shape, dtype=g.dtype)
        kernels().max_pool2x2_backward(g, ctx.winner, grad_x)
        return (grad_x,)

    @staticmethod
    def flops(ctx, inputs, output):
        return base("max_pool2d").flops(ctx, inputs, output)

    @staticmethod
    def examples():
        # tt-vision's own cases (the kernel's 2x2 windows and those it hands back to
        # tt-vision's op), and more for the kernel, with distinct values as there (a
        # shuffled range: every maximum is clear of its runner-up by more than the
        # finite-difference step).
        r = np.random.default_rng(0)

        def image(*shape):
            return r.permutation(np.prod(shape)).reshape(shape) * 0.1

        return base("max_pool2d").examples() + [
            Example(image(2, 1, 5, 7), kernel_size=2),                 # odd sizes
            Example(image(1, 2, 6, 6), kernel_size=(2, 2), stride=2),
            Example(image(1, 2, 6, 7), kernel_size=2, padding=1, ceil_mode=True)]


CONV_RUN = 2048  # numbers per run (oW*m): chunks of m = CONV_RUN // oW images (LeNet: 73, 204)


def _conv_chunks(n: int, ow: int) -> list[tuple[int, int]]:
    """(start, m) of equal chunks of about `CONV_RUN // oW` images covering the batch of n.

    The kernels' loops run along oW*m numbers: long enough that loop overheads vanish,
    short enough that an accumulator run and the input rows it reads stay in L1/L2
    (measured on LeNet's layers: chunks of 32 images were ~10 % slower than runs of
    1280-3072 numbers, which were alike)."""
    size = max(1, CONV_RUN // max(ow, 1))
    count = -(-n // size)
    size = -(-n // count)
    return [(start, min(size, n - start)) for start in range(0, n, size)]
# Layers the direct loop takes (measured against tt-vision's op, fwd+bwd, one thread): LeNet's
# 1->6 and 6->16 5x5 layers (25 and 150 weights per output) ran in 0.56-0.79 of its time;
# the CIFAR-size CNN's first layer, 3->32 3x3 (27 weights, 32 outputs), in 1.34: slower.
CONV_MAX_WEIGHTS = 160  # C_in*kH*kW per output channel
CONV_MAX_OUT = 16  # output channels

_scratch_arrays = threading.local()  # per thread: {(use, shape, dtype): array}
SCRATCH_KEPT = 8  # arrays kept per thread (a model's layers and chunk sizes; < 1 MB each for LeNet)


def _scratch(what: str, shape, dtype) -> np.ndarray:
    """A scratch array kept between calls (this thread's, so threads never share one), so a
    training step does not allocate, and page-fault, it again. The kernel using it
    overwrites its contents. At most `SCRATCH_KEPT` are kept, the oldest dropped first."""
    arrays = _scratch_arrays.__dict__
    key = (what, tuple(shape), np.dtype(dtype).str)
    if key not in arrays:
        if len(arrays) >= SCRATCH_KEPT:
            del arrays[next(iter(arrays))]
        arrays[key] = np.empty(shape, dtype=dtype)
    return arrays[key]


def _needs(ctx, count: int) -> tuple[bool, ...]:
    """`ctx.needs_grad` as exactly `count` flags (all False when nothing is recorded)."""
    flags = tuple(bool(f) for f in getattr(ctx, "needs_grad", ()))
    return (flags + (False,) * count)[:count]


class Conv2dOp(Function):
    """Direct (loop) convolution for small layers, stride 1; same op as tt-vision's `conv2d`
    (same arguments, checks, shapes and gradients).

    `out[n, o, y, x] = bias[o] + sum over c, i, j of weight[o, c, i, j] * x_padded[n, c, y + i, x + j]`.

    tt-vision's op lowers the convolution to matrix products (im2col + BLAS). For LeNet's
    layers (1 -> 6 and 6 -> 16 channels, 5x5) those products are skinny (6 or 16 rows) and
    the column matrices 25 or 150 times the input: copying them costs as much as the
    products. Here nothing is copied but the input itself: the batch is cut into chunks of
    about `CONV_RUN // oW` images, each chunk copied once, padded, with the batch as the last axis
    (`kernels.conv2d_pad_batch_last`), so that one output row of one channel for all images
    of the chunk is a single contiguous run, and so is the input each kernel weight
    multiplies. The loops (`kernels.conv2d_forward`, `kernels.conv2d_backward`) then run
    along these runs with the weights in registers; the section comment in `kernels.py`
    explains the order. Backward rebuilds the chunk's padded copy from the input (cheap),
    computes the weight and bias gradients as dot products along the same runs and, only if
    the input needs a gradient (not for a first layer: `ctx.needs_grad`), the input's
    gradient as the correlation of the gradient with the flipped kernel.

    Covered: float32/float64 (weight and bias of the input's dtype), stride 1, dilation 1,
    groups 1, any zero padding, `C_in*kH*kW <= CONV_MAX_WEIGHTS` and
    `C_out <= CONV_MAX_OUT`. Everything else runs tt-vision's op unchanged.
    """

    name = "conv2d"
    saves_inputs = True
    saves_output = False

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride=1, padding=0, dilation=1, groups=1):
        from tt_vision.ops.conv import conv_arguments, conv_output_size

        x, weight = np.asarray(x), np.asarray(weight)
        stride_, padding_, dilation_, groups_ = conv_arguments(
            "conv2d", x.shape, weight.shape, None if bias is None else np.shape(bias), stride,
            padding, dilation, groups)
        out_hw = conv_output_size("conv2d", x.shape[2:], weight.shape[2:], stride_, padding_,
                                  dilation_)
        o, c, kh, kw = weight.shape
        fits = (stride_ == dilation_ == (1, 1) and groups_ == 1 and x.dtype in FAST_DTYPES
                and weight.dtype == x.dtype and (bias is None or np.asarray(bias).dtype == x.dtype)
                and c * kh * kw <= CONV_MAX_WEIGHTS and o <= CONV_MAX_OUT and x.shape[0] > 0)
        if not fits:
            ctx.fallback = base("conv2d")
            return ctx.fallback.forward(ctx, x, weight, bias, stride=stride, padding=padding,
                                        dilation=dilation, groups=groups)
        ctx.fallback = None
        k = kernels()
        weight = np.ascontiguousarray(weight)
        b = np.empty(0, x.dtype) if bias is None else np.ascontiguousarray(bias).reshape(-1)
        n, (ph, pw) = x.shape[0], padding_
        out = np.empty((n, o, *out_hw), dtype=x.dtype)
        hp, wp = x.shape[2] + 2 * ph, x.shape[3] + 2 * pw
        for start, m in _conv_chunks(n, out_hw[1]):  # chunks of images, not single images
            xp = _scratch("x", (c, hp, wp, m), x.dtype)
            k.conv2d_pad_batch_last(x, start, ph, pw, xp)
            k.conv2d_forward(xp, weight, b, out, start)
        ctx.x, ctx.weight, ctx.padding = x, weight, padding_
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.fallback is not None:
            return ctx.fallback.backward(ctx, grad)
        want_x, want_w, want_b = _needs(ctx, 3)
        x, weight, (ph, pw) = ctx.x, ctx.weight, ctx.padding
        grad = np.ascontiguousarray(grad, dtype=x.dtype)
        k = kernels()
        n, c, h, w = x.shape
        hp, wp = h + 2 * ph, w + 2 * pw
        grad_w = np.zeros(weight.shape if want_w else (0, 0, 0, 0))
        grad_b = np.zeros(weight.shape[0] if want_b else 0)
        grad_x = np.empty(x.shape, dtype=x.dtype) if want_x else None
        if want_x or want_w or want_b:
            for start, m in _conv_chunks(n, grad.shape[3]):
                xp = _scratch("x", (c, hp, wp, m), x.dtype)
                if want_w:
                    k.conv2d_pad_batch_last(x, start, ph, pw, xp)
                gxp = _scratch("grad_x", (c, hp, wp, m) if want_x else (0, 0, 0, 0), x.dtype)
                k.conv2d_backward(xp, grad, start, weight, grad_w, grad_b, gxp, want_w, want_b,
                                  want_x)
                if want_x:
                    k.conv2d_unpad_batch_first(gxp, start, ph, pw, grad_x)
        return (grad_x, grad_w.astype(x.dtype) if want_w else None,
                grad_b.astype(x.dtype) if want_b else None)

    @staticmethod
    def flops(ctx, inputs, output):
        return base("conv2d").flops(ctx, inputs, output)

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        x = r.normal(size=(2, 3, 6, 6))
        return [Example(x, r.normal(size=(4, 3, 3, 3)), r.normal(size=4)),
                Example(x, r.normal(size=(2, 3, 5, 5)), None, padding=2),       # five columns
                Example(r.normal(size=(3, 1, 7, 8)), r.normal(size=(2, 1, 5, 6)), r.normal(size=2),
                        padding=(1, 2)),                                       # 5 + 1 columns
                Example(r.normal(size=(2, 2, 4, 4)), r.normal(size=(3, 2, 1, 1)), None),  # 1x1
                Example(x, r.normal(size=(2, 3, 3, 3)), None, stride=2, padding=1)]  # tt-vision's


OP_CLASSES = (GELUOp, ReLUOp, LayerNormOp, MaxPool2dOp, Conv2dOp)
