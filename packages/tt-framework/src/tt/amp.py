"""`tt.amp`: mixed precision, as far as it means anything on NumPy — it does not.

PyTorch programs wrap their forward pass in `autocast(...)` and their optimizer step in a
`GradScaler` to train in float16/bfloat16 on GPUs. tt computes every op in the dtype of its
inputs, so both are accepted and do nothing: the program runs in float32 (or whatever its
tensors are), exactly as PyTorch does on a CPU with mixed precision disabled.
"""

from __future__ import annotations

import functools
from typing import Any, Callable


class autocast:  # noqa: N801  (PyTorch's name)
    """`with autocast(device_type, dtype=None, enabled=True):` — runs the block unchanged."""

    def __init__(self, device_type: str = "cpu", dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        self.device_type, self.dtype, self.enabled = device_type, dtype, enabled

    def __enter__(self) -> "autocast":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __call__(self, function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)
        return wrapper


class GradScaler:
    """Loss scaling for float16 training: with nothing in float16, a pass-through.

    `scale(loss)` returns the loss, `unscale_` does nothing, `step(optimizer)` calls
    `optimizer.step()`, `update()` does nothing: the same calls as PyTorch's disabled scaler.
    """

    def __init__(self, device: str = "cpu", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self.enabled = False  # nothing to scale: tt has no reduced-precision compute

    def scale(self, outputs: Any) -> Any:
        return outputs

    def unscale_(self, optimizer: Any) -> None:
        return None

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale: float | None = None) -> None:
        return None

    def get_scale(self) -> float:
        return 1.0

    def is_enabled(self) -> bool:
        return False

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        return None
