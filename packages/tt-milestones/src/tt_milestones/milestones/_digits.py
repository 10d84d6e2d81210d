"""The 8×8 digits for the MLP and CNN milestones, as whole arrays.

The CNN takes them from the registered `TinyDigits` dataset (tt-vision). The MLP reads the
identical copy shipped inside tt-milestones (`data/digits.npz`, same SHA-256), so the 1989
milestone needs tt-nn only, not the 1998 package.
"""

from __future__ import annotations

import hashlib
import io
from importlib import resources

import numpy as np

from tt_milestones.milestones._common import dataset

# The SHA-256 of tt-vision's tinydigits.npz; the copy here must be the very same file.
DIGITS_SHA256 = "e95499af8044d14594da5c9e5ed1181fe2673c0820727cfde5fbea18b8d8d0bb"

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def tiny_digits() -> Arrays:
    """From the registered TinyDigits: train images (1000, 1, 8, 8), train labels (1000,),
    test images (200, 1, 8, 8), test labels (200,)."""
    TinyDigits = dataset("TinyDigits")
    train, test = TinyDigits("train"), TinyDigits("test")
    return _typed(train.images, train.labels, test.images, test.labels)


def shipped_digits() -> Arrays:
    """The same four arrays, from the copy inside tt-milestones (checked against its SHA-256)."""
    path = resources.files("tt_milestones") / "data" / "digits.npz"
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != DIGITS_SHA256:
        raise RuntimeError(f"mlp: the digits file {path} has SHA-256 {digest}, expected "
                           f"{DIGITS_SHA256}; the file is damaged — reinstall tt-milestones")
    with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
        return _typed(archive["train_images"], archive["train_labels"],
                      archive["test_images"], archive["test_labels"])


def _typed(train_x, train_y, test_x, test_y) -> Arrays:
    return (np.asarray(train_x, dtype=np.float32), np.asarray(train_y, dtype=np.int64),
            np.asarray(test_x, dtype=np.float32), np.asarray(test_y, dtype=np.int64))
