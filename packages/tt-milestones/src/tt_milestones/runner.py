"""Finding milestones in the registry and running one: `tt_milestones.run("cnn", seed=0)`."""

from __future__ import annotations

import os
import time
from typing import Any, Callable

import numpy as np

from tt_milestones.checks import loss_decrease, params_updated, params_with_gradient, standard_checks
from tt_milestones.diagnose import diagnose
from tt_milestones.milestone import Milestone
from tt_milestones.result import Result
from tt_milestones.training import Diverged, TrainingRun


class MilestoneError(LookupError):
    """A milestone that does not exist."""


class MilestoneLocked(RuntimeError):
    """A milestone whose packages or registered names are missing; the message says what to install."""


def registered() -> list[Milestone]:
    """Every registered milestone (built-in and from plugins), oldest first."""
    from tt_tensor import plugins

    found = []
    for name in plugins.registry().names("milestones"):
        try:
            found.append(plugins.get("milestones", name))
        except plugins.RegistryError:
            continue  # two providers, none chosen: `get` explains it when run by name
    return sorted(found, key=lambda m: (m.year, m.name))


def get(name: str) -> Milestone:
    """The milestone registered as `name`."""
    from tt_tensor import plugins

    try:
        return plugins.get("milestones", name)
    except plugins.RegistryError:
        known = ", ".join(m.name for m in registered()) or "none"
        raise MilestoneError(f"no milestone named {name!r} (known: {known})") from None


def run(name: str, seed: int = 0, *, progress: Callable[..., None] | None = None,
        data_root: str | os.PathLike | None = None, **options: Any) -> Result:
    """Train milestone `name` with `seed`, verify it, and return everything it found.

    Args:
        name: e.g. `"perceptron"`, `"cnn"`.
        seed: seeds tt's generator and the data order; the same seed gives the same run.
        progress: optional `progress(epoch, epochs, loss, accuracy)` after each epoch.
        data_root: a folder holding the milestone's data files (`--data DIR`); None looks in
            the cache folder and the system folders. Nothing is ever downloaded here.
        options: passed to the milestone's `train` (e.g. `lr=1e3` to break it on purpose).
    Raises:
        MilestoneError: no such milestone. MilestoneLocked: its packages are missing.
    """
    import tt_tensor

    milestone = get(name)
    status = milestone.status(data_root, **options)
    if not status.ready:
        raise MilestoneLocked(status.hint)
    tt_tensor.manual_seed(seed)
    training = TrainingRun(seed, progress)
    start = time.perf_counter()
    # Overflow and NaN are caught explicitly (the run stops and names the op), so NumPy's
    # warnings about them would only repeat the diagnosis less precisely.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        try:
            if data_root is not None and milestone.all_data():
                options = {**options, "data_root": data_root}
            milestone.train(training, **options)
        except Diverged:
            pass
    seconds = time.perf_counter() - start
    checks = training.checks + standard_checks(training)
    passed = all(c.passed for c in checks)
    training.systems.seconds_per_step = training.seconds_per_step
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        diagnosis = [] if passed else diagnose(training)
    return Result(
        name=milestone.name, year=milestone.year, seed=seed, passed=passed,
        accuracy=training.accuracy_history[-1] if training.accuracy_history else 0.0,
        loss_decrease=loss_decrease(training),
        params_with_grad=params_with_gradient(training),
        params_updated=params_updated(training), total_params=len(training.params),
        seconds=seconds, loss_history=training.loss_history,
        accuracy_history=training.accuracy_history, checks=checks, diagnosis=diagnosis,
        config={**training.config, "updates": training.steps}, systems=training.systems,
        extras=training.extras)
