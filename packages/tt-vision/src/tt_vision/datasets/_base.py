"""`ImageDataset`: images and labels held as two whole arrays, so a batch is one gather.

`ds[i]` gives one `(image, label)` pair, as in PyTorch. `ds.__getitems__(indices)` — what
tt_nn's DataLoader (like PyTorch's) calls for a whole batch — gives `(images, labels)` for
all of them with one NumPy indexing per array: no Python loop over batch items.

Also here: finding and reading the local files of MNIST and CIFAR-10 (plain or .gz).
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Callable

import numpy as np
from tt_nn.data import Dataset
from tt_tensor import Tensor, from_numpy


class DatasetFileError(RuntimeError):
    """A dataset file is missing, damaged or not in the expected format (the message names it)."""


def find_file(root: Path, name: str, who: str, subfolders: tuple[str, ...] = ()) -> Path:
    """`root/name` (or `name.gz`, or in one of `subfolders`), or an error saying where it looked."""
    tried = []
    for folder in (root, *(root / s for s in subfolders)):
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                return candidate
            tried.append(str(candidate))
    raise DatasetFileError(f"{who}: missing file {name!r}; looked for " + ", ".join(tried)
                           + ". tt never downloads: put the file there yourself.")


def read_bytes(path: Path, who: str) -> bytes:
    """The whole file, decompressed when its name ends in `.gz`; unreadable files are named."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            return f.read()
    except (OSError, EOFError) as error:
        raise DatasetFileError(f"{who}: cannot read {path}: {error}") from None


class ImageDataset(Dataset):
    """A labelled image set in memory: `.images` (N, C, H, W) float32, `.labels` (N,) int64.

    Args:
        images, labels: the arrays (kept, not copied).
        transform: optional callable applied to the image (or batch of images) when items
            are read, e.g. `tt_vision.transforms.Normalize(...)`; `.images` stays untouched.
    """

    classes: tuple[str, ...] = ()

    def __init__(self, images: np.ndarray, labels: np.ndarray,
                 transform: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        if len(images) != len(labels):
            raise ValueError(f"{type(self).__name__}: {len(images)} images but {len(labels)} labels")
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        """One item: (image (C, H, W) float32 array, label int)."""
        if not isinstance(index, (int, np.integer)):
            raise TypeError(f"{type(self).__name__}: index with an int, got "
                            f"{type(index).__name__}; use __getitems__(indices) for a batch")
        n = len(self.labels)
        if not -n <= index < n:
            raise IndexError(f"{type(self).__name__}: index {index} is out of range for {n} items")
        image = self.images[index]
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.labels[index])

    def __getitems__(self, indices: np.ndarray) -> tuple[Tensor, Tensor]:
        """A whole batch: (images (B, C, H, W), labels (B,) int64) as Tensors."""
        images = self.images[indices]
        if self.transform is not None:
            images = self.transform(images)  # tt_vision.transforms work on whole batches
        return from_numpy(np.asarray(images)), from_numpy(self.labels[indices])

    @property
    def tensors(self) -> tuple[Tensor, Tensor]:
        """(images, labels) as tt Tensors sharing the arrays, like `TensorDataset.tensors`."""
        return from_numpy(self.images), from_numpy(self.labels)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({len(self)} images of shape {self.images.shape[1:]}, "
                f"{len(np.unique(self.labels))} classes)")
