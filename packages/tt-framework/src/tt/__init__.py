"""`import tt`: one namespace shaped like `torch`, over whatever tt packages are installed.

    >>> import tt
    >>> x = tt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> (x @ x.T).sum().backward()
    >>> x.grad
    tensor([[ 8., 12.],
            [ 8., 12.]])

Tensor-level names (`tt.tensor`, `tt.zeros`, `tt.cat`, dtypes, `tt.no_grad`,
`tt.manual_seed`, `tt.device`, ...) come from tt-tensor. `tt.nn`, `tt.optim`,
`tt.utils.data`, `tt.save` and `tt.load` from tt-nn, and every layer, functional form and
optimizer any installed package registers appears under `tt.nn`, `tt.nn.functional` and
`tt.optim`. `tt.vision` and `tt.text` are the era packages, when installed.
Sub-modules are imported on first use, so `import tt` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

import tt_tensor
from tt_tensor import (Tensor, device, enable_grad, from_numpy, inference_mode,
                       is_grad_enabled, manual_seed, no_grad, set_grad_enabled, tensor)
from tt_tensor import bool as _bool
from tt_tensor import float32, float64, int64

__version__ = "0.1.0"

# torch's spellings of the dtypes tt-tensor always has.
float = float32  # noqa: A001
double = float64
long = int64
bool = _bool  # noqa: A001

_SUBMODULES = ("nn", "optim", "utils", "autograd", "cuda", "accelerator", "backends", "vision",
               "text", "mps", "amp", "profiler", "quantization", "ao", "linalg")


def save(obj: Any, f: Any, **kwargs: Any) -> None:
    """Save a state dict (or a module's) to the path `f` (see `tt_nn.save`)."""
    from tt_nn.serialization import save as save_
    save_(obj, f, **kwargs)


def load(f: Any, *args: Any, **kwargs: Any) -> Any:
    """Load what `tt.save` wrote (see `tt_nn.load`); `map_location` and `weights_only` are accepted."""
    from tt_nn.serialization import load as load_
    from tt_tensor.device import check_device

    map_location = kwargs.pop("map_location", None)
    if isinstance(map_location, (str, device)):
        check_device(map_location, "load")
    kwargs.pop("weights_only", None)  # tt never unpickles, so every load is weights-only
    kwargs.pop("mmap", None)
    return load_(f, *args, **kwargs)


def is_tensor(obj: Any) -> bool:
    """True for a tt Tensor."""
    return isinstance(obj, Tensor)


def compile(model: Any = None, **kwargs: Any) -> Any:  # noqa: A001
    """`torch.compile` stand-in: tt has no compiler, so the model comes back unchanged."""
    if model is None:
        return lambda m: m
    return model


def set_float32_matmul_precision(precision: str) -> None:
    """Accepted for compatibility: NumPy's matmul has one precision."""
    if precision not in ("highest", "high", "medium"):
        raise ValueError(f"set_float32_matmul_precision: expected 'highest', 'high' or "
                         f"'medium', got {precision!r}")


def __getattr__(name: str) -> Any:
    if name == "autocast":
        from tt.amp import autocast
        return autocast
    if name == "bfloat16":
        return _Unsupported("bfloat16")
    if name in _SUBMODULES:
        return importlib.import_module(f"tt.{name}")
    if not name.startswith("__") and hasattr(tt_tensor, name):
        return getattr(tt_tensor, name)
    raise AttributeError(f"module 'tt' has no attribute {name!r}")


class _Unsupported:
    """A dtype NumPy does not have (`bfloat16`): it may be named, but making a tensor fails.

    Programs often build a table such as `{"float32": torch.float32, "bfloat16":
    torch.bfloat16}` before picking one, so the name must exist.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"tt.{self.name}"

    @property
    def dtype(self) -> Any:
        raise TypeError(f"tt.{self.name}: NumPy has no {self.name} type, so tt cannot make such "
                        "tensors; use tt.float32 (or tt.float16)")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES) | set(tt_tensor.__all__))
