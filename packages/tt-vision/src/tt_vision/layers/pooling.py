"""Pooling layers: `MaxPool2d`, `AvgPool2d`, `AdaptiveAvgPool2d`, `MaxUnpool2d`, and `Upsample`."""

from __future__ import annotations

from typing import Any

from tt_nn import Module
from tt_tensor import Tensor

from tt_vision import functional as F
from tt_vision.ops._windows import pair


def _arguments(who: str, kernel_size, stride, padding, dilation=1):
    kernel = pair(kernel_size, "kernel_size", who)
    stride = kernel if stride is None else pair(stride, "stride", who)
    padding, dilation = pair(padding, "padding", who), pair(dilation, "dilation", who)
    if min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1 or min(padding) < 0:
        raise ValueError(f"{who}: kernel_size, stride and dilation must be positive and padding "
                         f"not negative, got kernel_size={kernel_size}, stride={stride}, "
                         f"padding={padding}, dilation={dilation}")
    return kernel, stride, padding, dilation


class MaxPool2d(Module):
    """Largest value of each kH x kW window, as `torch.nn.MaxPool2d`.

    Args: kernel_size, stride (default: kernel_size), padding (with -inf), dilation (ints or
    pairs), return_indices (also return where each maximum was, for `MaxUnpool2d`),
    ceil_mode (keep a last partial window).
    Shape: (N, C, H, W) -> (N, C, oH, oW), `oH = (H + 2*padding - dilation*(kH - 1) - 1) // stride + 1`.
    The gradient of each window goes to its first largest element only.
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.dilation = _arguments(
            "MaxPool2d", kernel_size, stride, padding, dilation)
        self.return_indices, self.ceil_mode = bool(return_indices), bool(ceil_mode)

    def forward(self, x: Tensor):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        text = f"kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.ceil_mode:
            text += ", ceil_mode=True"
        return text


class AvgPool2d(Module):
    """Mean of each kH x kW window, as `torch.nn.AvgPool2d`.

    Args: kernel_size, stride (default: kernel_size), padding (zeros), ceil_mode,
    count_include_pad (zeros of the padding count in the mean), divisor_override.
    Shape: (N, C, H, W) -> (N, C, (H + 2*padding - kH) // stride + 1, ...).
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding, _ = _arguments(
            "AvgPool2d", kernel_size, stride, padding)
        self.ceil_mode, self.count_include_pad = bool(ceil_mode), bool(count_include_pad)
        self.divisor_override = divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        text = f"kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        return text


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool2d`.

    `AdaptiveAvgPool2d(1)` is global average pooling: (N, C, H, W) -> (N, C, 1, 1) for any H, W.
    `output_size`: an int, or (oH, oW) where None keeps that input size.
    """

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class MaxUnpool2d(Module):
    """The partial inverse of `MaxPool2d`, as `torch.nn.MaxUnpool2d`: `unpool(x, indices)`.

    Each value goes back to where its maximum was; every other position is zero.
    """

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding, _ = _arguments(
            "MaxUnpool2d", kernel_size, stride, padding)

    def forward(self, x: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        return F.max_unpool2d(x, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class Upsample(Module):
    """Resize images (or signals), as `torch.nn.Upsample`: `interpolate` as a layer.

    Args: size or scale_factor (one of them), mode ("nearest", "nearest-exact", "linear",
    "bilinear"), align_corners (linear modes only).
    """

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None, recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, x: Tensor) -> Tensor:
        return F.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                             self.recompute_scale_factor)

    def extra_repr(self) -> str:
        what = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{what}, mode={self.mode!r}"
