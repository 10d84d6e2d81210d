"""Functions applied to each element: exp, log, sqrt, tanh, sigmoid, relu, abs, clamp, maximum.

Each backward multiplies the incoming gradient by the function's derivative, written in
terms of what forward already computed where that is cheaper (tanh' = 1 - tanh²).
"""

import numpy as np

from tt_tensor.function import Example, Function, unbroadcast
from tt_tensor.ops._errors import broadcast_error


def _normal(*shape):
    return np.random.default_rng(0).normal(size=shape)


def _positive(*shape):
    return np.random.default_rng(0).uniform(0.5, 2.0, shape)


def _away_from_zero(*shape):
    """Values at least 0.1 from 0, where |x| and relu have their kink."""
    x = _normal(*shape)
    return np.where(np.abs(x) < 0.1, 0.5, x)


class Exp(Function):
    """e ** a."""

    name = "exp"

    @staticmethod
    def forward(ctx, a):
        ctx.out = np.exp(a)
        return ctx.out

    @staticmethod
    def backward(ctx, grad):
        return (grad * ctx.out,)

    @staticmethod
    def examples():
        return [Example(_normal(3, 4))]


class Log(Function):
    """Natural logarithm (log 0 = -inf, log of a negative number = nan, as in PyTorch)."""

    name = "log"

    @staticmethod
    def forward(ctx, a):
        ctx.a = a
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a)

    @staticmethod
    def backward(ctx, grad):
        return (grad / ctx.a,)

    @staticmethod
    def examples():
        return [Example(_positive(3, 4))]


class Sqrt(Function):
    """Square root."""

    name = "sqrt"

    @staticmethod
    def forward(ctx, a):
        with np.errstate(invalid="ignore"):
            ctx.out = np.sqrt(a)
        return ctx.out

    @staticmethod
    def backward(ctx, grad):
        return (grad / (2 * ctx.out),)

    @staticmethod
    def examples():
        return [Example(_positive(3, 4))]


class Tanh(Function):
    """Hyperbolic tangent; derivative 1 - tanh²."""

    name = "tanh"

    @staticmethod
    def forward(ctx, a):
        ctx.out = np.tanh(a)
        return ctx.out

    @staticmethod
    def backward(ctx, grad):
        return (grad * (1 - ctx.out * ctx.out),)

    @staticmethod
    def examples():
        return [Example(_normal(3, 4))]


def stable_sigmoid(a: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-a) without overflow: uses e^-|a|, which is never larger than 1."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


class Sigmoid(Function):
    """Logistic sigmoid, stable for large |a|; derivative s(1 - s)."""

    name = "sigmoid"

    @staticmethod
    def forward(ctx, a):
        ctx.out = stable_sigmoid(a)
        return ctx.out

    @staticmethod
    def backward(ctx, grad):
        return (grad * ctx.out * (1 - ctx.out),)

    @staticmethod
    def examples():
        return [Example(_normal(3, 4))]


class ReLU(Function):
    """max(a, 0); the gradient passes where a > 0."""

    name = "relu"

    @staticmethod
    def forward(ctx, a):
        ctx.mask = a > 0
        return np.maximum(a, 0)

    @staticmethod
    def backward(ctx, grad):
        return (grad * ctx.mask,)

    @staticmethod
    def examples():
        return [Example(_away_from_zero(3, 4))]


class Abs(Function):
    """|a|; derivative sign(a)."""

    name = "abs"

    @staticmethod
    def forward(ctx, a):
        ctx.a = a
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        return (grad * np.sign(ctx.a),)

    @staticmethod
    def examples():
        return [Example(_away_from_zero(3, 4))]


class Clamp(Function):
    """Limit to [min, max] (either may be None); no gradient where a limit bit."""

    name = "clamp"

    @staticmethod
    def forward(ctx, a, min=None, max=None):  # noqa: A002
        ctx.inside = np.ones(np.shape(a), dtype=bool)
        if min is not None:
            ctx.inside &= a >= min
        if max is not None:
            ctx.inside &= a <= max
        return np.clip(a, min, max)

    @staticmethod
    def backward(ctx, grad):
        return (grad * ctx.inside,)

    @staticmethod
    def examples():
        return [Example(_away_from_zero(3, 4) * 2, min=-1.05, max=0.95),
                Example(_away_from_zero(3, 4), min=0.05)]


class Maximum(Function):
    """Elementwise larger of a and b; ties send the gradient to a."""

    name = "maximum"

    @staticmethod
    def forward(ctx, a, b):
        try:
            ctx.a_wins = np.asarray(a >= b)
        except ValueError:
            raise broadcast_error("maximum", a, b) from None
        ctx.shapes = (np.shape(a), np.shape(b))
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        return (unbroadcast(grad * ctx.a_wins, ctx.shapes[0]),
                unbroadcast(grad * ~ctx.a_wins, ctx.shapes[1]))

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        return [Example(r.normal(size=(3, 4)), r.normal(size=(3, 4)) + 0.05),
                Example(r.normal(size=(3, 4)), 0.01)]


class Cast(Function):
    """Change dtype (float32 <-> float64); the gradient is cast back."""

    name = "cast"

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.dtype = np.asarray(a).dtype
        return np.asarray(a).astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return (grad.astype(ctx.dtype),)

    @staticmethod
    def flops(ctx, inputs, output):
        return 0

    @staticmethod
    def examples():
        return [Example(_normal(3, 4), dtype=np.float64)]
