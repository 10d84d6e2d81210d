"""RMSprop (Hinton's lecture 6e, 2012), Adagrad (Duchi et al., 2011) and Adadelta
(Zeiler, 2012): per-weight step sizes from the history of squared gradients."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from tt_nn.optim.optimizer import Optimizer


def _check_non_negative(name: str, **values: float) -> None:
    bad = {k: v for k, v in values.items() if v < 0}
    if bad:
        found = ", ".join(f"{k}={v}" for k, v in bad.items())
        raise ValueError(f"{name}: {', '.join(values)} must be >= 0, got {found}")


def _gradient(p, group) -> np.ndarray:
    """p's gradient, negated for maximize, plus weight_decay·p (L2 regularisation)."""
    g = p.grad.data
    if group["maximize"]:
        g = -g
    if group["weight_decay"]:
        g = g + group["weight_decay"] * p.data
    return g


class RMSprop(Optimizer):
    """Divide each step by a running root mean square of the gradient (PyTorch's rule):

        v = alpha·v + (1 - alpha)·g²
        centered: m = alpha·m + (1 - alpha)·g, and the scale is sqrt(v - m²)
        scale = sqrt(v) + eps (or sqrt(v - m²) + eps)
        momentum μ: buf = μ·buf + g/scale, p ← p - lr·buf;  otherwise p ← p - lr·g/scale
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, maximize: bool = False,
                 foreach: Any = None, capturable: bool = False, differentiable: bool = False,
                 fused: Any = None) -> None:
        _check_non_negative("RMSprop", lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                            momentum=momentum)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    def _update(self) -> None:
        for group in self.param_groups:
            lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = _gradient(p, group)
                state = self.state[p]
                if not state:
                    state.update(step=0, square_avg=np.zeros_like(p.data))
                    if momentum > 0:
                        state["momentum_buffer"] = np.zeros_like(p.data)
                    if group["centered"]:
                        state["grad_avg"] = np.zeros_like(p.data)
                state["step"] += 1
                v = state["square_avg"]
                v *= alpha
                v += (1 - alpha) * (g * g)
                if group["centered"]:
                    m = state["grad_avg"]
                    m *= alpha
                    m += (1 - alpha) * g
                    scale = np.sqrt(v - m * m)
                else:
                    scale = np.sqrt(v)
                scale += eps
                if momentum > 0:
                    buf = state["momentum_buffer"]
                    buf *= momentum
                    buf += g / scale
                    p.data -= lr * buf
                else:
                    p.data -= lr * (g / scale)
                self._count_change(p)


class Adagrad(Optimizer):
    """Divide each step by the root of the sum of all squared gradients so far:

        s = s + g²,  p ← p - lr_t · g / (sqrt(s) + eps),  lr_t = lr / (1 + (t - 1)·lr_decay)

    Weights with large past gradients slow down; rare features keep large steps.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, maximize: bool = False,
                 foreach: Any = None, capturable: bool = False, differentiable: bool = False,
                 fused: Any = None) -> None:
        _check_non_negative("Adagrad", lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                            initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps, maximize=maximize))

    def _update(self) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = _gradient(p, group)
                state = self.state[p]
                if not state:
                    state.update(step=0, sum=np.full_like(p.data, group["initial_accumulator_value"]))
                state["step"] += 1
                lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
                total = state["sum"]
                total += g * g
                p.data -= lr * (g / (np.sqrt(total) + group["eps"]))
                self._count_change(p)


class Adadelta(Optimizer):
    """Steps sized by the ratio of two running RMS values, so no lr needs tuning (lr=1):

        v = rho·v + (1 - rho)·g²
        d = sqrt(u + eps) / sqrt(v + eps) · g
        u = rho·u + (1 - rho)·d²
        p ← p - lr·d
    """

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0.0, maximize: bool = False,
                 foreach: Any = None, capturable: bool = False, differentiable: bool = False,
                 fused: Any = None) -> None:
        _check_non_negative("Adadelta", lr=lr, eps=eps, weight_decay=weight_decay)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Adadelta: rho must be in [0, 1], got {rho}")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self) -> None:
        for group in self.param_groups:
            lr, rho, eps = group["lr"], group["rho"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = _gradient(p, group)
                state = self.state[p]
                if not state:
                    state.update(step=0, square_avg=np.zeros_like(p.data),
                                 acc_delta=np.zeros_like(p.data))
                state["step"] += 1
                v, u = state["square_avg"], state["acc_delta"]
                v *= rho
                v += (1 - rho) * (g * g)
                delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
                u *= rho
                u += (1 - rho) * (delta * delta)
                p.data -= lr * delta
                self._count_change(p)
