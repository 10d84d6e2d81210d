"""Backpropagation: the chain rule applied to the recorded graph, last op first.

Every tensor made by an op remembers the op (`_op`), what its forward saved (`_ctx`) and
its inputs (`_inputs`). `backward(root)` lists the graph's tensors so that each comes after
everything it was computed from (a topological order), then walks that list in reverse:
each tensor's gradient is complete by the time it is reached, because everything that used
it came later in the forward pass and so earlier in the walk. The op's backward turns that
gradient into gradients for its inputs, which are added to what they have so far.
"""

from __future__ import annotations

from time import perf_counter
from typing import Any

import numpy as np
from tt_tensor import Tensor, from_numpy
from tt_tensor.tensor import RETAINS_GRAD
from tt_tensor.grad_mode import state


def topological_order(root: Tensor) -> list[Tensor]:
    """Tensors that need a gradient, each after all of its inputs, ending with `root`.

    Iterative depth-first search (no recursion, so a graph thousands of ops deep is fine).
    A tensor is added to the order only after everything it was computed from, and is
    expanded once however many times it is reused.
    """
    order: list[Tensor] = []
    expanded: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if id(node) in expanded:  # reached again through another path: already placed
            continue
        expanded.add(id(node))
        stack.append((node, True))
        for parent in node._inputs:
            if isinstance(parent, Tensor) and parent.requires_grad and id(parent) not in expanded:
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
        seed = np.ones_like(root.data)
    else:
        # A copy: the caller's array must not become (or alias) a leaf's `.grad`.
        seed = np.array(gradient.data if isinstance(gradient, Tensor) else gradient,
                        dtype=root.data.dtype)
        if seed.shape != root.shape:
            raise RuntimeError(f"backward: gradient has shape {seed.shape} but the tensor "
                               f"has shape {root.shape}")

    observers = [o for o in state.observers if o.backward is not None]
    keep = bool(retain_graph)
    grads: dict[int, np.ndarray] = {id(root): seed}
    handed_out: set[int] = set()  # arrays already stored as some leaf's .grad in this pass
    # Like PyTorch, a backward that meets 0 or inf produces inf/NaN quietly; anomaly mode is
    # the tool that stops at it and names the op.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for node in reversed(topological_order(root)):
            grad = grads.pop(id(node), None)
            if grad is None:  # nothing downstream depended on this tensor
                continue
            op, ctx, inputs = node._op, node._ctx, node._inputs
            if op is None:
                _accumulate_leaf(node, grad, handed_out)
                continue
            if RETAINS_GRAD and id(node) in RETAINS_GRAD:
                _accumulate_leaf(node, grad, handed_out)
            if ctx is None:
                raise RuntimeError(
                    f"backward: trying to go backward through the graph a second time (the "
                    f"values '{op.name}' saved were freed by the first backward); pass "
                    f"retain_graph=True to the first backward() if you need to do this")
            _check_versions(node, op, ctx, inputs)
            if observers:
                start = perf_counter()
                input_grads = op.backward(ctx, grad)
                seconds = perf_counter() - start
                for observer in observers:
                    observer.backward(op, inputs, input_grads, ctx, seconds)
            else:
                input_grads = op.backward(ctx, grad)
            if not keep:  # release what forward saved, and the inputs it held on to
                node._ctx = None
                node._inputs = ()
            for parent, parent_grad in zip(inputs, input_grads):
                if parent_grad is None or not isinstance(parent, Tensor) or not parent.requires_grad:
                    continue
                key = id(parent)
                if key in grads:
                    grads[key] = grads[key] + parent_grad
                else:
                    grads[key] = parent_grad


def _check_versions(node: Tensor, op: Any, ctx: Any, inputs: tuple) -> None:
    """Refuse to differentiate with values that were changed in place after forward saved them."""
    if op.saves_output and node._version != ctx.output_version:
        raise RuntimeError(_modified_message(op, "its output", node, ctx.output_version))
    if op.saves_inputs:
        for i, (parent, version) in enumerate(zip(inputs, ctx.versions)):
            if isinstance(parent, Tensor) and parent._version != version:
                raise RuntimeError(_modified_message(op, f"input {i}", parent, version))


def _modified_message(op: Any, which: str, tensor: Tensor, expected: int) -> str:
    return (f"backward: one of the values needed for the gradient of '{op.name}' ({which}, "
            f"shape {tensor.shape}) has been modified by an in-place operation: it is at "
            f"version {tensor._version}, expected version {expected}. Compute the loss again "
            f"after changing it (e.g. call backward() before optimizer.step()), or change a "
            f"copy (.clone()) instead")


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
        if shared:
            grad = np.array(np.broadcast_to(grad, leaf.shape))
        handed_out.add(id(grad))
        leaf.grad = from_numpy(grad)
    else:
        leaf.grad = from_numpy(leaf.grad.data + grad)
