"""tt-accelerate's ops: the same names, arguments and results as the NumPy ops they replace.

Each op is a `Function` with forward and backward side by side, like every tt op. The
arithmetic runs in the compiled loops of `tt_accelerate.kernels`; argument checks, shapes
and what is saved for backward are here, in plain Python. A case a kernel does not cover
(GELU's tanh approximation, pooling windows other than 2x2 with stride 2, a dtype other
than float32/float64) runs the NumPy op itself, through the same `ctx`, so the op always
means exactly what the NumPy op means.

Nothing here imports numba or the replaced ops at import time: the registry imports this
module whenever one of their names is first looked up, chosen or not, so it must be
cheap. The kernels are compiled (or loaded from numba's cache) on first call.
"""

from __future__ import annotations

import importlib
import math

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
    raise KeyError(name)


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
        flat = np.ascontiguousarray(x).reshape(-1)
        out = np.empty_like(flat)
        with_slope = True in ctx.needs_grad
        slope = np.empty_like(flat) if with_slope else np.empty(0, dtype=x.dtype)
        kernel = kernels().gelu_float32 if x.dtype == np.float32 else kernels().gelu_float64
        kernel(flat, out, slope, with_slope)
        ctx.slope = slope.reshape(x.shape) if with_slope else None
        return out.reshape(x.shape)

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
        flat = np.ascontiguousarray(a).reshape(-1)
        out = np.empty_like(flat)
        mask = np.empty(flat.size if True in ctx.needs_grad else 0, dtype=np.bool_)
        kernels().relu_forward(flat, out, mask)
        ctx.mask = mask.reshape(a.shape) if True in ctx.needs_grad else None
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx, grad):
        if ctx.fallback is not None:
            return ctx.fallback.backward(ctx, grad)
        grad = np.asarray(grad)
        out = np.empty(grad.shape, dtype=grad.dtype)  # (ascontiguousarray makes 0-d into 1-d)
        kernels().relu_backward(np.ascontiguousarray(grad).reshape(-1), ctx.mask.reshape(-1),
                                out.reshape(-1))
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
        r = np.random.default_rng(0)
        x = r.normal(size=(3, 5)) * 2 + 1
        return [Example(x, 1 + r.normal(size=5) * 0.1, r.normal(size=5)),
                Example(r.normal(size=(2, 3, 4)), r.normal(size=(3, 4)), r.normal(size=(3, 4)),
                        normalized_ndim=2),
                Example(x),
                Example(x, r.normal(size=5), None, eps=1e-3)]


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
        # Distinct values (a shuffled range), as tt-vision's examples: every maximum is
        # clear of its runner-up by more than the finite-difference step.
        r = np.random.default_rng(0)

        def image(*shape):
            return r.permutation(np.prod(shape)).reshape(shape) * 0.1

        return [Example(image(2, 3, 4, 4), kernel_size=2),
                Example(image(2, 1, 5, 7), kernel_size=2),                 # odd sizes
                Example(image(1, 2, 6, 6), kernel_size=(2, 2), stride=2),
                Example(image(2, 2, 5, 5), kernel_size=3, stride=1),       # tt-vision's op
                Example(image(1, 2, 6, 7), kernel_size=2, padding=1, ceil_mode=True)]


OP_CLASSES = (GELUOp, ReLUOp, LayerNormOp, MaxPool2dOp)
