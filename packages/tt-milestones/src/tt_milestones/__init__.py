"""tt-milestones: proof that each era's package really learns.

    >>> import tt_milestones
    >>> result = tt_milestones.run("xor", seed=0)
    >>> result.passed, result.accuracy
    (True, 1.0)

Historical models — the 1957 perceptron, 1986 XOR, the 1989 MLP, the 1998 CNN, the 2017
transformer, and the real ones: MNIST (and Fashion-MNIST), CIFAR-10, a Shakespeare GPT and
the 2024 Systems Age — each trained for real, checked against its bar, and explained when
it fails. Milestones are plugins (`register_milestones` hook); the command line is
`tt-milestones list` / `tt-milestones run NAME`.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Where each public name lives. They are imported on first use: the registry imports this
# package to reach its plugin, and building the op table must not pull in the milestones.
_HOMES = {
    "Milestone": "milestone", "Status": "milestone",
    "Check": "result", "Result": "result", "Systems": "result",
    "MilestoneError": "runner", "MilestoneLocked": "runner", "get": "runner",
    "registered": "runner", "run": "runner",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"tt_milestones.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'tt_milestones' has no attribute {name!r}")

__all__ = ["Milestone", "Status", "Check", "Result", "Systems", "run", "get", "registered",
           "MilestoneError", "MilestoneLocked", "__version__"]
