"""Scratch arrays kept between calls, so the im2col matrices are not re-allocated every time.

A convolution's column matrices are large (a few MB per batch chunk; 20 MB for LeNet's
first layer at batch 256 in one piece) and are needed again and again. Allocating them
afresh each time can cost more than filling them: the operating system hands out big
blocks as untouched pages, and touching each 4 KB page for the first time is a page fault. `take` hands back an
array of the same shape that an earlier step finished with; `give_when_freed(owner, array)`
returns it to the pool when `owner` (the op's ctx) is garbage-collected, i.e. when nothing
can read it any more. An array is only ever in the pool or in use by one owner.
"""

from __future__ import annotations

import math
import threading
import weakref

import numpy as np

LIMIT_BYTES = 256 * 2**20  # what the pool may keep unused; beyond that arrays are dropped
SMALLEST = 2**20  # smaller arrays are not pooled: they come back cheaply from malloc anyway

_free: dict[tuple, list[np.ndarray]] = {}
_kept = 0
_lock = threading.Lock()


def take(shape: tuple[int, ...], dtype) -> np.ndarray:
    """An uninitialised array of `shape` and `dtype`: from the pool if one is free."""
    global _kept
    dtype = np.dtype(dtype)
    if math.prod(shape) * dtype.itemsize < SMALLEST:  # never pooled (see `give`)
        return np.empty(shape, dtype=dtype)
    key = (tuple(shape), dtype.str)
    with _lock:
        arrays = _free.get(key)
        if arrays:
            array = arrays.pop()
            _kept -= array.nbytes
            return array
    return np.empty(shape, dtype=dtype)


def give(array: np.ndarray) -> None:
    """Return an array nobody reads any more (dropped instead if the pool is full)."""
    global _kept
    if array.nbytes < SMALLEST:
        return
    with _lock:
        if _kept + array.nbytes <= LIMIT_BYTES:
            _free.setdefault((array.shape, array.dtype.str), []).append(array)
            _kept += array.nbytes


def give_when_freed(owner: object, array: np.ndarray) -> None:
    """Return `array` to the pool once `owner` has been garbage-collected."""
    if array.nbytes < SMALLEST:  # `give` would drop it anyway: no finalizer needed
        return
    finalizer = weakref.finalize(owner, give, array)
    finalizer.atexit = False  # nothing to return at interpreter exit


def clear() -> None:
    """Drop every pooled array (frees the memory)."""
    global _kept
    with _lock:
        _free.clear()
        _kept = 0
