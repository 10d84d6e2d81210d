"""`Dropout`: randomly silence units while training, so none can be relied on alone."""

from __future__ import annotations

from tt_tensor import Tensor

from tt_nn import functional as F
from tt_nn.module import Module


class Dropout(Module):
    """Zero each element with probability p during training and scale the rest by 1/(1-p);
    in eval mode it passes the input through. Masks come from tt's seeded generator.
    Any shape.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p}")
        self.p, self.inplace = p, inplace  # inplace is accepted; the result is a new tensor

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
