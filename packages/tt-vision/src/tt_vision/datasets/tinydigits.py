"""TinyDigits: 1200 handwritten 8x8 digits shipped inside tt-vision (no download, ever)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from importlib import resources
from typing import Callable

import numpy as np

from tt_vision.datasets._base import DatasetFileError, ImageDataset

# SHA-256 of data/tinydigits.npz as written by packages/tt-vision/scripts/make_tinydigits.py.
TINYDIGITS_SHA256 = "e95499af8044d14594da5c9e5ed1181fe2673c0820727cfde5fbea18b8d8d0bb"
SPLITS = ("train", "test")


def _load(path, expected_sha256: str) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != expected_sha256:
        raise DatasetFileError(f"TinyDigits: {path} has SHA-256 {digest}, expected "
                               f"{expected_sha256}; the file is damaged or was changed — "
                               "reinstall tt-vision or rerun scripts/make_tinydigits.py")
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (ValueError, OSError, zipfile.BadZipFile) as error:
        raise DatasetFileError(f"TinyDigits: cannot read {path}: {error}") from None


class TinyDigits(ImageDataset):
    """1000 training and 200 test 8x8 grey images of the digits 0-9 (100 and 20 per class).

    Items are `(image (1, 8, 8) float32 in [0, 1], label int)`; `.images` (N, 1, 8, 8) and
    `.labels` (N,) int64 hold the whole split. Small enough to train a CNN on in seconds.

    Source: the "Optical Recognition of Handwritten Digits" data set by E. Alpaydin and
    C. Kaynak (UCI Machine Learning Repository, https://doi.org/10.24432/C50P49), as
    shipped by scikit-learn (`load_digits`), licensed under Creative Commons Attribution
    4.0 (CC BY 4.0). Changes: a subset (the first 100, then the next 20, images of each
    digit in the original order) and pixel counts 0..16 scaled to [0, 1]. See
    `datasets/data/NOTICE.md`; the file is checked against a SHA-256 each time it is loaded.

    Args:
        split: "train" or "test".
        transform: optional callable applied to images when items are read.
        target_transform: optional callable applied to each label.
    """

    classes = tuple(str(d) for d in range(10))

    def __init__(self, split: str = "train",
                 transform: Callable[[np.ndarray], np.ndarray] | None = None,
                 target_transform: Callable[[int], object] | None = None) -> None:
        if split not in SPLITS:
            raise ValueError(f"TinyDigits: split must be 'train' or 'test', got {split!r}")
        arrays = _load(resources.files("tt_vision.datasets") / "data" / "tinydigits.npz",
                       TINYDIGITS_SHA256)
        super().__init__(arrays[f"{split}_images"], arrays[f"{split}_labels"], transform,
                         target_transform)
        self.split = split
