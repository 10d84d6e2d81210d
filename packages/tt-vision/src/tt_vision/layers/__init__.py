"""tt-vision's layers: Conv2d, MaxPool2d, AvgPool2d, BatchNorm2d (registered by tt_vision.plugin)."""

from tt_vision.layers.batchnorm import BatchNorm2d
from tt_vision.layers.conv import Conv2d
from tt_vision.layers.pooling import AvgPool2d, MaxPool2d

LAYERS = (Conv2d, MaxPool2d, AvgPool2d, BatchNorm2d)

__all__ = ["Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm2d", "LAYERS"]
