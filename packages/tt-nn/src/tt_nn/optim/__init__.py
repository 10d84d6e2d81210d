"""Optimizers and learning-rate schedulers, with PyTorch's names and update rules.

    >>> opt = tt_nn.optim.Adam(model.parameters(), lr=1e-3)
    >>> loss.backward(); opt.step(); opt.zero_grad()

Steps update `param.data` in place with NumPy: no graph, no Tensor bookkeeping.
"""

from tt_nn.optim.adam import Adam, AdamW
from tt_nn.optim.lr_scheduler import CosineAnnealingLR, LRScheduler, StepLR
from tt_nn.optim.optimizer import Optimizer
from tt_nn.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "LRScheduler", "StepLR", "CosineAnnealingLR"]
