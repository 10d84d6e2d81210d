"""Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019)."""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from tt_nn.optim.optimizer import Optimizer

# Elements per block of the update (see `Adam._update`): 32768 float32 values are 128 KiB
# per array, so the block of the parameter, its gradient, both moments and the scratch
# space stay in the core's L2 cache while the update makes its dozen passes over them.
BLOCK = 32768


class Adam(Optimizer):
    """Adaptive moments, with PyTorch's update rule. For step t = 1, 2, …:

        g = grad (+ weight_decay·p: L2 regularisation, in Adam)
        m = β1·m + (1 - β1)·g            first moment (momentum)
        v = β2·v + (1 - β2)·g²           second moment (per-weight scale)
        p ← p - lr/(1 - β1^t) · m / (sqrt(v)/sqrt(1 - β2^t) + eps)

    amsgrad=True uses the running maximum of v instead of v; maximize=True uses -grad.

    How it runs (PyTorch's fused kernels make one pass; NumPy needs one per operation):
    every operation writes into an existing array (`np.multiply(g, 1 - β1, out=tmp)`,
    `m += tmp`, …), so a step allocates nothing but two reusable scratch blocks, and the
    arrays are walked in blocks of `BLOCK` elements so that the dozen passes of a block
    happen in cache instead of a dozen trips through memory. The last line is computed as
    `p += (-lr·s/(1 - β1^t)) · m / (sqrt(v) + eps·s)` with `s = sqrt(1 - β2^t)`, the same
    quantity with the bias correction moved onto the scalars (one pass fewer).
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
        self._scratch: dict[np.dtype, np.ndarray] = {}  # two blocks per dtype, reused

    def _update(self) -> None:
        state_of = self.state
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, amsgrad, maximize = group["weight_decay"], group["amsgrad"], group["maximize"]
            decay = weight_decay if weight_decay and not self.decoupled else 0.0
            shrink = 1 - lr * weight_decay if weight_decay and self.decoupled else 1.0
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                data = p.data
                state = state_of[p]
                if not state:  # this parameter's first step: both moments start at zero
                    state.update(step=0, exp_avg=np.zeros(data.shape, data.dtype),
                                 exp_avg_sq=np.zeros(data.shape, data.dtype))
                    if amsgrad:
                        state["max_exp_avg_sq"] = np.zeros(data.shape, data.dtype)
                t = state["step"] = state["step"] + 1
                root = math.sqrt(1 - beta2 ** t)
                arrays = (data, grad.data, state["exp_avg"], state["exp_avg_sq"],
                          state["max_exp_avg_sq"] if amsgrad else None)
                coefficients = (beta1, beta2, decay, shrink, maximize, eps * root,
                                -lr * root / (1 - beta1 ** t))
                n = data.size
                if n <= BLOCK:  # one block: the scratch shaped like the parameter
                    scratch = self._scratch_for(data.dtype, n)
                    _adam_block(*arrays, scratch[0, :n].reshape(data.shape),
                                scratch[1, :n].reshape(data.shape), *coefficients)
                    p._version += 1
                    continue
                flat = _flat_views(arrays)
                if flat is None:  # an array that is not one contiguous block: whole arrays
                    _adam_block(*arrays, np.empty_like(data), np.empty_like(data),
                                *coefficients)
                else:
                    scratch = self._scratch_for(data.dtype, BLOCK)
                    for start in range(0, n, BLOCK):
                        stop = min(start + BLOCK, n)
                        _adam_block(*(None if a is None else a[start:stop] for a in flat),
                                    scratch[0, :stop - start], scratch[1, :stop - start],
                                    *coefficients)
                p._version += 1  # counted as an in-place change (see Optimizer._count_change)

    def _scratch_for(self, dtype: np.dtype, size: int) -> np.ndarray:
        """Two scratch blocks of at least `size` elements of `dtype`, kept between steps."""
        scratch = self._scratch.get(dtype)
        if scratch is None or scratch.shape[1] < size:
            scratch = self._scratch[dtype] = np.empty((2, size), dtype)
        return scratch


def _flat_views(arrays: tuple) -> tuple | None:
    """1-D views of the arrays (None stays None) if all are C-contiguous, of one shape."""
    data = arrays[0]
    flat = []
    for a in arrays:
        if a is None:
            flat.append(None)
        elif a.shape != data.shape or not a.flags.c_contiguous:
            return None
        else:
            flat.append(a.reshape(-1))
    return tuple(flat)


def _adam_block(p, g, m, v, v_max, tmp, tmp2, beta1, beta2, decay, shrink, maximize, eps_root,
                step) -> None:
    """One Adam update of the (same-shaped) arrays, in place, with two scratch arrays.

    `decay` is Adam's L2 term (added to the gradient), `shrink` AdamW's factor on the
    weights, `eps_root` = eps·sqrt(1 - β2^t) and `step` = -lr·sqrt(1 - β2^t)/(1 - β1^t).
    """
    if decay:  # g ← (±g) + decay·p, as torch: the decay term follows the sign flip
        np.multiply(p, decay, out=tmp2)
        (np.subtract if maximize else np.add)(tmp2, g, out=tmp2)
        g = tmp2
    elif maximize:
        g = np.negative(g, out=tmp2)
    if shrink != 1.0:
        p *= shrink
    m *= beta1                          # m = β1·m + (1 - β1)·g
    np.multiply(g, 1 - beta1, out=tmp)
    m += tmp
    v *= beta2                          # v = β2·v + (1 - β2)·g²
    np.multiply(g, g, out=tmp)
    tmp *= 1 - beta2
    v += tmp
    if v_max is not None:               # amsgrad: the running maximum of v
        np.maximum(v_max, v, out=v_max)
        v = v_max
    np.sqrt(v, out=tmp)                 # p += step · m / (sqrt(v) + eps·sqrt(1 - β2^t))
    tmp += eps_root
    np.divide(m, tmp, out=tmp)
    tmp *= step
    p += tmp


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
