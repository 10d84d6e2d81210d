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


class Unflatten(Module):
    """Split dimension `dim` into `unflattened_size`, e.g. rows (N, 784) back into images
    (N, 1, 28, 28) with `Unflatten(1, (1, 28, 28))`. One entry may be -1 (inferred)."""

    def __init__(self, dim: int, unflattened_size: tuple[int, ...]) -> None:
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        shape = tuple(input.shape)
        dim = self.dim % len(shape) if shape else self.dim
        sizes = self.unflattened_size
        known = 1
        for size in sizes:
            if size != -1:
                known *= size
        if sizes.count(-1) > 1 or (sizes.count(-1) == 0 and known != shape[dim]) or (
                sizes.count(-1) == 1 and (known == 0 or shape[dim] % known)):
            raise ValueError(f"unflatten: cannot split dimension {self.dim} of size "
                             f"{shape[dim]} (input shape {shape}) into {sizes}")
        return input.reshape(*shape[:dim], *sizes, *shape[dim + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
