"""Image data sets: TinyDigits (shipped inside the package), MNIST and CIFAR-10 (local files)."""

from tt_vision.datasets._base import DatasetFileError, ImageDataset
from tt_vision.datasets.cifar import CIFAR10
from tt_vision.datasets.mnist import MNIST
from tt_vision.datasets.tinydigits import TinyDigits

__all__ = ["TinyDigits", "MNIST", "CIFAR10", "ImageDataset", "DatasetFileError"]
