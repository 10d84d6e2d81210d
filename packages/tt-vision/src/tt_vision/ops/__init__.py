"""tt-vision's ops: convolution, pooling and batch normalisation (registered by tt_vision.plugin)."""

from tt_vision.ops.batchnorm import BatchNorm2d
from tt_vision.ops.conv import Conv2d
from tt_vision.ops.pooling import AvgPool2d, MaxPool2d

OPS = (Conv2d, MaxPool2d, AvgPool2d, BatchNorm2d)

__all__ = ["Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm2d", "OPS"]
