"""`Conv2d`: a learned bank of kH x kW filters slid over an image."""

from __future__ import annotations

import math

import numpy as np
from tt_nn import Module, Parameter, init
from tt_tensor import OPS, Tensor

from tt_vision.ops._windows import output_size, pair


class Conv2d(Module):
    """2-D convolution layer, as `torch.nn.Conv2d` (without dilation and groups).

    Args:
        in_channels, out_channels: channels C of the input and O of the output.
        kernel_size: an int or (kH, kW). stride, padding: an int or a pair (zero padding).
        bias: learn one offset per output channel.

    Shape: input (N, C, H, W) -> output (N, O, oH, oW), oH = (H + 2*padding - kH) // stride + 1.
    Parameters: `weight` (O, C, kH, kW) and `bias` (O,), both initialised uniformly in
    ±1/sqrt(C*kH*kW), PyTorch's default, so weights can be copied between the two.

    Example:
        >>> conv = Conv2d(1, 8, 3)
        >>> conv(tt_tensor.randn(32, 1, 8, 8)).shape
        (32, 8, 6, 6)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 bias: bool = True) -> None:
        super().__init__()
        who = "Conv2d"
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = pair(kernel_size, "kernel_size", who)
        self.stride = pair(stride, "stride", who)
        self.padding = pair(padding, "padding", who)
        if self.in_channels < 1 or self.out_channels < 1 or min(self.kernel_size) < 1 \
                or min(self.stride) < 1 or min(self.padding) < 0:
            raise ValueError(f"{who}: channels, kernel_size and stride must be positive and "
                             f"padding not negative, got in_channels={in_channels}, "
                             f"out_channels={out_channels}, kernel_size={kernel_size}, "
                             f"stride={stride}, padding={padding}")
        self.weight = Parameter(np.zeros((self.out_channels, self.in_channels, *self.kernel_size),
                                         dtype=np.float32))
        if bias:
            self.bias = Parameter(np.zeros(self.out_channels, dtype=np.float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Uniform in ±1/sqrt(fan_in) (what kaiming_uniform_(a=sqrt(5)) works out to)."""
        fan_in, _ = init.calculate_fan_in_and_fan_out(self.weight)  # C*kH*kW
        bound = 1.0 / math.sqrt(fan_in)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        shape = x.shape
        if len(shape) != 4 or shape[1] != self.in_channels:
            raise ValueError(f"{self._name()}: expected input of shape (N, {self.in_channels}, H, "
                             f"W), got {shape}")
        output_size(self._name(), shape[2:], self.kernel_size, self.stride, self.padding)
        return OPS["conv2d"].apply(x, self.weight, self.bias, stride=self.stride,
                                   padding=self.padding)

    def _name(self) -> str:
        return f"Conv2d({self.extra_repr()})"

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        if self.stride != (1, 1):
            text += f", stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.bias is None:
            text += ", bias=False"
        return text
