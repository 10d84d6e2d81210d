"""CopyTask and CharDataset: shapes, targets, seeds, errors, and registration."""

import numpy as np
import pytest
import tt_tensor
from tt_tensor import plugins
from tt_text.datasets import CharDataset, CopyTask


def test_copy_task_targets_equal_inputs():
    data = CopyTask(num_samples=50, seq_len=4, vocab_size=10, seed=3)
    assert len(data) == 50 and data.inputs.shape == (50, 4) and data.inputs.dtype == np.int64
    assert np.array_equal(data.inputs, data.targets)
    assert data.inputs.min() >= 0 and data.inputs.max() <= 9
    assert len(np.unique(data.inputs)) == 10  # every token appears
    x, y = data[7]
    assert np.array_equal(x, y) and x.shape == (4,)


def test_copy_task_seeds():
    assert np.array_equal(CopyTask(20, seed=1).inputs, CopyTask(20, seed=1).inputs)
    assert not np.array_equal(CopyTask(20, seed=1).inputs, CopyTask(20, seed=2).inputs)
    tt_tensor.manual_seed(5)
    a = CopyTask(20, seed=None).inputs
    tt_tensor.manual_seed(5)
    assert np.array_equal(a, CopyTask(20, seed=None).inputs)
    with pytest.raises(ValueError, match="CopyTask: seq_len must be at least 1"):
        CopyTask(10, seq_len=0)


def test_char_dataset_windows_are_shifted_by_one(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text("hello world, hello tt", encoding="utf-8")
    data = CharDataset(path, block_size=5)
    assert len(data) == len("hello world, hello tt") - 5
    x, y = data[0]
    assert data.tokenizer.decode(x) == "hello" and data.tokenizer.decode(y) == "ello "
    x, y = data[len(data) - 1]
    assert data.tokenizer.decode(y) == "llo tt"[1:]
    xb, yb = data.batch(np.array([0, 6]))
    assert xb.shape == (2, 5) and data.tokenizer.decode(xb[1]) == "world"
    assert np.array_equal(xb[:, 1:], yb[:, :-1])
    xr, yr = data.random_batch(8)
    assert xr.shape == yr.shape == (8, 5) and np.array_equal(xr[:, 1:], yr[:, :-1])


def test_char_dataset_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no text file"):
        CharDataset(tmp_path / "missing.txt", 4)
    short = tmp_path / "short.txt"
    short.write_text("abc")
    with pytest.raises(ValueError, match="has 3 characters; it needs more than block_size=3"):
        CharDataset(short, 3)
    binary = tmp_path / "binary.bin"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 10)
    with pytest.raises(ValueError, match="is not UTF-8 text"):
        CharDataset(binary, 2)
    data = CharDataset(tmp_path / "short.txt", 1)
    with pytest.raises(IndexError, match="index 5 out of range for 2 windows"):
        data[5]


def test_datasets_are_registered():
    assert plugins.get("datasets", "CopyTask") is CopyTask
    assert plugins.get("datasets", "CharDataset") is CharDataset
    providers = {e.name: e.provider for e in plugins.listing("datasets")}
    assert providers["CopyTask"] == "tt-text"
