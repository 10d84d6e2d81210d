"""Activation layers: each forwards straight to its registered op (no state)."""

from __future__ import annotations

from tt_tensor import OPS, Tensor

from tt_nn.module import Module


class ReLU(Module):
    """max(x, 0), elementwise. Any shape."""

    def forward(self, input: Tensor) -> Tensor:
        return OPS["relu"].apply(input)


class Tanh(Module):
    """tanh(x), elementwise. Any shape."""

    def forward(self, input: Tensor) -> Tensor:
        return OPS["tanh"].apply(input)


class Sigmoid(Module):
    """1 / (1 + e^-x), elementwise. Any shape."""

    def forward(self, input: Tensor) -> Tensor:
        return OPS["sigmoid"].apply(input)


class GELU(Module):
    """x·Φ(x) with Φ the normal CDF (exact erf form), or approximate="tanh". Any shape."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return OPS["gelu"].apply(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """Probabilities along `dim`: e^x / sum(e^x). Any shape."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, input: Tensor) -> Tensor:
        return OPS["softmax"].apply(input, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Identity(Module):
    """Returns its input unchanged (a placeholder layer)."""

    def forward(self, input: Tensor) -> Tensor:
        return input
