"""`Flatten`: merge dimensions into one, e.g. images (N, C, H, W) into rows (N, C·H·W)."""

from __future__ import annotations

from tt_tensor import Tensor

from tt_nn.module import Module


class Flatten(Module):
    """Merge dimensions start_dim..end_dim (default: all but the batch dimension)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
