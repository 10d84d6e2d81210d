"""The ops tt-nn adds to the registry: fused forms of what a network does most.

One op for a whole Linear layer or a whole loss means one graph node and one backward call
instead of several, which is most of the cost of a small network in Python.
"""

from tt_nn.ops.activations import GELU
from tt_nn.ops.linear import Linear
from tt_nn.ops.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from tt_nn.ops.normalization import LayerNorm

NN_OPS = (Linear, GELU, LayerNorm, MSELoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss)

__all__ = ["NN_OPS", "Linear", "GELU", "LayerNorm", "MSELoss", "BCELoss", "BCEWithLogitsLoss",
           "CrossEntropyLoss"]
