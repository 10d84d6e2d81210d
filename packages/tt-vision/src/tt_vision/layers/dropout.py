"""`Dropout2d`: drop whole channels while training."""

from __future__ import annotations

from tt_nn import Module
from tt_tensor import Tensor

from tt_vision import functional as F


class Dropout2d(Module):
    """Zero each channel of each sample with probability p while training, as `torch.nn.Dropout2d`.

    Kept channels are scaled by 1/(1-p), so evaluation (`.eval()`, which passes inputs
    through unchanged) sees the same expected values. Shape: (N, C, H, W) -> same.
    Neighbouring pixels are strongly correlated, so dropping single pixels regularises
    little; dropping whole feature maps does.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout2d: p must be a probability in [0, 1], got {p}")
        self.p, self.inplace = float(p), inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout2d(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
