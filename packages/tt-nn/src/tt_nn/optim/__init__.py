"""Optimizers and learning-rate schedulers, with PyTorch's names, defaults and update rules.

    >>> opt = tt_nn.optim.Adam(model.parameters(), lr=1e-3)
    >>> loss.backward(); opt.step(); opt.zero_grad()

Steps update `param.data` in place with NumPy: no graph, no Tensor bookkeeping.
`tt_nn.optim.lr_scheduler` holds the schedulers (also importable from here).
"""

from tt_nn.optim import lr_scheduler
from tt_nn.optim.adam import Adam, AdamW
from tt_nn.optim.adaptive import Adadelta, Adagrad, RMSprop
from tt_nn.optim.lr_scheduler import (ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts,
                                      ExponentialLR, LambdaLR, LinearLR, LRScheduler, MultiStepLR,
                                      OneCycleLR, PolynomialLR, ReduceLROnPlateau, SequentialLR,
                                      StepLR)
from tt_nn.optim.optimizer import Optimizer
from tt_nn.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
           "lr_scheduler", "LRScheduler", "LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR",
           "LinearLR", "CosineAnnealingLR", "SequentialLR", "OneCycleLR", "ReduceLROnPlateau",
           "ConstantLR", "PolynomialLR", "CosineAnnealingWarmRestarts"]
