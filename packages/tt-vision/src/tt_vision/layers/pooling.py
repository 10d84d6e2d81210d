"""`MaxPool2d` and `AvgPool2d`: shrink an image by summarising each window."""

from __future__ import annotations

from tt_nn import Module
from tt_tensor import OPS, Tensor

from tt_vision.ops._windows import check_4d, output_size, pair


class _Pool2d(Module):
    """What MaxPool2d and AvgPool2d share: their arguments, checks, and a call to op `op_name`."""

    op_name = ""

    def __init__(self, kernel_size, stride=None) -> None:
        super().__init__()
        who = type(self).__name__
        self.kernel_size = pair(kernel_size, "kernel_size", who)
        self.stride = self.kernel_size if stride is None else pair(stride, "stride", who)
        if min(self.kernel_size) < 1 or min(self.stride) < 1:
            raise ValueError(f"{who}: kernel_size and stride must be positive, got "
                             f"{self.extra_repr()}")

    def forward(self, x: Tensor) -> Tensor:
        check_4d(self._name(), x.shape)
        output_size(self._name(), x.shape[2:], self.kernel_size, self.stride)
        return OPS[self.op_name].apply(x, kernel_size=self.kernel_size, stride=self.stride)

    def _name(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class MaxPool2d(_Pool2d):
    """Largest value of each kH x kW window, as `torch.nn.MaxPool2d` (no padding or dilation).

    Args: kernel_size (int or pair), stride (default: kernel_size; smaller means overlapping
    windows). Shape: (N, C, H, W) -> (N, C, (H - kH) // stride + 1, (W - kW) // stride + 1).
    The gradient of each window goes to its first largest element only.
    """

    op_name = "max_pool2d"


class AvgPool2d(_Pool2d):
    """Mean of each kH x kW window, as `torch.nn.AvgPool2d` (no padding).

    Args: kernel_size (int or pair), stride (default: kernel_size).
    Shape: (N, C, H, W) -> (N, C, (H - kH) // stride + 1, (W - kW) // stride + 1).
    """

    op_name = "avg_pool2d"
