"""Small helpers the milestones share: asking the registry for things, and measuring accuracy.

Models are built from the registry, never from direct imports, so a learner's own layer
(selected with `tt_tensor.plugins.use`) is what actually trains.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from tt_autograd import no_grad
from tt_tensor import plugins


def layer(name: str) -> Any:
    """The layer class registered as `name` (e.g. `"Conv2d"`): whichever provider is chosen."""
    return plugins.get("layers", name)


def optimizer(name: str) -> Any:
    """The optimizer class registered as `name` (e.g. `"Adam"`)."""
    return plugins.get("optimizers", name)


def dataset(name: str) -> Any:
    """The dataset registered as `name` (e.g. `"TinyDigits"`)."""
    return plugins.get("datasets", name)


def predict(model: Any, x: Any) -> np.ndarray:
    """The model's output as an array, computed without recording a graph."""
    with no_grad():
        return model(x).data


def class_accuracy(model: Any, x: Any, y: np.ndarray) -> float:
    """Share of samples (or tokens) whose highest-scoring class (last axis) is the label."""
    return _share(predict(model, x).argmax(axis=-1) == np.asarray(y))


def binary_accuracy(model: Any, x: Any, y: np.ndarray) -> float:
    """Share of samples whose probability is on the label's side of 0.5."""
    return _share((predict(model, x) > 0.5) == (np.asarray(y) > 0.5))


def _share(hits: np.ndarray) -> float:
    """The fraction of True values (np.mean's result, without its Python-level overhead)."""
    return np.count_nonzero(hits) / hits.size if hits.size else float("nan")


def percent(value: float) -> str:
    """A fraction as the tables show it: 0.975 → "97.5%"."""
    return f"{value:.1%}"
