"""tt-vision's layers (registered by tt_vision.plugin): each calls `tt_vision.functional`."""

from tt_vision.layers.batchnorm import BatchNorm1d, BatchNorm2d, GroupNorm
from tt_vision.layers.conv import Conv1d, Conv2d, ConvTranspose2d
from tt_vision.layers.dropout import Dropout2d
from tt_vision.layers.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d, MaxUnpool2d, Upsample

LAYERS = (Conv1d, Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, MaxUnpool2d,
          Upsample, BatchNorm1d, BatchNorm2d, GroupNorm, Dropout2d)

__all__ = [layer.__name__ for layer in LAYERS] + ["LAYERS"]
