"""Backpropagation: the chain rule applied to the recorded graph, last op first.

Every tensor made by a recorded op points at its *node* (`tensor.grad_fn`, a
`tt_tensor.function.Node`): the op, what its forward saved (`ctx`) and where its inputs
came from (their nodes, or the leaf tensors that collect `.grad`). `backward(root)` lists
the nodes so that each comes after everything it was computed from (a topological order),
then walks that list in reverse: each node's gradient is complete by the time it is
reached, because everything that used it came later in the forward pass and so earlier in
the walk. The op's backward turns that gradient into gradients for its inputs, which are
added to what they have so far.

`backward` gets that order cheaply: every node carries `seq`, a number given when it was
made, and a node is always made after the nodes of its inputs, so the nodes reachable from
the root sorted by `seq`, largest first, are a valid order (one pass to collect them, one
sort in C). Leaf tensors collect their summed gradient once, after the walk.
`topological_order` (the explicit depth-first order, leaves included) is kept for tools
that want to look at the graph.
"""

from __future__ import annotations

from operator import attrgetter
from time import perf_counter
from typing import Any

import numpy as np
from tt_tensor import Tensor, from_numpy
from tt_tensor.function import Node
from tt_tensor.grad_mode import state


def topological_order(root: Tensor | Node) -> list[Tensor | Node]:
    """The graph's vertices (nodes, and leaf tensors that want a gradient), each after all
    of its inputs, ending with `root`'s.

    Iterative depth-first search (no recursion, so a graph thousands of ops deep is fine).
    A vertex is added to the order only after everything it was computed from, and is
    expanded once however many times it is reused.
    """
    if isinstance(root, Tensor) and root._node is not None:
        root = root._node
    order: list[Any] = []
    expanded: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        vertex, inputs_done = stack.pop()
        if inputs_done:
            order.append(vertex)
            continue
        if id(vertex) in expanded:  # reached again through another path: already placed
            continue
        expanded.add(id(vertex))
        stack.append((vertex, True))
        if type(vertex) is Node:
            for parent in vertex.inputs:
                if parent is not None and id(parent) not in expanded:
                    stack.append((parent, False))
    return order


def backward(root: Tensor, gradient: Any = None, retain_graph: bool | None = None) -> None:
    """Add d(root)/d(leaf) into `.grad` of every leaf that requires a gradient.

    Args:
        root: the tensor to differentiate, usually a scalar loss.
        gradient: d(something)/d(root), shaped like `root`; needed unless root has one element.
        retain_graph: keep what forward saved, so the same graph can be differentiated
            again. By default each op's saved values are released as soon as its backward
            has run (memory comes back during backward, not when the graph is collected),
            and a second backward through that graph is an error, as in PyTorch.
    """
    if not root.requires_grad:
        raise RuntimeError("backward: this tensor does not require grad and has no grad_fn — "
                           "none of its inputs had requires_grad=True (or it was computed "
                           "under no_grad)")
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(f"backward: grad can be implicitly created only for scalar "
                               f"outputs; this tensor has shape {root.shape}, so pass "
                               f"`gradient` of that shape")
        seed = np.empty_like(root.data)  # (faster than np.ones_like, a Python function)
        seed.fill(1)
    else:
        # A copy: the caller's array must not become (or alias) a leaf's `.grad`.
        seed = np.array(gradient.data if isinstance(gradient, Tensor) else gradient,
                        dtype=root.data.dtype)
        if seed.shape != root.shape:
            raise RuntimeError(f"backward: gradient has shape {seed.shape} but the tensor "
                               f"has shape {root.shape}")

    observers = state.observers
    if observers:
        observers = [o for o in observers if o.backward is not None]
    keep = bool(retain_graph)
    handed_out: set[int] = set()  # arrays already stored as some leaf's .grad in this pass
    start = root._node
    if start is None:  # the root is itself a leaf: d(root)/d(root) = the seed
        _accumulate_leaf(root, seed, handed_out)
        return
    # Gradients so far, keyed by the node itself (nodes hash by identity) and, for leaf
    # tensors, by id() (a Tensor's == is elementwise, so it is kept out of dict lookups).
    grads: dict[Node, np.ndarray] = {start: seed}
    leaves: dict[int, list] = {}  # id(leaf) -> [leaf, summed gradient]
    # Like PyTorch, a backward that meets 0 or inf produces inf/NaN quietly; anomaly mode is
    # the tool that stops at it and names the op.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for node in _nodes_last_first(start):
            grad = grads.pop(node, None)
            if grad is None:  # nothing downstream depended on it
                continue
            if node.retained is not None:  # retain_grad(): keep it on the tensor too
                tensor = node.retained()
                if tensor is not None:
                    _accumulate_leaf(tensor, grad, handed_out)
            op, ctx, inputs = node.op, node.ctx, node.inputs
            if ctx is None:
                raise RuntimeError(
                    f"backward: trying to go backward through the graph a second time (the "
                    f"values '{op.name}' saved were freed by the first backward); pass "
                    f"retain_graph=True to the first backward() if you need to do this")
            if op.saves_output and node.counter[0] != ctx.output_version:
                _check_versions(node, op, ctx)  # raises, naming the op
            if op.saves_inputs:
                for counter, version in zip(ctx.counters, ctx.versions):
                    if counter is not None and counter[0] != version:
                        _check_versions(node, op, ctx)  # raises, naming the op and input
            if observers:
                began = perf_counter()
                input_grads = op.backward(ctx, grad)
                seconds = perf_counter() - began
                for observer in observers:
                    observer.backward(op, inputs, input_grads, ctx, seconds)
            else:
                input_grads = op.backward(ctx, grad)
            del grad
            if not keep:  # release what forward saved, and the links to the inputs
                node.ctx = None
                node.inputs = ()
            for parent, parent_grad in zip(inputs, input_grads):
                if parent is None or parent_grad is None:
                    continue
                if type(parent) is Node:
                    so_far = grads.get(parent)
                    grads[parent] = parent_grad if so_far is None else so_far + parent_grad
                else:
                    key = id(parent)
                    entry = leaves.get(key)
                    if entry is None:
                        leaves[key] = [parent, parent_grad]
                    else:
                        entry[1] = entry[1] + parent_grad
            del input_grads
        for leaf, grad in leaves.values():
            _accumulate_leaf(leaf, grad, handed_out)


_SEQ = attrgetter("seq")


def _nodes_last_first(start: Node) -> list[Node]:
    """The nodes reachable from `start`, each before every node it was computed from
    (largest `seq` first: a node is made after the nodes of its inputs)."""
    seen = {start}
    stack = [start]
    while stack:
        for parent in stack.pop().inputs:
            if type(parent) is Node and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return sorted(seen, key=_SEQ, reverse=True)


def _check_versions(node: Node, op: Any, ctx: Any) -> None:
    """Refuse to differentiate with values that were changed in place after forward saved them."""
    if op.saves_output and node.counter[0] != ctx.output_version:
        raise RuntimeError(_modified_message(op, "its output", node.shape, node.counter[0],
                                             ctx.output_version))
    if op.saves_inputs:
        for i, (counter, version) in enumerate(zip(ctx.counters, ctx.versions)):
            if counter is not None and counter[0] != version:
                parent = node.inputs[i] if i < len(node.inputs) else None
                raise RuntimeError(_modified_message(op, f"input {i}", getattr(parent, "shape", None),
                                                     counter[0], version))


def _modified_message(op: Any, which: str, shape: Any, now: int, expected: int) -> str:
    where = f"{which}, shape {shape}" if shape is not None else which
    return (f"backward: one of the values needed for the gradient of '{op.name}' ({where}) has "
            f"been modified by an in-place operation: it is at version {now}, expected "
            f"version {expected}. Compute the loss again after changing it (e.g. call "
            f"backward() before optimizer.step()), or change a copy (.clone()) instead")


def _accumulate_leaf(leaf: Tensor, grad: np.ndarray, handed_out: set[int]) -> None:
    """Gradients add up across backward() calls until zeroed, as in PyTorch.

    A leaf's `.grad` may later be changed in place (gradient clipping does), so it must own
    its array: ops pass one gradient array to several inputs (`a + b` gives both the same),
    and views or read-only broadcasts share memory with other gradients. Only those cases
    are copied, so the common one costs nothing.
    """
    if grad.dtype != leaf.data.dtype:
        grad = grad.astype(leaf.data.dtype)
    if leaf.grad is None:
        shared = (id(grad) in handed_out or grad.base is not None or not grad.flags.writeable
                  or grad.shape != leaf.shape)
        if shared:  # a copy of its own (in grad's memory order: a plain, fast copy)
            grad = (grad.copy(order="K") if grad.shape == leaf.shape
                    else np.array(np.broadcast_to(grad, leaf.shape)))
        handed_out.add(id(grad))
        leaf.grad = from_numpy(grad)
    else:
        leaf.grad = from_numpy(leaf.grad.data + grad)
