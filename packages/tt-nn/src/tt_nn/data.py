"""Datasets, samplers and batching, with PyTorch's names (`tt.utils.data`).

- Datasets: `Dataset`, `IterableDataset`, `TensorDataset`, `Subset`, `ConcatDataset`,
  `random_split`.
- Samplers say in which order to visit the indices: `SequentialSampler`, `RandomSampler`;
  `BatchSampler` groups them into batches.
- `DataLoader` iterates over batches, merged by `collate_fn` (`default_collate` stacks).

A dataset that can fetch many items in one go defines `__getitems__(indices)` (the name
PyTorch's DataLoader also looks for); `TensorDataset` and `Subset` do, by indexing whole
arrays with the batch's index array. The DataLoader then builds each batch with one NumPy
indexing per array instead of a Python loop over items. Other datasets are fetched item
by item and stacked (`default_collate`).

Items are copies: changing a sample (or a batch) never changes the dataset.
"""

from __future__ import annotations

import bisect
import math
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
from tt_tensor import Tensor, from_numpy
from tt_tensor import generator as default_generator


def _rng(generator: Any) -> Any:
    """The random source for shuffling: the given one, or tt's seeded generator (read at
    each use, so `tt_tensor.manual_seed` repeats the orders)."""
    if generator is None:
        return default_generator()
    if isinstance(generator, (int, np.integer)):
        return np.random.default_rng(int(generator))
    if hasattr(generator, "permutation"):  # a numpy Generator, or anything drawing like one
        return generator
    if hasattr(getattr(generator, "numpy", None), "permutation"):  # tt.Generator wraps one
        return generator.numpy
    raise TypeError(f"generator: expected a numpy.random.Generator, a tt Generator or a seed, "
                    f"got {type(generator).__name__}")


class Dataset:
    """A sized collection of samples: subclass it and define `__len__` and `__getitem__`.

    Optionally define `__getitems__(indices)` returning a whole batch at once.
    `a + b` concatenates two datasets.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples (a generator, a file read line by line): subclass it and define
    `__iter__`. The DataLoader groups what it yields into batches, in order; `shuffle` and
    samplers do not apply."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __add__(self, other: Any) -> Any:
        raise TypeError("IterableDataset: concatenate streams with itertools.chain instead")


def get_worker_info() -> None:
    """None: batches are always made in the main process (PyTorch's answer there too)."""
    return None


class TensorDataset(Dataset):
    """Samples are matching rows of several arrays, e.g. `TensorDataset(inputs, labels)`.

    Args:
        *tensors: Tensors or NumPy arrays with the same first dimension (the sample count).
    Item i is a tuple of Tensors: `(tensors[0][i], tensors[1][i], …)`, each a copy.
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
        """The whole arrays as Tensors (sharing memory with the dataset, as in PyTorch)."""
        return tuple(from_numpy(a) for a in self.arrays)

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(from_numpy(np.array(a[index])) for a in self.arrays)  # np.array copies

    def __getitems__(self, indices: Sequence[int]) -> tuple[Tensor, ...]:
        """A whole batch: each array indexed once with the batch's indices (a copy)."""
        indices = np.asarray(indices, dtype=np.intp)
        return tuple(from_numpy(a[indices]) for a in self.arrays)


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order (what `random_split` returns)."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.intp).reshape(-1)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> Any:
        if isinstance(index, (list, np.ndarray)):
            return self.__getitems__(index)
        return self.dataset[int(self.indices[index])]

    def __getitems__(self, indices: Sequence[int]) -> Any:
        chosen = self.indices[np.asarray(indices, dtype=np.intp)]
        fetch = getattr(self.dataset, "__getitems__", None)
        if fetch is not None:
            return fetch(chosen)
        return [self.dataset[int(i)] for i in chosen]


class ConcatDataset(Dataset):
    """Several datasets one after another: item `len(a) + i` is `b[i]`."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: give at least one dataset")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]).tolist())

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for {n} samples")
        index %= n
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


def random_split(dataset: Any, lengths: Sequence[int | float],
                 generator: Any = None) -> list[Subset]:
    """Split `dataset` into non-overlapping random Subsets of the given lengths.

    Lengths may be counts summing to `len(dataset)`, or fractions summing to 1 (as in
    PyTorch: each gets floor(fraction·n), and the leftover samples go one each to the first
    subsets). `generator` fixes the split (a numpy Generator or a seed); by default tt's
    seeded generator is used.
    """
    n = len(dataset)
    lengths = list(lengths)
    fractions = all(0 <= x <= 1 for x in lengths) and math.isclose(sum(lengths), 1)
    if lengths and fractions and sum(lengths) != n:
        counts = [int(math.floor(n * fraction)) for fraction in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(int(x) != x or x < 0 for x in lengths) or sum(lengths) != n:
        raise ValueError(f"random_split: lengths {lengths} must be non-negative counts summing "
                         f"to the dataset's length {n}, or fractions summing to 1")
    order = _rng(generator).permutation(n)
    bounds = np.cumsum([0, *[int(x) for x in lengths]])
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


# ----- samplers -------------------------------------------------------------------------


class Sampler:
    """Base class: an iterable of dataset indices (and its length)."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def order(self) -> np.ndarray:
        """One epoch's indices as an array (subclasses compute it without a Python loop)."""
        return np.fromiter(iter(self), dtype=np.intp)


class SequentialSampler(Sampler):
    """0, 1, …, len(data_source) - 1."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def order(self) -> np.ndarray:
        return np.arange(len(self.data_source))

    def __iter__(self) -> Iterator[int]:
        return iter(self.order().tolist())

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A new random order every epoch (a permutation), or `num_samples` indices drawn with
    replacement. `generator`: a numpy Generator or a seed; by default tt's generator, so
    `tt_tensor.manual_seed` repeats the orders."""

    def __init__(self, data_source: Any, replacement: bool = False, num_samples: int | None = None,
                 generator: Any = None) -> None:
        self.data_source, self.replacement = data_source, replacement
        self._num_samples, self.generator = num_samples, generator
        if num_samples is not None and (not isinstance(num_samples, int) or num_samples <= 0):
            raise ValueError(f"RandomSampler: num_samples must be a positive integer, got "
                             f"{num_samples!r}")
        # An int seed gives this sampler its own stream, made once (so epochs differ).
        seeded = isinstance(generator, (int, np.integer))
        self._own = np.random.default_rng(generator) if seeded else None

    @property
    def num_samples(self) -> int:
        """Indices drawn per epoch: `num_samples`, or the dataset's length."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def order(self) -> np.ndarray:
        rng = self._own if self._own is not None else _rng(self.generator)
        n = len(self.data_source)
        if self.replacement:
            return rng.integers(0, n, self.num_samples)
        if self._num_samples is None:
            return rng.permutation(n)
        # More samples than the dataset holds: whole permutations one after another.
        rounds = -(-self.num_samples // n)
        return np.concatenate([rng.permutation(n) for _ in range(rounds)])[:self.num_samples]

    def __iter__(self) -> Iterator[int]:
        return iter(self.order().tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of `sampler` into lists of `batch_size` (the last one shorter unless
    `drop_last`)."""

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"BatchSampler: batch_size must be a positive integer, got "
                             f"{batch_size!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def batches(self) -> Iterator[np.ndarray]:
        """The batches as index arrays (slices of one epoch's order: no per-item loop)."""
        order = self.sampler.order() if hasattr(self.sampler, "order") else \
            np.fromiter(iter(self.sampler), dtype=np.intp)
        stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            yield order[start:start + self.batch_size]

    def __iter__(self) -> Iterator[list[int]]:
        for batch in self.batches():
            yield batch.tolist()

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


# ----- batching -------------------------------------------------------------------------


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch: Tensors, arrays and numbers are stacked into a
    Tensor with a new first dimension; tuples, lists and dicts are merged field by field;
    anything else (strings, say) is returned as a list."""
    first = batch[0]
    if isinstance(first, (tuple, list)):
        fields = [default_collate([item[i] for item in batch]) for i in range(len(first))]
        return type(first)(*fields) if hasattr(first, "_fields") else type(first)(fields)
    if isinstance(first, dict):
        return {key: default_collate([item[key] for item in batch]) for key in first}
    if isinstance(first, Tensor):
        return from_numpy(np.stack([item.data for item in batch]))
    if isinstance(first, (np.ndarray, np.generic, int, float, bool)):
        return from_numpy(np.stack(batch))
    return list(batch)


def default_convert(data: Any) -> Any:
    """What a DataLoader with batch_size=None yields: NumPy arrays become Tensors (tuples,
    lists and dicts converted field by field); numbers and everything else stay as they are."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        return from_numpy(data)
    if isinstance(data, tuple):
        converted = [default_convert(d) for d in data]
        return type(data)(*converted) if hasattr(data, "_fields") else tuple(converted)
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    if isinstance(data, dict):
        return {key: default_convert(value) for key, value in data.items()}
    return data


class DataLoader:
    """Iterate over a dataset in batches, with PyTorch's arguments.

    Args:
        dataset: a Dataset (anything with `__len__` and `__getitem__`).
        batch_size: samples per batch (None: yield single samples, uncollated).
        shuffle: visit the samples in a new random order each epoch (a RandomSampler).
        sampler: the order of the indices (instead of `shuffle`).
        batch_sampler: yields whole batches of indices (instead of batch_size, shuffle,
            sampler and drop_last).
        num_workers: accepted; batches are always made in this process (NumPy indexing of a
            whole batch is already the fast path).
        collate_fn: how to merge a list of samples into a batch (default `default_collate`;
            datasets with `__getitems__` then return whole batches directly).
        pin_memory: accepted (there is no GPU memory to pin).
        drop_last: skip the last batch if it is smaller than batch_size.
        generator: the random source of the shuffling (a numpy Generator or a seed).
        seed: tt's shorthand for generator=seed: the loader gets its own random stream,
            reproducible whatever else draws random numbers. With neither, the orders come
            from tt's generator, so `tt_tensor.manual_seed` repeats them.
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Any = None, pin_memory: bool = False, drop_last: bool = False,
                 timeout: float = 0, worker_init_fn: Any = None,
                 multiprocessing_context: Any = None,
                 generator: Any = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True, seed: int | None = None) -> None:
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got "
                             f"{batch_size!r}")
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable and (shuffle or sampler is not None or batch_sampler is not None):
            raise ValueError("DataLoader: an IterableDataset yields its own order; shuffle, "
                             "sampler and batch_sampler do not apply to it")
        if not self._iterable and (not hasattr(dataset, "__len__")
                                   or not hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader: the dataset must define __len__ and __getitem__ (or "
                            f"be an IterableDataset), got {type(dataset).__name__}")
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers must be a non-negative integer, got "
                             f"{num_workers!r}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: give either sampler or shuffle=True, not both")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None
                                          or drop_last):
            raise ValueError("DataLoader: batch_sampler replaces batch_size, shuffle, sampler "
                             "and drop_last; do not give them too")
        if seed is not None and generator is not None:
            raise ValueError("DataLoader: give either seed or generator, not both")
        self.dataset, self.num_workers, self.pin_memory = dataset, num_workers, pin_memory
        self.drop_last, self.seed = drop_last, seed
        self.generator = seed if seed is not None else generator
        if self._iterable:
            sampler = ()  # no indices: the dataset's own iteration order
        if batch_sampler is not None:
            batch_size, drop_last = None, False
            self.sampler = getattr(batch_sampler, "sampler", None)
        elif sampler is None:
            sampler = (RandomSampler(dataset, generator=self.generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_sampler is None:
            self.sampler = sampler
            if batch_size is not None and not self._iterable:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size, self.batch_sampler = batch_size, batch_sampler
        self.shuffle = bool(shuffle)
        self._collate_given = collate_fn is not None
        self.collate_fn = collate_fn or default_collate

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)  # a TypeError for a stream without __len__, as in PyTorch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def _stream(self) -> Iterator[Any]:
        """Batches of an IterableDataset: consecutive samples, collated."""
        if self.batch_size is None:
            for item in self.dataset:
                yield self.collate_fn(item) if self._collate_given else default_convert(item)
            return
        batch: list[Any] = []
        for item in self.dataset:
            batch.append(item)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __iter__(self) -> Iterator[Any]:
        if self._iterable:
            yield from self._stream()
            return
        if self.batch_sampler is None:  # batch_size=None: one sample at a time
            for index in self.sampler:
                item = self.dataset[index]
                yield self.collate_fn(item) if self._collate_given else default_convert(item)
            return
        batch_fetch = getattr(self.dataset, "__getitems__", None)
        batches = (self.batch_sampler.batches() if hasattr(self.batch_sampler, "batches")
                   else iter(self.batch_sampler))
        if self._collate_given:  # the user's collate_fn sees a list of samples, as in PyTorch
            batch_fetch = None
        for indices in batches:
            if batch_fetch is not None:
                batch = batch_fetch(indices)  # already a batch (TensorDataset), or a list
                yield default_collate(batch) if isinstance(batch, list) else batch
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in indices])
