"""`Optimizer`: the base class that holds parameter groups and per-parameter state."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

import numpy as np
from tt_tensor import Tensor


class Optimizer:
    """Holds `param_groups` (dicts with "params" and hyperparameters such as "lr") and a
    `state` dict per parameter (momentum buffers, Adam moments, …).

    Args:
        params: an iterable of Parameters, or of dicts `{"params": [...], "lr": ...}` to give
            groups their own hyperparameters (as in PyTorch).
        defaults: hyperparameters used where a group does not set its own.
    Every optimizer also accepts PyTorch's implementation switches (`foreach`, `fused`,
    `capturable`, `differentiable`) and ignores them: tt has one NumPy implementation.

    Subclasses write `_update()` (or `step()`), which updates each `p.data` in place (never
    rebinding it, so views and the model see the new values) and then counts the change with
    `_count_change(p)`.

    `state[p]` is parameter p's state (a dict, empty until its first step), keyed by the
    parameter itself as in PyTorch (Tensors hash by identity).
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.param_groups: list[dict[str, Any]] = []
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list "
                             "(did you call model.parameters() on a model without parameters?)")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (the others are the
        optimizer's defaults), e.g. a new layer to fine-tune with a smaller lr."""
        group = param_group
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{type(self).__name__}.add_param_group: expected a dict with a "
                            f"'params' entry, got {type(group).__name__}")
        params = group["params"]
        if isinstance(params, set):
            raise TypeError(f"{type(self).__name__}: parameters must be given in a fixed order "
                            "(a list or a generator), not a set")
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{type(self).__name__}: expected Parameters (Tensors), got "
                                f"{type(p).__name__}")
            # A frozen parameter (requires_grad=False) is accepted, as in PyTorch: it never
            # gets a gradient, so step() leaves it alone until it is unfrozen.
        seen = {id(p) for p in self._params()}
        if any(id(p) in seen for p in params):
            raise ValueError(f"{type(self).__name__}: some parameters appear in more than one group")
        self.param_groups.append({**self.defaults, **group, "params": params})

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (set to None, as PyTorch does by default)."""
        for p in self._params():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.data[...] = 0

    def step(self, closure: Any = None) -> Any:
        """Update every parameter that has a gradient; returns `closure()`'s loss if given.

        `closure` (optional, as in PyTorch) re-evaluates the model and returns the loss; it
        runs first, with gradients enabled. Built-in optimizers write their rule in
        `_update()`; a custom optimizer may override `step` itself.
        """
        loss = None
        if closure is not None:
            from tt_tensor import enable_grad

            with enable_grad():
                loss = closure()
        self._update()
        return loss

    def _update(self) -> None:
        """Apply the update rule to every parameter that has a gradient."""
        raise NotImplementedError(f"{type(self).__name__} must define step() or _update()")

    def _params(self) -> list[Tensor]:
        """Every parameter, group after group: position i is parameter i in `state_dict`."""
        return [p for group in self.param_groups for p in group["params"]]

    def _state(self, p: Tensor) -> dict[str, Any]:
        """The state dict of parameter p (empty until its first step)."""
        return self.state[p]

    @staticmethod
    def _count_change(p: Tensor) -> None:
        """Count an in-place change of p's values (a graph that saved p then refuses to
        run backward with the new values)."""
        p._version += 1

    # ----- saving -----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters and state by parameter position (0, 1, … across groups), as
        NumPy arrays and numbers: enough to resume training."""
        index = {id(p): i for i, p in enumerate(self._params())}
        groups = [{k: v for k, v in g.items() if k != "params"} | {"params": [index[id(p)] for p in g["params"]]}
                  for g in self.param_groups]
        state = {index[id(p)]: _copied(s) for p, s in self.state.items() if id(p) in index and s}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what `state_dict()` returned, for an optimizer over the same parameters."""
        params = self._params()
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups) or any(
                len(g["params"]) != len(own["params"]) for g, own in zip(groups, self.param_groups)):
            raise ValueError(f"{type(self).__name__}.load_state_dict: the saved groups do not "
                             "match this optimizer's parameter groups")
        for saved, own in zip(groups, self.param_groups):
            own.update({k: v for k, v in saved.items() if k != "params"})
        self.state = defaultdict(dict, {params[int(i)]: _copied(s)
                                        for i, s in state_dict["state"].items()})

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


def _copied(state: dict[str, Any]) -> dict[str, Any]:
    """One parameter's state with its arrays copied, so saved and live state never alias.

    tt Tensors and torch tensors (a state dict saved by PyTorch) become NumPy arrays; a 0-d
    `step` counter becomes an int, as tt keeps it.
    """
    copied = {}
    for name, value in state.items():
        if isinstance(value, Tensor):
            value = value.data
        elif hasattr(value, "detach") and hasattr(value, "numpy"):  # torch, without importing it
            value = value.detach().cpu().numpy()
        if isinstance(value, np.ndarray):
            value = value.copy()
            if name == "step" and value.ndim == 0:
                value = int(value)
        copied[name] = value
    return copied
