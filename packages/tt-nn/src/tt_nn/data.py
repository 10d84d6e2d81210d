"""Datasets and batching: `Dataset`, `TensorDataset`, `DataLoader`.

A dataset that can fetch many items in one go defines `__getitems__(indices)` (the name
PyTorch's DataLoader also looks for); `TensorDataset` does, by indexing its whole arrays
with the batch's index array. The DataLoader then builds each batch with one NumPy
indexing per array instead of a Python loop over items. Other datasets are fetched item
by item and stacked (`default_collate`).
"""

from __future__ import annotations

import math
from typing import Any, Iterator, Sequence

import numpy as np
from tt_tensor import Tensor, from_numpy, generator


class Dataset:
    """A sized collection of samples: subclass it and define `__len__` and `__getitem__`.

    Optionally define `__getitems__(indices: np.ndarray)` returning a whole batch at once.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Samples are matching rows of several arrays, e.g. `TensorDataset(inputs, labels)`.

    Args:
        *tensors: Tensors or NumPy arrays with the same first dimension (the sample count).
    Item i is a tuple of Tensors: `(tensors[0][i], tensors[1][i], …)`.
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor")
        self.arrays = [t.data if isinstance(t, Tensor) else np.asarray(t) for t in tensors]
        lengths = [len(a) if a.ndim else None for a in self.arrays]
        if None in lengths or len(set(lengths)) != 1:
            shapes = ", ".join(str(a.shape) for a in self.arrays)
            raise ValueError(f"TensorDataset: every tensor needs the same first dimension "
                             f"(the number of samples); got shapes {shapes}")

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        return tuple(from_numpy(a) for a in self.arrays)

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(from_numpy(np.asarray(a[index])) for a in self.arrays)

    def __getitems__(self, indices: np.ndarray) -> tuple[Tensor, ...]:
        """A whole batch: each array indexed once with the batch's indices."""
        return tuple(from_numpy(a[indices]) for a in self.arrays)


def default_collate(items: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch: tuples field by field, numbers into arrays."""
    first = items[0]
    if isinstance(first, (tuple, list)):
        return tuple(default_collate([item[i] for item in items]) for i in range(len(first)))
    if isinstance(first, dict):
        return {key: default_collate([item[key] for item in items]) for key in first}
    if isinstance(first, Tensor):
        return from_numpy(np.stack([item.data for item in items]))
    if isinstance(first, (np.ndarray, np.generic, int, float, bool)):
        return from_numpy(np.stack(items))
    return list(items)


class DataLoader:
    """Iterate over a dataset in batches.

    Args:
        dataset: a Dataset (anything with `__len__` and `__getitem__`).
        batch_size: samples per batch.
        shuffle: visit the samples in a new random order each epoch.
        drop_last: skip the last batch if it is smaller than batch_size.
        seed: seed of the shuffling. None draws the orders from tt's generator (so
            `tt_tensor.manual_seed` repeats them); an int gives this loader its own stream,
            reproducible whatever else draws random numbers.
        collate_fn: how to merge samples into a batch, for datasets without `__getitems__`.
    """

    def __init__(self, dataset: Any, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, seed: int | None = None, collate_fn: Any = None) -> None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: the dataset must define __len__ and __getitem__, got "
                            f"{type(dataset).__name__}")
        self.dataset, self.batch_size = dataset, batch_size
        self.shuffle, self.drop_last = shuffle, drop_last
        self.seed = seed
        self._rng = None if seed is None else np.random.default_rng(seed)
        self.collate_fn = collate_fn or default_collate

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        if self.shuffle:
            order = (self._rng or generator()).permutation(n)
        else:
            order = np.arange(n)
        batch_fetch = getattr(self.dataset, "__getitems__", None)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            indices = order[start:start + self.batch_size]
            if batch_fetch is not None:
                yield batch_fetch(indices)
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in indices])
