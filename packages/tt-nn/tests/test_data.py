"""Datasets and DataLoader: batching, drop_last, vectorised fetching, seeded shuffling."""

import numpy as np
import pytest
import tt_nn as nn
import tt_tensor as tt
from tt_nn.data import DataLoader, Dataset, TensorDataset

X = np.arange(20, dtype=np.float32).reshape(10, 2)
Y = np.arange(10)


def test_tensor_dataset_items_and_length():
    data = TensorDataset(tt.tensor(X), Y)
    assert len(data) == 10
    x, y = data[3]
    np.testing.assert_array_equal(x.data, [6.0, 7.0])
    assert y.item() == 3
    with pytest.raises(ValueError, match=r"same first dimension.*\(10, 2\), \(9,\)"):
        TensorDataset(X, Y[:9])


def test_batches_in_order_with_a_short_last_batch():
    batches = list(DataLoader(TensorDataset(X, Y), batch_size=4))
    assert [b[1].data.tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[0][0].shape == (4, 2) and batches[0][0].dtype == np.float32
    assert len(DataLoader(TensorDataset(X, Y), batch_size=4)) == 3


def test_drop_last_drops_the_short_batch():
    loader = DataLoader(TensorDataset(X, Y), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [b[1].data.tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_tensor_dataset_batches_without_touching_single_items():
    class Counting(TensorDataset):
        calls = 0

        def __getitem__(self, index):
            Counting.calls += 1
            return super().__getitem__(index)

    batches = list(DataLoader(Counting(X, Y), batch_size=5, shuffle=True, seed=0))
    assert Counting.calls == 0 and len(batches) == 2


def test_shuffle_visits_every_sample_once_and_is_reproducible():
    def epoch_orders(loader, epochs=2):
        return [np.concatenate([b[1].data for b in loader]).tolist() for _ in range(epochs)]

    seeded = epoch_orders(DataLoader(TensorDataset(X, Y), batch_size=3, shuffle=True, seed=5))
    again = epoch_orders(DataLoader(TensorDataset(X, Y), batch_size=3, shuffle=True, seed=5))
    assert seeded == again
    assert sorted(seeded[0]) == list(range(10))
    assert seeded[0] != seeded[1]  # a new order each epoch
    assert seeded[0] != list(range(10))

    tt.manual_seed(1)
    first = epoch_orders(DataLoader(TensorDataset(X, Y), batch_size=3, shuffle=True))
    tt.manual_seed(1)
    second = epoch_orders(DataLoader(TensorDataset(X, Y), batch_size=3, shuffle=True))
    assert first == second


def test_a_plain_dataset_is_collated_item_by_item():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([i, i * i], dtype=np.float32), i

    (x, y), *_ = DataLoader(Squares(), batch_size=3)
    np.testing.assert_array_equal(x.data, [[0, 0], [1, 1], [2, 4]])
    np.testing.assert_array_equal(y.data, [0, 1, 2])


def test_bad_loader_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        DataLoader(TensorDataset(X), batch_size=0)
    with pytest.raises(TypeError, match="must define __len__ and __getitem__"):
        DataLoader(42)


def test_dataset_is_registered():
    assert tt.plugins.get("datasets", "TensorDataset") is nn.data.TensorDataset


def test_dataset_items_are_copies_not_views():
    # Issue 12: changing a sample changed the dataset.
    data = TensorDataset(X.copy(), Y.copy())
    x, y = data[2]
    x.data[...] = -1
    batch_x, _ = data.__getitems__([0, 1])
    batch_x.data[...] = -1
    np.testing.assert_array_equal(data.arrays[0], X)
    subset = nn.data.Subset(data, [4, 5])
    subset[0][0].data[...] = -1
    np.testing.assert_array_equal(data.arrays[0], X)


def test_subset_concat_and_random_split():
    from tt_nn.data import ConcatDataset, Subset, random_split

    data = TensorDataset(X, Y)
    subset = Subset(data, [7, 2, 5])
    assert len(subset) == 3 and subset[1][1].item() == 2
    both = ConcatDataset([subset, data])
    assert len(both) == 13 and both[3][1].item() == 0 and both[-1][1].item() == 9
    assert len(data + subset) == 13
    with pytest.raises(IndexError, match="index 13 is out of range for 13 samples"):
        both[13]
    parts = random_split(data, [0.5, 0.3, 0.2], generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == [5, 3, 2]
    seen = sorted(int(i) for p in parts for i in p.indices)
    assert seen == list(range(10))
    again = random_split(data, [5, 3, 2], generator=np.random.default_rng(0))
    assert [p.indices.tolist() for p in again] == [p.indices.tolist() for p in parts]
    assert [len(p) for p in random_split(data, [0.34, 0.33, 0.33])] == [4, 3, 3]
    with pytest.raises(ValueError, match="must be non-negative counts summing to the dataset's length 10"):
        random_split(data, [3, 3])
    # A Subset of a TensorDataset still batches without touching single items.
    batches = list(DataLoader(parts[0], batch_size=2))
    assert [len(b[1]) for b in batches] == [2, 2, 1]


def test_random_split_matches_torchs_lengths(torch):
    import torch.utils.data as tud

    for lengths in ([0.5, 0.5], [0.1, 0.2, 0.7], [0.34, 0.33, 0.33], [0.25] * 4):
        ours = [len(p) for p in nn.data.random_split(TensorDataset(np.arange(11)), lengths)]
        theirs = [len(p) for p in tud.random_split(range(11), lengths)]
        assert ours == theirs, lengths


def test_samplers_and_batch_sampler_match_torch(torch):
    import torch.utils.data as tud

    from tt_nn.data import BatchSampler, RandomSampler, SequentialSampler

    assert list(SequentialSampler(range(5))) == list(tud.SequentialSampler(range(5)))
    for drop_last in (False, True):
        ours = list(BatchSampler(SequentialSampler(range(10)), 3, drop_last))
        theirs = list(tud.BatchSampler(tud.SequentialSampler(range(10)), 3, drop_last))
        assert ours == theirs
        assert len(BatchSampler(SequentialSampler(range(10)), 3, drop_last)) == len(theirs)
    shuffled = list(RandomSampler(range(10), generator=np.random.default_rng(3)))
    assert sorted(shuffled) == list(range(10)) and shuffled != list(range(10))
    drawn = list(RandomSampler(range(4), replacement=True, num_samples=30, generator=1))
    assert len(drawn) == 30 and set(drawn) <= set(range(4))
    assert len(list(RandomSampler(range(4), num_samples=10))) == 10


def test_dataloader_accepts_torchs_arguments():
    data = TensorDataset(X, Y)
    loader = DataLoader(data, batch_size=4, shuffle=True, num_workers=2, pin_memory=True,
                        generator=np.random.default_rng(0), persistent_workers=False)
    assert sorted(np.concatenate([b[1].data for b in loader]).tolist()) == list(range(10))
    sampler = nn.data.SequentialSampler(data)
    assert [b[1].data.tolist() for b in DataLoader(data, batch_size=6, sampler=sampler)] == [
        list(range(6)), list(range(6, 10))]
    batches = nn.data.BatchSampler(nn.data.SequentialSampler(data), 5, drop_last=True)
    assert len(DataLoader(data, batch_sampler=batches)) == 2
    collated = list(DataLoader(data, batch_size=5, collate_fn=lambda items: len(items)))
    assert collated == [5, 5]  # a given collate_fn sees the list of samples
    singles = list(DataLoader(data, batch_size=None))
    assert len(singles) == 10 and singles[3][1].item() == 3
    with pytest.raises(ValueError, match="either sampler or shuffle=True"):
        DataLoader(data, sampler=sampler, shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler replaces"):
        DataLoader(data, batch_size=4, batch_sampler=batches)


def test_default_collate_matches_torch(torch):
    from torch.utils.data import default_collate as torch_collate

    samples = [(np.array([1.0, 2.0]), 3, {"a": 0.5}), (np.array([3.0, 4.0]), 4, {"a": 1.5})]
    ours, theirs = nn.data.default_collate(samples), torch_collate(samples)
    for a, b in zip([ours[0], ours[1], ours[2]["a"]], [theirs[0], theirs[1], theirs[2]["a"]]):
        np.testing.assert_array_equal(a.data, b.numpy())
        assert a.dtype == b.numpy().dtype


def test_iterable_dataset_batches_in_order_like_torch(torch):
    import torch.utils.data as tud

    def stream(base):
        class Counting(base):
            def __iter__(self):
                for i in range(7):
                    yield np.array([i, i * i], dtype=np.float64), i

        return Counting()

    for kwargs in ({"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None}):
        ours = [(np.asarray(x.data).tolist(), np.asarray(getattr(y, "data", y)).tolist())
                for x, y in DataLoader(stream(nn.data.IterableDataset), **kwargs)]
        theirs = [(np.asarray(x).tolist(), np.asarray(y).tolist()) for x, y in
                  tud.DataLoader(stream(tud.IterableDataset), **kwargs)]
        assert ours == theirs, kwargs
    with pytest.raises(ValueError, match="IterableDataset yields its own order"):
        DataLoader(stream(nn.data.IterableDataset), shuffle=True)
    assert nn.data.get_worker_info() is None


def test_a_tt_generator_fixes_splits_and_shuffles():
    data = TensorDataset(X, Y)

    def orders(seed):
        loader = DataLoader(data, batch_size=4, shuffle=True, generator=tt.Generator().manual_seed(seed))
        return [np.concatenate([b[1].data for b in loader]).tolist() for _ in range(2)]

    assert orders(3) == orders(3) and orders(3)[0] != orders(3)[1] and orders(3) != orders(4)
    split = [p.indices.tolist() for p in nn.data.random_split(data, [0.7, 0.3],
                                                               generator=tt.Generator().manual_seed(0))]
    again = [p.indices.tolist() for p in nn.data.random_split(data, [0.7, 0.3],
                                                               generator=tt.Generator().manual_seed(0))]
    assert split == again and sorted(split[0] + split[1]) == list(range(10))
    with pytest.raises(TypeError, match="expected a numpy.random.Generator, a tt Generator or a seed"):
        nn.data.random_split(data, [5, 5], generator="seed")
