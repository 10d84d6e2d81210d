"""`LayerNorm`: normalise each sample over its last dimensions (transformers use it)."""

from __future__ import annotations

from typing import Any

import numpy as np
from tt_tensor import Tensor
from tt_tensor.device import check_device

from tt_nn import functional as F
from tt_nn import init
from tt_nn.module import Module, default_float
from tt_nn.parameter import Parameter


class LayerNorm(Module):
    """(x - mean) / sqrt(var + eps) · weight + bias over the trailing `normalized_shape`.

    Args:
        normalized_shape: an int or tuple: the trailing dimensions to normalise over.
        eps: added to the variance so nothing is divided by zero.
        elementwise_affine: learn weight (init 1) and bias (init 0), shaped normalized_shape.
    Shape: input (…, *normalized_shape) -> output of the same shape.
    """

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        check_device(device, "LayerNorm")
        dtype = default_float(dtype)
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.empty(shape, dtype=dtype))
            if bias:
                self.bias = Parameter(np.empty(shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight = 1, bias = 0: the layer starts as a plain normalisation."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
