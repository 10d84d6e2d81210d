"""MNIST from the four standard IDX files in a local folder (plain or .gz). Nothing downloads.

IDX format (big-endian): a 4-byte magic number — two zero bytes, a type code (0x08 =
unsigned bytes) and the number of dimensions — then one 4-byte size per dimension, then
the values. Images are idx3 (count, 28, 28); labels are idx1 (count,).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from tt_vision.datasets._base import DatasetFileError, ImageDataset, find_file, read_bytes

FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
UNSIGNED_BYTE = 0x08


def read_idx(path: Path, dims: int, who: str = "read_idx") -> np.ndarray:
    """An IDX file (plain or .gz) of unsigned bytes with `dims` dimensions, as a uint8 array."""
    raw = read_bytes(path, who)
    header = 4 + 4 * dims
    if len(raw) < header:
        raise DatasetFileError(f"{who}: {path} is {len(raw)} bytes, too short for an IDX header")
    magic = raw[:4]
    expected = bytes([0, 0, UNSIGNED_BYTE, dims])
    if magic != expected:
        raise DatasetFileError(f"{who}: {path} starts with magic number 0x{magic.hex()}, expected "
                               f"0x{expected.hex()} (IDX, unsigned bytes, {dims} dimensions)")
    shape = tuple(int(v) for v in np.frombuffer(raw, dtype=">u4", count=dims, offset=4))
    size = int(np.prod(shape))
    if len(raw) != header + size:
        raise DatasetFileError(f"{who}: {path} declares shape {shape} ({header + size} bytes with "
                               f"the header) but has {len(raw)} bytes")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


class MNIST(ImageDataset):
    """The MNIST handwritten digits, read from the standard IDX files in `root`.

    Expects `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`
    and `t10k-labels-idx1-ubyte` (each optionally `.gz`) in `root` or in `root/MNIST/raw`
    (where torchvision keeps them). Items are `(image (1, 28, 28) float32 in [0, 1], label int)`.

    Args:
        root: the folder. split: "train" (60000 images) or "test" (10000).
        transform: optional callable applied to images when items are read.
    """

    classes = tuple(str(d) for d in range(10))

    def __init__(self, root, split: str = "train",
                 transform: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        if split not in FILES:
            raise ValueError(f"MNIST: split must be 'train' or 'test', got {split!r}")
        root = Path(root)
        image_name, label_name = FILES[split]
        image_path = find_file(root, image_name, "MNIST", ("MNIST/raw",))
        label_path = find_file(root, label_name, "MNIST", ("MNIST/raw",))
        images = read_idx(image_path, 3, "MNIST")
        labels = read_idx(label_path, 1, "MNIST")
        if len(images) != len(labels):
            raise DatasetFileError(f"MNIST: {image_path} has {len(images)} images but "
                                   f"{label_path} has {len(labels)} labels")
        if labels.size and labels.max() > 9:
            raise DatasetFileError(f"MNIST: {label_path} contains label {labels.max()}; "
                                   "expected digits 0-9")
        super().__init__((images[:, None] / np.float32(255)).astype(np.float32, copy=False),
                         labels.astype(np.int64), transform)
        self.split = split
