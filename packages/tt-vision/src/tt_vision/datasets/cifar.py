"""CIFAR-10 from its binary version in a local folder. Nothing downloads.

Each file is a run of 3073-byte records: one label byte (0-9), then a 32x32 colour image
as 1024 red, 1024 green and 1024 blue bytes, row by row — already (3, 32, 32) order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from tt_vision.datasets._base import DatasetFileError, ImageDataset, find_file, read_bytes

RECORD = 1 + 3 * 32 * 32
FILES = {"train": tuple(f"data_batch_{i}.bin" for i in range(1, 6)), "test": ("test_batch.bin",)}
SUBFOLDER = "cifar-10-batches-bin"  # what the official archive unpacks to


def read_cifar_file(path: Path, who: str = "CIFAR10") -> tuple[np.ndarray, np.ndarray]:
    """One binary batch file (plain or .gz) -> (images (N, 3, 32, 32) uint8, labels (N,) uint8)."""
    raw = read_bytes(path, who)
    if len(raw) == 0 or len(raw) % RECORD:
        raise DatasetFileError(f"{who}: {path} is {len(raw)} bytes, not a whole number of "
                               f"{RECORD}-byte records (1 label byte + 3072 pixel bytes)")
    records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, RECORD)
    labels = records[:, 0]
    if labels.max() > 9:
        bad = int(np.argmax(labels > 9))
        raise DatasetFileError(f"{who}: {path} record {bad} has label {labels[bad]}; expected "
                               "0-9 (is this the binary version of CIFAR-10?)")
    return records[:, 1:].reshape(-1, 3, 32, 32), labels


class CIFAR10(ImageDataset):
    """CIFAR-10 (32x32 colour images, 10 classes) from the binary version's files in `root`.

    Expects `data_batch_1.bin` ... `data_batch_5.bin` (train) and `test_batch.bin` (test),
    each optionally `.gz`, in `root` or `root/cifar-10-batches-bin`. Items are
    `(image (3, 32, 32) float32 in [0, 1], label int)`.

    Args:
        root: the folder. split: "train" or "test".
        transform: optional callable applied to images when items are read.
    """

    classes = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
               "ship", "truck")

    def __init__(self, root, split: str = "train",
                 transform: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        if split not in FILES:
            raise ValueError(f"CIFAR10: split must be 'train' or 'test', got {split!r}")
        root = Path(root)
        parts = [read_cifar_file(find_file(root, name, "CIFAR10", (SUBFOLDER,)))
                 for name in FILES[split]]
        images = np.concatenate([p[0] for p in parts])
        labels = np.concatenate([p[1] for p in parts])
        super().__init__((images / np.float32(255)).astype(np.float32, copy=False),
                         labels.astype(np.int64), transform)
        self.split = split
