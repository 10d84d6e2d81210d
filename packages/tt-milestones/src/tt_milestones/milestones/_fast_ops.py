"""A faster `gelu` for the systems milestone, swapped in through the registry.

NumPy runs each elementwise operation on one core, while a CPU has several. tt's GELU is
about 25 elementwise passes over cache-sized blocks (`tt_nn.ops.erf.gelu_float32`), and
the value of each element depends on that element alone — so the array can be cut into
one contiguous part per core and the parts computed at the same time in threads (NumPy
releases the GIL inside its loops). Each element goes through exactly the same arithmetic
as in the built-in op, so outputs and gradients are bit-for-bit identical; only the
wall time changes. Small arrays, other dtypes and `approximate="tanh"` are handed to the
built-in op unchanged.

It is provided by a plugin object (`ParallelGeluPlugin`) under the provider name
`"tt-milestones-parallel"`; `with parallel_gelu():` registers it and selects it with
`tt_tensor.plugins.use`, exactly as a learner's own op would be swapped in.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Iterator

import numpy as np
from tt_tensor import Function, hookimpl, plugins

PROVIDER = "tt-milestones-parallel"
MIN_PARALLEL = 1 << 16  # below this many elements, threads cost more than they save
_pool: ThreadPoolExecutor | None = None


def cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=cores(), thread_name_prefix="tt-gelu")
    return _pool


def _builtin():
    from tt_nn.ops.activations import GELUOp

    return GELUOp


class ParallelGELUOp(Function):
    """`gelu` with the float32 exact form computed on every core at once (see the module)."""

    name = "gelu"

    @staticmethod
    def forward(ctx, x, approximate="none"):
        from tt_nn.ops.erf import _BLOCK, gelu_float32

        x = np.asarray(x)
        workers = cores()
        if approximate != "none" or x.dtype != np.float32 or x.size < MIN_PARALLEL \
                or workers < 2:
            ctx.fallback = True
            return _builtin().forward(ctx, x, approximate)
        ctx.fallback = False
        flat = np.ascontiguousarray(x).reshape(-1)
        step = -(-flat.size // workers)
        step = -(-step // _BLOCK) * _BLOCK  # whole blocks per part: the same blocks as built-in
        slope = True in ctx.needs_grad
        parts = list(_executor().map(lambda s: gelu_float32(flat[s:s + step], slope),
                                     range(0, flat.size, step)))
        out = np.concatenate([p[0] for p in parts]).reshape(x.shape)
        if slope:
            ctx.slope = np.concatenate([p[1] for p in parts]).reshape(x.shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.fallback:
            return _builtin().backward(ctx, grad)
        return (grad * ctx.slope,)

    @staticmethod
    def flops(ctx, inputs, output):
        return _builtin().flops(ctx, inputs, output)

    @staticmethod
    def examples():
        return _builtin().examples()


class ParallelGeluPlugin:
    """The plugin that provides `ParallelGELUOp` as the op `gelu`."""

    @hookimpl
    def register_ops(self, register):
        register("gelu", ParallelGELUOp)


@contextmanager
def parallel_gelu() -> Iterator[None]:
    """Inside the block, every `gelu` (layers, functional) runs `ParallelGELUOp`."""
    with plugins.plugin(ParallelGeluPlugin(), PROVIDER):
        plugins.use("gelu", PROVIDER, kind="ops")
        yield
