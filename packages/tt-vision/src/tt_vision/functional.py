"""Stateless forms of tt-vision's layers, named and called as in `torch.nn.functional`.

Each looks its op up in the registry (`OPS[...]`), so a learner's own registered `conv2d`
is used everywhere once chosen.
"""

from __future__ import annotations

from typing import Any

from tt_tensor import OPS, Tensor


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0) -> Tensor:
    """2-D convolution: input (N, C, H, W), weight (O, C, kH, kW), bias (O,) -> (N, O, oH, oW)."""
    return OPS["conv2d"].apply(input, weight, bias, stride=stride, padding=padding)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None) -> Tensor:
    """Largest value of each window (stride defaults to the kernel size): (N, C, H, W) -> (N, C, oH, oW)."""
    return OPS["max_pool2d"].apply(input, kernel_size=kernel_size, stride=stride)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None) -> Tensor:
    """Mean of each window (stride defaults to the kernel size): (N, C, H, W) -> (N, C, oH, oW)."""
    return OPS["avg_pool2d"].apply(input, kernel_size=kernel_size, stride=stride)


def batch_norm2d(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
                 weight: Tensor | None = None, bias: Tensor | None = None,
                 training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel of (N, C, H, W), like `torch.nn.functional.batch_norm` on 4-D input.

    training=True uses the batch's statistics and updates `running_mean` / `running_var`
    in place (when given); training=False uses the running statistics.
    """
    return OPS["batch_norm2d"].apply(
        input, weight, bias, training=training, momentum=momentum, eps=eps,
        running_mean=None if running_mean is None else _array(running_mean),
        running_var=None if running_var is None else _array(running_var))


def _array(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else value


__all__ = ["conv2d", "max_pool2d", "avg_pool2d", "batch_norm2d"]
