"""`BatchNorm1d`, `BatchNorm2d` and `GroupNorm`: keep activations near mean 0, variance 1."""

from __future__ import annotations

import numpy as np
from tt_nn import Module, Parameter
from tt_tensor import Tensor
from tt_tensor.device import check_device

from tt_vision import functional as F


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share (they differ only in the input shapes they take).

    Training mode normalises with the batch's mean and variance over every axis but the
    channel and updates the running estimates: running = (1 - momentum) * running +
    momentum * batch, with the unbiased batch variance (momentum=None: a plain average over
    all batches so far). Evaluation mode (`.eval()`) normalises with the running estimates.

    Args:
        num_features: C. eps: added to the variance. momentum: see above.
        affine: learn a per-channel scale `weight` (ones) and shift `bias` (zeros).
        track_running_stats: keep `running_mean` (zeros), `running_var` (ones) and
            `num_batches_tracked` buffers; without them, batch statistics are always used.
    """

    dims: tuple[int, ...] = ()
    shape_text = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        check_device(device, type(self).__name__)
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(np.ones(self.num_features, dtype=np.float32))
            self.bias = Parameter(np.zeros(self.num_features, dtype=np.float32))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(self.num_features, dtype=np.float32))
            self.register_buffer("running_var", np.ones(self.num_features, dtype=np.float32))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        if dtype is not None:
            self.to(dtype=dtype)

    def reset_running_stats(self) -> None:
        """Back to mean 0, variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def forward(self, x: Tensor) -> Tensor:
        if len(x.shape) not in self.dims:  # the op checks the rest (channels, sizes)
            raise ValueError(f"expected a {' or '.join(f'{d}-D' for d in self.dims)} input "
                             f"{self.shape_text}, got shape {tuple(x.shape)}")
        use_batch = self.training or not self.track_running_stats
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:  # a plain average over every batch so far
                momentum = 1.0 / float(self.num_batches_tracked.data)
        keep = not use_batch or self.training
        return F.batch_norm(x, self.running_mean if keep else None,
                            self.running_var if keep else None, self.weight, self.bias,
                            use_batch, momentum, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs per channel, as `torch.nn.BatchNorm2d`."""

    __doc__ += "\n" + (_BatchNorm.__doc__ or "").split("\n", 2)[2]
    dims, shape_text = (4,), "(N, C, H, W)"


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs per channel, as `torch.nn.BatchNorm1d`."""

    __doc__ += "\n" + (_BatchNorm.__doc__ or "").split("\n", 2)[2]
    dims, shape_text = (2, 3), "(N, C) or (N, C, L)"


class GroupNorm(Module):
    """Group normalisation, as `torch.nn.GroupNorm`: statistics per sample over groups of channels.

    The C channels are split into `num_groups` groups; each sample's group is normalised
    over its channels and positions (no running statistics, the same in training and
    evaluation), then scaled and shifted per channel by `weight` (ones) and `bias` (zeros)
    when `affine`. Shape: (N, C, *) -> same.
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        check_device(device, "GroupNorm")
        if num_groups < 1 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = \
            int(num_groups), int(num_channels), float(eps), affine
        if affine:
            self.weight = Parameter(np.ones(self.num_channels, dtype=np.float32))
            self.bias = Parameter(np.zeros(self.num_channels, dtype=np.float32))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if dtype is not None:
            self.to(dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
