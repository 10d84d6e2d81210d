"""Shared by convolution and pooling: argument checks, output sizes, and sliding windows.

A sliding window over an image is read through *offsets*: for offset (i, j) inside a kH x kW
window, the strided slice `x[:, :, i*d :: stride, j*d :: stride]` (d = dilation) holds that
element of every window of every image at once. Looping over the kH*kW offsets therefore
touches whole batches per NumPy call, never single pixels, and building the slices copies
nothing.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.lib.stride_tricks import as_strided


def cached(function):
    """`function(*args)`, remembered for arguments seen before (shapes, ints, tuples).

    An op's argument checks and sizes depend only on shapes and parameters, and a training
    loop asks the same question every step: answering from a dict saves the Python work
    (tens of microseconds per call, much of a small model's step). The key holds each
    argument's type too, so stride 2 and stride 2.0 (an error) are told apart; inside
    tuples values are converted with `int()` by `pair` anyway. Errors are not remembered:
    they are raised again on every call. Unhashable arguments (lists) are not remembered.
    """
    answers: dict = {}

    @functools.wraps(function)
    def call(*args):
        key = (args, tuple(map(type, args)))
        try:
            return answers[key]
        except TypeError:  # an unhashable argument: work it out afresh
            return function(*args)
        except KeyError:
            answer = function(*args)
            if len(answers) < 1024:
                answers[key] = answer
            return answer

    return call


def window_view(a: np.ndarray, shape, strides) -> np.ndarray:
    """A read-only strided view of `a` (`as_strided`; built directly when `a` is contiguous,
    which takes a few microseconds less)."""
    if a.flags.c_contiguous:
        view = np.ndarray(shape, a.dtype, a, 0, strides)
        view.flags.writeable = False
        return view
    return as_strided(a, shape, strides, writeable=False)


def pair(value, what: str, who: str) -> tuple[int, int]:
    """An int or a pair of ints as `(height, width)`: `3 -> (3, 3)`."""
    if isinstance(value, (int, np.integer)):
        value = (value, value)
    try:
        h, w = (int(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {what} must be an int or a pair of ints, got {value!r}") from None
    return h, w


def needs(ctx, count: int) -> tuple[bool, ...]:
    """`ctx.needs_grad` as exactly `count` flags (all False when nothing is recorded)."""
    flags = tuple(getattr(ctx, "needs_grad", ()))
    return (flags + (False,) * count)[:count]


def conv_output_size(who: str, image, kernel, stride, padding, dilation) -> tuple[int, int]:
    """Window positions per axis: `(size + 2*padding - dilation*(kernel - 1) - 1) // stride + 1`.

    Raises a ValueError naming `who` when the (dilated) kernel is larger than the padded image.
    """
    sizes = []
    for axis, n, k, s, p, d in zip(("height", "width"), image, kernel, stride, padding, dilation):
        if k < 1 or s < 1 or d < 1 or p < 0:
            raise ValueError(f"{who}: kernel_size {tuple(kernel)}, stride {tuple(stride)} and "
                             f"dilation {tuple(dilation)} must be positive and padding "
                             f"{tuple(padding)} not negative")
        span = d * (k - 1) + 1
        if n + 2 * p < span:
            raise ValueError(f"{who}: kernel {tuple(kernel)} (dilation {tuple(dilation)}) is larger "
                             f"than the padded input "
                             f"{(image[0] + 2 * padding[0], image[1] + 2 * padding[1])} (input "
                             f"{tuple(image)}, padding {tuple(padding)}) in {axis}")
        sizes.append((n + 2 * p - span) // s + 1)
    return sizes[0], sizes[1]


def pool_output_size(who: str, image, kernel, stride, padding, dilation,
                     ceil_mode: bool) -> tuple[int, int]:
    """PyTorch's pooling size: like a convolution's, rounded up with `ceil_mode`.

    With ceil_mode a last, partial window is kept only if it starts inside the image or its
    left padding (so no window lies wholly in the padding).
    """
    sizes = []
    for n, k, s, p, d in zip(image, kernel, stride, padding, dilation):
        if k < 1 or s < 1 or d < 1 or p < 0:
            raise ValueError(f"{who}: kernel_size {tuple(kernel)}, stride {tuple(stride)} and "
                             f"dilation {tuple(dilation)} must be positive and padding "
                             f"{tuple(padding)} not negative")
        if 2 * p > k:
            raise ValueError(f"{who}: padding {tuple(padding)} must be at most half of "
                             f"kernel_size {tuple(kernel)}")
        span = d * (k - 1) + 1
        if n + 2 * p < span:
            raise ValueError(f"{who}: kernel {tuple(kernel)} (dilation {tuple(dilation)}) is larger "
                             f"than the padded input "
                             f"{(image[0] + 2 * padding[0], image[1] + 2 * padding[1])} (input "
                             f"{tuple(image)}, padding {tuple(padding)})")
        rest = n + 2 * p - span
        out = (-(-rest // s) if ceil_mode else rest // s) + 1
        if ceil_mode and (out - 1) * s >= n + p:
            out -= 1
        sizes.append(out)
    return sizes[0], sizes[1]


def check_4d(who: str, shape: tuple[int, ...]) -> None:
    """Inputs are (N, C, H, W); name `who` and the shape otherwise."""
    if len(shape) != 4:
        hint = " (add a batch dimension: x.unsqueeze(0))" if len(shape) == 3 else ""
        raise ValueError(f"{who}: expected a 4-D input (N, C, H, W), got shape {tuple(shape)}{hint}")


def pad(x: np.ndarray, padding: tuple[int, int], extra: tuple[int, int] = (0, 0),
        value: float = 0.0) -> np.ndarray:
    """Pad the last two axes by `padding` on each side (+ `extra` at the bottom/right) with `value`.

    Returns `x` itself when there is nothing to pad, else a fresh array.
    """
    (ph, pw), (eh, ew) = padding, extra
    if ph == pw == eh == ew == 0:
        return x
    n, c, h, w = x.shape
    out = np.full((n, c, h + 2 * ph + eh, w + 2 * pw + ew), value, dtype=x.dtype)
    out[:, :, ph:ph + h, pw:pw + w] = x
    return out


def windows(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int],
            out_hw: tuple[int, int]) -> np.ndarray:
    """A read-only view (N, C, oH, oW, kH, kW) of every kH x kW window of x (N, C, H, W)."""
    sn, sc, sh, sw = x.strides
    shape = (*x.shape[:2], *out_hw, *kernel)
    strides = (sn, sc, sh * stride[0], sw * stride[1], sh, sw)
    return as_strided(x, shape, strides, writeable=False)


def offset_index(i: int, j: int, stride: tuple[int, int], out_hw: tuple[int, int],
                 dilation: tuple[int, int] = (1, 1)) -> tuple[slice, ...]:
    """The index that picks element (i, j) of every window at once.

    For x (…, H, W), `x[offset_index(i, j, ...)]` is a (…, oH, oW) strided slice: pixel
    `(y*stride + i*dilation, x*stride + j*dilation)` for every window position (y, x).
    """
    (sh, sw), (oh, ow), (dh, dw) = stride, out_hw, dilation
    return (Ellipsis, slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))


def offsets(kernel, stride, out_hw, dilation=(1, 1)) -> list[tuple[slice, ...]]:
    """`offset_index` of every offset (i, j) in a window, row by row."""
    return [offset_index(i, j, stride, out_hw, dilation)
            for i in range(kernel[0]) for j in range(kernel[1])]


def overlapping(kernel, stride, dilation=(1, 1)) -> bool:
    """Do neighbouring windows share pixels (so gradients must be added, not assigned)?"""
    return any(d * (k - 1) + 1 > s for k, s, d in zip(kernel, stride, dilation))


def im2col_shape(padded_shape, kernel, out_hw, groups: int) -> tuple[int, ...]:
    """The shape of `im2col`'s working array (before it is viewed as a matrix)."""
    n, c = padded_shape[:2]
    return (groups, kernel[0], kernel[1], c // groups, n, out_hw[0], out_hw[1])


def im2col(xp: np.ndarray, kernel, stride, dilation, out_hw, groups: int,
           out: np.ndarray | None = None) -> np.ndarray:
    """Columns of a convolution: (N, C, Hp, Wp) -> `(G, kH*kW*C/G, N*oH*oW)`.

    Row (i, j, c) of group g holds pixel (i, j) of every window of channel c, one column
    per output pixel of every image. The rows are filled one kernel offset at a time: each
    copy moves a whole (C, N, oH, oW) block of the batch. `out` (shaped `im2col_shape`) is
    filled instead of a new array when given.
    """
    n, c, hp, wp = xp.shape
    (kh, kw), (oh, ow), cg = kernel, out_hw, c // groups
    cols = np.empty(im2col_shape(xp.shape, kernel, out_hw, groups), dtype=xp.dtype) \
        if out is None else out
    per_group = xp.transpose(1, 0, 2, 3).reshape(groups, cg, n, hp, wp)  # a view
    for (i, j), index in zip(np.ndindex(kh, kw), offsets(kernel, stride, out_hw, dilation)):
        cols[:, i, j] = per_group[index]
    return cols.reshape(groups, kh * kw * cg, n * oh * ow)


def col2im(grad_cols: np.ndarray, padded_shape, kernel, stride, dilation, out_hw,
           groups: int) -> np.ndarray:
    """The reverse of `im2col`: add each column's entries back onto the pixels they came from.

    `(G, kH*kW*C/G, N*oH*oW)` -> (N, C, Hp, Wp). One strided `+=` per kernel offset; where
    windows overlap, a pixel collects several contributions.
    """
    n, c, hp, wp = padded_shape
    out = np.zeros((groups, c // groups, n, hp, wp), dtype=grad_cols.dtype)
    col2im_into(out, grad_cols, kernel, stride, dilation, out_hw)
    return out.reshape(c, n, hp, wp).transpose(1, 0, 2, 3)


def col2im_into(out: np.ndarray, grad_cols: np.ndarray, kernel, stride, dilation, out_hw) -> None:
    """`col2im` adding into `out`, a zeroed (G, C/G, N, Hp, Wp) array (or a slice of one)."""
    groups, cg, n = out.shape[:3]
    (kh, kw), (oh, ow) = kernel, out_hw
    parts = grad_cols.reshape(groups, kh, kw, cg, n, oh, ow)
    add = overlapping(kernel, stride, dilation)
    for (i, j), index in zip(np.ndindex(kh, kw), offsets(kernel, stride, out_hw, dilation)):
        if add:
            out[index] += parts[:, i, j]
        else:  # each pixel lies in at most one window: assigning is enough
            out[index] = parts[:, i, j]
