"""A learner's Conv2d: a direct sum over the kernel offsets (one matmul per offset).

It shares no code with tt-vision's Conv2d forward, so a milestone that passes with it
proves this implementation learns. It counts its forward calls so tests can see it ran;
with TT_MY_CONV_LOG set, the count is written to that file when the process ends.
"""

import atexit
import os

import numpy as np
import tt_tensor as tt
from tt_nn import Module, Parameter


class Conv2d(Module):
    """Conv2d(in_channels, out_channels, kernel_size), stride 1, no padding; (N, C, H, W) input."""

    calls = 0

    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__()
        k = kernel_size
        bound = 1 / np.sqrt(in_channels * k * k)
        rng = tt.generator()
        self.kernel_size = k
        self.weight = Parameter(rng.uniform(-bound, bound, (out_channels, in_channels, k, k))
                                .astype(np.float32))
        self.bias = Parameter(rng.uniform(-bound, bound, out_channels).astype(np.float32))

    def forward(self, x):
        Conv2d.calls += 1
        k = self.kernel_size
        n, c, h, w = x.shape
        oh, ow = h - k + 1, w - k + 1
        out = None
        for i in range(k):  # loops over the 9 kernel offsets only, never pixels or samples
            for j in range(k):
                patch = x[:, :, i:i + oh, j:j + ow].permute(0, 2, 3, 1)  # (N, OH, OW, C)
                term = patch @ self.weight[:, :, i, j].T  # (N, OH, OW, out)
                out = term if out is None else out + term
        return (out + self.bias).permute(0, 3, 1, 2)


def _write_count():
    path = os.environ.get("TT_MY_CONV_LOG")
    if path:
        with open(path, "w") as f:
            f.write(str(Conv2d.calls))


atexit.register(_write_count)
