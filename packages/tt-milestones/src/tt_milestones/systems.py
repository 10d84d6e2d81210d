"""Counting what a training step costs, by asking the ops themselves.

`count_ops()` installs an observer with `tt_tensor.observing`: every op reports its forward
(and, through tt-autograd's engine, its backward). The observer adds up each op's own
`flops(ctx, inputs, output)` — so an op from any plugin, a learner's included, is counted by
its own declaration — and, for backward, the FLOPs that `tt_autograd.profiler.backward_flops`
counts for that op (its own `backward_flops` if it declares one, else one forward's worth per
input that received a gradient, a pass over the output for a bias): counted, not assumed to
be 2× forward. With `memory=True`
it also measures the peak of memory really allocated during the block (`tracemalloc`, which
NumPy reports its arrays to), not a sum of outputs.
"""

from __future__ import annotations

import tracemalloc
from contextlib import contextmanager
from typing import Iterator

from tt_autograd.profiler import backward_flops
from tt_tensor import observing


def _grad_enabled() -> bool:
    try:
        from tt_tensor import is_grad_enabled
    except ImportError:  # pragma: no cover - older tt-tensor
        from tt_tensor import GradMode

        return GradMode.enabled
    return is_grad_enabled()


class OpCounter:
    """Totals over the ops that ran while it was installed (with gradients on).

    Attributes:
        flops: forward FLOPs; backward_flops: backward FLOPs (counted per op);
        ops: forward op calls; kept_bytes: bytes of the op outputs recorded for backward
        (what the graph keeps alive); peak_bytes: measured peak allocation above the start
        (with `memory=True`); by_op: forward FLOPs per op name.
    """

    def __init__(self) -> None:
        self.flops = 0
        self.backward_flops = 0
        self.ops = 0
        self.kept_bytes = 0
        self.peak_bytes = 0
        self.by_op: dict[str, int] = {}

    def forward(self, op, inputs, output, ctx, seconds) -> None:
        # Optimizers and evaluation run with gradients off; a step's forward runs with them on.
        if not _grad_enabled():
            return
        flops = int(op.flops(ctx, tuple(getattr(x, "data", x) for x in inputs), output.data))
        try:
            ctx._tt_counted = (flops, int(output.data.size))
        except AttributeError:  # pragma: no cover
            pass
        self.flops += flops
        self.ops += 1
        self.by_op[op.name] = self.by_op.get(op.name, 0) + flops
        if output.requires_grad:
            self.kept_bytes += output.data.nbytes

    def backward(self, op, inputs, grads, ctx, seconds) -> None:
        counted = getattr(ctx, "_tt_counted", None)
        if counted is None:
            return  # recorded before the counter was installed
        self.backward_flops += backward_flops(op, ctx, inputs, grads, *counted)

    @property
    def step_flops(self) -> int:
        """Forward plus backward FLOPs."""
        return self.flops + self.backward_flops


@contextmanager
def count_ops(memory: bool = False) -> Iterator[OpCounter]:
    """`with count_ops() as counter:` — every op run inside is added to `counter`."""
    counter = OpCounter()
    started = memory and not tracemalloc.is_tracing()
    if memory:
        if started:
            tracemalloc.start()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
    try:
        with observing(counter):
            yield counter
    finally:
        if memory:
            counter.peak_bytes = max(0, tracemalloc.get_traced_memory()[1] - base)
            if started:
                tracemalloc.stop()


def parameter_memory(parameters) -> tuple[int, int]:
    """(number of values, bytes) of a list of parameter tensors."""
    return (sum(int(p.data.size) for p in parameters),
            sum(int(p.data.nbytes) for p in parameters))
