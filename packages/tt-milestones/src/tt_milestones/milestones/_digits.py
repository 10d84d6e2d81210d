"""TinyDigits for the MLP and CNN milestones, as whole arrays, from the registered dataset."""

from __future__ import annotations

import numpy as np

from tt_milestones.milestones._common import dataset


def tiny_digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train images (1000, 1, 8, 8), train labels (1000,), test images (200, 1, 8, 8), test labels."""
    TinyDigits = dataset("TinyDigits")
    train, test = TinyDigits("train"), TinyDigits("test")
    return (np.asarray(train.images, dtype=np.float32), np.asarray(train.labels, dtype=np.int64),
            np.asarray(test.images, dtype=np.float32), np.asarray(test.labels, dtype=np.int64))
