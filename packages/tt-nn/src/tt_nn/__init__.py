"""tt-nn: modules, layers, losses, optimizers and data loading for tt, with PyTorch's names.

    >>> import tt_tensor as tt, tt_nn as nn
    >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    >>> loss = nn.MSELoss()(model(tt.randn(4, 2)), tt.zeros(4, 1))
    >>> loss.backward()

Sub-modules: `tt_nn.functional` (stateless forms), `tt_nn.init`, `tt_nn.optim`,
`tt_nn.data`, `tt_nn.utils`.
"""

from tt_nn import functional, init
from tt_nn.layers import (CELU, ELU, GELU, GLU, SELU, CosineSimilarity, Dropout, Flatten,
                          Hardshrink, Hardsigmoid, Hardswish, Hardtanh, Identity, LayerNorm,
                          LeakyReLU, Linear, LogSigmoid, LogSoftmax, Mish, ModuleDict, ModuleList,
                          PReLU, PairwiseDistance, ParameterDict, ParameterList, ReLU, ReLU6,
                          Sequential, SiLU, Sigmoid, Softmax, Softmin, Softplus, Softshrink,
                          Softsign, Tanh, Tanhshrink, Threshold, Unflatten)
from tt_nn.losses import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss,
                          L1Loss, MSELoss, NLLLoss, SmoothL1Loss)
from tt_nn.module import Module
from tt_nn.parameter import Parameter

__version__ = "0.1.0"

__all__ = [
    "Module", "Parameter",
    "Linear", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Identity", "Flatten", "Unflatten",
    "Dropout", "LayerNorm",
    "ReLU", "Tanh", "Sigmoid", "GELU", "Softmax", "LogSoftmax", "Softmin", "SiLU", "Mish",
    "Softplus", "LogSigmoid", "Softsign", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish",
    "LeakyReLU", "ELU", "CELU", "SELU", "GLU", "PReLU", "Threshold", "Tanhshrink", "Softshrink",
    "Hardshrink", "CosineSimilarity", "PairwiseDistance",
    "MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "L1Loss",
    "SmoothL1Loss", "HuberLoss", "KLDivLoss",
    "functional", "init", "optim", "data", "utils", "save", "load", "clip_grad_norm_",
    "__version__",
]


def __getattr__(name):
    # optim, data, utils and save/load are imported on first use: `import tt_nn` stays fast.
    import importlib

    if name in ("optim", "data", "utils"):
        return importlib.import_module(f"tt_nn.{name}")
    if name in ("save", "load"):
        return getattr(importlib.import_module("tt_nn.serialization"), name)
    if name == "clip_grad_norm_":
        return importlib.import_module("tt_nn.utils").clip_grad_norm_
    raise AttributeError(f"module 'tt_nn' has no attribute {name!r}")
