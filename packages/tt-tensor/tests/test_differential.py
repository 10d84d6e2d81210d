"""Property-based differential test: every op tt-tensor registers (and the Tensor methods
composed from them), forward and backward, against PyTorch in float64, on shapes hypothesis draws — 0-d and 0-size tensors, negative
dims, broadcasting (derandomized, a bounded number of examples per op, a few seconds).

Each op has a `Spec`: `draw(data, rng)` returns the inputs (float arrays are differentiated)
and the keyword arguments of `OPS[name].apply`; `torch(*inputs, **params)` computes the same
with torch. A meta-test fails when tt-tensor registers an op that has no spec here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest
import tt_tensor as tt
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from tt_tensor import plugins

torch = pytest.importorskip("torch", reason="PyTorch is not installed: differential tests skipped")

EXAMPLES = 12
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)
nonempty_shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=0, max_side=4)


@dataclass
class Spec:
    draw: Callable
    torch: Callable
    rtol: float = 1e-9


def normal(rng, shape):
    return rng.normal(size=shape)


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def away_from_zero(rng, shape):
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < 0.1, 0.5, x)


def away_from_steps(rng, shape):
    x = rng.normal(size=shape) * 3
    return np.where(np.abs(x * 2 - np.round(x * 2)) < 0.2, x + 0.2, x)


def unit(rng, shape):
    return rng.uniform(-0.9, 0.9, shape)


def above_one(rng, shape):
    return rng.uniform(1.2, 3.0, shape)


def dim_of(data, ndim):
    """A valid dim, negative half of the time (0 or -1 for a 0-d tensor)."""
    n = max(ndim, 1)
    return data.draw(st.integers(-n, n - 1))


def dims_of(data, ndim):
    """None, (), one dim or a tuple of distinct dims (some negative)."""
    kind = data.draw(st.sampled_from(["none", "empty", "one", "tuple"]))
    if kind == "none":
        return None
    if kind == "empty":
        return ()
    if kind == "one" or ndim == 0:
        return dim_of(data, ndim)
    chosen = data.draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(d - ndim if data.draw(st.booleans()) else d for d in chosen)


def reduced(dim, ndim):
    if dim is None or dim == ():
        return tuple(range(ndim))
    return tuple(d % max(ndim, 1) for d in ((dim,) if isinstance(dim, int) else dim)) if ndim else ()


def unary(sample=normal, **params):
    def draw(data, rng):
        return [sample(rng, data.draw(shapes))], dict(params)
    return draw


def binary(sample_a=normal, sample_b=normal):
    def draw(data, rng):
        a, b = data.draw(pairs).input_shapes
        second = sample_b(rng, b)
        if data.draw(st.integers(0, 4)) == 0:  # a Python number on the right
            second = float(sample_b(rng, ()))
        return [sample_a(rng, a), second], {}
    return draw


def reduction(sample=normal, nonempty=False, with_dtype=False):
    def draw(data, rng):
        shape = data.draw(shapes)
        dim = dims_of(data, len(shape))
        if nonempty:
            assume(all(shape[d] for d in reduced(dim, len(shape))))
        return [sample(rng, shape)], dict(dim=dim, keepdim=data.draw(st.booleans()))
    return draw


def torch_dim(dim, ndim):
    return tuple(range(ndim)) if dim is None else dim


# ----- shape ops ------------------------------------------------------------------------------
def draw_reshape(data, rng):
    shape = data.draw(shapes)
    target = tuple(reversed(shape))
    if shape and np.prod(shape) and data.draw(st.booleans()):  # -1 is ambiguous for 0 elements
        target = (-1,) + target[1:]
    return [normal(rng, shape)], dict(shape=target)


def draw_permute(data, rng):
    shape = data.draw(shapes)
    order = data.draw(st.permutations(range(len(shape))))
    return [normal(rng, shape)], dict(dims=tuple(d - len(shape) if data.draw(st.booleans()) else d
                                                 for d in order))


def draw_expand(data, rng):
    target = data.draw(shapes)
    keep = data.draw(st.integers(0, len(target)))
    source = tuple(1 if data.draw(st.booleans()) else n for n in target[len(target) - keep:])
    sizes = tuple(-1 if i >= len(target) - keep and data.draw(st.booleans()) else n
                  for i, n in enumerate(target))
    return [normal(rng, source)], dict(shape=sizes)


def draw_repeat(data, rng):
    shape = data.draw(shapes)
    extra = data.draw(st.integers(0, 2))
    return [normal(rng, shape)], dict(repeats=tuple(data.draw(st.integers(0, 3)) for _ in range(len(shape) + extra)))


def draw_roll(data, rng):
    shape = data.draw(nonempty_shapes)
    if data.draw(st.booleans()):
        return [normal(rng, shape)], dict(shifts=data.draw(st.integers(-5, 5)), dims=None)
    dims = tuple(data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=2)))
    return [normal(rng, shape)], dict(shifts=tuple(data.draw(st.integers(-5, 5)) for _ in dims), dims=dims)


def draw_index(data, rng, shape, unique=False):
    """A mixed index: per dim an int, a slice or an index array; maybe None or Ellipsis."""
    parts = []
    for n in shape:
        kind = data.draw(st.sampled_from(["slice", "int", "array", "all"] if n else ["slice", "all"]))
        if kind == "int":
            parts.append(data.draw(st.integers(-n, n - 1)))
        elif kind == "array":
            k = data.draw(st.integers(1, n))
            parts.append(rng.permutation(n)[:k] if unique else rng.integers(-n, n, size=k))
        elif kind == "slice":
            start, stop = data.draw(st.integers(-n - 1, n + 1)), data.draw(st.integers(-n - 1, n + 1))
            parts.append(slice(start, stop, data.draw(st.sampled_from([1, 2, -1]))))
        else:
            parts.append(slice(None))
    arrays = [p for p in parts if isinstance(p, np.ndarray)]
    if len(arrays) > 1:  # index arrays broadcast together: give them one length
        k = min(len(a) for a in arrays)
        parts = [p[:k] if isinstance(p, np.ndarray) else p for p in parts]
    if parts and data.draw(st.booleans()):
        cut = data.draw(st.integers(0, len(parts) - 1))
        parts = [Ellipsis] + parts[cut + 1:] if data.draw(st.booleans()) else parts[:cut + 1]
    if data.draw(st.integers(0, 3)) == 0:
        parts.insert(data.draw(st.integers(0, len(parts))), None)
    return tuple(parts)


def torch_index(index):
    if isinstance(index, np.ndarray):
        return torch.tensor(index)
    return tuple(torch.tensor(p) if isinstance(p, np.ndarray) else p for p in index)


def draw_getitem(data, rng):
    shape = data.draw(shapes)
    x = normal(rng, shape)
    if shape and data.draw(st.integers(0, 4)) == 0:
        return [x], dict(index=x > 0)
    index = draw_index(data, rng, shape)
    assume(not (any(isinstance(p, slice) and p.step == -1 for p in index)))  # torch has no negative steps
    return [x], dict(index=index)


def draw_setitem(data, rng):
    shape = data.draw(nonempty_shapes)
    x = normal(rng, shape)
    index = draw_index(data, rng, shape, unique=True)
    assume(not (any(isinstance(p, slice) and p.step == -1 for p in index)))
    picked = tt.zeros(*shape)[index].shape
    value = normal(rng, picked[data.draw(st.integers(0, len(picked))):])  # broadcast from the right
    return [x, value], dict(index=index)


def torch_setitem(x, value, index):
    y = x.clone()
    y[torch_index(index)] = value
    return y


def draw_cat(data, rng):
    shape = data.draw(nonempty_shapes)
    dim = dim_of(data, len(shape))
    parts = []
    for _ in range(data.draw(st.integers(1, 3))):
        s = list(shape)
        s[dim] = data.draw(st.integers(0, 3))
        parts.append(normal(rng, tuple(s)))
    return parts, dict(dim=dim)


def draw_stack(data, rng):
    shape = data.draw(shapes)
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    return [normal(rng, shape) for _ in range(data.draw(st.integers(1, 3)))], dict(dim=dim)


def draw_where(data, rng):
    c, a, b = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3,
                                                          min_side=0, max_side=4)).input_shapes
    return [rng.random(c) > 0.5, normal(rng, a), normal(rng, b)], {}


# ----- selection ops ---------------------------------------------------------------------------
def draw_along(data, rng, unique=False):
    """(input, dim, index): index smaller than input off `dim`, values in range along it."""
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    dim = dim_of(data, len(shape))
    size = shape[dim]
    index_shape = [data.draw(st.integers(0, n)) for n in shape]
    index_shape[dim] = data.draw(st.integers(0, size if unique else 5))
    if unique:  # each row writes distinct positions (torch leaves duplicates unspecified)
        full = list(index_shape)
        full[dim] = size
        index = np.argsort(rng.random(full), axis=dim)
        index = np.take(index, range(index_shape[dim]), axis=dim)
    else:
        index = rng.integers(0, size, size=index_shape)
    return normal(rng, shape), dim, index


def draw_gather(data, rng):
    x, dim, index = draw_along(data, rng)
    return [x, dim, index], {}


def draw_scatter(data, rng):
    x, dim, index = draw_along(data, rng, unique=True)
    src = normal(rng, index.shape)  # (a larger src breaks torch's own scatter backward)
    return [x, dim, index, src if data.draw(st.integers(0, 3)) else 0.5], {}


def draw_scatter_add(data, rng):
    x, dim, index = draw_along(data, rng)
    return [x, dim, index, normal(rng, index.shape)], {}


def draw_scatter_reduce(data, rng):
    x, dim, index = draw_along(data, rng)
    reduce = data.draw(st.sampled_from(["sum", "mean", "amax", "amin", "prod"]))
    src = positive(rng, index.shape) if reduce == "prod" else normal(rng, index.shape)
    x = positive(rng, x.shape) if reduce == "prod" else x
    return [x, dim, index, src], dict(reduce=reduce, include_self=data.draw(st.booleans()))


# ----- the rest --------------------------------------------------------------------------------
def draw_matmul(data, rng):
    n, k, m = (data.draw(st.integers(0, 3)) for _ in range(3))
    batch = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2,
                                                        min_side=1, max_side=3)).input_shapes
    left = data.draw(st.sampled_from(["vector", "matrix"]))
    right = data.draw(st.sampled_from(["vector", "matrix"]))
    a = (k,) if left == "vector" else batch[0] + (n, k)
    b = (k,) if right == "vector" else batch[1] + (k, m)
    return [normal(rng, a), normal(rng, b)], {}


EQUATIONS = ["ij,jk->ik", "bij,bjk->bik", "ij->i", "ii->i", "ii", "i,j->ij", "i,i->", "ij->ji",
             "...j,j->...", "ab,bc,c->a", "bhqd,bhkd->bhqk"]


def draw_einsum(data, rng):
    equation = data.draw(st.sampled_from(EQUATIONS))
    lhs = equation.split("->")[0].split(",")
    sizes = {c: data.draw(st.integers(0, 3)) for c in set("".join(lhs)) - {"."}}
    operands = []
    for term in lhs:
        head = tuple(data.draw(st.integers(0, 2)) + 1 for _ in range(data.draw(st.integers(0, 2)))) \
            if "..." in term else ()
        operands.append(normal(rng, head + tuple(sizes[c] for c in term.replace("...", ""))))
    if "..." in equation:  # every ellipsis the same (broadcasting ellipses is not exercised)
        operands = [normal(rng, operands[0].shape)] + operands[1:]
    return operands, dict(equation=equation)


def draw_pow(data, rng):
    a, b = data.draw(pairs).input_shapes
    kind = data.draw(st.sampled_from(["tensor", "whole", "number", "base"]))
    if kind == "whole":
        return [normal(rng, a), float(data.draw(st.sampled_from([0, 1, 2, 3, 4, -1])))], {}
    if kind == "number":
        return [positive(rng, a), data.draw(st.sampled_from([0.5, -0.5, 1.5, -2.0]))], {}
    if kind == "base":
        return [data.draw(st.sampled_from([0.0, 2.0, 0.5])), normal(rng, b)], {}
    return [positive(rng, a), normal(rng, b)], {}


def draw_div(data, rng):
    inputs, _ = binary(normal, lambda r, s: away_from_zero(r, s) * 2)(data, rng)
    return inputs, dict(rounding_mode=data.draw(st.sampled_from([None, None, "trunc", "floor"])))


def torch_div(a, b, rounding_mode=None):
    return torch.div(a, b, rounding_mode=rounding_mode)


def draw_clamp(data, rng):
    x = away_from_steps(rng, data.draw(shapes)) / 3
    low, high = data.draw(st.sampled_from([(-0.4, 0.6), (None, 0.15), (-0.15, None), (0.3, 0.3)]))
    return [x], dict(min=low, max=high)


def draw_pair_with_ties(data, rng):
    a, b = data.draw(pairs).input_shapes
    return [np.round(normal(rng, a) * 2) / 2, np.round(normal(rng, b) * 2) / 2], {}


def draw_scan(sample=normal):
    def draw(data, rng):
        shape = data.draw(shapes)
        return [sample(rng, shape)], dict(dim=dim_of(data, len(shape)))
    return draw


def draw_softmax(data, rng):
    shape = data.draw(shapes)
    return [normal(rng, shape) * 3], dict(dim=dim_of(data, len(shape)))


def draw_prod(data, rng):
    inputs, params = reduction()(data, rng)
    x = inputs[0]
    if x.size:
        x.flat[rng.integers(0, x.size, size=2)] = 0.0  # zeros, singly and in pairs
    return [x], params


def draw_cast(data, rng):
    return [normal(rng, data.draw(shapes))], dict(dtype=data.draw(st.sampled_from([np.float32, np.float64])))


def torch_cast(x, dtype):
    return x.to(getattr(torch, np.dtype(dtype).name))


def torch_reduce(fn):
    def call(x, dim=None, keepdim=False):
        if dim is None or dim == ():
            dim = tuple(range(x.ndim))
        return fn(x, dim=dim, keepdim=keepdim)
    return call


def torch_prod(x, dim=None, keepdim=False):  # torch.prod takes one dim: reduce one at a time
    axes = sorted(reduced(dim, x.ndim), reverse=True)
    for d in axes:
        x = x.prod(dim=d, keepdim=True)
    if not keepdim:
        for d in axes:
            x = x.squeeze(d)
    return x


def draw_norm(data, rng):
    shape = data.draw(shapes)
    dim = dims_of(data, len(shape))
    ord = data.draw(st.sampled_from([2, 1, 3, 0.5, 0, np.inf, -np.inf]))  # noqa: A001
    if ord in (np.inf, -np.inf):
        assume(all(shape[d] for d in reduced(dim, len(shape))))
    x = normal(rng, shape)
    if x.size and data.draw(st.booleans()):
        x.flat[0] = 0.0
    return [x], dict(ord=ord, dim=dim, keepdim=data.draw(st.booleans()))


def torch_norm(x, ord, dim=None, keepdim=False):  # noqa: A002
    return torch.linalg.vector_norm(x, ord, dim=None if dim == () else dim, keepdim=keepdim)


SPECS: dict[str, Spec] = {
    "norm": Spec(draw_norm, torch_norm),
    "add": Spec(binary(), torch.add),
    "sub": Spec(binary(), torch.sub),
    "mul": Spec(binary(), torch.mul),
    "div": Spec(draw_div, torch_div),
    "remainder": Spec(binary(normal, lambda r, s: away_from_zero(r, s) * 2), torch.remainder),
    "fmod": Spec(binary(normal, lambda r, s: away_from_zero(r, s) * 2), torch.fmod),
    "pow": Spec(draw_pow, torch.pow),
    "neg": Spec(unary(), torch.neg),
    "matmul": Spec(draw_matmul, torch.matmul),
    "einsum": Spec(draw_einsum, lambda *xs, equation: torch.einsum(equation, *xs)),
    "exp": Spec(unary(), torch.exp),
    "log": Spec(unary(positive), torch.log),
    "sqrt": Spec(unary(positive), torch.sqrt),
    "tanh": Spec(unary(), torch.tanh),
    "sigmoid": Spec(unary(), torch.sigmoid),
    "relu": Spec(unary(away_from_zero), torch.relu),
    "abs": Spec(unary(away_from_zero), torch.abs),
    "clamp": Spec(draw_clamp, torch.clamp),
    "maximum": Spec(draw_pair_with_ties, torch.maximum),
    "minimum": Spec(draw_pair_with_ties, torch.minimum),
    "cast": Spec(draw_cast, torch_cast, rtol=1e-6),
    "clone": Spec(unary(), torch.clone),
    "copysign": Spec(binary(away_from_zero), torch.copysign),
    "sin": Spec(unary(), torch.sin),
    "cos": Spec(unary(), torch.cos),
    "tan": Spec(unary(unit), torch.tan),
    "asin": Spec(unary(unit), torch.asin),
    "acos": Spec(unary(unit), torch.acos),
    "atan": Spec(unary(), torch.atan),
    "sinh": Spec(unary(), torch.sinh),
    "cosh": Spec(unary(), torch.cosh),
    "asinh": Spec(unary(), torch.asinh),
    "acosh": Spec(unary(above_one), torch.acosh),
    "atanh": Spec(unary(unit), torch.atanh),
    "log2": Spec(unary(positive), torch.log2),
    "log10": Spec(unary(positive), torch.log10),
    "log1p": Spec(unary(positive), torch.log1p),
    "expm1": Spec(unary(), torch.expm1),
    "exp2": Spec(unary(), torch.exp2),
    "erf": Spec(unary(), torch.erf),
    "floor": Spec(unary(away_from_steps), torch.floor),
    "ceil": Spec(unary(away_from_steps), torch.ceil),
    "trunc": Spec(unary(away_from_steps), torch.trunc),
    "sign": Spec(unary(away_from_zero), torch.sign),
    "round": Spec(unary(away_from_steps), torch.round),
    "sum": Spec(reduction(), torch_reduce(torch.sum)),
    "mean": Spec(reduction(), torch_reduce(torch.mean)),
    "prod": Spec(draw_prod, torch_prod),
    "amax": Spec(reduction(nonempty=True), torch_reduce(torch.amax)),
    "amin": Spec(reduction(nonempty=True), torch_reduce(torch.amin)),
    "cumsum": Spec(draw_scan(), lambda x, dim: torch.cumsum(x, dim)),
    "cumprod": Spec(draw_scan(away_from_zero), lambda x, dim: torch.cumprod(x, dim)),
    "reshape": Spec(draw_reshape, torch.reshape),
    "permute": Spec(draw_permute, torch.permute),
    "expand": Spec(draw_expand, lambda x, shape: x.expand(shape)),
    "repeat": Spec(draw_repeat, lambda x, repeats: x.repeat(repeats)),
    "roll": Spec(draw_roll, torch.roll),
    "getitem": Spec(draw_getitem, lambda x, index: x[torch_index(index)]),
    "setitem": Spec(draw_setitem, torch_setitem),
    "cat": Spec(draw_cat, lambda *xs, dim: torch.cat(xs, dim)),
    "stack": Spec(draw_stack, lambda *xs, dim: torch.stack(xs, dim)),
    "where": Spec(draw_where, torch.where),
    "gather": Spec(draw_gather, torch.gather),
    "scatter": Spec(draw_scatter, torch.scatter),
    "scatter_add": Spec(draw_scatter_add, torch.scatter_add),
    "scatter_reduce": Spec(draw_scatter_reduce, torch.scatter_reduce),
    "softmax": Spec(draw_softmax, torch.softmax),
    "log_softmax": Spec(draw_softmax, torch.log_softmax),
}

OURS = sorted(e.name for e in plugins.listing("ops") if e.provider == "tt-tensor")


def test_every_tt_tensor_op_has_a_differential_spec():
    missing = [name for name in OURS if name not in SPECS]
    assert not missing, f"ops without a differential spec against torch: {missing}"


def _to_torch(x):
    if isinstance(x, np.ndarray):
        return torch.tensor(x, requires_grad=x.dtype.kind == "f")
    return x


@pytest.mark.parametrize("name", sorted(SPECS))
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_forward_and_backward_match_torch(name, data):
    spec = SPECS[name]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    inputs, params = spec.draw(data, rng)
    inputs = [np.asarray(x) if isinstance(x, np.generic) else x for x in inputs]  # 0-d draws
    ours = [tt.tensor(x, requires_grad=x.dtype.kind == "f") if isinstance(x, np.ndarray) else x
            for x in inputs]
    theirs = [_to_torch(x) for x in inputs]
    out = tt.OPS[name].apply(*ours, **params)
    ref = spec.torch(*theirs, **params)
    assert out.shape == tuple(ref.shape), (out.shape, tuple(ref.shape))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=spec.rtol, atol=1e-12, equal_nan=True)
    if not ref.requires_grad:
        return
    upstream = rng.normal(size=out.shape)
    out.backward(upstream.astype(out.dtype))
    ref.backward(torch.tensor(upstream, dtype=ref.dtype))
    for mine, reference in zip(ours, theirs):
        if isinstance(reference, torch.Tensor) and reference.requires_grad:
            expected = np.zeros(reference.shape) if reference.grad is None else reference.grad.numpy()
            got = np.zeros(mine.shape) if mine.grad is None else mine.grad.data
            np.testing.assert_allclose(got, expected, rtol=spec.rtol, atol=1e-12, equal_nan=True)


# ----- the composed methods (no backward of their own), on the same kinds of shapes --------------
def _shape_dim(data, rng, nonempty_dim=False, min_dims=0):
    shape = data.draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=0, max_side=4))
    dim = dim_of(data, len(shape))
    if nonempty_dim:
        assume(shape and shape[dim] > 0 or not shape)
    return normal(rng, shape), dim


def _values(out):
    if isinstance(out, (tuple, list)):
        return [y for x in out for y in _values(x)]
    return [out]


COMPOSED = {
    "var": (lambda m, x, d: x.var(d), {}),
    "var-correction0-keepdim": (lambda m, x, d: x.var(d, keepdim=True, correction=0), {}),
    "std": (lambda m, x, d: m.std(x, d), {}),
    "logsumexp": (lambda m, x, d: m.logsumexp(x * 50, d), {}),
    "max-dim": (lambda m, x, d: x.max(d), dict(nonempty_dim=True)),
    "min-dim-keepdim": (lambda m, x, d: x.min(d, keepdim=True), dict(nonempty_dim=True)),
    "argmax": (lambda m, x, d: x.argmax(d), dict(nonempty_dim=True)),
    "cummax": (lambda m, x, d: m.cummax(x, d), {}),
    "cummin": (lambda m, x, d: x.cummin(d), {}),
    "sort": (lambda m, x, d: x.sort(dim=d, descending=True, stable=True), {}),
    "argsort": (lambda m, x, d: x.argsort(dim=d, stable=True), {}),
    "topk": (lambda m, x, d: x.topk(min(2, x.shape[d] if x.ndim else 1), d), {}),
    "flip": (lambda m, x, d: x.flip(d), {}),
    "tril": (lambda m, x, d: x.tril(d), dict(min_dims=2)),
    "triu": (lambda m, x, d: m.triu(x, -d), dict(min_dims=2)),
    "diagonal": (lambda m, x, d: x.diagonal(d, 0, 1), dict(min_dims=2)),
    "chunk": (lambda m, x, d: x.chunk(3, d), dict(min_dims=1)),
    "split": (lambda m, x, d: x.split(2, d), dict(min_dims=1)),
    "unbind": (lambda m, x, d: x.unbind(d), dict(min_dims=1)),
    "narrow": (lambda m, x, d: x.narrow(d, 0, x.shape[d] // 2), dict(min_dims=1)),
    "movedim": (lambda m, x, d: x.movedim(d, 0), {}),
    "squeeze-unsqueeze": (lambda m, x, d: x.unsqueeze(d).squeeze(d) + x.squeeze(d).reshape(x.shape), {}),
    "transpose": (lambda m, x, d: x.transpose(d, 0) if x.ndim else x.t(), {}),
    "flatten": (lambda m, x, d: x.flatten(d), {}),
    "index_select": (lambda m, x, d: x.index_select(d, m.tensor([0, 0])), dict(nonempty_dim=True, min_dims=1)),
    "masked_fill": (lambda m, x, d: x.masked_fill(x > 0, -1.0) * x, {}),
    "masked_select": (lambda m, x, d: x.masked_select(x > 0), {}),
    "any-all": (lambda m, x, d: ((x > 0).any(d).double(), (x > 0).all(d, keepdim=True).double()), {}),
    "softmax": (lambda m, x, d: x.softmax(d) * x.log_softmax(d), {}),
    "repeat_interleave": (lambda m, x, d: x.repeat_interleave(2, d), dict(min_dims=1)),
    "unfold": (lambda m, x, d: x.unfold(d, 1, 1), dict(nonempty_dim=True, min_dims=1)),
}


@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0:UserWarning")  # torch's, for n ≤ 1
@pytest.mark.parametrize("name", sorted(COMPOSED))
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_composed_methods_match_torch(name, data):
    expression, options = COMPOSED[name]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    x, dim = _shape_dim(data, rng, **options)
    x = np.asarray(x)
    ours, theirs = tt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = _values(expression(tt, ours, dim)), _values(expression(torch, theirs, dim))
    assert len(out) == len(ref)
    loss, ref_loss = None, None
    for mine, reference in zip(out, ref):
        assert mine.shape == tuple(reference.shape), (mine.shape, tuple(reference.shape))
        np.testing.assert_allclose(mine.data, reference.detach().numpy(), rtol=1e-9, atol=1e-12, equal_nan=True)
        if reference.requires_grad:
            w = rng.normal(size=mine.shape)
            with np.errstate(invalid="ignore"):  # -inf outputs (logsumexp of nothing) sum to nan
                loss = (mine * tt.tensor(w)).sum() + (0 if loss is None else loss)
            ref_loss = (reference * torch.tensor(w)).sum() + (0 if ref_loss is None else ref_loss)
    if ref_loss is None:
        return
    loss.backward()
    ref_loss.backward()
    expected = np.zeros(x.shape) if theirs.grad is None else theirs.grad.numpy()
    got = np.zeros(x.shape) if ours.grad is None else ours.grad.data
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12, equal_nan=True)
