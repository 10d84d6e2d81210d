"""The built-in layers (each a Module; registered through the layers hook in tt_nn.plugin)."""

from tt_nn.layers.activation import GELU, Identity, ReLU, Sigmoid, Softmax, Tanh
from tt_nn.layers.container import ModuleDict, ModuleList, Sequential
from tt_nn.layers.dropout import Dropout
from tt_nn.layers.flatten import Flatten
from tt_nn.layers.linear import Linear
from tt_nn.layers.normalization import LayerNorm

__all__ = ["Linear", "Sequential", "ModuleList", "ModuleDict", "ReLU", "Tanh", "Sigmoid", "GELU",
           "Softmax", "Identity", "Flatten", "Dropout", "LayerNorm"]
