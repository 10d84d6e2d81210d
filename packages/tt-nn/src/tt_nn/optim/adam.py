"""Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019)."""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from tt_nn.optim.optimizer import Optimizer


class Adam(Optimizer):
    """Adaptive moments, with PyTorch's update rule. For step t = 1, 2, …:

        g = grad (+ weight_decay·p: L2 regularisation, in Adam)
        m = β1·m + (1 - β1)·g            first moment (momentum)
        v = β2·v + (1 - β2)·g²           second moment (per-weight scale)
        p ← p - lr/(1 - β1^t) · m / (sqrt(v)/sqrt(1 - β2^t) + eps)

    amsgrad=True uses the running maximum of v instead of v.
    """

    decoupled = False  # AdamW decays the weights directly instead of through the gradient

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False,
                 maximize: bool = False,
                 foreach: Any = None, capturable: bool = False, differentiable: bool = False,
                 fused: Any = None) -> None:
        name = type(self).__name__
        if lr < 0 or eps < 0 or weight_decay < 0:
            raise ValueError(f"{name}: lr, eps and weight_decay must be >= 0, got lr={lr}, "
                             f"eps={eps}, weight_decay={weight_decay}")
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"{name}: betas must be in [0, 1), got {betas}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize))

    def _update(self) -> None:
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.data
                if group["maximize"]:
                    g = -g
                data = p.data
                if weight_decay:
                    if self.decoupled:
                        data *= 1 - lr * weight_decay
                    else:
                        g = g + weight_decay * data
                state = self._state(p)
                if not state:  # this parameter's first step: both moments start at zero
                    state.update(step=0, exp_avg=np.zeros_like(data),
                                 exp_avg_sq=np.zeros_like(data))
                    if amsgrad:
                        state["max_exp_avg_sq"] = np.zeros_like(data)
                state["step"] += 1
                t = state["step"]
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m *= beta1
                m += (1 - beta1) * g
                v *= beta2
                v += (1 - beta2) * (g * g)
                if amsgrad:
                    np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                    v = state["max_exp_avg_sq"]
                denom = np.sqrt(v)
                denom /= math.sqrt(1 - beta2 ** t)
                denom += eps
                step_size = lr / (1 - beta1 ** t)
                data -= step_size * (m / denom)
                self._count_change(p)


class AdamW(Adam):
    """Adam with decoupled weight decay: p ← p·(1 - lr·weight_decay) before the Adam step,
    instead of adding weight_decay·p to the gradient. Default weight_decay 0.01, as PyTorch."""

    decoupled = True

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01, amsgrad: bool = False,
                 maximize: bool = False,
                 foreach: Any = None, capturable: bool = False, differentiable: bool = False,
                 fused: Any = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)
