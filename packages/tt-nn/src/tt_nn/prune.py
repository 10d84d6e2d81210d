"""Magnitude pruning: zero the smallest weights and keep them zero while fine-tuning.

Named and shaped like `torch.nn.utils.prune`:

```python
from tt_nn import prune

prune.global_unstructured([(model[0], "weight"), (model[2], "weight")], amount=0.5)
# ... fine-tune: pruned weights stay exactly zero ...
prune.remove(model[0], "weight")   # make it permanent: `weight` is a Parameter again
```

How it works (the same reparametrisation as PyTorch's): pruning `module.weight` moves the
Parameter to `module.weight_orig` (the very same Parameter object, so an optimizer built
before keeps training it), stores a 0/1 `module.weight_mask` buffer, and before every
forward sets `module.weight = weight_orig * weight_mask` — an ordinary multiplication, so
the gradient that reaches `weight_orig` is zero where the mask is zero and a pruned weight
never comes back. `remove` bakes the product into a plain Parameter again.

Magnitude (L1) pruning keeps the weights with the largest `|w|`: small weights contribute
least to each output, so removing them costs the least accuracy — a short fine-tune lets
the remaining weights make up for the rest.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
from tt_nn.module import Module
from tt_nn.parameter import Parameter

__all__ = ["l1_unstructured", "global_unstructured", "remove", "is_pruned", "sparsity",
           "custom_from_mask"]


def _count(amount: float | int, size: int, who: str) -> int:
    """How many of `size` values to prune: a fraction in [0, 1] or a whole number."""
    if isinstance(amount, (bool, np.bool_)) or not isinstance(amount, (int, float, np.integer,
                                                                        np.floating)):
        raise TypeError(f"{who}: amount must be a fraction in [0, 1] or a number of weights, "
                        f"got {type(amount).__name__}")
    if isinstance(amount, (int, np.integer)):
        if not 0 <= amount <= size:
            raise ValueError(f"{who}: amount={amount} weights, but there are {size}")
        return int(amount)
    if not 0.0 <= amount <= 1.0:
        raise ValueError(f"{who}: amount must be a fraction in [0, 1], got {amount}")
    return int(round(amount * size))


def _apply(module: Module, name: str) -> None:
    """Set `module.<name>` from its `_orig` Parameter and `_mask` buffer (differentiable)."""
    orig = getattr(module, f"{name}_orig")
    mask = getattr(module, f"{name}_mask")
    object.__setattr__(module, name, orig * mask)


def _current(module: Module, name: str, who: str) -> np.ndarray:
    """The values pruning should rank: the live weight (already pruned ones are zero)."""
    if f"{name}_orig" in module._parameters:
        return (module._parameters[f"{name}_orig"].data * getattr(module, f"{name}_mask").data)
    value = module._parameters.get(name)
    if not isinstance(value, Parameter):
        raise ValueError(f"{who}: {type(module).__name__} has no parameter {name!r} "
                         f"(parameters: {', '.join(module._parameters) or 'none'})")
    return value.data


def custom_from_mask(module: Module, name: str, mask: Any) -> Module:
    """Prune `module.<name>` with a given 0/1 `mask` of its shape (combined with any earlier mask)."""
    who = "prune"
    weight = _current(module, name, who)
    mask = np.asarray(getattr(mask, "data", mask))
    if mask.shape != weight.shape:
        raise ValueError(f"{who}: mask of shape {mask.shape} for {type(module).__name__}.{name} "
                         f"of shape {weight.shape}")
    mask = (mask != 0).astype(weight.dtype)
    if f"{name}_orig" in module._parameters:  # prune again: the masks multiply
        old = getattr(module, f"{name}_mask")
        module.register_buffer(f"{name}_mask", old.data * mask)
    else:
        param = module._parameters[name]
        del module._parameters[name]
        object.__delattr__(module, name)
        module.register_parameter(f"{name}_orig", param)
        module.register_buffer(f"{name}_mask", mask)
        pruned = module.__dict__.setdefault("_pruned", [])
        pruned.append(name)
        if "forward" not in module.__dict__:
            original = type(module).forward.__get__(module)

            def forward(*args: Any, **kwargs: Any) -> Any:
                for pruned_name in module.__dict__.get("_pruned", ()):
                    _apply(module, pruned_name)
                return original(*args, **kwargs)

            module.__dict__["forward"] = forward
    _apply(module, name)
    return module


def l1_unstructured(module: Module, name: str = "weight", amount: float | int = 0.5) -> Module:
    """Zero the `amount` (fraction or count) of `module.<name>`'s values smallest in `|w|`."""
    weight = _current(module, name, "prune.l1_unstructured")
    k = _count(amount, weight.size, "prune.l1_unstructured")
    mask = np.ones(weight.size, dtype=weight.dtype)
    if k:
        mask[np.argsort(np.abs(weight), axis=None, kind="stable")[:k]] = 0
    return custom_from_mask(module, name, mask.reshape(weight.shape))


def global_unstructured(parameters: Iterable[tuple[Module, str]], amount: float | int = 0.5,
                        pruning_method: Any = None) -> None:
    """Prune the smallest `|w|` across all `(module, name)` pairs together (one threshold).

    Layers with many small weights lose more than others, which usually costs less accuracy
    than the same fraction in every layer. `pruning_method` is accepted for PyTorch's
    signature; only magnitude (L1) pruning exists.
    """
    pairs = list(parameters)
    if not pairs:
        raise ValueError("prune.global_unstructured: no (module, name) pairs given")
    weights = [_current(m, n, "prune.global_unstructured") for m, n in pairs]
    flat = np.concatenate([np.abs(w).ravel() for w in weights])
    k = _count(amount, flat.size, "prune.global_unstructured")
    keep = np.ones(flat.size, dtype=bool)
    if k:
        keep[np.argsort(flat, kind="stable")[:k]] = False
    start = 0
    for (module, name), w in zip(pairs, weights):
        custom_from_mask(module, name, keep[start:start + w.size].reshape(w.shape))
        start += w.size


def is_pruned(module: Module) -> bool:
    """True if `module` or any sub-module has a pruned parameter."""
    return any(m.__dict__.get("_pruned") for m in module.modules())


def remove(module: Module, name: str = "weight") -> Module:
    """Make the pruning of `module.<name>` permanent: a plain Parameter holding `orig * mask`."""
    pruned = module.__dict__.get("_pruned", [])
    if name not in pruned:
        raise ValueError(f"prune.remove: {type(module).__name__}.{name} is not pruned")
    orig = module._parameters.pop(f"{name}_orig")
    mask = module._buffers.pop(f"{name}_mask")
    object.__delattr__(module, f"{name}_orig")
    object.__delattr__(module, f"{name}_mask")
    object.__delattr__(module, name)
    orig.data *= mask.data  # in place: the Parameter keeps its identity for optimizers
    orig._version = getattr(orig, "_version", 0) + 1
    module.register_parameter(name, orig)
    pruned.remove(name)
    if not pruned:
        module.__dict__.pop("_pruned", None)
        module.__dict__.pop("forward", None)
    return module


def sparsity(module: Module, names: tuple[str, ...] = ("weight",)) -> float:
    """Fraction of zeros among the `names` parameters (live values) of every sub-module."""
    zeros = total = 0
    for m in module.modules():
        for name in names:
            if f"{name}_orig" in m._parameters or isinstance(m._parameters.get(name), Parameter):
                w = _current(m, name, "prune.sparsity")
                zeros += int(np.count_nonzero(w == 0))
                total += w.size
    return zeros / total if total else 0.0

