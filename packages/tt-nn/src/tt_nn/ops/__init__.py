"""The ops tt-nn adds to the registry: fused forms of what a network does most.

One op for a whole Linear layer or a whole loss means one graph node and one backward call
instead of several, which is most of the cost of a small network in Python.
"""

from tt_nn.ops.activations import GELUOp
from tt_nn.ops.linear import LinearOp
from tt_nn.ops.losses import (BCELossOp, BCEWithLogitsLossOp, CrossEntropyOp, MSELossOp,
                              NLLLossOp)
from tt_nn.ops.normalization import LayerNormOp
from tt_nn.ops.softplus import SoftplusOp

OP_CLASSES = (LinearOp, GELUOp, LayerNormOp,
              MSELossOp, BCELossOp, BCEWithLogitsLossOp, CrossEntropyOp, NLLLossOp, SoftplusOp)

__all__ = ["OP_CLASSES", "LinearOp", "GELUOp", "LayerNormOp",
           "MSELossOp", "BCELossOp", "BCEWithLogitsLossOp", "CrossEntropyOp", "NLLLossOp",
           "SoftplusOp"]
