"""Functions that make tensors (torch's names, arguments and defaults): tensor, zeros, ones,
full, empty, eye, arange, linspace, the `*_like` forms, random tensors (randn, rand,
randint, randperm, normal, bernoulli, multinomial), and cat/stack/where.

Floating-point results get the default dtype (`tt.get_default_dtype()`, float32) unless
`dtype` is given. Every function accepts `device=` ("cpu" or None; see `tt_tensor.device`)
and `requires_grad=` where torch does.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from tt_tensor import random
from tt_tensor.device import check_device
from tt_tensor.dtypes import get_default_dtype, to_array
from tt_tensor.plugins import OPS
from tt_tensor.tensor import Tensor, from_numpy


def _shape(shape: tuple) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _leaf(array: np.ndarray, requires_grad: bool, device: Any = None) -> Tensor:
    if device is not None:
        check_device(device, "tensor")
    t = from_numpy(array)
    return t.requires_grad_() if requires_grad else t


def _float(dtype: Any) -> np.dtype:
    return get_default_dtype() if dtype is None else np.dtype(dtype)


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor with a copy of `data` (numbers, lists, an array or a tensor).

    Python floats get the default dtype (float32), integers int64, a NumPy array keeps its
    dtype. The values are always copied, as in torch: changing the array afterwards does
    not change the tensor (`tt.from_numpy` shares memory instead).
    """
    if isinstance(data, Tensor):
        data = data.data
    return _leaf(to_array(data, dtype, copy=True), requires_grad, device)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """`data` as a tensor, sharing memory with a NumPy array or tensor when no cast is needed."""
    if isinstance(data, Tensor) and (dtype is None or np.dtype(dtype) == data.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or np.dtype(dtype) == data.dtype):
        return _leaf(to_array(data), False, device)
    return tensor(data, dtype=dtype, device=device)


def zeros(*size: int, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (float32 unless `dtype` is given)."""
    return _leaf(np.zeros(_shape(size), dtype=_float(dtype)), requires_grad, device)


def ones(*size: int, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (float32 unless `dtype` is given)."""
    return _leaf(np.ones(_shape(size), dtype=_float(dtype)), requires_grad, device)


def empty(*size: int, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor to be filled in (tt gives zeros; torch leaves the memory as it was)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size: Sequence[int], fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of `size` filled with `fill_value` (its dtype follows the value, as torch)."""
    if dtype is None:
        dtype = to_array(fill_value).dtype
    return _leaf(np.full(tuple(size), fill_value, dtype=dtype), requires_grad, device)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The n × m identity matrix (ones on the diagonal)."""
    return _leaf(np.eye(n, m, dtype=_float(dtype)), requires_grad, device)


def _like(t: Tensor, dtype: Any) -> tuple[tuple[int, ...], np.dtype]:
    return t.shape, np.dtype(dtype) if dtype is not None else t.dtype


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False) -> Tensor:
    """Zeros with input's shape (and dtype unless given)."""
    shape, dtype = _like(input, dtype)
    return _leaf(np.zeros(shape, dtype), requires_grad, device)


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False) -> Tensor:
    """Ones with input's shape (and dtype unless given)."""
    shape, dtype = _like(input, dtype)
    return _leaf(np.ones(shape, dtype), requires_grad, device)


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False) -> Tensor:
    """A tensor with input's shape to be filled in (zeros in tt)."""
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False) -> Tensor:
    """`fill_value` everywhere, with input's shape (and dtype unless given)."""
    shape, dtype = _like(input, dtype)
    return _leaf(np.full(shape, fill_value, dtype), requires_grad, device)


def arange(start: float, end: float | None = None, step: float = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, end): int64 for whole numbers, else the default float."""
    if end is None:
        start, end = 0, start
    values = np.arange(start, end, step)
    if dtype is None:
        dtype = np.int64 if values.dtype.kind in "iu" else get_default_dtype()
    return _leaf(values.astype(dtype), requires_grad, device)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced values from start to end, both included."""
    return _leaf(np.linspace(start, end, steps, dtype=np.float64).astype(_float(dtype)),
                 requires_grad, device)


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """base ** linspace(start, end, steps)."""
    return _leaf(np.logspace(start, end, steps, base=base).astype(_float(dtype)), requires_grad, device)


# ----- random (all from tt's seeded generator, see `manual_seed`) -----------------------------
def _generator(generator: Any) -> np.random.Generator:
    return random.resolve(generator)


def randn(*size: int, generator: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples (mean 0, variance 1)."""
    values = _generator(generator).standard_normal(_shape(size))
    return _leaf(values.astype(_float(dtype)), requires_grad, device)


def rand(*size: int, generator: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    values = _generator(generator).random(_shape(size))
    return _leaf(values.astype(_float(dtype)), requires_grad, device)


def randint(low: int, high: int | Sequence[int] | None = None, size: Sequence[int] | None = None, *,
            generator: Any = None, dtype: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """Integers in [low, high) (int64); `randint(high, size)` starts at 0, as in torch."""
    if size is None:
        if high is None or isinstance(high, int):
            raise TypeError("randint: needs a size, e.g. randint(0, 10, (3,)) or randint(10, (3,))")
        low, high, size = 0, low, high
    values = _generator(generator).integers(low, high, size=tuple(size), dtype=np.int64)
    return _leaf(values.astype(dtype or np.int64), requires_grad, device)


def randperm(n: int, *, generator: Any = None, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """A random ordering of 0..n-1 (int64)."""
    values = _generator(generator).permutation(n).astype(dtype or np.int64)
    return _leaf(values, requires_grad, device)


def randn_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False) -> Tensor:
    """Standard normal samples with input's shape (and dtype unless given)."""
    shape, dtype = _like(input, dtype)
    return randn(*shape, dtype=dtype, device=device, requires_grad=requires_grad)


def rand_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) with input's shape (and dtype unless given)."""
    shape, dtype = _like(input, dtype)
    return rand(*shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randint_like(input: Tensor, low: int, high: int | None = None, *, dtype: Any = None,  # noqa: A002
                 device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers in [low, high) with input's shape (and dtype unless given)."""
    if high is None:
        low, high = 0, low
    shape, dtype = _like(input, dtype)
    return _leaf(random.generator().integers(low, high, size=shape).astype(dtype), requires_grad, device)


def normal(mean: Any, std: Any = 1.0, size: Sequence[int] | None = None, *, generator: Any = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal samples with `mean` and `std` (numbers with a `size`, or tensors: one sample
    per element, broadcast)."""
    m, s = (x.data if isinstance(x, Tensor) else x for x in (mean, std))
    if np.any(np.asarray(s) < 0):
        raise ValueError("normal: std must be ≥ 0")
    shape = tuple(size) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    if dtype is None:
        dtype = next((x.dtype for x in (mean, std) if isinstance(x, Tensor) and x.dtype.kind == "f"),
                     get_default_dtype())
    values = _generator(generator).normal(m, s, size=shape)
    return _leaf(np.asarray(values).astype(dtype), requires_grad, device)


def bernoulli(input: Tensor, p: float | None = None, *, generator: Any = None) -> Tensor:
    """1 with probability `input` (or `p`), else 0, elementwise; input's dtype."""
    probs = input.data if p is None else np.full(input.shape, p)
    if probs.size and (np.any(probs < 0) or np.any(probs > 1) or np.any(np.isnan(probs))):
        raise ValueError("bernoulli: probabilities must be in [0, 1]")
    draws = _generator(generator).random(input.shape) < probs
    return from_numpy(draws.astype(input.dtype))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: Any = None) -> Tensor:
    """Indices drawn from each row of non-negative weights `input` (1-D or 2-D; int64).

    Without replacement each index is drawn at most once (weighted sampling by random keys
    u^(1/w), the largest `num_samples` win), as `torch.multinomial`.
    """
    weights = np.asarray(input.data, dtype=np.float64)
    if weights.ndim not in (1, 2):
        raise ValueError(f"multinomial: expects a 1-D or 2-D tensor of weights, got shape {weights.shape}")
    rows = weights.reshape(-1, weights.shape[-1])
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise ValueError("multinomial: weights must be finite and non-negative (found inf, nan "
                         "or a negative value)")
    if np.any(rows.sum(axis=1) <= 0):
        raise ValueError("multinomial: every row of weights must have a positive sum")
    if not replacement and num_samples > int((rows > 0).sum(axis=1).min()):
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement from "
                         f"a row with only {int((rows > 0).sum(axis=1).min())} non-zero weights")
    g = _generator(generator)
    if replacement:
        cdf = np.cumsum(rows, axis=1)
        u = g.random((rows.shape[0], num_samples)) * cdf[:, -1:]
        picks = np.minimum((cdf[:, None, :] <= u[:, :, None]).sum(axis=-1), rows.shape[1] - 1)
    else:
        with np.errstate(divide="ignore"):
            keys = np.log(g.random(rows.shape)) / rows  # log u / w: -inf for weight 0
        picks = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    return from_numpy(picks.reshape(weights.shape[:-1] + (num_samples,)).astype(np.int64))


# ----- joining ----------------------------------------------------------------------------------
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension (differentiable)."""
    if not len(tensors):
        raise ValueError("cat: needs at least one tensor")
    return OPS["cat"].apply(*tensors, dim=dim)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension (differentiable)."""
    if not len(tensors):
        raise ValueError("stack: needs at least one tensor")
    return OPS["stack"].apply(*tensors, dim=dim)


def where(condition: Any, input: Any = None, other: Any = None) -> Tensor:  # noqa: A002
    """Elementwise `input if condition else other`, broadcasting all three (differentiable in
    input and other, which may be numbers). `where(condition)` alone is `nonzero(as_tuple=True)`."""
    condition = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if input is None and other is None:
        return from_numpy(condition).nonzero(as_tuple=True)
    return OPS["where"].apply(condition, input, other)


def maximum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise larger of input and other (differentiable; ties share the gradient)."""
    return OPS["maximum"].apply(input, other)


def minimum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise smaller of input and other (differentiable; ties share the gradient)."""
    return OPS["minimum"].apply(input, other)
