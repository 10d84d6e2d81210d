"""The data the real milestones need: MNIST, Fashion-MNIST and CIFAR-10 (through tt-vision).

Each is a `DataNeed` naming tt-vision's dataset class, which knows where the files may sit
(`--data DIR`, the cache folder, Debian's Fashion-MNIST package) and how to fetch them.
Nothing here touches the network unless `DataNeed.download` is called
(`tt-milestones download NAME`); a milestone's training only reads.
"""

from __future__ import annotations

import numpy as np

from tt_milestones.milestone import DataNeed

IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
CIFAR_FILES = (*(f"data_batch_{i}.bin" for i in range(1, 6)), "test_batch.bin")

MNIST = DataNeed(
    name="mnist", title="MNIST: 60,000 train / 10,000 test 28×28 handwritten digits (IDX)",
    source="tt_vision.datasets:MNIST", files=IDX_FILES, size="11 MB")

FASHION_MNIST = DataNeed(
    name="fashion-mnist",
    title="Fashion-MNIST: 60,000 train / 10,000 test 28×28 clothing images (IDX)",
    source="tt_vision.datasets:FashionMNIST", files=IDX_FILES, size="30 MB",
    manual="apt-get install dataset-fashion-mnist")

CIFAR10 = DataNeed(
    name="cifar10", title="CIFAR-10 (binary version): 50,000 train / 10,000 test 32×32 colour "
    "images", source="tt_vision.datasets:CIFAR10",
    files=("cifar-10-binary.tar.gz or cifar-10-batches-bin/",), size="163 MB")


def load_images(need: DataNeed, data_root=None):
    """(train_x, train_y, test_x, test_y): float32 (N, C, H, W) in [0, 1] and int64 labels."""
    cls = need.dataset_class()
    if cls is None or not need.available(data_root):
        raise FileNotFoundError(f"{need.name}: not found; {need.hint(data_root)}")
    train, test = cls(data_root, "train"), cls(data_root, "test")
    return (np.asarray(train.images, np.float32), np.asarray(train.labels, np.int64),
            np.asarray(test.images, np.float32), np.asarray(test.labels, np.int64))
