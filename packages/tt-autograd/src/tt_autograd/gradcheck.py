"""`gradcheck`: compare backprop's gradients with finite differences, in float64.

For each input element x_i, the central difference (f(x + eps) - f(x - eps)) / (2 eps)
approximates the derivative with error O(eps²). The output is reduced to a scalar with a
fixed random weighting first, so every output element takes part in the check.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
from tt_tensor import Tensor


class GradcheckError(AssertionError):
    """Backprop and finite differences disagree; the message names the worst element."""


def gradcheck(fn: Callable[..., Tensor], inputs: Sequence[Any], *, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-4) -> bool:
    """Check the gradients of `fn(*inputs)` against central differences.

    Args:
        fn: takes the inputs (as Tensors) and returns a Tensor.
        inputs: float arrays or Tensors to differentiate (converted to float64); other
            values (integers, booleans, numbers) are passed through unchanged.
        eps, atol, rtol: step size and tolerances: |analytic - numeric| <= atol + rtol|numeric|.

    Returns True, or raises `GradcheckError` naming the input, the worst element's index
    and both values.
    """
    tensors = [_as_float64(x) for x in inputs]
    differentiable = [i for i, t in enumerate(tensors)
                      if isinstance(t, Tensor) and t.requires_grad]
    if not differentiable:
        raise ValueError("gradcheck: no floating-point input to differentiate")

    output = fn(*tensors)
    weights = np.random.default_rng(1234).normal(size=output.shape)

    def scalar() -> float:
        return float((fn(*tensors).data * weights).sum())

    output.backward(weights, retain_graph=True)
    for i in differentiable:
        t = tensors[i]
        analytic = np.zeros_like(t.data) if t.grad is None else t.grad.data
        numeric = np.zeros_like(t.data)
        flat = t.data.reshape(-1)  # a view: nudging it nudges the input
        for j in range(flat.size):
            original = flat[j]
            flat[j] = original + eps
            plus = scalar()
            flat[j] = original - eps
            minus = scalar()
            flat[j] = original
            numeric.reshape(-1)[j] = (plus - minus) / (2 * eps)
        if not np.isfinite(numeric).all():
            # NaN/Inf differences compare false with everything: never let them pass.
            worst = np.unravel_index(np.argmax(~np.isfinite(numeric)), t.shape)
            raise GradcheckError(
                f"gradcheck: input {i} (shape {t.shape}) element {tuple(int(k) for k in worst)}: "
                f"finite differences give {float(numeric[worst])!r} (backprop gives "
                f"{float(analytic[worst])!r}); the function is not differentiable there, or "
                f"eps={eps} steps outside its domain: check at other inputs")
        error = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
        if (error > 0).any() or not np.isfinite(analytic).all():
            worst = np.unravel_index(np.argmax(np.where(np.isfinite(error), error, np.inf)), t.shape)
            raise GradcheckError(
                f"gradcheck: input {i} (shape {t.shape}) element {tuple(int(k) for k in worst)}: "
                f"backprop gives {float(analytic[worst])!r}, finite differences give "
                f"{float(numeric[worst])!r}")
    return True


def _as_float64(x: Any) -> Any:
    data = x.data if isinstance(x, Tensor) else x
    if isinstance(data, np.ndarray) and data.dtype.kind == "f":
        return Tensor(data.astype(np.float64), requires_grad=True)
    if isinstance(data, np.ndarray):
        return Tensor(data)
    return x
