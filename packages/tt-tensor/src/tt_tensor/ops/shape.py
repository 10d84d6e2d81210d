"""Ops that move values around without changing them: reshape, permute, expand, repeat,
roll, indexing (reading and writing), cat, stack and where.

Their backward moves the gradient back to where each value came from. Many more shape
functions (`flip`, `split`, `diagonal`, `unfold`, ...) are compositions of these, written
as Tensor methods.
"""

import numpy as np

from tt_tensor.dtypes import promote
from tt_tensor.function import Example, Function, unbroadcast


def _normal(*shape):
    return np.random.default_rng(0).normal(size=shape)


class ReshapeOp(Function):
    """Same values in a new shape (one dimension may be -1)."""

    name = "reshape"
    saves_inputs = False  # its backward never reads the input values

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
        return [Example(_normal(3, 4), shape=(2, 6)), Example(_normal(2, 3, 4), shape=(-1, 4)),
                Example(_normal(0, 3), shape=(3, 0))]


class PermuteOp(Function):
    """Reorder dimensions (transpose is the two-dimension case); dims may be negative."""

    name = "permute"
    saves_inputs = False  # its backward never reads the input values

    @staticmethod
    def forward(ctx, a, dims):
        n = np.ndim(a)
        if len(dims) != n or not all(-max(n, 1) <= d < max(n, 1) for d in dims) or \
                sorted(d % max(n, 1) for d in dims) != list(range(n)):
            raise ValueError(f"permute: dims {tuple(dims)} are not a reordering of the "
                             f"{n} dimensions of shape {np.shape(a)}")
        ctx.dims = tuple(d % n for d in dims) if n else ()
        return np.transpose(a, ctx.dims)

    @staticmethod
    def backward(ctx, grad):
        return (np.transpose(grad, np.argsort(ctx.dims)),)

    @staticmethod
    def flops(ctx, inputs, output):
        return 0

    @staticmethod
    def examples():
        return [Example(_normal(3, 4), dims=(1, 0)), Example(_normal(2, 3, 4), dims=(2, 0, 1)),
                Example(_normal(2, 2), dims=(0, -1)), Example(_normal(2, 3, 4), dims=(-1, 0, -2))]


class ExpandOp(Function):
    """A view of `a` stretched to `shape` (size-1 dims repeat; -1 keeps a dim; new leading
    dims may be added). Derivative: the gradient summed over the stretched dims."""

    name = "expand"
    saves_inputs = False  # its backward never reads the input values

    @staticmethod
    def forward(ctx, a, shape):
        a = np.asarray(a)
        shape = tuple(shape)
        extra = len(shape) - a.ndim
        if extra < 0:
            raise ValueError(f"expand: the number of sizes {len(shape)} is smaller than the "
                             f"number of dimensions of shape {a.shape}")
        full = tuple(a.shape[i - extra] if n == -1 and i >= extra else n for i, n in enumerate(shape))
        for i, n in enumerate(a.shape):
            if n != 1 and full[i + extra] != n:
                raise ValueError(f"expand: the size {full[i + extra]} must match the existing size "
                                 f"{n} at dimension {i + extra} (shape {a.shape} to {shape}); "
                                 "only dimensions of size 1 can be expanded")
        ctx.shape = a.shape
        return np.broadcast_to(a, full)

    @staticmethod
    def backward(ctx, grad):
        return (unbroadcast(grad, ctx.shape),)

    @staticmethod
    def flops(ctx, inputs, output):
        return 0

    @staticmethod
    def examples():
        return [Example(_normal(3, 1), shape=(3, 4)), Example(_normal(4), shape=(2, 3, -1)),
                Example(_normal(), shape=(2,))]


class RepeatOp(Function):
    """`a` tiled `repeats[i]` times along each dim (torch's `repeat`, NumPy's `tile`).

    Derivative: each input value appears once per tile, so its gradient is the sum of the
    gradients of its copies.
    """

    name = "repeat"
    saves_inputs = False  # its backward never reads the input values

    @staticmethod
    def forward(ctx, a, repeats):
        a = np.asarray(a)
        repeats = tuple(repeats)
        if len(repeats) < a.ndim:
            raise ValueError(f"repeat: the number of repeats {len(repeats)} must be at least the "
                             f"number of dimensions of shape {a.shape}")
        ctx.shape = a.shape
        ctx.padded = (1,) * (len(repeats) - a.ndim) + a.shape
        ctx.repeats = repeats
        return np.tile(a.reshape(ctx.padded), repeats)

    @staticmethod
    def backward(ctx, grad):
        split = [n for pair in zip(ctx.repeats, ctx.padded) for n in pair]
        summed = grad.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return (summed.reshape(ctx.shape),)

    @staticmethod
    def flops(ctx, inputs, output):
        return 0

    @staticmethod
    def examples():
        return [Example(_normal(2, 3), repeats=(2, 1)), Example(_normal(3), repeats=(2, 1, 2))]


class RollOp(Function):
    """Shift values along `dims` by `shifts`, wrapping around (flattened if dims is None)."""

    name = "roll"
    saves_inputs = False  # its backward never reads the input values

    @staticmethod
    def forward(ctx, a, shifts, dims=None):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(a, shifts, axis=dims)

    @staticmethod
    def backward(ctx, grad):
        back = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, (tuple, list)) else -ctx.shifts
        return (np.roll(grad, back, axis=ctx.dims),)

    @staticmethod
    def flops(ctx, inputs, output):
        return 0

    @staticmethod
    def examples():
        return [Example(_normal(3, 4), shifts=1, dims=1), Example(_normal(3, 4), shifts=(1, -2), dims=(0, 1)),
                Example(_normal(3, 4), shifts=5)]


# ----- indexing ------------------------------------------------------------------------------
def _is_array(part) -> bool:
    return isinstance(part, (np.ndarray, list))


def _is_int(part) -> bool:
    return isinstance(part, (int, np.integer)) and not isinstance(part, (bool, np.bool_))


def _split_index(index):
    """Torch's axis order: integers are applied first (as `select`), then the array indices.

    NumPy treats an integer beside an index array as one more array index, so `t[1, :, [0, 1]]`
    on shape (2, 3, 4) puts the indexed dimension first, (2, 3); torch removes dim 0 first and
    gives (3, 2). Returns (basic, rest): `a[basic][rest]` is torch's result, and `a[basic]` is
    a view. Returns None when NumPy's order is already torch's.
    """
    parts = index if isinstance(index, tuple) else (index,)
    if not (any(_is_int(p) for p in parts) and any(_is_array(p) for p in parts)):
        return None
    basic, rest = [], []
    for p in parts:
        if _is_int(p):
            basic.append(p)
        elif _is_array(p):
            p = np.asarray(p)
            basic.extend([slice(None)] * (p.ndim if p.dtype == np.bool_ else 1))
            rest.append(p)
        elif p is None:
            basic.append(None)
            rest.append(slice(None))
        elif p is Ellipsis:
            basic.append(Ellipsis)
            rest.append(Ellipsis)
        else:
            basic.append(p)
            rest.append(slice(None))
    return tuple(basic), tuple(rest)


def _prepare(index):
    """Lists become arrays (as in torch, a list index is an index array)."""
    if isinstance(index, list):
        return np.asarray(index)
    if isinstance(index, tuple):
        return tuple(np.asarray(p) if isinstance(p, list) else p for p in index)
    return index


def _read(a, index, split):
    return a[index] if split is None else a[split[0]][split[1]]


def _is_advanced(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(_is_array(p) for p in parts)


def _scatter_into(full, index, split, values):
    """full[index] += values, where positions picked twice get both values."""
    if split is not None:
        np.add.at(full[split[0]], split[1], values)
    elif _is_advanced(index):
        np.add.at(full, index, values)
    else:
        full[index] += values


class GetItemOp(Function):
    """`a[index]`: slices, integers, None, Ellipsis and integer or boolean arrays, with
    torch's axis order (integers are applied before index arrays).

    The gradient goes back to the picked positions; positions picked twice (integer arrays
    with repeats) get both gradients added.
    """

    name = "getitem"
    saves_inputs = False  # its backward never reads the input values

    @staticmethod
    def forward(ctx, a, index):
        index = _prepare(index)
        split = _split_index(index)
        try:
            out = _read(a, index, split)
        except IndexError as error:
            raise IndexError(f"getitem: index {index!r} does not fit shape {np.shape(a)}: {error}") from None
        ctx.shape, ctx.index, ctx.split = np.shape(a), index, split
        return np.asarray(out)

    @staticmethod
    def backward(ctx, grad):
        full = np.zeros(ctx.shape, dtype=grad.dtype)
        _scatter_into(full, ctx.index, ctx.split, grad)
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
                Example(x, index=x > 0),
                Example(_normal(2, 3, 4), index=(1, slice(None), [0, 1, 1]))]  # torch's axis order


class SetItemOp(Function):
    """A copy of `a` with `a[index] = value` (what `t[index] = value` records in a graph).

    `value` is cast to a's dtype and broadcast to the indexed region. Derivatives: the
    gradient passes to `a` except at the overwritten positions, and to `value` from them.
    """

    saves_inputs = False  # backward reads no input value

    name = "setitem"

    @staticmethod
    def forward(ctx, a, value, index):
        a = np.asarray(a)
        index = _prepare(index)
        split = _split_index(index)
        out = a.copy()
        target = out if split is None else out[split[0]]
        where = index if split is None else split[1]
        try:
            target[where] = value
        except (IndexError, ValueError) as error:
            raise type(error)(f"setitem: cannot assign a value of shape {np.shape(value)} to index "
                              f"{index!r} of shape {a.shape}: {error}") from None
        ctx.index, ctx.split, ctx.value_shape = index, split, np.shape(value)
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_a = grad.copy()
        target = grad_a if ctx.split is None else grad_a[ctx.split[0]]
        target[ctx.index if ctx.split is None else ctx.split[1]] = 0
        picked = _read(grad, ctx.index, ctx.split)
        return grad_a, unbroadcast(np.asarray(picked), ctx.value_shape)

    @staticmethod
    def flops(ctx, inputs, output):
        return 0

    @staticmethod
    def examples():
        x = _normal(4, 5)
        return [Example(x, _normal(2, 5), index=slice(1, 3)), Example(x, _normal(4), index=(slice(None), 2)),
                Example(x, _normal(3), index=(np.array([0, 2, 3]), np.array([1, 1, 4]))),
                Example(x, 0.5, index=x > 0)]


# ----- joining -------------------------------------------------------------------------------
class CatOp(Function):
    """Join tensors along an existing dimension (dtypes promoted as in torch)."""

    name = "cat"
    saves_inputs = False  # its backward never reads the input values

    @staticmethod
    def forward(ctx, *arrays, dim=0):
        arrays = promote(*[np.asarray(a) for a in arrays])
        for i, a in enumerate(arrays):
            if a.ndim == 0:
                raise ValueError(f"cat: zero-dimensional tensor (at position {i}) cannot be "
                                 "concatenated; use stack to join 0-d tensors into a 1-D one")
        n = arrays[0].ndim
        if not -n <= dim < n:
            raise IndexError(f"cat: dimension {dim} is out of range for tensors with {n} "
                             f"dimensions (expected {-n}..{n - 1})")
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
        return [Example(_normal(2, 3), _normal(4, 3)), Example(_normal(2, 3), _normal(2, 1), dim=1),
                Example(_normal(2, 3), _normal(0, 3), dim=-2)]


class StackOp(Function):
    """Join same-shaped tensors along a new dimension."""

    name = "stack"
    saves_inputs = False  # its backward never reads the input values

    @staticmethod
    def forward(ctx, *arrays, dim=0):
        arrays = promote(*[np.asarray(a) for a in arrays])
        n = arrays[0].ndim + 1
        if not -n <= dim < n:
            raise IndexError(f"stack: dimension {dim} is out of range for stacking tensors of "
                             f"{n - 1} dimensions (expected {-n}..{n - 1})")
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1:
            listed = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"stack: all shapes must be equal, got {listed}")
        ctx.dim, ctx.count = dim, len(arrays)
        return np.stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.moveaxis(grad, ctx.dim, 0))

    @staticmethod
    def flops(ctx, inputs, output):
        return 0

    @staticmethod
    def examples():
        return [Example(_normal(2, 3), _normal(2, 3)), Example(_normal(2, 3), _normal(2, 3), dim=-1),
                Example(_normal(), _normal())]


class WhereOp(Function):
    """`a` where `condition` is true, else `b` (condition carries no gradient).

    `a` and `b` may be numbers: `where(c, 1.0, 0.0)` is float32, as in torch.
    """

    saves_inputs = False  # backward reads no input value

    name = "where"

    @staticmethod
    def forward(ctx, condition, a, b):
        condition = np.asarray(condition, dtype=bool)
        a, b = promote(a, b)
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
        need_a, need_b = ctx.needs_grad[1], ctx.needs_grad[2]  # (where(x, 0.0) needs one)
        return (None,
                unbroadcast(np.where(ctx.condition, grad, zero), ctx.shapes[0]) if need_a else None,
                unbroadcast(np.where(ctx.condition, zero, grad), ctx.shapes[1]) if need_b else None)

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        return [Example(r.normal(size=(3, 4)) > 0, r.normal(size=(3, 4)), r.normal(size=(3, 4))),
                Example(r.normal(size=(3, 4)) > 0, r.normal(size=(4,)), -1.0)]
