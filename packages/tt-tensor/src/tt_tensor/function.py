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

from itertools import count
from time import perf_counter
from typing import Any, ClassVar

import numpy as np

from tt_tensor.grad_mode import no_grad, state
from tt_tensor.tensor import Tensor


class Context:
    """Scratch space that an op's forward fills for its backward.

    `needs_grad[i]` says whether forward input `i` wants a gradient, so backward can skip
    work; it has one entry per input, always. `versions` are the inputs' version counters
    when forward ran, and `output_version` the output's: backward compares them with the
    tensors' counters now, so a value changed in place in between is an error, not a
    silently wrong gradient.
    """

    needs_grad: tuple[bool, ...] = ()
    counters: list = []  # the inputs' version counters (None for a non-tensor input)
    versions: list[int] = []
    output_version: int = 0


_node_numbers = count()  # Node.seq: creation order (itertools.count is thread-safe in CPython)


class Node:
    """One recorded op in the graph: what backward walks. It holds no values of its own.

    A tensor made by a recorded op points at its node (`tensor.grad_fn`). The node points
    at what the op's inputs came from: the inputs' own nodes, or the leaf tensors that want
    a gradient (they collect `.grad`), or `None` for inputs that need none. Values live
    only in tensors and in what `ctx` saved, so an intermediate result that no backward
    reads is freed as soon as the program lets go of it, as in PyTorch.

    Attributes: `op` (the Function), `ctx` (what forward saved; `None` once backward has
    used it), `inputs`, `counter` (the output tensor's version counter), `shape`/`dtype`
    of the output, `retained` (a weak reference to the tensor, after `retain_grad()`) and
    `seq`, a number that grows with every node made: a node's inputs were made before it,
    so sorting nodes by `seq` puts each after everything it was computed from (how the
    engine orders backward without a graph search).
    """

    __slots__ = ("op", "ctx", "inputs", "counter", "shape", "dtype", "retained", "seq")

    def __init__(self, op: Any, ctx: Context, inputs: tuple, counter: list, out: np.ndarray) -> None:
        self.op, self.ctx, self.inputs, self.counter = op, ctx, inputs, counter
        self.shape, self.dtype = out.shape, out.dtype
        self.retained = None
        self.seq = next(_node_numbers)

    def name(self) -> str:
        """The op's name, e.g. `"matmul"` (torch's `grad_fn.name()`)."""
        return self.op.name

    def __repr__(self) -> str:
        return f"<{self.op.__name__} node, output shape {self.shape}>"


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
    # What backward reads, so only a change to those is an error (as PyTorch's saved tensors):
    # `saves_inputs` for ops whose gradient uses the input values (mul, matmul, exp's input
    # is not needed but log's is), `saves_output` for ops whose gradient uses the result
    # (exp, tanh, sigmoid, softmax).
    saves_inputs: ClassVar[bool] = True
    saves_output: ClassVar[bool] = False

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
        """Run the op on Tensors (or plain numbers) and record it for backward.

        This runs for every op, so it is written for speed: one pass over the inputs that
        collects their arrays and, when recording, what backward needs (who wants a
        gradient, where each input came from, its version counter and version now).
        """
        ctx = Context()
        record = False
        if state.grad_enabled and cls.differentiable:
            arrays, needs, parents, counters, versions = [], [], [], [], []
            for x in inputs:
                if isinstance(x, Tensor):
                    arrays.append(x.data)
                    counter = x._counter
                    counters.append(counter)
                    versions.append(counter[0])
                    if x.requires_grad:
                        record = True
                        needs.append(True)
                        node = x._node
                        parents.append(x if node is None else node)  # a leaf collects .grad
                    else:
                        needs.append(False)
                        parents.append(None)
                else:
                    arrays.append(x)
                    needs.append(False)
                    parents.append(None)
                    counters.append(None)
                    versions.append(0)
            ctx.needs_grad = tuple(needs)
        else:
            arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
            ctx.needs_grad = (False,) * len(inputs)
        observers = state.observers
        if observers:
            start = perf_counter()
            out = cls.forward(ctx, *arrays, **params)
            seconds = perf_counter() - start
        else:
            out = cls.forward(ctx, *arrays, **params)
        result = Tensor.__new__(Tensor)
        # NumPy gives a scalar, not a 0-d array, for ufuncs of 0-d arrays (np.exp, a @ b of
        # vectors): a tensor's data is always an array (promotion tells them apart).
        result.data = data = out if type(out) is np.ndarray else np.asarray(out)
        result.grad = None
        result._counter = counter = [0]
        if record:
            result.requires_grad = True
            result._node = Node(cls, ctx, tuple(parents), counter, data)
            ctx.counters = counters
            ctx.versions = versions
        else:
            result.requires_grad = False
            result._node = None
        if observers:
            for observer in observers:
                if observer.forward is not None:
                    observer.forward(cls, inputs, result, ctx, seconds)
        return result

    @classmethod
    def apply_(cls, target: "Tensor", *others: Any, **params: Any) -> "Tensor":
        """Run the op on `(target, *others)` and write the result into `target`, in place.

        This is how every in-place method works (`add_`, `mul_`, `clamp_`, ...). The array
        of `target` keeps its identity (views of it see the change) and its version counter
        goes up, so a backward that saved the old value refuses to run. When the graph is
        being recorded, `target` becomes the output of this op (computed on a copy of its
        old value), so gradients through it stay right. In-place on a leaf that requires a
        gradient, while recording, is an error, as in PyTorch.
        """
        if not isinstance(target, Tensor):
            raise TypeError(f"{cls.name}_: expected a Tensor to modify in place, "
                            f"got {type(target).__name__}")
        recording = state.grad_enabled and cls.differentiable and (
            target.requires_grad or any(isinstance(x, Tensor) and x.requires_grad
                                        for x in others))
        if recording and target._node is None and target.requires_grad:
            raise RuntimeError(f"{cls.name}_: a leaf tensor that requires grad is being used "
                               "in an in-place operation; do it under tt.no_grad(), or on a "
                               "copy (.clone())")
        if recording:
            old = Tensor.__new__(Tensor)
            old.data = target.data.copy()
            old.grad = None
            old.requires_grad = target.requires_grad
            old._node = target._node
            old._counter = [target._version]
            result = cls.apply(old, *others, **params)
        else:
            with no_grad():
                result = cls.apply(target, *others, **params)
        _write_into(cls.name, target, result.data)
        target._version += 1
        if recording:
            target.requires_grad = True
            target._node = node = result._node
            node.counter = target._counter
            node.ctx.output_version = target._version
        return target


def _write_into(name: str, target: "Tensor", values: np.ndarray) -> None:
    """Copy an op's result into `target.data` in place, refusing a shape or dtype change."""
    if values.shape != target.data.shape:
        raise RuntimeError(f"{name}_: the result has shape {values.shape}, which cannot be "
                           f"written in place into a tensor of shape {target.data.shape} "
                           "(in-place ops cannot broadcast the tensor they modify)")
    if not np.can_cast(values.dtype, target.data.dtype, casting="same_kind"):
        raise RuntimeError(f"{name}_: result type {values.dtype} cannot be written in place "
                           f"into a tensor of dtype {target.data.dtype}")
    np.copyto(target.data, values, casting="same_kind")


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
