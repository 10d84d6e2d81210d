"""Functions that make tensors: tensor, zeros, ones, randn, rand, arange, and cat/stack/where."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from tt_tensor import random
from tt_tensor.dtypes import DEFAULT_FLOAT, to_array
from tt_tensor.plugins import OPS
from tt_tensor.tensor import Tensor


def _shape(shape: tuple) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _leaf(array: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor(array, requires_grad=requires_grad)


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor from numbers, lists or an array (same dtype rules as `Tensor`)."""
    if isinstance(data, Tensor):
        data = data.data.copy()
    return Tensor(to_array(data, dtype), requires_grad=requires_grad)


def zeros(*shape: int, dtype: Any = DEFAULT_FLOAT, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros, float32 unless `dtype` is given."""
    return _leaf(np.zeros(_shape(shape), dtype=dtype), requires_grad)


def ones(*shape: int, dtype: Any = DEFAULT_FLOAT, requires_grad: bool = False) -> Tensor:
    """A tensor of ones, float32 unless `dtype` is given."""
    return _leaf(np.ones(_shape(shape), dtype=dtype), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None) -> Tensor:
    return zeros(*t.shape, dtype=dtype or t.dtype)


def ones_like(t: Tensor, dtype: Any = None) -> Tensor:
    return ones(*t.shape, dtype=dtype or t.dtype)


def randn(*shape: int, dtype: Any = DEFAULT_FLOAT, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from tt's seeded generator (see `manual_seed`)."""
    return _leaf(random.generator().standard_normal(_shape(shape)).astype(dtype), requires_grad)


def rand(*shape: int, dtype: Any = DEFAULT_FLOAT, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) from tt's seeded generator."""
    return _leaf(random.generator().random(_shape(shape)).astype(dtype), requires_grad)


def randint(low: int, high: int, size: Sequence[int]) -> Tensor:
    """Integers in [low, high) from tt's seeded generator (int64)."""
    return Tensor(random.generator().integers(low, high, size=tuple(size), dtype=np.int64))


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None) -> Tensor:
    """Evenly spaced values in [start, end): int64 for whole numbers, else float32."""
    if end is None:
        start, end = 0, start
    values = np.arange(start, end, step)
    if dtype is None:
        dtype = np.int64 if values.dtype.kind in "iu" else DEFAULT_FLOAT
    return Tensor(values.astype(dtype))


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension (differentiable)."""
    if not tensors:
        raise ValueError("cat: needs at least one tensor")
    return OPS["cat"].apply(*tensors, dim=dim)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension (differentiable)."""
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    return OPS["stack"].apply(*tensors, dim=dim)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elementwise `a if condition else b`, broadcasting all three (differentiable in a and b)."""
    condition = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    return OPS["where"].apply(condition, a, b)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise larger of a and b (differentiable)."""
    return OPS["maximum"].apply(a, b)
