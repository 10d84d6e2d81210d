"""Matrix multiplication, `a @ b`, with batch dimensions broadcast as in NumPy."""

import numpy as np

from tt_tensor.dtypes import promote
from tt_tensor.function import Example, Function, unbroadcast


def _check(a: np.ndarray, b: np.ndarray) -> None:
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: both operands need at least one dimension, got shapes "
                         f"{a.shape} @ {b.shape}")
    inner_a = a.shape[-1]
    inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if inner_a != inner_b:
        raise ValueError(f"matmul: {a.shape} @ {b.shape} — inner dimensions {inner_a} and "
                         f"{inner_b} differ")
    raise ValueError(f"matmul: batch dimensions of {a.shape} and {b.shape} cannot be "
                     "broadcast together")


class MatMulOp(Function):
    """a @ b. For (…, n, k) @ (…, k, m) the gradients are grad @ bᵀ and aᵀ @ grad."""

    name = "matmul"

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(np.asarray(a), np.asarray(b))
        try:
            out = a @ b
        except ValueError:
            _check(a, b)
            raise
        ctx.a, ctx.b = a, b
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.a, ctx.b
        need_a, need_b = ctx.needs_grad
        if a.ndim == 1 and b.ndim == 1:  # a dot product: d/da = grad·b, d/db = grad·a
            return (grad * b if need_a else None), (grad * a if need_b else None)
        # Vectors are treated as a row (left operand) or a column (right operand).
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = grad
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        if b.ndim == 1:
            g = np.expand_dims(g, -1)
        grad_a = grad_b = None
        if need_a:
            grad_a = unbroadcast(g @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if need_b:
            grad_b = unbroadcast(np.swapaxes(a2, -1, -2) @ g, b2.shape).reshape(b.shape)
        return grad_a, grad_b

    @staticmethod
    def flops(ctx, inputs, output):
        k = np.shape(inputs[0].data if hasattr(inputs[0], "data") else inputs[0])[-1]
        return int(2 * output.size * k)

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        return [Example(r.normal(size=(3, 4)), r.normal(size=(4, 5))),
                Example(r.normal(size=(2, 3, 4)), r.normal(size=(4, 2))),      # batched @ matrix
                Example(r.normal(size=(2, 1, 3, 4)), r.normal(size=(3, 4, 2))),  # batch broadcast
                Example(r.normal(size=(4,)), r.normal(size=(4, 3))),           # vector @ matrix
                Example(r.normal(size=(3, 4)), r.normal(size=(4,))),           # matrix @ vector
                Example(r.normal(size=(4,)), r.normal(size=(4,)))]             # vector @ vector
