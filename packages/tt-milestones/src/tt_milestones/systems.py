"""Counting what a training step costs, by asking the ops themselves.

`count_ops()` installs an observer with `tt_tensor.observing`, which every op calls
after its forward. The observer adds up each op's own `flops(ctx, inputs, output)` — so an
op from any plugin, a learner's included, is counted by its own declaration — and the
bytes of every output recorded in the graph for backward.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from tt_tensor import GradMode, observing


class OpCounter:
    """Totals over the ops that ran while it was installed (forward, with gradients on)."""

    def __init__(self) -> None:
        self.flops = 0
        self.ops = 0
        self.kept_bytes = 0  # outputs recorded for backward: the graph keeps them alive
        self.by_op: dict[str, int] = {}

    def __call__(self, op, inputs, output, ctx) -> None:
        # Optimizers and evaluation run with gradients off; a step's forward runs with them on.
        if not GradMode.enabled:
            return
        flops = int(op.flops(ctx, inputs, output.data))
        self.flops += flops
        self.ops += 1
        self.by_op[op.name] = self.by_op.get(op.name, 0) + flops
        if output.requires_grad:
            self.kept_bytes += output.data.nbytes


@contextmanager
def count_ops() -> Iterator[OpCounter]:
    """`with count_ops() as counter:` — every op run inside is added to `counter`."""
    counter = OpCounter()
    with observing(counter):
        yield counter


def parameter_memory(parameters) -> tuple[int, int]:
    """(number of values, bytes) of a list of parameter tensors."""
    return (sum(int(p.data.size) for p in parameters),
            sum(int(p.data.nbytes) for p in parameters))
