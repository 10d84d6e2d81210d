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
