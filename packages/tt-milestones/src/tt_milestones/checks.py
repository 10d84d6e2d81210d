"""The checks every milestone must pass, whatever it trains.

Reaching the accuracy bar is not enough to call it learning: the loss must have fallen by
more than half, every parameter must have received a real gradient, and every parameter
must have moved. A model that reaches its bar with a frozen layer is not the model the
milestone claims to train.
"""

from __future__ import annotations

import numpy as np

from tt_milestones.result import Check
from tt_milestones.training import TrainingRun

LOSS_DECREASE_BAR = 0.5
GRADIENT_BARS = (1e-6, 100.0)  # mean |gradient|: above vanishing, below exploding
WEIGHT_CHANGE_BAR = 1e-4  # mean |weight change| over training


def loss_decrease(run: TrainingRun) -> float:
    """1 - last epoch's mean loss / first epoch's (0.9 means the loss fell by 90%)."""
    history = run.loss_history
    if len(history) < 2 or not np.isfinite(history[0]) or history[0] == 0:
        return 0.0
    return 1.0 - history[-1] / history[0]


def params_with_gradient(run: TrainingRun) -> int:
    """How many parameter tensors ever got a non-zero, finite gradient."""
    return sum(run.got_gradient)


def params_updated(run: TrainingRun) -> int:
    """How many parameter tensors training changed."""
    return sum(run.updated())


def standard_checks(run: TrainingRun) -> list[Check]:
    """Loss fell by more than half; k/k parameters got gradients; k/k changed; the mean
    gradient was neither vanishing nor exploding; the weights moved on average."""
    total = len(run.params)
    decrease = loss_decrease(run)
    with_grad, updated = params_with_gradient(run), params_updated(run)
    checks = [
        Check("loss decreased", decrease, f"> {LOSS_DECREASE_BAR:.0%}",
              decrease > LOSS_DECREASE_BAR, f"{decrease:.1%}"),
        Check("parameters with a gradient", with_grad, "all (non-zero, finite)",
              total > 0 and with_grad == total, f"{with_grad}/{total}"),
        Check("parameters updated", updated, "all", total > 0 and updated == total,
              f"{updated}/{total}"),
    ]
    low, high = GRADIENT_BARS
    gradient = run.mean_gradient
    checks.append(Check("mean gradient magnitude", gradient, f"> {low:g} and < {high:g}",
                        bool(low < gradient < high), f"{gradient:.2e}"))
    change = run.mean_weight_change()
    checks.append(Check("mean weight change", change, f"> {WEIGHT_CHANGE_BAR:g}",
                        bool(change > WEIGHT_CHANGE_BAR), f"{change:.2e}"))
    if run.diverged:
        checks.insert(0, Check("loss and gradients finite", 0.0, "finite", False, "NaN/Inf"))
    return checks
