"""tt-vision's ops: convolution, pooling, batch normalisation and padding (registered by tt_vision.plugin).

Each is a `tt_tensor.Function` named `...Op`; its registered name (`op.name`) is PyTorch's
functional name (`conv2d`, `max_pool2d`, ...).
"""

from tt_vision.ops.batchnorm import BatchNormOp
from tt_vision.ops.conv import Conv2dOp, ConvTranspose2dOp
from tt_vision.ops.pad import PadOp
from tt_vision.ops.pooling import AvgPool2dOp, MaxPool2dOp, MaxUnpool2dOp

OP_CLASSES = (Conv2dOp, ConvTranspose2dOp, MaxPool2dOp, AvgPool2dOp, MaxUnpool2dOp, BatchNormOp,
              PadOp)

__all__ = ["Conv2dOp", "ConvTranspose2dOp", "MaxPool2dOp", "AvgPool2dOp", "MaxUnpool2dOp",
           "BatchNormOp", "PadOp", "OP_CLASSES"]
