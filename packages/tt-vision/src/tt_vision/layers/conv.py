"""`Conv1d`, `Conv2d`, `ConvTranspose2d`: learned banks of filters slid over a signal or an image."""

from __future__ import annotations

import math

import numpy as np
from tt_nn import Module, Parameter, init
from tt_tensor import Tensor
from tt_tensor.device import check_device

from tt_vision import functional as F
from tt_vision.ops._windows import pair


def _single(value, what: str, who: str) -> int:
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if not isinstance(value, (int, np.integer)):
        raise TypeError(f"{who}: {what} must be an int, got {value!r}")
    return int(value)


def _padding_mode(who: str, mode: str, padding) -> str:
    modes = ("zeros", "reflect", "replicate", "circular")
    if mode not in modes:
        raise ValueError(f"{who}: padding_mode must be one of {', '.join(map(repr, modes))}, "
                         f"got {mode!r}")
    if mode != "zeros" and isinstance(padding, str):
        raise ValueError(f"{who}: padding={padding!r} works with padding_mode='zeros' only")
    return mode


class _ConvNd(Module):
    """What the convolution layers share: arguments, parameters, PyTorch's initialisation."""

    transposed = False

    def _setup(self, who, in_channels, out_channels, kernel_size, stride, padding, dilation,
               groups, bias, output_padding=0) -> None:
        self.in_channels, self.out_channels, self.groups = int(in_channels), int(out_channels), \
            int(groups)
        if self.in_channels < 1 or self.out_channels < 1 or self.groups < 1:
            raise ValueError(f"{who}: in_channels, out_channels and groups must be positive, "
                             f"got {in_channels}, {out_channels}, groups={groups}")
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(f"{who}: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must be divisible by groups ({groups})")
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.output_padding = dilation, output_padding
        if min(kernel_size) < 1 or min(stride) < 1 or min(dilation) < 1 or (
                not isinstance(padding, str) and min(padding) < 0):
            raise ValueError(f"{who}: kernel_size, stride and dilation must be positive and "
                             f"padding not negative, got kernel_size={kernel_size}, "
                             f"stride={stride}, padding={padding}, dilation={dilation}")
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups, *kernel_size)
        else:
            shape = (self.out_channels, self.in_channels // self.groups, *kernel_size)
        self.weight = Parameter(np.zeros(shape, dtype=np.float32))
        if bias:
            self.bias = Parameter(np.zeros(self.out_channels, dtype=np.float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Uniform in ±1/sqrt(fan_in) (what kaiming_uniform_(a=sqrt(5)) works out to), as torch."""
        fan_in, _ = init.calculate_fan_in_and_fan_out(self.weight)  # C/groups * kernel size
        bound = 1.0 / math.sqrt(fan_in) if fan_in else 0.0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        ones = tuple(1 for _ in self.kernel_size)
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        if self.stride != ones:
            text += f", stride={self.stride}"
        if self.padding != tuple(0 for _ in ones):
            text += f", padding={self.padding!r}" if isinstance(self.padding, str) \
                else f", padding={self.padding}"
        if self.transposed and self.output_padding != tuple(0 for _ in ones):
            text += f", output_padding={self.output_padding}"
        if self.dilation != ones:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if getattr(self, "padding_mode", "zeros") != "zeros":
            text += f", padding_mode={self.padding_mode!r}"
        return text


class Conv2d(_ConvNd):
    """2-D convolution layer, as `torch.nn.Conv2d` (zero padding).

    Args:
        in_channels, out_channels: channels C of the input and O of the output.
        kernel_size: an int or (kH, kW). stride, dilation: an int or a pair.
        padding: an int, a pair, "valid" or "same". groups: split the channels into that many
        independent convolutions. bias: learn one offset per output channel.
        padding_mode: "zeros", or "reflect"/"replicate"/"circular" (the input is padded with
        `functional.pad` first).

    Shape: input (N, C, H, W) -> output (N, O, oH, oW),
    `oH = (H + 2*padding - dilation*(kH - 1) - 1) // stride + 1`.
    Parameters: `weight` (O, C/groups, kH, kW) and `bias` (O,), both uniform in
    ±1/sqrt(C/groups*kH*kW), PyTorch's default, so weights can be copied between the two.

    Example:
        >>> conv = Conv2d(1, 8, 3)
        >>> conv(tt_tensor.randn(32, 1, 8, 8)).shape
        (32, 8, 6, 6)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__()
        who = "Conv2d"
        check_device(device, who)
        self.padding_mode = _padding_mode(who, padding_mode, padding)
        padding = padding if isinstance(padding, str) else pair(padding, "padding", who)
        self._setup(who, in_channels, out_channels, pair(kernel_size, "kernel_size", who),
                    pair(stride, "stride", who), padding, pair(dilation, "dilation", who),
                    groups, bias)
        if dtype is not None:
            self.to(dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        if self.padding_mode != "zeros":  # pad first, then convolve without padding
            (ph, pw) = self.padding
            x = F.pad(x, (pw, pw, ph, ph), mode=self.padding_mode)
            return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)


class Conv1d(_ConvNd):
    """1-D convolution layer, as `torch.nn.Conv1d`: (N, C, L) -> (N, O, oL).

    `oL = (L + 2*padding - dilation*(k - 1) - 1) // stride + 1`. Parameters `weight`
    (O, C/groups, k) and `bias` (O,), initialised as torch does. Arguments as `Conv2d`'s,
    with single ints.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__()
        who = "Conv1d"
        check_device(device, who)
        self.padding_mode = _padding_mode(who, padding_mode, padding)
        padding = padding if isinstance(padding, str) else (_single(padding, "padding", who),)
        self._setup(who, in_channels, out_channels, (_single(kernel_size, "kernel_size", who),),
                    (_single(stride, "stride", who),), padding,
                    (_single(dilation, "dilation", who),), groups, bias)
        if dtype is not None:
            self.to(dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        if self.padding_mode != "zeros":
            x, padding = F.pad(x, (padding, padding), mode=self.padding_mode), 0
        return F.conv1d(x, self.weight, self.bias, self.stride[0], padding, self.dilation[0],
                        self.groups)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution, as `torch.nn.ConvTranspose2d` (learned upsampling).

    Shape: (N, C, H, W) -> (N, O, oH, oW),
    `oH = (H - 1)*stride - 2*padding + dilation*(kH - 1) + output_padding + 1`.
    Parameters: `weight` (C, O/groups, kH, kW) and `bias` (O,), uniform in
    ±1/sqrt(O/groups*kH*kW) as torch initialises them.
    """

    transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        super().__init__()
        who = "ConvTranspose2d"
        check_device(device, who)
        if padding_mode != "zeros":
            raise ValueError(f"{who}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        self._setup(who, in_channels, out_channels, pair(kernel_size, "kernel_size", who),
                    pair(stride, "stride", who), pair(padding, "padding", who),
                    pair(dilation, "dilation", who), groups, bias,
                    pair(output_padding, "output_padding", who))
        if dtype is not None:
            self.to(dtype=dtype)

    def forward(self, x: Tensor, output_size=None) -> Tensor:
        output_padding = self.output_padding
        if output_size is not None:  # choose output_padding so the output has that size
            base = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in
                    zip(x.shape[-2:], self.stride, self.padding, self.dilation, self.kernel_size)]
            output_padding = tuple(int(o) - b for o, b in zip(tuple(output_size)[-2:], base))
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)
