"""`ImageDataset`: images and labels held as two whole arrays, so a batch is one gather.

`ds[i]` gives one `(image, label)` pair, as in PyTorch (a copy: changing it leaves the data
set alone). `ds.__getitems__(indices)` — what tt_nn's DataLoader (like PyTorch's) calls
for a whole batch — gives `(images, labels)` for all of them with one NumPy indexing per
array: no Python loop over batch items.

Also here: what the downloadable data sets share — `Resource` (a file, its SHA-256 and
its URLs) and `DatasetFileError`, both from `tt_nn.download` — and finding files in a
folder (plain or `.gz`) and reading them, every failure turned into a `DatasetFileError`
that names the file.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
from tt_nn.data import Dataset
from tt_nn.download import DatasetFileError, Resource
from tt_tensor import Tensor, from_numpy

__all__ = ["DatasetFileError", "ImageDataset", "Resource", "find_file", "find_in", "read_bytes",
           "split_name", "candidates"]


def split_name(who: str, split: str, train: bool | None, splits: Iterable[str]) -> str:
    """The split to read: `train=` (torchvision's bool) wins over `split=` when given."""
    if train is not None:
        split = "train" if train else "test"
    splits = tuple(splits)
    if split not in splits:
        raise ValueError(f"{who}: split must be " + " or ".join(repr(s) for s in splits)
                         + f", got {split!r}")
    return split


def candidates(folders: Iterable[Path], name: str) -> list[Path]:
    """Where `name` may sit: `folder/name` and `folder/name.gz` for each folder, in order."""
    return [c for folder in folders for c in (folder / name, folder / f"{name}.gz")]


def find_in(folders: Iterable[Path], name: str) -> Path | None:
    """The first of `candidates(folders, name)` that is a file, or None (cheap: no reading)."""
    for candidate in candidates(folders, name):
        if candidate.is_file():
            return candidate
    return None


def find_file(root: Path, name: str, who: str, subfolders: tuple[str, ...] = (),
              hint: str = "") -> Path:
    """`root/name` (or `name.gz`, or in one of `subfolders`), or an error saying where it looked.

    `hint` is appended to the error: how to get the file (a download command, a URL).
    """
    folders = [root, *(root / s for s in subfolders)]
    found = find_in(folders, name)
    if found is None:
        tried = ", ".join(str(c) for c in candidates(folders, name))
        raise DatasetFileError(f"{who}: missing file {name!r}; looked for {tried}."
                               + (f" {hint}" if hint else ""))
    return found


def read_bytes(path: Path, who: str) -> bytes:
    """The whole file, decompressed when its name ends in `.gz`.

    A file that cannot be read — missing, not gzip, a bad deflate stream (`zlib.error`), a
    CRC mismatch, cut short — raises `DatasetFileError` naming the file and the cause.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            return f.read()
    except EOFError as error:
        raise DatasetFileError(f"{who}: cannot read {path}: the compressed file is cut short "
                               f"({error})") from None
    except (OSError, zlib.error) as error:
        raise DatasetFileError(f"{who}: cannot read {path}: {error}") from None


class ImageDataset(Dataset):
    """A labelled image set in memory: `.images` (N, C, H, W) float32, `.labels` (N,) int64.

    `.data` and `.targets` (torchvision's names) are the same two arrays.

    Args:
        images, labels: the arrays (kept, not copied).
        transform: optional callable applied to the image when items are read (to a whole
            batch in `__getitems__`; tt_vision.transforms handle both), e.g.
            `tt_vision.transforms.Normalize(...)`; `.images` stays untouched.
        target_transform: optional callable applied to each label (an int), as torchvision.
    """

    classes: tuple[str, ...] = ()

    def __init__(self, images: np.ndarray, labels: np.ndarray,
                 transform: Callable[[np.ndarray], Any] | None = None,
                 target_transform: Callable[[int], Any] | None = None) -> None:
        if len(images) != len(labels):
            raise ValueError(f"{type(self).__name__}: {len(images)} images but {len(labels)} labels")
        self.images, self.labels = images, labels
        self.transform, self.target_transform = transform, target_transform

    @property
    def data(self) -> np.ndarray:
        """The images (N, C, H, W) float32 in [0, 1]: torchvision's name for `.images`."""
        return self.images

    @property
    def targets(self) -> np.ndarray:
        """The labels (N,) int64: torchvision's name for `.labels`."""
        return self.labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """One item: (image (C, H, W) float32 array, label int), copies of the stored values."""
        if not isinstance(index, (int, np.integer)):
            raise TypeError(f"{type(self).__name__}: index with an int, got "
                            f"{type(index).__name__}; use __getitems__(indices) for a batch")
        n = len(self.labels)
        if not -n <= index < n:
            raise IndexError(f"{type(self).__name__}: index {index} is out of range for {n} items")
        image = self.images[index].copy()
        if self.transform is not None:
            image = self.transform(image)
        label = int(self.labels[index])
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def __getitems__(self, indices: np.ndarray) -> tuple[Tensor, Tensor]:
        """A whole batch: (images (B, C, H, W), labels (B,) int64) as Tensors (new arrays)."""
        images = self.images[indices]  # fancy indexing: a copy
        if self.transform is not None:
            images = self.transform(images)  # tt_vision.transforms work on whole batches
        labels = self.labels[indices]
        if self.target_transform is not None:  # a per-label function, as in torchvision
            labels = np.asarray([self.target_transform(int(v)) for v in labels])
        return from_numpy(np.asarray(images)), from_numpy(labels)

    @property
    def tensors(self) -> tuple[Tensor, Tensor]:
        """(images, labels) as tt Tensors sharing the arrays, like `TensorDataset.tensors`."""
        return from_numpy(self.images), from_numpy(self.labels)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({len(self)} images of shape {self.images.shape[1:]}, "
                f"{len(np.unique(self.labels))} classes)")
