"""The `gelu` op: x·Φ(x), the Gaussian error linear unit (GPT and BERT's activation)."""

import math

import numpy as np
from tt_tensor import Example, Function

from tt_nn.ops.erf import normal_cdf

_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)  # a Python float: keeps float32 arrays float32


class GELU(Function):
    """gelu(x) = x·Φ(x), Φ the standard normal CDF = (1 + erf(x/√2)) / 2.

    With approximate="tanh": 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))), as in PyTorch.
    Derivative (exact form): Φ(x) + x·φ(x), φ the normal density.
    """

    name = "gelu"

    @staticmethod
    def forward(ctx, x, approximate="none"):
        ctx.approximate = approximate
        if approximate == "none":
            cdf, pdf = normal_cdf(x)
            if ctx.needs_grad:  # backward needs the slope Φ + x·φ: build it in pdf's memory
                pdf *= x
                pdf += cdf
                ctx.slope = pdf
            return x * cdf
        if approximate == "tanh":
            # Python floats keep float32 arrays float32 (NumPy scalars would promote them).
            inner = _SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)
            th = np.tanh(inner)
            ctx.x, ctx.tanh = x, th
            return 0.5 * x * (1 + th)
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")

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
