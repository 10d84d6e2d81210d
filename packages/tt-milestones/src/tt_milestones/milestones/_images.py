"""What the image milestones share: normalising, batched evaluation, a side run's checks."""

from __future__ import annotations

from typing import Any

import numpy as np
import tt_tensor as tt

from tt_milestones.checks import standard_checks
from tt_milestones.milestones._common import predict
from tt_milestones.training import TrainingRun


def normalise(train_x: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Each array minus the training set's mean, over its standard deviation, per channel."""
    axes = (0, 2, 3) if train_x.ndim == 4 else 0
    mean = train_x.mean(axis=axes, keepdims=True, dtype=np.float64).astype(np.float32)
    std = train_x.std(axis=axes, keepdims=True, dtype=np.float64).astype(np.float32) + 1e-6
    return [((a - mean) / std).astype(np.float32) for a in (train_x, *others)]


def accuracy(model: Any, x: np.ndarray, y: np.ndarray, batch: int = 1000) -> float:
    """Share of `x` (an array) classified as `y`, evaluated `batch` images at a time."""
    hits = 0
    for start in range(0, len(x), batch):
        scores = predict(model, tt.tensor(x[start:start + batch]))
        hits += int((scores.argmax(axis=-1) == y[start:start + batch]).sum())
    return hits / max(len(x), 1)


def side_checks(label: str, side: TrainingRun) -> list:
    """The standard checks of a second model's run, named after it (`"MLP: loss decreased"`)."""
    checks = standard_checks(side)
    for check in checks:
        check.name = f"{label}: {check.name}"
    return checks
