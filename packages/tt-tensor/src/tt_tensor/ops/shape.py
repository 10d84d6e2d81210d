"""Ops that move values around without changing them: reshape, permute, indexing, cat, stack.

Their backward moves the gradient back to where each value came from.
"""

import numpy as np

from tt_tensor.function import Example, Function, unbroadcast


def _normal(*shape):
    return np.random.default_rng(0).normal(size=shape)


class Reshape(Function):
    """Same values in a new shape (one dimension may be -1)."""

    name = "reshape"

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = np.shape(a)
        try:
            return np.reshape(a, shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {np.shape(a)} "
                             f"({np.size(a)} elements) into {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, grad):
        return (grad.reshape(ctx.shape),)

    @staticmethod
    def flops(ctx, inputs, output):
        return 0

    @staticmethod
    def examples():
        return [Example(_normal(3, 4), shape=(2, 6)), Example(_normal(2, 3, 4), shape=(-1, 4))]


class Permute(Function):
    """Reorder dimensions (transpose is the two-dimension case)."""

    name = "permute"

    @staticmethod
    def forward(ctx, a, dims):
        if sorted(d % max(np.ndim(a), 1) for d in dims) != list(range(np.ndim(a))):
            raise ValueError(f"permute: dims {tuple(dims)} are not a reordering of the "
                             f"{np.ndim(a)} dimensions of shape {np.shape(a)}")
        ctx.dims = dims
        return np.transpose(a, dims)

    @staticmethod
    def backward(ctx, grad):
        return (np.transpose(grad, np.argsort(ctx.dims)),)

    @staticmethod
    def flops(ctx, inputs, output):
        return 0

    @staticmethod
    def examples():
        return [Example(_normal(3, 4), dims=(1, 0)), Example(_normal(2, 3, 4), dims=(2, 0, 1))]


def _is_advanced(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, (np.ndarray, list)) for p in parts)


class GetItem(Function):
    """`a[index]`: slices, integers, None, Ellipsis and integer or boolean arrays.

    The gradient goes back to the picked positions; positions picked twice (integer arrays
    with repeats) get both gradients added.
    """

    name = "getitem"

    @staticmethod
    def forward(ctx, a, index):
        if isinstance(index, list):
            index = np.asarray(index)
        try:
            out = a[index]
        except IndexError as error:
            raise IndexError(f"getitem: index {index!r} does not fit shape {np.shape(a)}: {error}") from None
        ctx.shape, ctx.dtype, ctx.index = np.shape(a), np.asarray(a).dtype, index
        return np.asarray(out)

    @staticmethod
    def backward(ctx, grad):
        full = np.zeros(ctx.shape, dtype=grad.dtype)
        if _is_advanced(ctx.index):
            np.add.at(full, ctx.index, grad)
        else:
            full[ctx.index] = grad
        return (full,)

    @staticmethod
    def flops(ctx, inputs, output):
        return 0

    @staticmethod
    def examples():
        x = _normal(4, 5)
        return [Example(x, index=(slice(1, 3), slice(None, None, 2))),
                Example(x, index=1),
                Example(x, index=np.array([0, 2, 2, 3])),            # a repeated row
                Example(x, index=(np.array([0, 1, 1]), np.array([4, 0, 0]))),
                Example(x, index=x > 0)]


class Cat(Function):
    """Join tensors along an existing dimension."""

    name = "cat"

    @staticmethod
    def forward(ctx, *arrays, dim=0):
        try:
            out = np.concatenate(arrays, axis=dim)
        except (ValueError, np.exceptions.AxisError):
            shapes = ", ".join(str(np.shape(a)) for a in arrays)
            raise ValueError(f"cat: shapes {shapes} must match except in dimension {dim}") from None
        ctx.splits = np.cumsum([np.shape(a)[dim] for a in arrays])[:-1]
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.split(grad, ctx.splits, axis=ctx.dim))

    @staticmethod
    def flops(ctx, inputs, output):
        return 0

    @staticmethod
    def examples():
        return [Example(_normal(2, 3), _normal(4, 3)), Example(_normal(2, 3), _normal(2, 1), dim=1)]


class Stack(Function):
    """Join same-shaped tensors along a new dimension."""

    name = "stack"

    @staticmethod
    def forward(ctx, *arrays, dim=0):
        try:
            out = np.stack(arrays, axis=dim)
        except ValueError:
            shapes = ", ".join(str(np.shape(a)) for a in arrays)
            raise ValueError(f"stack: all shapes must be equal, got {shapes}") from None
        ctx.dim, ctx.count = dim, len(arrays)
        return out

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.moveaxis(grad, ctx.dim, 0))

    @staticmethod
    def flops(ctx, inputs, output):
        return 0

    @staticmethod
    def examples():
        return [Example(_normal(2, 3), _normal(2, 3)), Example(_normal(2, 3), _normal(2, 3), dim=-1)]


class Where(Function):
    """`a` where `condition` is true, else `b` (condition carries no gradient)."""

    name = "where"

    @staticmethod
    def forward(ctx, condition, a, b):
        condition = np.asarray(condition, dtype=bool)
        try:
            out = np.where(condition, a, b)
        except ValueError:
            raise ValueError(f"where: condition {condition.shape}, a {np.shape(a)} and "
                             f"b {np.shape(b)} cannot be broadcast together") from None
        ctx.condition, ctx.shapes = condition, (np.shape(a), np.shape(b))
        return out

    @staticmethod
    def backward(ctx, grad):
        zero = np.zeros((), dtype=grad.dtype)
        return (None,
                unbroadcast(np.where(ctx.condition, grad, zero), ctx.shapes[0]),
                unbroadcast(np.where(ctx.condition, zero, grad), ctx.shapes[1]))

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        return [Example(r.normal(size=(3, 4)) > 0, r.normal(size=(3, 4)), r.normal(size=(3, 4))),
                Example(r.normal(size=(3, 4)) > 0, r.normal(size=(4,)), -1.0)]
