"""Loss modules: thin wrappers that remember `reduction` (and options) and call the fused
loss ops in `tt_nn.ops.losses`. Call them as `loss_fn(input, target)`."""

from __future__ import annotations

from typing import Any

from tt_tensor import Tensor

from tt_nn import functional as F
from tt_nn.module import Module
from tt_nn.ops.losses import check_reduction


class _Loss(Module):
    """Base of the loss modules: checks and keeps `reduction` ("mean", "sum" or "none")."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(type(self).__name__, reduction)  # now, not at the first call
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error. input and target: the same shape (any)."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.mse_loss(input, target, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities in [0, 1]. input and target: the same shape."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on raw scores (sigmoid built in, stable). Same shapes."""

    def __init__(self, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(reduction)
        self.pos_weight = pos_weight

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.reduction, self.pos_weight)


class CrossEntropyLoss(_Loss):
    """Cross-entropy from logits (N, C) or (N, C, d1, …) and integer class targets (N) or
    (N, d1, …), or class probabilities shaped like the logits.

    Args: reduction, label_smoothing (0 to 1), ignore_index (targets to skip).
    """

    def __init__(self, reduction: str = "mean", label_smoothing: float = 0.0,
                 ignore_index: int = -100) -> None:
        super().__init__(reduction)
        self.label_smoothing, self.ignore_index = label_smoothing, ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.cross_entropy(input, target, self.reduction, self.label_smoothing,
                               self.ignore_index)
