"""Stateless forms of tt-vision's layers, named, argued and defaulted as in `torch.nn.functional`.

One route: a layer calls the function here, and the function calls its op from the registry
(`OPS[...]`), so a learner's own registered `conv2d` is used everywhere once chosen. Shapes
and values are checked once, in the op, with a message naming it; the layer that called
adds its own name in front (`tt_nn.Module.__call__`).

Primitives (ops with their own backward): conv2d, conv_transpose2d, max_pool2d, avg_pool2d,
max_unpool2d, batch_norm, pad. The rest are a few lines over existing ops: conv1d is a
conv2d of height 1, interpolate and adaptive_avg_pool2d are two matrix products with
constant matrices (one per spatial axis), group_norm is layer_norm over each group.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from tt_tensor import OPS, Tensor, from_numpy, generator

from tt_vision.ops.pooling import max_pool2d_indices


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else from_numpy(np.asarray(x))


def _data(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _unbatched(fn, input: Any, batched_ndim: int, *args: Any, **kwargs: Any) -> Any:
    """Run `fn` on an input without its batch dimension by adding one (as torch accepts)."""
    if len(_data(input).shape) == batched_ndim - 1:
        out = fn(_as_tensor(input).unsqueeze(0), *args, **kwargs)
        if isinstance(out, tuple):
            return tuple(o.squeeze(0) if isinstance(o, Tensor) else o[0] for o in out)
        return out.squeeze(0)
    return fn(input, *args, **kwargs)


def _same_padding(who: str, kernel, stride, dilation) -> tuple[list[int], list[int]]:
    """'same' padding per axis as (before, after) lists: the output keeps the input's size."""
    if any(s != 1 for s in stride):
        raise ValueError(f"{who}: padding='same' needs stride 1, got stride {tuple(stride)}")
    total = [d * (k - 1) for k, d in zip(kernel, dilation)]
    return [t // 2 for t in total], [t - t // 2 for t in total]


# ----- convolution ----------------------------------------------------------------------------
def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution: input (N, C, H, W), weight (O, C/groups, kH, kW), bias (O,) -> (N, O, oH, oW).

    `oH = (H + 2*padding - dilation*(kH - 1) - 1) // stride + 1`. `padding` is an int, a
    pair, `"valid"` (no padding) or `"same"` (output as large as the input; stride 1).
    An unbatched (C, H, W) input gives a (O, oH, oW) output.
    """
    if len(_data(input).shape) == 3:
        return _unbatched(conv2d, input, 4, weight, bias, stride, padding, dilation, groups)
    if isinstance(padding, str):
        input, padding = _string_padding("conv2d", input, weight, padding, stride, dilation)
    return OPS["conv2d"].apply(input, weight, bias, stride=stride, padding=padding,
                               dilation=dilation, groups=groups)


def _string_padding(who, input, weight, padding, stride, dilation):
    """Turn 'valid'/'same' into numeric padding (padding the input first if uneven)."""
    if padding == "valid":
        return input, 0
    if padding != "same":
        raise ValueError(f"{who}: padding must be an int, a pair, 'valid' or 'same', got "
                         f"{padding!r}")
    from tt_vision.ops._windows import pair

    kernel = _data(weight).shape[2:]
    before, after = _same_padding(who, kernel, pair(stride, "stride", who),
                                  pair(dilation, "dilation", who))
    if before == after:
        return input, tuple(before)
    return pad(input, (before[1], after[1], before[0], after[0])), 0


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution: input (N, C, L), weight (O, C/groups, k), bias (O,) -> (N, O, oL).

    A conv2d on images of height 1: `oL = (L + 2*padding - dilation*(k - 1) - 1) // stride + 1`.
    `padding` may be an int, `"valid"` or `"same"`; an unbatched (C, L) input gives (O, oL).
    """
    if len(_data(input).shape) == 2:
        return _unbatched(conv1d, input, 3, weight, bias, stride, padding, dilation, groups)
    if len(_data(input).shape) != 3:
        raise ValueError(f"conv1d: expected a 3-D input (N, C, L), got shape "
                         f"{tuple(_data(input).shape)}")
    one = (lambda v: (1, v if isinstance(v, int) else tuple(v)[0]))
    if isinstance(padding, str):
        padding = padding if padding == "valid" else "same"
        pad2 = padding
    else:
        pad2 = (0, padding if isinstance(padding, int) else tuple(padding)[0])
    out = conv2d(_as_tensor(input).unsqueeze(2), _as_tensor(weight).unsqueeze(2), bias,
                 one(stride), pad2, one(dilation), groups)
    return out.squeeze(2)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """Transposed 2-D convolution ("deconvolution"): input (N, C, H, W), weight (C, O/groups, kH, kW).

    Output (N, O, oH, oW), `oH = (H - 1)*stride - 2*padding + dilation*(kH - 1) + output_padding + 1`:
    the shape conv2d with the same arguments would map back to (N, C, H, W).
    """
    if len(_data(input).shape) == 3:
        return _unbatched(conv_transpose2d, input, 4, weight, bias, stride, padding,
                          output_padding, groups, dilation)
    return OPS["conv_transpose2d"].apply(input, weight, bias, stride=stride, padding=padding,
                                         output_padding=output_padding, groups=groups,
                                         dilation=dilation)


# ----- pooling --------------------------------------------------------------------------------
def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False):
    """Largest value of each window (stride defaults to the kernel size): (N, C, H, W) -> (N, C, oH, oW).

    `oH = (H + 2*padding - dilation*(kH - 1) - 1) // stride + 1`, rounded up with
    `ceil_mode`. With `return_indices=True`, also the flat position of each maximum in its
    (H, W) plane (int64), as `max_unpool2d` takes it.
    """
    if len(_data(input).shape) == 3:
        return _unbatched(max_pool2d, input, 4, kernel_size, stride, padding, dilation,
                          ceil_mode, return_indices)
    out = OPS["max_pool2d"].apply(input, kernel_size=kernel_size, stride=stride, padding=padding,
                                  dilation=dilation, ceil_mode=ceil_mode)
    if not return_indices:
        return out
    indices = max_pool2d_indices(_data(input), kernel_size, stride, padding, dilation, ceil_mode)
    return out, from_numpy(indices)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Mean of each window (stride defaults to the kernel size): (N, C, H, W) -> (N, C, oH, oW).

    Zero padding counts in the mean when `count_include_pad` (the default);
    `divisor_override` divides every window's sum by that number instead.
    """
    if len(_data(input).shape) == 3:
        return _unbatched(avg_pool2d, input, 4, kernel_size, stride, padding, ceil_mode,
                          count_include_pad, divisor_override)
    return OPS["avg_pool2d"].apply(input, kernel_size=kernel_size, stride=stride, padding=padding,
                                   ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                                   divisor_override=divisor_override)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Put each value back where `max_pool2d(..., return_indices=True)` found it; zeros elsewhere.

    Output (N, C, oH, oW) with `oH = (H - 1)*stride - 2*padding + kH` unless `output_size`
    ((oH, oW), or a shape ending with them) is given.
    """
    from tt_vision.ops._windows import pair

    kernel = pair(kernel_size, "kernel_size", "max_unpool2d")
    stride = kernel if stride is None else pair(stride, "stride", "max_unpool2d")
    padding = pair(padding, "padding", "max_unpool2d")
    shape = _data(input).shape
    if output_size is None:
        size = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(shape[-2:], stride, padding,
                                                                    kernel))
    else:
        size = tuple(int(v) for v in tuple(output_size)[-2:])
    if len(shape) == 3:
        return OPS["max_unpool2d"].apply(_as_tensor(input).unsqueeze(0),
                                         _data(indices)[None], output_size=size).squeeze(0)
    return OPS["max_unpool2d"].apply(input, _data(indices), output_size=size)


def _adaptive_matrix(size: int, out: int, dtype) -> np.ndarray:
    """(out, size): row i averages input positions floor(i*size/out) .. ceil((i+1)*size/out) - 1."""
    matrix = np.zeros((out, size), dtype=dtype)
    for i in range(out):  # one row per output position (not per pixel or image)
        start, end = (i * size) // out, -(-((i + 1) * size) // out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a fixed output size (oH, oW) whatever the input size.

    Window i along an axis of size n covers `floor(i*n/o) .. ceil((i+1)*n/o) - 1`, so windows
    may differ in size by one. Computed as `A_h @ x @ A_wᵀ` with constant averaging
    matrices (gradient through the matmul op). `None` in output_size keeps that size.
    """
    x = _as_tensor(input)
    if x.ndim not in (3, 4):
        raise ValueError(f"adaptive_avg_pool2d: expected a 3-D or 4-D input, got shape {x.shape}")
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    h, w = x.shape[-2:]
    oh, ow = (h if output_size[0] is None else int(output_size[0]),
              w if output_size[1] is None else int(output_size[1]))
    if oh < 1 or ow < 1:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be positive, got {output_size}")
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float32
    y = OPS["matmul"].apply(x, _adaptive_matrix(w, ow, dtype).T)
    return OPS["matmul"].apply(_adaptive_matrix(h, oh, dtype), y)


# ----- resizing and padding -------------------------------------------------------------------
def _source(out: int, size: int, scale: float | None, align_corners: bool, mode: str):
    """The (fractional) input position each output position samples, as torch computes it."""
    dst = np.arange(out, dtype=np.float64)
    if mode == "nearest":
        step = size / out if scale is None else 1.0 / scale
        return np.minimum(np.floor(dst * step), size - 1).astype(np.intp)
    if mode == "nearest-exact":
        step = size / out if scale is None else 1.0 / scale
        return np.minimum(np.floor((dst + 0.5) * step), size - 1).astype(np.intp)
    if align_corners:
        return dst * ((size - 1) / (out - 1) if out > 1 else 0.0)
    step = size / out if scale is None else 1.0 / scale
    return np.maximum((dst + 0.5) * step - 0.5, 0.0)


def _resize_matrix(size: int, out: int, scale, align_corners, mode, dtype) -> np.ndarray:
    """(out, size): row o holds the weights output position o gives the input positions."""
    src = _source(out, size, scale, align_corners, mode)
    matrix = np.zeros((out, size), dtype=np.float64)
    rows = np.arange(out)
    if mode in ("nearest", "nearest-exact"):
        matrix[rows, src] = 1.0
    else:  # linear: the two neighbours, weighted by closeness
        low = np.minimum(np.floor(src).astype(np.intp), size - 1)
        high = np.minimum(low + 1, size - 1)
        frac = src - low
        np.add.at(matrix, (rows, low), 1.0 - frac)
        np.add.at(matrix, (rows, high), frac)
    return matrix.astype(dtype)


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize (N, C, L) or (N, C, H, W) to `size` or by `scale_factor`, as torch's `F.interpolate`.

    Modes: "nearest" (torch's: input index `floor(out_index * in/out)`), "nearest-exact",
    "linear" (3-D) and "bilinear" (4-D), with `align_corners` as in torch. Each spatial axis
    is resized by one product with a constant (out, in) matrix, so the gradient is the
    transposed product.
    """
    x = _as_tensor(input)
    spatial = x.ndim - 2
    linear = {"linear": 1, "bilinear": 2}
    if mode not in ("nearest", "nearest-exact", "linear", "bilinear"):
        raise ValueError(f"interpolate: mode {mode!r} is not supported (nearest, nearest-exact, "
                         f"linear, bilinear)")
    if spatial not in (1, 2) or (mode in linear and linear[mode] != spatial):
        raise ValueError(f"interpolate: mode {mode!r} does not fit input of shape {x.shape} "
                         f"(linear: 3-D, bilinear: 4-D, nearest: 3-D or 4-D)")
    if antialias:
        raise ValueError("interpolate: antialias=True is not supported")
    if mode in ("nearest", "nearest-exact") and align_corners is not None:
        raise ValueError("interpolate: align_corners only applies to linear and bilinear modes")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    in_sizes = x.shape[2:]
    if size is not None:
        sizes = (size,) * spatial if isinstance(size, int) else tuple(int(s) for s in size)
        scales = (None,) * spatial
    else:
        scales = ((float(scale_factor),) * spatial if isinstance(scale_factor, (int, float))
                  else tuple(float(s) for s in scale_factor))
        sizes = tuple(int(math.floor(n * s)) for n, s in zip(in_sizes, scales))
        if recompute_scale_factor:
            scales = (None,) * spatial
    if len(sizes) != spatial or min(sizes) < 1:
        raise ValueError(f"interpolate: output size {sizes} does not fit input of shape {x.shape}")
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float32
    matrices = [_resize_matrix(n, o, s, bool(align_corners), mode, dtype)
                for n, o, s in zip(in_sizes, sizes, scales)]
    out = OPS["matmul"].apply(x, matrices[-1].T)  # the last axis
    if spatial == 2:
        out = OPS["matmul"].apply(matrices[0], out)  # the height axis
    return out


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Old name of `interpolate` (torch keeps it too)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last dimensions: `pad = (left, right[, top, bottom[, front, back]])`, last axis first.

    Modes "constant" (with `value`, default 0), "reflect", "replicate", "circular"; the
    amounts may differ on each side.
    """
    return OPS["pad"].apply(input, pad=tuple(pad), mode=mode,
                            value=0.0 if value is None else value)


# ----- normalisation and dropout --------------------------------------------------------------
def batch_norm(input: Tensor, running_mean: Any, running_var: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Normalise each channel of (N, C, *) input, as `torch.nn.functional.batch_norm`.

    training=True normalises with the batch's statistics and, when running_mean /
    running_var are given, moves them in place towards the batch's
    (`running = (1 - momentum) * running + momentum * batch`, with the unbiased variance).
    training=False normalises with running_mean and running_var.
    """
    if training and (running_mean is not None or running_var is not None):
        x = _data(input)
        axes = (0, *range(2, x.ndim))
        count = x.size // x.shape[1] if x.ndim >= 2 and x.shape[1] else 0
        if count > 1:
            mean = x.mean(axis=axes)
            var = x.var(axis=axes) * (count / (count - 1))
            for stat, batch in ((running_mean, mean), (running_var, var)):
                if stat is not None and np.shape(_data(stat)) == batch.shape:
                    _update(stat, batch, momentum)
    return OPS["batch_norm"].apply(
        input, weight, bias, training=training, eps=eps,
        running_mean=None if running_mean is None else _data(running_mean),
        running_var=None if running_var is None else _data(running_var))


def _update(stat: Any, batch: np.ndarray, momentum: float) -> None:
    """running = (1 - momentum) * running + momentum * batch, in place (bumping the version)."""
    array = _data(stat)
    array *= 1 - momentum
    array += (momentum * batch).astype(array.dtype, copy=False)
    if isinstance(stat, Tensor):
        stat._version = getattr(stat, "_version", 0) + 1


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each group of C/num_groups channels of every sample (over the group's channels
    and all positions), then scale and shift per channel: (N, C, *) -> same shape.

    Composed: reshape to (N, num_groups, -1), `layer_norm` over the last axis, reshape back.
    """
    x = _as_tensor(input)
    if x.ndim < 2 or x.shape[1] % num_groups:
        raise ValueError(f"group_norm: input of shape {x.shape} must be (N, C, *) with C "
                         f"divisible by num_groups={num_groups}")
    shape = x.shape
    out = OPS["layer_norm"].apply(x.reshape(shape[0], num_groups, -1), None, None,
                                  normalized_ndim=1, eps=eps).reshape(*shape)
    per_channel = (1, shape[1]) + (1,) * (len(shape) - 2)
    if weight is not None:
        out = out * _as_tensor(weight).reshape(*per_channel)
    if bias is not None:
        out = out + _as_tensor(bias).reshape(*per_channel)
    return out


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels with probability p (scaling the rest by 1/(1-p)) while training.

    For (N, C, H, W) (or (N, C, L)) input, each (sample, channel) plane is kept or dropped
    as one; the mask comes from tt's seeded generator.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout2d: p must be a probability in [0, 1], got {p}")
    x = _data(input)
    if x.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected a 3-D or 4-D input, got shape {x.shape}")
    if not training or p == 0.0:
        return input
    shape = x.shape[:2] + (1,) * (x.ndim - 2)
    keep = generator().random(shape) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    return OPS["mul"].apply(input, (keep * scale).astype(x.dtype))


__all__ = ["conv1d", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "max_unpool2d",
           "adaptive_avg_pool2d", "interpolate", "upsample", "pad", "batch_norm", "group_norm",
           "dropout2d"]
