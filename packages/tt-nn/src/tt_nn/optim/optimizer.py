"""`Optimizer`: the base class that holds parameter groups and per-parameter state."""

from __future__ import annotations

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
    Subclasses write `step()`.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[int, dict[str, Any]] = {}  # keyed by id(param): Tensors overload ==
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list "
                             "(did you call model.parameters() on a model without parameters?)")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters."""
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{type(self).__name__}: expected Parameters (Tensors), got "
                                f"{type(p).__name__}")
            # A frozen parameter (requires_grad=False) is accepted, as in PyTorch: it never
            # gets a gradient, so step() leaves it alone until it is unfrozen.
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError(f"{type(self).__name__}: some parameters appear in more than one group")
        full = {**self.defaults, **group, "params": params}
        full.setdefault("initial_lr", full.get("lr"))
        self.param_groups.append(full)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (set to None, as PyTorch does by default)."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.data[...] = 0

    def step(self) -> None:
        raise NotImplementedError

    def _state(self, p: Tensor) -> dict[str, Any]:
        state = self.state.get(id(p))
        if state is None:
            state = self.state[id(p)] = {}
        return state

    # ----- saving -----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters and state by parameter position (0, 1, … across groups), as
        NumPy arrays and numbers: enough to resume training."""
        index = {id(p): i for i, p in enumerate(p for g in self.param_groups for p in g["params"])}
        groups = [{k: v for k, v in g.items() if k != "params"} | {"params": [index[id(p)] for p in g["params"]]}
                  for g in self.param_groups]
        state = {index[k]: {n: (v.copy() if isinstance(v, np.ndarray) else v) for n, v in s.items()}
                 for k, s in self.state.items() if k in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what `state_dict()` returned, for an optimizer over the same parameters."""
        params = [p for g in self.param_groups for p in g["params"]]
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups) or any(
                len(g["params"]) != len(own["params"]) for g, own in zip(groups, self.param_groups)):
            raise ValueError(f"{type(self).__name__}.load_state_dict: the saved groups do not "
                             "match this optimizer's parameter groups")
        for saved, own in zip(groups, self.param_groups):
            own.update({k: v for k, v in saved.items() if k != "params"})
        self.state = {id(params[i]): {n: (v.copy() if isinstance(v, np.ndarray) else v)
                                      for n, v in s.items()}
                      for i, s in state_dict["state"].items()}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"
