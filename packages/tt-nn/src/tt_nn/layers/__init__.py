"""The built-in layers (each a Module; registered through the layers hook in tt_nn.plugin)."""

from tt_nn.layers.activation import (CELU, ELU, GELU, GLU, SELU, Hardshrink, Hardsigmoid,
                                     Hardswish, Hardtanh, Identity, LeakyReLU, LogSigmoid,
                                     LogSoftmax, Mish, PReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax,
                                     Softmin, Softplus, Softshrink, Softsign, Tanh, Tanhshrink,
                                     Threshold)
from tt_nn.layers.container import (ModuleDict, ModuleList, ParameterDict, ParameterList,
                                    Sequential)
from tt_nn.layers.distance import CosineSimilarity, PairwiseDistance
from tt_nn.layers.dropout import Dropout
from tt_nn.layers.flatten import Flatten, Unflatten
from tt_nn.layers.linear import Linear
from tt_nn.layers.normalization import LayerNorm

__all__ = ["Linear", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
           "Identity", "Flatten",
           "Unflatten", "Dropout", "LayerNorm",
           "ReLU", "Tanh", "Sigmoid", "GELU", "Softmax", "LogSoftmax", "Softmin", "SiLU", "Mish",
           "Softplus", "LogSigmoid", "Softsign", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish",
           "LeakyReLU", "ELU", "CELU", "SELU", "GLU", "PReLU", "Threshold", "Tanhshrink",
           "Softshrink", "Hardshrink", "CosineSimilarity", "PairwiseDistance"]
