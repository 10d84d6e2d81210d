"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from tt_nn.optim.optimizer import Optimizer


class SGD(Optimizer):
    """p ← p - lr·d, where (as in PyTorch's update rule):

        g = grad + weight_decay·p
        with momentum μ:  buf = g on the first step, then buf = μ·buf + (1 - dampening)·g
                          d = g + μ·buf (Nesterov) or d = buf
        without momentum: d = g
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 maximize: bool = False,
                 foreach: Any = None, capturable: bool = False, differentiable: bool = False,
                 fused: Any = None) -> None:
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(f"SGD: lr, momentum and weight_decay must be >= 0, got lr={lr}, "
                             f"momentum={momentum}, weight_decay={weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def _update(self) -> None:
        state_of = self.state
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov, maximize = group["weight_decay"], group["nesterov"], group["maximize"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                g = grad.data
                if maximize:
                    g = -g
                if weight_decay:
                    g = g + weight_decay * p.data
                if momentum:
                    state = state_of[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = np.array(g, dtype=p.data.dtype)
                    else:
                        buf *= momentum
                        buf += (1 - dampening) * g if dampening else g
                    g = g + momentum * buf if nesterov else buf
                p.data -= lr * g  # in place: p.data stays the same array
                p._version += 1  # counted as an in-place change (Optimizer._count_change)
