"""An op profiler: time, FLOPs and memory of every op, forward and backward, per layer.

Shaped like `torch.profiler`:

```python
from tt_autograd.profiler import profile

with profile(modules=model, profile_memory=True) as prof:
    loss = loss_fn(model(x), y)
    loss.backward()
print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=8))
print(prof.by_layer().table())
```

How it measures:

- **Time**: the profiler is an op observer (`tt_tensor.observing`) with `forward(op, inputs,
  output, ctx, seconds)` and `backward(op, inputs, grads, ctx, seconds)` methods; the op
  machinery times each op's forward and tt-autograd's engine each op's backward, and hands
  the seconds over. Time spent outside ops (Python in the layers' `forward`, the engine's
  graph walk) is in `wall_seconds` but in no op: `op_seconds / wall_seconds` says how much
  of a step the ops explain.
- **Layers**: with `modules=model`, each sub-module's `forward` runs inside
  `record_function(name)` for the duration of the block; every op is charged to the
  innermost layer it ran in, and its backward to the same layer (remembered from forward).
  `record_function("name")` marks any other region by hand.
- **FLOPs**: forward FLOPs are each op's own declaration, `op.flops(ctx, inputs, output)`.
  Backward FLOPs are counted, not assumed to be 2× forward: an op may declare
  `backward_flops(ctx, inputs, grads)`; otherwise the rule is *one forward's worth per input
  that received a gradient, one pass over the output for a 1-D input (a bias)* — exact for
  matmul, linear and convolution (each input's gradient is one product of the same size),
  so the first layer, whose input needs no gradient, costs 1× forward in backward, not 2×.
- **Memory** (`profile_memory=True`): `peak_bytes` is the peak of memory really allocated
  during the block (Python's `tracemalloc`, which NumPy reports its arrays to) above what was
  allocated when it started — live arrays, freed ones not counted twice. `saved_bytes` is
  the simpler sum of op outputs recorded for backward (what a graph keeps alive).
"""

from __future__ import annotations

import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

try:  # the thread-local observer machinery (tt-tensor ≥ the observer interface)
    from tt_tensor import observing
except ImportError:  # pragma: no cover - very old tt-tensor
    observing = None

__all__ = ["profile", "record_function", "OpEvent", "EventAverage", "EventList",
           "backward_flops"]

_scopes: list[str] = []  # the record_function stack (innermost last)


@contextmanager
def record_function(name: str) -> Iterator[None]:
    """`with record_function("attention"):` charges the ops run inside to `name`.

    An op is charged to the innermost region it runs in; like
    `torch.profiler.record_function`. With `profile(modules=model)` every layer is a region
    named by its dotted path in the model (`"blocks.0.attn"`).
    """
    _scopes.append(str(name))
    try:
        yield
    finally:
        _scopes.pop()


def backward_flops(op: Any, ctx: Any, inputs: tuple, grads: tuple, forward: int,
                   output_size: int | None = None) -> int:
    """The FLOPs of one op's backward, counted for that op.

    An op may declare `backward_flops(ctx, inputs, grads)`; that is used when present.
    Otherwise the rule: each input that received a gradient costs one forward's worth
    (`forward` FLOPs) — exact for matmul, linear and convolution, whose input and weight
    gradients are each one product as large as the forward — except a 1-D input (a bias,
    a norm's scale), whose gradient is a sum over the output: one FLOP per output element.
    An input that needs no gradient (the data going into the first layer) costs nothing, so
    the first layer's backward is 1× its forward, not 2×.
    """
    declared = getattr(op, "backward_flops", None)
    if declared is not None:
        return int(declared(ctx, inputs, grads))
    if not isinstance(grads, (tuple, list)):
        grads = (grads,)
    total = 0
    for x, g in zip(inputs, grads):
        if g is None:
            continue
        if np.ndim(getattr(x, "data", x)) == 1 and output_size is not None:
            total += int(output_size)
        else:
            total += int(forward)
    return total


@dataclass
class OpEvent:
    """One op call: which op, which layer, forward or backward, its time, FLOPs and bytes."""

    name: str
    phase: str  # "forward" or "backward"
    layer: str
    seconds: float
    flops: int
    shapes: tuple = ()
    output_bytes: int = 0


@dataclass
class EventAverage:
    """Totals over the events with the same key (an op name, or a layer).

    `self_cpu_time_total` / `cpu_time_total` (seconds) carry torch's names; in tt an op
    calls no other ops, so the two are equal.
    """

    key: str
    count: int = 0
    forward_seconds: float = 0.0
    backward_seconds: float = 0.0
    forward_flops: int = 0
    backward_flops: int = 0
    calls: dict[str, int] = field(default_factory=dict)

    @property
    def cpu_time_total(self) -> float:
        """Forward plus backward seconds."""
        return self.forward_seconds + self.backward_seconds

    self_cpu_time_total = cpu_time_total

    @property
    def flops(self) -> int:
        """Forward plus backward FLOPs."""
        return self.forward_flops + self.backward_flops


SORT_KEYS = ("self_cpu_time_total", "cpu_time_total", "forward_seconds", "backward_seconds",
             "flops", "count")


class EventList(list):
    """Rows of `EventAverage`, with `table()` to print them (torch's `key_averages()` form)."""

    def __init__(self, rows=(), total_seconds: float = 0.0, title: str = "op") -> None:
        super().__init__(rows)
        self.total_seconds = total_seconds
        self.title = title

    def sorted(self, sort_by: str = "self_cpu_time_total") -> "EventList":
        """The rows, largest `sort_by` first (see `SORT_KEYS`)."""
        if sort_by not in SORT_KEYS:
            raise ValueError(f"profiler: sort_by must be one of {', '.join(SORT_KEYS)}, "
                             f"got {sort_by!r}")
        rows = sorted(self, key=lambda r: getattr(r, sort_by), reverse=True)
        return EventList(rows, self.total_seconds, self.title)

    def table(self, sort_by: str = "self_cpu_time_total", row_limit: int = 10) -> str:
        """A plain-text table: calls, forward ms, backward ms, share of op time, GFLOPs."""
        rows = self.sorted(sort_by)[:row_limit] if row_limit > 0 else self.sorted(sort_by)
        total = sum(r.cpu_time_total for r in self) or 1.0
        width = max([len(self.title), *(len(r.key) for r in rows)]) + 2
        head = (f"{self.title:<{width}}{'calls':>7}{'fwd ms':>10}{'bwd ms':>10}"
                f"{'share':>8}{'fwd MFLOP':>12}{'bwd MFLOP':>12}")
        lines = [head, "-" * len(head)]
        for r in rows:
            lines.append(f"{r.key:<{width}}{r.count:>7}{1e3 * r.forward_seconds:>10.2f}"
                         f"{1e3 * r.backward_seconds:>10.2f}{r.cpu_time_total / total:>8.1%}"
                         f"{r.forward_flops / 1e6:>12.2f}{r.backward_flops / 1e6:>12.2f}")
        return "\n".join(lines)


class profile:  # noqa: N801  (torch's name)
    """Profile the ops run inside a `with` block (see the module docstring).

    Args:
        modules: a model (anything with `named_modules()`), to charge ops to its layers.
        profile_memory: measure the peak of allocated memory with `tracemalloc` (slower).
        record_shapes: keep each op's input shapes on its event.

    After the block: `events` (one `OpEvent` per op call and phase), `wall_seconds`,
    `op_seconds` (forward + backward, summed over ops), `forward_seconds`,
    `backward_seconds`, `forward_flops`, `backward_flops`, `peak_bytes`, `saved_bytes`,
    `key_averages()` (per op) and `by_layer()` (per layer).
    Ops run with gradients off (evaluation, optimizer updates) are profiled too;
    `phase` says which is which.
    """

    def __init__(self, modules: Any = None, profile_memory: bool = False,
                 record_shapes: bool = False) -> None:
        self.modules = modules
        self.profile_memory = profile_memory
        self.record_shapes = record_shapes
        self.events: list[OpEvent] = []
        self.wall_seconds = 0.0
        self.peak_bytes = 0
        self.saved_bytes = 0
        self.backward_seen = False
        self._wrapped: list[Any] = []
        self._context = None
        self._started_tracemalloc = False
        self._base_bytes = 0

    # ----- observer interface (called by tt_tensor and tt_autograd) -------------------------
    def forward(self, op, inputs, output, ctx, seconds) -> None:
        layer = _scopes[-1] if _scopes else ""
        data = getattr(output, "data", output)
        flops = int(op.flops(ctx, tuple(getattr(x, "data", x) for x in inputs), data))
        try:  # on the ctx itself: it lives exactly as long as its backward may run
            ctx._tt_profile = (layer, flops, int(getattr(data, "size", 0)))
        except AttributeError:  # pragma: no cover - a ctx that takes no attributes
            pass
        nbytes = int(getattr(data, "nbytes", 0))
        if getattr(output, "requires_grad", False):
            self.saved_bytes += nbytes
        shapes = tuple(getattr(x, "shape", ()) for x in inputs) if self.record_shapes else ()
        self.events.append(OpEvent(op.name or op.__name__, "forward", layer, float(seconds or 0.0),
                                   flops, shapes, nbytes))

    def backward(self, op, inputs, grads, ctx, seconds) -> None:
        self.backward_seen = True
        layer, forward, size = getattr(ctx, "_tt_profile", ("", 0, 0))
        flops = backward_flops(op, ctx, inputs, grads, forward, size)
        self.events.append(OpEvent(op.name or op.__name__, "backward", layer,
                                   float(seconds or 0.0), flops))

    # ----- the block ------------------------------------------------------------------------
    def __enter__(self) -> "profile":
        if observing is None:  # pragma: no cover
            raise RuntimeError("profiler: this tt-tensor has no op observers (observing)")
        if self.modules is not None:
            self._wrap_layers(self.modules)
        if self.profile_memory:
            self._started_tracemalloc = not tracemalloc.is_tracing()
            if self._started_tracemalloc:
                tracemalloc.start()
            tracemalloc.reset_peak()
            self._base_bytes = tracemalloc.get_traced_memory()[0]
        self._context = observing(self)
        self._context.__enter__()
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.wall_seconds = time.perf_counter() - self._start
        self._context.__exit__(*exc)
        if self.profile_memory:
            self.peak_bytes = max(0, tracemalloc.get_traced_memory()[1] - self._base_bytes)
            if self._started_tracemalloc:
                tracemalloc.stop()
        for module, previous in reversed(self._wrapped):
            if previous is None:
                module.__dict__.pop("forward", None)
            else:
                module.__dict__["forward"] = previous
        self._wrapped.clear()

    def _wrap_layers(self, model: Any) -> None:
        """Run each sub-module's forward inside `record_function(its name)`."""
        for name, module in model.named_modules():
            original = module.forward  # may itself be a wrapper (e.g. a pruned layer's)
            label = name or f"({type(module).__name__})"  # the model itself

            def wrapped(*args, __original=original, __label=label, **kwargs):
                with record_function(__label):
                    return __original(*args, **kwargs)

            self._wrapped.append((module, module.__dict__.get("forward")))
            module.__dict__["forward"] = wrapped

    # ----- totals ---------------------------------------------------------------------------
    def _total(self, phase: str, what: str) -> float:
        return sum(getattr(e, what) for e in self.events if e.phase == phase)

    @property
    def forward_seconds(self) -> float:
        """Seconds inside op forwards."""
        return self._total("forward", "seconds")

    @property
    def backward_seconds(self) -> float:
        """Seconds inside op backwards."""
        return self._total("backward", "seconds")

    @property
    def op_seconds(self) -> float:
        """Seconds inside ops, forward and backward."""
        return self.forward_seconds + self.backward_seconds

    @property
    def forward_flops(self) -> int:
        """FLOPs of the forwards (each op's own count)."""
        return int(self._total("forward", "flops"))

    @property
    def backward_flops(self) -> int:
        """FLOPs of the backwards (counted per op, see `backward_flops`)."""
        return int(self._total("backward", "flops"))

    def _averages(self, key_of, title: str) -> EventList:
        rows: dict[str, EventAverage] = {}
        for e in self.events:
            key = key_of(e)
            row = rows.setdefault(key, EventAverage(key))
            if e.phase == "forward":
                row.count += 1
                row.forward_seconds += e.seconds
                row.forward_flops += e.flops
            else:
                row.backward_seconds += e.seconds
                row.backward_flops += e.flops
            row.calls[e.name] = row.calls.get(e.name, 0) + (e.phase == "forward")
        return EventList(rows.values(), self.wall_seconds, title)

    def key_averages(self) -> EventList:
        """One row per op name (torch's `key_averages()`)."""
        return self._averages(lambda e: e.name, "op")

    def by_layer(self) -> EventList:
        """One row per layer (the innermost `record_function` region; "" for none)."""
        return self._averages(lambda e: e.layer or "(outside layers)", "layer")

    def summary(self) -> dict[str, Any]:
        """The totals as plain data."""
        return {"wall_seconds": self.wall_seconds, "op_seconds": self.op_seconds,
                "forward_seconds": self.forward_seconds,
                "backward_seconds": self.backward_seconds,
                "forward_flops": self.forward_flops, "backward_flops": self.backward_flops,
                "peak_bytes": self.peak_bytes, "saved_bytes": self.saved_bytes,
                "ops": sum(1 for e in self.events if e.phase == "forward")}

