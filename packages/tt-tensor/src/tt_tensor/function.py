"""How an op runs: `Function` (forward and backward side by side) and the graph it records.

Every differentiable operation in tt is a subclass of `Function` with two static methods:
`forward(ctx, *arrays, **params)` computes the result with NumPy, and
`backward(ctx, grad)` turns the gradient of the result into gradients of the inputs.
`ctx` is a scratch object where forward leaves what backward will need.

Calling `SomeOp.apply(*inputs, **params)` runs forward and, when any input requires a
gradient and gradients are enabled, records on the output tensor which op made it and
from what. Walking those records backwards is tt-autograd's job; tt-tensor only records.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, ClassVar, Iterator

import numpy as np

from tt_tensor.tensor import Tensor


class GradMode:
    """Process-wide switches read on every op call (kept as plain attributes: one lookup)."""

    enabled: bool = True
    # Callables `observer(op, inputs, output, ctx)` run after every op while installed:
    # anomaly detection and FLOP/memory counting are observers. Empty means zero cost.
    observers: list[Callable[..., None]] = []


@contextmanager
def observing(observer: Callable[..., None]) -> Iterator[None]:
    """`with observing(f):` every op run inside the block calls `f(op, inputs, output, ctx)`.

    Anomaly mode and the milestones' FLOP and memory counters are observers; outside such
    a block no observer is installed and ops pay nothing for the feature.
    """
    GradMode.observers.append(observer)
    try:
        yield
    finally:
        GradMode.observers.remove(observer)


class Context:
    """Scratch space that an op's forward fills for its backward.

    `needs_grad[i]` says whether input `i` wants a gradient, so backward can skip work.
    """

    needs_grad: tuple[bool, ...] = ()


class Function:
    """Base class of every op: subclass it and write `forward` and `backward` together.

    Class attributes:
        name: the name the op is registered under (e.g. `"matmul"`).
        differentiable: `False` for ops with no gradient (comparisons, argmax).
    Static methods to write:
        forward(ctx, *inputs, **params) -> np.ndarray
        backward(ctx, grad) -> one gradient (array or None) per positional input
        examples() -> list of `Example`: float64 sample inputs for the gradient check.
        flops(ctx, inputs, output) -> int: floating-point operations of one forward.
    """

    name: ClassVar[str] = ""
    differentiable: ClassVar[bool] = True

    @staticmethod
    def forward(ctx: Context, *inputs: Any, **params: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        raise NotImplementedError

    @staticmethod
    def examples() -> list["Example"]:
        return []

    @staticmethod
    def flops(ctx: Context, inputs: tuple, output: np.ndarray) -> int:
        """Default cost: one operation per output element."""
        return int(output.size)

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> "Tensor":
        """Run the op on Tensors (or plain numbers) and record it for backward."""
        ctx = Context()
        record = False
        if GradMode.enabled and cls.differentiable:
            needs = tuple(isinstance(x, Tensor) and x.requires_grad for x in inputs)
            if True in needs:
                ctx.needs_grad = needs
                record = True
        arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
        out = cls.forward(ctx, *arrays, **params)
        result = Tensor.__new__(Tensor)
        result.data = out
        result.grad = None
        if record:
            result.requires_grad = True
            result._op = cls
            result._ctx = ctx
            result._inputs = inputs
        else:
            result.requires_grad = False
            result._op = None
            result._ctx = None
            result._inputs = ()
        if GradMode.observers:
            for observer in GradMode.observers:
                observer(cls, inputs, result, ctx)
        return result


class Example:
    """One set of sample inputs for an op's gradient check.

    `inputs` are float64 arrays (differentiated) or other values (held fixed);
    `params` are keyword arguments passed to `apply`.
    """

    def __init__(self, *inputs: Any, **params: Any) -> None:
        self.inputs = inputs
        self.params = params

    def __repr__(self) -> str:
        shapes = [getattr(x, "shape", x) for x in self.inputs]
        return f"Example({shapes}, {self.params})"


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `grad` over the axes NumPy broadcasting added or stretched, back to `shape`.

    If `y = x + b` broadcast `b` from shape (4,) to (3, 4), every row used the same `b`,
    so `b`'s gradient is the sum of the rows' gradients.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad
