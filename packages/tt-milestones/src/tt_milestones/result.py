"""What a milestone run reports: its checks, its histories, its diagnosis and its cost."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Check:
    """One verification: what was measured, its value, the bar it must clear, and the verdict.

    `shown` is the value as the table prints it (e.g. `"97.5%"` or `"6/6"`).
    """

    name: str
    value: float
    bar: str
    passed: bool
    shown: str = ""


@dataclass
class Systems:
    """What one training step costs (the systems view of an era).

    Attributes:
        parameters: number of trainable values; parameter_bytes: their memory.
        forward_flops: floating-point operations of one forward pass, summed over the ops
            that ran, each op counting its own cost (`Function.flops`).
        backward_flops: the backward pass, counted op by op (an op's own `backward_flops`,
            else one forward's worth per input that received a gradient — so the first
            layer, whose input needs no gradient, costs 1× its forward, not 2×).
        step_flops: one training step: forward + backward FLOPs.
        activation_bytes: the bytes of every op output recorded in the graph during one
            forward (kept alive until backward frees it).
        peak_bytes: measured peak memory of one training step: the most memory allocated at
            any moment during the first step above what was allocated before it
            (`tracemalloc`; live arrays, a freed one not counted again).
        ops_per_step: how many ops one forward runs (the bookkeeping a framework pays for).
        seconds_per_step: mean wall time of one training step over the whole run.
        batch_size: the batch the step was measured on.
    """

    parameters: int = 0
    parameter_bytes: int = 0
    forward_flops: int = 0
    step_flops: int = 0
    activation_bytes: int = 0
    backward_flops: int = 0
    peak_bytes: int = 0
    ops_per_step: int = 0
    seconds_per_step: float = 0.0
    batch_size: int = 0


@dataclass
class Result:
    """Everything one run of a milestone found out.

    Attributes:
        name, year, seed: which milestone, and the seed it trained with.
        passed: every check passed.
        accuracy: the final accuracy (test accuracy where there is a test set).
        loss_decrease: 1 - final epoch loss / first epoch loss (0.6 means 60% lower).
        params_with_grad: parameter tensors that received a non-zero, finite gradient.
        params_updated: parameter tensors that changed during training.
        total_params: number of parameter tensors (see `systems.parameters` for values).
        seconds: wall time of the whole run, extra trainings (ablations) included.
        loss_history, accuracy_history: one value per epoch.
        checks: the verification table, in order.
        diagnosis: when something failed, what the run saw that explains it.
        config: batch size, epochs, updates, optimizer, learning rate.
        systems: the cost of one training step.
        extras: milestone-specific findings (e.g. the transformer's attention map).
    """

    name: str
    year: int
    seed: int
    passed: bool = False
    accuracy: float = 0.0
    loss_decrease: float = 0.0
    params_with_grad: int = 0
    params_updated: int = 0
    total_params: int = 0
    seconds: float = 0.0
    loss_history: list[float] = field(default_factory=list)
    accuracy_history: list[float] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    diagnosis: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    systems: Systems = field(default_factory=Systems)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def failed_checks(self) -> list[Check]:
        """The checks that did not clear their bar, in table order."""
        return [c for c in self.checks if not c.passed]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (what `--json` writes)."""
        return asdict(self)
