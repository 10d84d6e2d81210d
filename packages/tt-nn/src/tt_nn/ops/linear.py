"""The `linear` op: y = x @ W.T + b in one graph node (the whole of a Linear layer)."""

import math

import numpy as np
from tt_tensor import Example, Function

_FEW_ROWS = 64  # up to this many rows, forward uses the transposed product (see forward)


class LinearOp(Function):
    """x (…, in) @ weight (out, in).T + bias (out,) -> (…, out); bias may be None.

    Backward, with g the gradient of y (…, out):
        dx = g @ W            (…, in)
        dW = gᵀ @ x           (out, in), summed over every leading (batch) dimension
        db = sum of g over the batch dimensions
    Only the gradients some input needs are computed.

    Layout (speed only, the values are the same): for a 2-D input with few rows and many
    outputs, OpenBLAS is 10-20% faster at `(W @ xᵀ)ᵀ` than at `x @ Wᵀ`; that result is
    column-major, and so are the ReLU and other elementwise results computed from it. NumPy
    is up to 10× slower on an elementwise op that mixes a row-major and a column-major
    operand, so backward gives `dx` the layout of `x` (`(Wᵀ @ gᵀ)ᵀ` for a column-major
    `x`): the gradient meets each saved array in the layout that array has.
    """

    name = "linear"

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        x, weight = np.asarray(x), np.asarray(weight)
        if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ValueError(f"linear: input of shape {x.shape} does not fit weight of "
                             f"shape {weight.shape}: the input's last dimension must be "
                             f"in_features = weight.shape[1]")
        if bias is not None:
            bias = np.asarray(bias)
            if bias.shape != (weight.shape[0],):
                raise ValueError(f"linear: bias has shape {bias.shape}, expected "
                                 f"({weight.shape[0]},) to match weight {weight.shape}")
        # Fold the batch dimensions into one: a single 2-D matmul is one BLAS call, while
        # NumPy runs a 3-D `x @ weight.T` as many small ones (up to ~25× slower).
        flat = x.ndim == 2
        x2 = x if flat else x.reshape(math.prod(x.shape[:-1]), x.shape[-1])  # not -1: 0 features is fine
        rows = x2.shape[0]
        if 1 < rows <= _FEW_ROWS or (flat and 3 * rows <= weight.shape[0]):
            # A few rows (generating text), or a 2-D batch with three times as many outputs
            # as rows (an MLP's wide layers): OpenBLAS is 1.1-1.7× faster at (W @ xᵀ)ᵀ
            # than at x @ Wᵀ here. The result is the transposed view of a fresh array
            # (column-major), which every later op reads as it is.
            out = (weight @ x2.T).T
        else:
            out = x2 @ weight.T
        if bias is not None:
            out += bias  # in place: `out` is a fresh array, so this saves one allocation
        ctx.x2, ctx.weight, ctx.x_shape = x2, weight, x.shape
        return out if flat else out.reshape(*x.shape[:-1], weight.shape[0])

    @staticmethod
    def backward(ctx, grad):
        x2, weight = ctx.x2, ctx.weight
        need_x, need_w = ctx.needs_grad[0], ctx.needs_grad[1]
        need_b = len(ctx.needs_grad) > 2 and ctx.needs_grad[2]
        # As in forward, every product is a plain 2-D matmul over all batch rows at once.
        g2 = grad.reshape(x2.shape[0], grad.shape[-1])
        grad_x = None
        if need_x:  # in the layout of x (see the class docstring)
            column_major = x2.flags.f_contiguous and not x2.flags.c_contiguous
            grad_x = ((weight.T @ g2.T).T if column_major else g2 @ weight).reshape(ctx.x_shape)
        grad_w = (g2.T @ x2) if need_w else None
        # The bias gradient sums the rows: ones @ g is one BLAS call, faster than .sum(0).
        grad_b = None
        if need_b:
            ones = np.empty(g2.shape[0], dtype=g2.dtype)  # (np.ones is a slower Python function)
            ones.fill(1)
            grad_b = ones @ g2
        return grad_x, grad_w, grad_b

    @staticmethod
    def flops(ctx, inputs, output):
        return int(2 * output.size * np.shape(ctx.weight)[1])

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        return [Example(r.normal(size=(4, 3)), r.normal(size=(5, 3)), r.normal(size=5)),
                Example(r.normal(size=(2, 4, 3)), r.normal(size=(5, 3)), r.normal(size=5)),
                Example(r.normal(size=(4, 3)), r.normal(size=(2, 3)))]  # no bias
