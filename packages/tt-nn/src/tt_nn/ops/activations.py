"""The `gelu` op: x·Φ(x), the Gaussian error linear unit (GPT and BERT's activation)."""

import numpy as np
from tt_tensor import Example, Function

from tt_nn.ops.erf import erf

_SQRT_HALF = np.sqrt(0.5)
_INV_SQRT_2PI = 1 / np.sqrt(2 * np.pi)
_SQRT_2_OVER_PI = np.sqrt(2 / np.pi)


class GELU(Function):
    """gelu(x) = x·Φ(x), Φ the standard normal CDF = (1 + erf(x/√2)) / 2.

    With approximate="tanh": 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))), as in PyTorch.
    Derivative (exact form): Φ(x) + x·φ(x), φ the normal density.
    """

    name = "gelu"

    @staticmethod
    def forward(ctx, x, approximate="none"):
        if approximate == "none":
            cdf = (0.5 * (1.0 + erf(x * _SQRT_HALF))).astype(x.dtype, copy=False)
            ctx.x, ctx.cdf, ctx.approximate = x, cdf, approximate
            return x * cdf
        if approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)
            th = np.tanh(inner)
            ctx.x, ctx.tanh, ctx.approximate = x, th, approximate
            return 0.5 * x * (1 + th)
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        if ctx.approximate == "none":
            pdf = _INV_SQRT_2PI * np.exp(-0.5 * x * x)
            return (grad * (ctx.cdf + x * pdf),)
        th = ctx.tanh
        d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
        return (grad * (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * d_inner),)

    @staticmethod
    def flops(ctx, inputs, output):
        return int(8 * output.size)

    @staticmethod
    def examples():
        x = np.random.default_rng(0).normal(size=(3, 4)) * 2
        return [Example(x), Example(x, approximate="tanh")]
