"""Picking and placing values along one dimension by an index tensor: gather, scatter,
scatter_add and scatter_reduce (torch's semantics and argument order).

For `dim = 1` of a 3-D tensor, `gather` reads `out[i, j, k] = a[i, index[i, j, k], k]`
and the scatters write `out[i, index[i, j, k], k] (op)= src[i, j, k]`. `index` may be
smaller than `a` in every dimension but `dim`. All four build the same NumPy index tuple
(`_along`) and use plain fancy indexing on it.
"""

import numpy as np

from tt_tensor.function import Example, Function


def _along(op, a, dim, index):
    """The index tuple that picks a[..., index[...], ...] along `dim` (checked as torch does)."""
    index = np.asarray(index)
    if index.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer tensor, got dtype {index.dtype}")
    n = max(a.ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}: dimension {dim} is out of range for a tensor with {a.ndim} "
                         f"dimensions (expected {-n}..{n - 1})")
    if index.ndim != a.ndim:
        raise ValueError(f"{op}: index has {index.ndim} dimensions but the input has {a.ndim} "
                         f"(shapes {index.shape} and {a.shape}); they must have the same number")
    if a.ndim == 0:
        if index.size and index != 0:
            raise IndexError(f"{op}: index {int(index)} is out of range for a 0-d tensor")
        return ()
    dim %= a.ndim
    for d, (i, s) in enumerate(zip(index.shape, a.shape)):
        if d != dim and i > s:
            raise ValueError(f"{op}: index shape {index.shape} is larger than the input shape "
                             f"{a.shape} in dimension {d}")
    if index.size and (index.min() < 0 or index.max() >= a.shape[dim]):
        bad = index.min() if index.min() < 0 else index.max()
        raise IndexError(f"{op}: index {bad} is out of range for dimension {dim} of size "
                         f"{a.shape[dim]} (input shape {a.shape})")
    grids = [np.arange(n).reshape((1,) * d + (n,) + (1,) * (index.ndim - d - 1))
             for d, n in enumerate(index.shape)]
    grids[dim] = index
    return tuple(grids)


def _src_part(src, index):
    """The corner of `src` that `index` covers (src may be bigger, as torch allows)."""
    src = np.asarray(src)
    if src.ndim == 0:
        return src
    return src[tuple(slice(0, n) for n in index.shape)]


def _src_grad(src_shape, index_shape, picked, dtype):
    grad = np.zeros(src_shape, dtype)
    grad[tuple(slice(0, n) for n in index_shape)] = picked
    return grad


def _examples_index(shape=(3, 4), dim=1, size=6, repeats=True):
    r = np.random.default_rng(0)
    idx_shape = list(shape)
    idx_shape[dim] = size
    high = shape[dim]
    if repeats:
        return r.integers(0, high, idx_shape)
    return np.argsort(r.random(shape), axis=dim)  # a permutation: every position once


class GatherOp(Function):
    """`out[i][j] = a[i][index[i][j]]` along `dim`. Derivative: the gradient goes back to the
    positions read (added up where one was read twice)."""

    name = "gather"
    saves_inputs = False  # backward reads only the index and the shape

    @staticmethod
    def forward(ctx, a, dim, index):
        a = np.asarray(a)
        ctx.where = _along("gather", a, dim, index)
        ctx.shape = a.shape
        return np.array(a[ctx.where])

    @staticmethod
    def backward(ctx, grad):
        full = np.zeros(ctx.shape, grad.dtype)
        np.add.at(full, ctx.where, grad)
        return (full,)

    @staticmethod
    def examples():
        x = np.random.default_rng(0).normal(size=(3, 4))
        return [Example(x, 1, _examples_index()), Example(x, 0, _examples_index(dim=0, size=2)),
                Example(x, -1, _examples_index(size=2)[:2])]


class ScatterOp(Function):
    """A copy of `a` with `out[index[i][j]] = src[i][j]` along `dim` (src a tensor or number).

    Where index repeats a position the written value is one of the candidates (as in torch,
    which does not say which). Derivatives: the gradient passes to `a` except at written
    positions, and to `src` from the positions it wrote.
    """

    name = "scatter"
    saves_inputs = False  # backward reads only the index and the shapes

    @staticmethod
    def forward(ctx, a, dim, index, src):
        a = np.asarray(a)
        where = _along("scatter", a, dim, index)
        out = a.copy()
        out[where] = _src_part(src, np.asarray(index))
        ctx.where, ctx.index_shape, ctx.src_shape = where, np.shape(index), np.shape(src)
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_a = grad.copy()
        grad_a[ctx.where] = 0
        grad_src = None
        if ctx.src_shape:
            grad_src = _src_grad(ctx.src_shape, ctx.index_shape, grad[ctx.where], grad.dtype)
        return grad_a, None, None, grad_src

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        x = r.normal(size=(3, 4))
        return [Example(x, 1, _examples_index(size=4, repeats=False), r.normal(size=(3, 4))),
                Example(x, 0, _examples_index(size=3, dim=0, repeats=False)[:2], r.normal(size=(3, 5))),
                Example(x, 1, _examples_index(size=2), 0.5)]


class ScatterAddOp(Function):
    """A copy of `a` with `out[index[i][j]] += src[i][j]` along `dim` (repeats add up).

    Derivatives: 1 for `a`; for `src`, the gradient at the position each value went to.
    """

    name = "scatter_add"
    saves_inputs = False  # backward reads only the index and the shapes

    @staticmethod
    def forward(ctx, a, dim, index, src):
        a = np.asarray(a)
        where = _along("scatter_add", a, dim, index)
        out = a.copy()
        np.add.at(out, where, _src_part(src, np.asarray(index)))
        ctx.where, ctx.index_shape, ctx.src_shape = where, np.shape(index), np.shape(src)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad, None, None, _src_grad(ctx.src_shape, ctx.index_shape, grad[ctx.where], grad.dtype)

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        x = r.normal(size=(3, 4))
        return [Example(x, 1, _examples_index(), r.normal(size=(3, 6))),
                Example(x, 0, _examples_index(dim=0, size=2), r.normal(size=(3, 5)))]


_REDUCERS = {"sum": np.add, "prod": np.multiply, "mean": np.add, "amax": np.maximum, "amin": np.minimum}


class ScatterReduceOp(Function):
    """`src` combined into a copy of `a` at `index` along `dim` with `reduce` ("sum",
    "prod", "mean", "amax" or "amin"); `include_self=False` leaves a's old values out.

    Derivatives (torch's): sum passes the gradient through; mean divides it by the count;
    amax/amin send it to the values equal to the result, shared equally between ties;
    prod sends result/x to each factor x (factors equal to 0 are not supported).
    """

    name = "scatter_reduce"
    saves_output = True  # backward reads the result (and the inputs)

    @staticmethod
    def forward(ctx, a, dim, index, src, reduce, include_self=True):
        if reduce not in _REDUCERS:
            raise ValueError(f"scatter_reduce: reduce must be one of {', '.join(_REDUCERS)}, got {reduce!r}")
        a, src = np.asarray(a), np.asarray(src)
        where = _along("scatter_reduce", a, dim, index)
        part = _src_part(src, np.asarray(index)).astype(a.dtype)
        hit = np.zeros(a.shape, bool)
        hit[where] = True
        out = a.copy()
        if not include_self:
            start = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}[reduce]
            if a.dtype.kind != "f" and reduce in ("amax", "amin"):
                info = np.iinfo(a.dtype)
                start = info.min if reduce == "amax" else info.max
            out[hit] = start
        _REDUCERS[reduce].at(out, where, part)
        count = None
        if reduce == "mean":
            count = np.zeros(a.shape, np.int64)
            np.add.at(count, where, 1)
            count = count + (1 if include_self else 0)
            out = np.where(hit, out / np.maximum(count, 1), out).astype(a.dtype, copy=False)
        ctx.a, ctx.part, ctx.out, ctx.where, ctx.hit, ctx.count = a, part, out, where, hit, count
        ctx.reduce, ctx.include_self = reduce, include_self
        ctx.index_shape, ctx.src_shape = np.shape(index), src.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        a, part, out, where, hit = ctx.a, ctx.part, ctx.out, ctx.where, ctx.hit
        drop_self = hit & (not ctx.include_self)
        if ctx.reduce == "sum":
            grad_a, grad_part = np.where(drop_self, 0, grad), grad[where]
        elif ctx.reduce == "mean":
            share = np.where(hit, grad / np.maximum(ctx.count, 1), grad)
            grad_a, grad_part = np.where(drop_self, 0, share), share[where]
        elif ctx.reduce == "prod":
            if np.any(a[hit] == 0) or np.any(part == 0):
                raise NotImplementedError("scatter_reduce: the gradient of reduce='prod' with a "
                                          "factor equal to 0 is not supported")
            grad_a = np.where(drop_self, 0, np.where(hit, grad * out / np.where(a == 0, 1, a), grad))
            grad_part = (grad * out)[where] / part
        else:  # amax / amin: ties share
            self_wins = (a == out) & ~drop_self
            src_wins = part == out[where]
            count = self_wins.astype(grad.dtype)
            np.add.at(count, where, src_wins)
            shared = grad / np.maximum(count, 1)
            grad_a, grad_part = np.where(self_wins, shared, 0), np.where(src_wins, shared[where], 0)
        return grad_a, None, None, _src_grad(ctx.src_shape, ctx.index_shape, grad_part, grad.dtype)

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        x, src, idx = r.normal(size=(3, 4)), r.normal(size=(3, 6)), _examples_index()
        return [Example(x, 1, idx, src, reduce=reduce, include_self=inc)
                for reduce in ("sum", "mean", "amax", "amin", "prod") for inc in (True, False)]
