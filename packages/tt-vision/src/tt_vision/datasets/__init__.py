"""Image data sets: TinyDigits (shipped inside the package), MNIST, Fashion-MNIST, CIFAR-10.

MNIST, Fashion-MNIST and CIFAR-10 read the standard files from a folder and fetch them only
when asked (`download=True`, or the classmethod `download(root)`); `available(root)` tells
cheaply whether they are there. Downloads go through `tt_nn.download` (mirrors, SHA-256).
"""

from tt_vision.datasets._base import DatasetFileError, ImageDataset, Resource
from tt_vision.datasets.cifar import CIFAR10
from tt_vision.datasets.mnist import MNIST, FashionMNIST
from tt_vision.datasets.tinydigits import TinyDigits

__all__ = ["TinyDigits", "MNIST", "FashionMNIST", "CIFAR10", "ImageDataset", "DatasetFileError",
           "Resource"]
