"""The `softplus` op: a smooth ReLU, `log(1 + e^(beta·x)) / beta`.

A primitive rather than a composition because `log(1 + e^z)` written with `log` and `exp`
overflows for large z and loses every digit for very negative z (where 1 + e^z rounds to 1);
NumPy's `logaddexp(0, z)` is exact at both ends. `logsigmoid` and `mish` are built on it.
"""

import numpy as np
from tt_tensor import Example, Function


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z) without overflow: e^-|z| is never larger than 1."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


class SoftplusOp(Function):
    """softplus(x) = log(1 + e^(beta·x)) / beta, and x itself where beta·x > threshold
    (PyTorch's switch to the linear part, which also keeps its gradient exactly 1 there).

    Derivative: sigmoid(beta·x) below the threshold, 1 above it.
    """

    name = "softplus"

    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        if np.asarray(x).dtype.kind != "f":
            raise TypeError(f"softplus: input must be a floating-point tensor, got dtype "
                            f"{np.asarray(x).dtype} (convert it with .float())")
        z = x * beta if beta != 1 else x
        linear = z > threshold
        out = np.logaddexp(0, z)
        if beta != 1:
            out /= beta
        out = np.where(linear, x, out).astype(x.dtype, copy=False)
        ctx.z, ctx.linear = z, linear
        return out

    @staticmethod
    def backward(ctx, grad):
        slope = np.where(ctx.linear, 1, _sigmoid(ctx.z)).astype(grad.dtype, copy=False)
        return (grad * slope,)

    @staticmethod
    def examples():
        x = np.random.default_rng(0).normal(size=(3, 4)) * 3
        return [Example(x), Example(x, beta=2.0, threshold=3.0), Example(x * 10, beta=0.5)]
