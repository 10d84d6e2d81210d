"""The `gelu` op: x·Φ(x), the Gaussian error linear unit (GPT and BERT's activation)."""

import math

import numpy as np
from tt_tensor import Example, Function

from tt_nn.ops.erf import gelu_float32, normal_cdf

_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)  # a Python float: keeps float32 arrays float32


class GELUOp(Function):
    """gelu(x) = x·Φ(x), Φ the standard normal CDF = (1 + erf(x/√2)) / 2.

    With approximate="tanh": 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))), as in PyTorch.
    Derivative (exact form): Φ(x) + x·φ(x), φ the normal density.

    Fast path: a float32 input goes through `gelu_float32` (see `tt_nn.ops.erf`), which
    computes the output and the slope together in ~25 cache-resident NumPy passes; forward
    keeps only the slope, so backward is one multiplication. Other float dtypes use the
    float64 formula `x * normal_cdf(x)` (exact to 1e-16). Integer and bool inputs are a
    TypeError, as in PyTorch.
    """

    name = "gelu"

    @staticmethod
    def forward(ctx, x, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        if np.asarray(x).dtype.kind != "f":
            raise TypeError(f"gelu: input must be a floating-point tensor, got dtype "
                            f"{np.asarray(x).dtype} (convert it with .float())")
        ctx.approximate = approximate
        if approximate == "none":
            if x.dtype == np.float32:
                out, ctx.slope = gelu_float32(x, slope=True in ctx.needs_grad)
                return out
            cdf, pdf = normal_cdf(x)
            if True in ctx.needs_grad:  # backward needs the slope Φ + x·φ: build it in pdf's memory
                pdf *= x
                pdf += cdf
                ctx.slope = pdf
            return x * cdf
        # Python floats keep float32 arrays float32 (NumPy scalars would promote them).
        # x*x*x rather than x**3: NumPy's general power is far slower than two products.
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x))
        th = np.tanh(inner)
        ctx.x, ctx.tanh = x, th
        return 0.5 * x * (1 + th)

    @staticmethod
    def backward(ctx, grad):
        if ctx.approximate == "none":
            return (grad * ctx.slope,)
        x, th = ctx.x, ctx.tanh
        d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
        return (grad * (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * d_inner),)

    @staticmethod
    def flops(ctx, inputs, output):
        return int(8 * output.size)

    @staticmethod
    def examples():
        x = np.random.default_rng(0).normal(size=(3, 4)) * 2
        return [Example(x), Example(x, approximate="tanh")]
