"""`BatchNorm2d`: keep each channel's activations near mean 0, variance 1 while training."""

from __future__ import annotations

import numpy as np
from tt_nn import Module, Parameter
from tt_tensor import OPS, Tensor


class BatchNorm2d(Module):
    """Batch normalisation of (N, C, H, W) inputs per channel, as `torch.nn.BatchNorm2d`.

    Training mode normalises with the batch's mean and variance over (N, H, W) and updates
    the running estimates: running = (1 - momentum) * running + momentum * batch, with the
    unbiased batch variance (momentum=None: a plain average over all batches so far).
    Evaluation mode (`.eval()`) normalises with the running estimates instead.

    Args:
        num_features: C. eps: added to the variance. momentum: see above.
        affine: learn a per-channel scale `weight` (ones) and shift `bias` (zeros).
        track_running_stats: keep `running_mean` (zeros), `running_var` (ones) and
            `num_batches_tracked` buffers; without them, batch statistics are always used.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True) -> None:
        super().__init__()
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

    def reset_running_stats(self) -> None:
        """Back to mean 0, variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def forward(self, x: Tensor) -> Tensor:
        shape = x.shape
        if len(shape) != 4 or shape[1] != self.num_features:
            raise ValueError(f"BatchNorm2d({self.num_features}): expected input of shape "
                             f"(N, {self.num_features}, H, W), got {shape}")
        if self.training or not self.track_running_stats:
            # Batch statistics; the running ones move towards them only while training.
            update = self.training and self.track_running_stats
            momentum = 0.0  # only read when the running statistics are updated
            if update:
                self.num_batches_tracked.data += 1
                momentum = self.momentum
                if momentum is None:  # a plain average over every batch so far
                    momentum = 1.0 / float(self.num_batches_tracked.data)
            return OPS["batch_norm2d"].apply(
                x, self.weight, self.bias, training=True, momentum=momentum, eps=self.eps,
                running_mean=self.running_mean.data if update else None,
                running_var=self.running_var.data if update else None)
        return OPS["batch_norm2d"].apply(
            x, self.weight, self.bias, training=False, eps=self.eps,
            running_mean=self.running_mean.data, running_var=self.running_var.data)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")
