"""`Linear`: y = x Wᵀ + b, the layer of the perceptron and of every MLP."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from tt_tensor import Tensor
from tt_tensor.device import check_device

from tt_nn import functional as F
from tt_nn import init
from tt_nn.module import Module, default_float
from tt_nn.parameter import Parameter


class Linear(Module):
    """A fully connected layer: y = x @ weight.T + bias.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: learn an additive bias (default True).
        device: accepted for PyTorch compatibility ("cpu" or None: tt runs on the CPU).
        dtype: parameter dtype (tt's default float dtype, float32, when None).

    Shape:
        input (…, in_features) -> output (…, out_features).
        weight (out_features, in_features), bias (out_features,) — PyTorch's layout, so
        weights copy across unchanged.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        check_device(device, "Linear")
        dtype = default_float(dtype)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: weight ~ U(±1/sqrt(in)) (kaiming_uniform_ with a=sqrt(5)), same for bias."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
