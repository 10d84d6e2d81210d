"""Post-training int8 quantization of weights: the same model in a quarter of the bytes.

Named after `torch.ao.quantization` and torch's quantized tensors:

```python
from tt_nn import quantization as q

small = q.quantize_dynamic(model)          # a copy; every Linear/Conv2d weight stored as int8
q.model_bytes(small) / q.model_bytes(model) # ≈ 0.25
```

What happens to one weight tensor `w` (symmetric, per output channel — row `c` of a Linear
weight, filter `c` of a Conv2d weight): `scale[c] = max|w[c]| / 127`, and the stored value
is `int8(round(w[c] / scale[c]))`, in -127..127 with zero point 0. The largest weight of each
channel maps to ±127 exactly; every other weight is off by at most `scale[c] / 2`. One
scale per channel (not one per tensor) matters: a channel of small weights keeps its
resolution instead of being rounded to zero by a neighbour's large one.

This is *weight-only* quantization: the int8 values and their scales are what the model
stores (its `state_dict`, its memory at rest: 4× smaller than float32); each forward
dequantizes `int8 × scale` to float32 and computes as before (NumPy has no fast int8
matrix product), so the accuracy cost of int8 weights is measured exactly while the
arithmetic stays float32.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable

import numpy as np
from tt_tensor import Tensor, from_numpy

from tt_nn.module import Module
from tt_nn.parameter import Parameter

__all__ = ["QTensor", "quantize_per_tensor", "quantize_per_channel", "quantize_dynamic",
           "dequantize_model", "model_bytes", "is_quantized", "QMIN", "QMAX"]

QMIN, QMAX = -128, 127  # the int8 range (`qint8`); symmetric scales use -127..127


class QTensor:
    """Quantized values: `int_repr()` (int8), `q_scale`/`q_per_channel_scales()`, `dequantize()`.

    `dequantize()` returns `(int_repr - zero_point) * scale` as a float32 Tensor. For a
    per-channel tensor, `scales` has one entry per index of `axis`.
    """

    def __init__(self, values: np.ndarray, scales: np.ndarray, zero_points: np.ndarray,
                 axis: int | None = None) -> None:
        self._values = np.asarray(values, dtype=np.int8)
        self._scales = np.asarray(scales, dtype=np.float32)
        self._zero_points = np.asarray(zero_points, dtype=np.int32)
        self.axis = axis

    @property
    def shape(self) -> tuple[int, ...]:
        return self._values.shape

    def int_repr(self) -> np.ndarray:
        """The stored int8 values."""
        return self._values

    @property
    def q_scale(self) -> float:
        """The scale of a per-tensor quantized tensor."""
        if self.axis is not None:
            raise ValueError("QTensor: per-channel tensor; use q_per_channel_scales()")
        return float(self._scales)

    def q_per_channel_scales(self) -> np.ndarray:
        """One scale per channel along `axis` (per-channel tensors)."""
        return self._scales

    def _broadcast(self, a: np.ndarray) -> np.ndarray:
        if self.axis is None:
            return a
        shape = [1] * self._values.ndim
        shape[self.axis] = -1
        return a.reshape(shape)

    def dequantize(self) -> Tensor:
        """The float32 values the int8 ones stand for."""
        values = self._values.astype(np.float32) - self._broadcast(self._zero_points)
        return from_numpy((values * self._broadcast(self._scales)).astype(np.float32))

    @property
    def nbytes(self) -> int:
        """Bytes stored: the int8 values plus the scales and zero points."""
        return self._values.nbytes + self._scales.nbytes + self._zero_points.nbytes

    def __repr__(self) -> str:
        kind = "per tensor" if self.axis is None else f"per channel (axis {self.axis})"
        return f"QTensor(shape={self.shape}, int8, {kind})"


def _array(x: Any) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=np.float32)


def _quantize(x: np.ndarray, scale: np.ndarray, zero_point: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x / scale) + zero_point, QMIN, QMAX).astype(np.int8)


def quantize_per_tensor(x: Any, scale: float, zero_point: int = 0) -> QTensor:
    """int8 values `clip(round(x / scale) + zero_point, -128, 127)` with one scale."""
    if not scale > 0:
        raise ValueError(f"quantize_per_tensor: scale must be > 0, got {scale}")
    values = _quantize(_array(x), np.float32(scale), np.int32(zero_point))
    return QTensor(values, np.float32(scale), np.int32(zero_point))


def quantize_per_channel(x: Any, scales: Any, zero_points: Any, axis: int = 0) -> QTensor:
    """int8 values with one scale and zero point per index along `axis`."""
    a = _array(x)
    if not -a.ndim <= axis < a.ndim:
        raise ValueError(f"quantize_per_channel: axis {axis} out of range for shape {a.shape}")
    axis %= a.ndim
    scales = np.asarray(scales, dtype=np.float32).ravel()
    zero_points = np.asarray(zero_points, dtype=np.int32).ravel()
    if scales.shape != (a.shape[axis],) or zero_points.shape != scales.shape:
        raise ValueError(f"quantize_per_channel: need {a.shape[axis]} scales and zero points "
                         f"for axis {axis} of shape {a.shape}, got {scales.size} and "
                         f"{zero_points.size}")
    if not np.all(scales > 0):
        raise ValueError("quantize_per_channel: every scale must be > 0")
    shape = [1] * a.ndim
    shape[axis] = -1
    values = _quantize(a, scales.reshape(shape), zero_points.reshape(shape))
    return QTensor(values, scales, zero_points, axis)


def symmetric_scales(w: np.ndarray, axis: int = 0) -> np.ndarray:
    """Per-channel scales `max|w| / 127` along `axis` (an all-zero channel gets scale 1)."""
    others = tuple(i for i in range(w.ndim) if i != axis)
    peak = np.abs(w).max(axis=others) if others else np.abs(w)
    return np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)


def _default_layers(module: Module) -> bool:
    weight = module._parameters.get("weight")
    return isinstance(weight, Parameter) and weight.data.ndim >= 2


def quantize_dynamic(model: Module, qconfig_spec: Iterable[Any] | None = None,
                     dtype: str = "qint8", inplace: bool = False) -> Module:
    """The model with every chosen layer's `weight` stored as per-channel int8.

    Args:
        model: any Module.
        qconfig_spec: layer classes or class names to quantize (e.g. `{"Linear",
            "Conv2d"}`); default: every layer whose `weight` has 2+ dimensions (Linear,
            Conv2d, ...; Embedding too). Biases, norms and other parameters stay float32.
        dtype: `"qint8"` (the only kind).
        inplace: change `model` itself instead of a deep copy.

    Each quantized layer keeps buffers `weight_int8` (int8) and `weight_scale` (float32,
    one per output channel) instead of the `weight` Parameter; its forward uses the
    dequantized weight (see the module docstring). Quantized layers are not trainable.
    """
    if dtype not in ("qint8", "int8"):
        raise ValueError(f"quantize_dynamic: dtype must be 'qint8', got {dtype!r}")
    if not inplace:
        model = copy.deepcopy(model)
    if qconfig_spec is None:
        chosen = _default_layers
    else:
        names = {c if isinstance(c, str) else c.__name__ for c in qconfig_spec}

        def chosen(m: Module) -> bool:
            return type(m).__name__ in names and _default_layers(m)

    for module in model.modules():
        if "weight_orig" in module._parameters:
            raise ValueError(f"quantize_dynamic: {type(module).__name__} is pruned; call "
                             "tt_nn.prune.remove(module, 'weight') first")
        if chosen(module):
            _quantize_weight(module)
    return model


def _quantize_weight(module: Module) -> None:
    weight = module._parameters.pop("weight")
    object.__delattr__(module, "weight")
    w = weight.data.astype(np.float32)
    scales = symmetric_scales(w, axis=0)
    q = quantize_per_channel(w, scales, np.zeros_like(scales, dtype=np.int32), axis=0)
    module.register_buffer("weight_int8", q.int_repr())
    module.register_buffer("weight_scale", scales)
    object.__setattr__(module, "weight", q.dequantize())
    original = type(module).forward.__get__(module)

    def forward(*args: Any, **kwargs: Any) -> Any:
        shape = (-1,) + (1,) * (module.weight_int8.data.ndim - 1)
        w = module.weight_int8.data.astype(np.float32) * module.weight_scale.data.reshape(shape)
        object.__setattr__(module, "weight", from_numpy(w))
        return original(*args, **kwargs)

    module.__dict__["forward"] = forward


def is_quantized(model: Module) -> bool:
    """True if any layer of `model` stores an int8 weight."""
    return any("weight_int8" in m._buffers for m in model.modules())


def dequantize_model(model: Module) -> Module:
    """A float32 copy of a quantized model: each `weight_int8 × weight_scale` a Parameter again."""
    model = copy.deepcopy(model)
    for module in model.modules():
        if "weight_int8" in module._buffers:
            q = module._buffers.pop("weight_int8")
            s = module._buffers.pop("weight_scale")
            object.__delattr__(module, "weight_int8")
            object.__delattr__(module, "weight_scale")
            object.__delattr__(module, "weight")
            module.__dict__.pop("forward", None)
            shape = (-1,) + (1,) * (q.data.ndim - 1)
            module.register_parameter(
                "weight", Parameter(q.data.astype(np.float32) * s.data.reshape(shape)))
    return model


def model_bytes(model: Module) -> int:
    """Bytes of everything a model stores: parameters and buffers (its `state_dict`)."""
    return int(sum(np.asarray(t.data if isinstance(t, Tensor) else t).nbytes
                   for t in model.state_dict().values()))
