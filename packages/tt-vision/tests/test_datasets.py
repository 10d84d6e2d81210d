"""TinyDigits (shipped, hash-checked) and the MNIST / CIFAR-10 readers on files written here."""

import gzip
import hashlib
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from tt_vision.datasets import CIFAR10, MNIST, DatasetFileError, TinyDigits
from tt_vision.datasets import tinydigits as tinydigits_module

DATA_FILE = Path(str(resources.files("tt_vision.datasets") / "data" / "tinydigits.npz"))
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "make_tinydigits.py"


# ----- TinyDigits ---------------------------------------------------------------------------
@pytest.mark.parametrize("split, per_class", [("train", 100), ("test", 20)])
def test_tinydigits_sizes_and_class_counts(split, per_class):
    ds = TinyDigits(split)
    assert len(ds) == 10 * per_class
    assert ds.images.shape == (10 * per_class, 1, 8, 8) and ds.images.dtype == np.float32
    assert ds.labels.shape == (10 * per_class,) and ds.labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(ds.labels, minlength=10), [per_class] * 10)
    assert ds.images.min() == 0.0 and ds.images.max() == 1.0
    # The originals are counts 0..16: every pixel is a multiple of 1/16.
    np.testing.assert_array_equal(ds.images * 16, np.round(ds.images * 16))


def test_tinydigits_items():
    ds = TinyDigits()
    image, label = ds[3]
    assert image.shape == (1, 8, 8) and image.dtype == np.float32
    assert isinstance(label, int) and label == ds.labels[3]
    images, labels = ds.__getitems__(np.array([5, 0, 7]))  # a whole batch in one gather
    np.testing.assert_array_equal(images.data, ds.images[[5, 0, 7]])
    np.testing.assert_array_equal(labels.data, ds.labels[[5, 0, 7]])
    with pytest.raises(IndexError, match="TinyDigits: index 1000 is out of range for 1000"):
        ds[1000]
    with pytest.raises(ValueError, match="split must be 'train' or 'test', got 'val'"):
        TinyDigits("val")


def test_dataloader_batches_tinydigits():
    from tt_nn.data import DataLoader

    ds = TinyDigits()
    batches = list(DataLoader(ds, batch_size=32, shuffle=True, seed=0))
    assert len(batches) == 32 and batches[0][0].shape == (32, 1, 8, 8)
    assert batches[-1][0].shape == (8, 1, 8, 8)
    labels = np.concatenate([b[1].data for b in batches])
    np.testing.assert_array_equal(np.sort(labels), np.sort(ds.labels))  # each item once


def test_train_and_test_images_differ():
    train, test = TinyDigits("train").images.reshape(1000, -1), TinyDigits("test").images.reshape(200, -1)
    # no test image is an exact copy of the train image at the same position in its class
    assert not any((train == row).all(axis=1).all() for row in test)


def test_tinydigits_file_matches_its_hash():
    assert hashlib.sha256(DATA_FILE.read_bytes()).hexdigest() == tinydigits_module.TINYDIGITS_SHA256


def test_tinydigits_refuses_a_changed_file(tmp_path):
    damaged = tmp_path / "tinydigits.npz"
    raw = bytearray(DATA_FILE.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    damaged.write_bytes(bytes(raw))
    with pytest.raises(DatasetFileError, match=r"TinyDigits: .*tinydigits.npz has SHA-256 [0-9a-f]{64}, "
                                               r"expected e95499af"):
        tinydigits_module._load(damaged, tinydigits_module.TINYDIGITS_SHA256)


def _python_with_sklearn():
    """The first python3 on PATH that can import scikit-learn (test envs usually cannot)."""
    import os

    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = shutil.which("python3", path=folder)
        if candidate and subprocess.run([candidate, "-c", "import sklearn"],
                                        capture_output=True).returncode == 0:
            return candidate
    return None


def test_the_script_regenerates_the_same_bytes(tmp_path):
    """Run make_tinydigits.py on a copy of the package tree; its output must hash the same."""
    python = _python_with_sklearn()
    if python is None:
        pytest.skip("needs a python3 on PATH with scikit-learn (not a tt dependency) to "
                    "regenerate TinyDigits")
    copy = tmp_path / "tt-vision"
    (copy / "scripts").mkdir(parents=True)
    (copy / "src" / "tt_vision" / "datasets" / "data").mkdir(parents=True)
    shutil.copy(SCRIPT, copy / "scripts" / SCRIPT.name)
    subprocess.run([python, str(copy / "scripts" / SCRIPT.name)], check=True, capture_output=True)
    made = copy / "src" / "tt_vision" / "datasets" / "data" / "tinydigits.npz"
    assert made.read_bytes() == DATA_FILE.read_bytes()


# ----- MNIST --------------------------------------------------------------------------------
def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def write_mnist(folder: Path, split: str, n: int, compress: bool = False, seed: int = 0):
    r = np.random.default_rng(seed)
    images = r.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = r.integers(0, 10, size=n, dtype=np.uint8)
    prefix = "train" if split == "train" else "t10k"
    for name, array in ((f"{prefix}-images-idx3-ubyte", images), (f"{prefix}-labels-idx1-ubyte", labels)):
        raw = idx_bytes(array)
        if compress:
            (folder / f"{name}.gz").write_bytes(gzip.compress(raw, mtime=0))
        else:
            (folder / name).write_bytes(raw)
    return images, labels


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("split", ["train", "test"])
def test_mnist_reads_idx_files(tmp_path, split, compress):
    images, labels = write_mnist(tmp_path, split, 7, compress)
    ds = MNIST(tmp_path, split)
    assert len(ds) == 7 and ds.images.shape == (7, 1, 28, 28) and ds.images.dtype == np.float32
    np.testing.assert_allclose(ds.images[:, 0] * 255, images, atol=1e-4)
    np.testing.assert_array_equal(ds.labels, labels)
    assert ds.labels.dtype == np.int64
    image, label = ds[6]
    assert image.shape == (1, 28, 28) and label == labels[6]


def test_mnist_also_looks_where_torchvision_keeps_it(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    write_mnist(raw, "test", 3)
    assert len(MNIST(tmp_path, "test")) == 3


def test_mnist_missing_file_is_named(tmp_path):
    with pytest.raises(DatasetFileError, match="MNIST: missing file 't10k-images-idx3-ubyte'"):
        MNIST(tmp_path, "test")


def test_mnist_bad_magic_is_named(tmp_path):
    write_mnist(tmp_path, "train", 2)
    path = tmp_path / "train-images-idx3-ubyte"
    raw = bytearray(path.read_bytes())
    raw[2] = 0x0D  # float type code instead of unsigned bytes
    path.write_bytes(bytes(raw))
    with pytest.raises(DatasetFileError, match=r"MNIST: .*train-images-idx3-ubyte starts with "
                                               r"magic number 0x00000d03, expected 0x00000803"):
        MNIST(tmp_path)


def test_mnist_truncated_file_is_named(tmp_path):
    write_mnist(tmp_path, "train", 2)
    path = tmp_path / "train-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(DatasetFileError, match=r"train-labels-idx1-ubyte declares shape \(2,\) "
                                               r"\(10 bytes with the header\) but has 9 bytes"):
        MNIST(tmp_path)


def test_mnist_count_mismatch_is_named(tmp_path):
    write_mnist(tmp_path, "train", 3)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(2)))
    with pytest.raises(DatasetFileError, match="has 3 images but .* has 2 labels"):
        MNIST(tmp_path)


def test_mnist_corrupt_gzip_is_named(tmp_path):
    write_mnist(tmp_path, "test", 2, compress=True)
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DatasetFileError, match=r"MNIST: cannot read .*t10k-images-idx3-ubyte.gz"):
        MNIST(tmp_path, "test")


# ----- CIFAR-10 -----------------------------------------------------------------------------
def write_cifar(path: Path, n: int, seed: int):
    r = np.random.default_rng(seed)
    labels = r.integers(0, 10, size=n, dtype=np.uint8)
    images = r.integers(0, 256, size=(n, 3, 32, 32), dtype=np.uint8)
    records = np.concatenate([labels[:, None], images.reshape(n, -1)], axis=1)
    path.write_bytes(records.tobytes())
    return images, labels


def test_cifar10_reads_the_binary_version(tmp_path):
    folder = tmp_path / "cifar-10-batches-bin"
    folder.mkdir()
    parts = [write_cifar(folder / f"data_batch_{i}.bin", 2 + i, seed=i) for i in range(1, 6)]
    test_images, test_labels = write_cifar(folder / "test_batch.bin", 4, seed=9)
    train = CIFAR10(tmp_path, "train")
    assert len(train) == sum(2 + i for i in range(1, 6))
    assert train.images.shape == (len(train), 3, 32, 32) and train.images.dtype == np.float32
    np.testing.assert_array_equal(train.labels, np.concatenate([p[1] for p in parts]))
    np.testing.assert_allclose(train.images * 255, np.concatenate([p[0] for p in parts]), atol=1e-4)
    test = CIFAR10(folder, "test")  # the folder itself works too
    np.testing.assert_array_equal(test.labels, test_labels)
    image, label = test[1]
    assert image.shape == (3, 32, 32) and label == test_labels[1]
    assert test.classes[0] == "airplane" and len(test.classes) == 10


def test_cifar10_reads_gzipped_files(tmp_path):
    plain = tmp_path / "plain.bin"
    images, labels = write_cifar(plain, 3, seed=4)
    (tmp_path / "test_batch.bin.gz").write_bytes(gzip.compress(plain.read_bytes(), mtime=0))
    test = CIFAR10(tmp_path, "test")
    np.testing.assert_array_equal(test.labels, labels)
    np.testing.assert_allclose(test.images * 255, images, atol=1e-4)


def test_cifar10_missing_file_is_named(tmp_path):
    write_cifar(tmp_path / "data_batch_1.bin", 2, 0)
    with pytest.raises(DatasetFileError, match="CIFAR10: missing file 'data_batch_2.bin'"):
        CIFAR10(tmp_path, "train")


def test_cifar10_wrong_size_is_named(tmp_path):
    (tmp_path / "test_batch.bin").write_bytes(bytes(3073 * 2 + 5))
    with pytest.raises(DatasetFileError, match=r"test_batch.bin is 6151 bytes, not a whole number "
                                               r"of 3073-byte records"):
        CIFAR10(tmp_path, "test")


def test_cifar10_bad_label_is_named(tmp_path):
    raw = bytearray(3073 * 2)
    raw[3073] = 42
    (tmp_path / "test_batch.bin").write_bytes(bytes(raw))
    with pytest.raises(DatasetFileError, match="test_batch.bin record 1 has label 42"):
        CIFAR10(tmp_path, "test")


def test_cli_lists_datasets():
    out = subprocess.run([sys.executable, "-m", "tt_tensor.plugins"], capture_output=True,
                         text=True, check=True).stdout
    assert any(line.split()[:3] == ["datasets", "TinyDigits", "tt-vision"] for line in out.splitlines())
