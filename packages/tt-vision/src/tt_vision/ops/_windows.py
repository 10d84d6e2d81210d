"""Shared by convolution and pooling: sizes, shape checks and sliding windows as strided views.

A sliding window over an image is a strided *view*: element (n, c, y, x, i, j) of the view is
pixel (n, c, y*stride + i, x*stride + j). Building it copies nothing; only the matmul (or the
max, or the mean) that reads it touches the pixels.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided


def pair(value, what: str, who: str) -> tuple[int, int]:
    """An int or a pair of ints as `(height, width)`: `3 -> (3, 3)`."""
    if isinstance(value, (int, np.integer)):
        value = (value, value)
    try:
        h, w = (int(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {what} must be an int or a pair of ints, got {value!r}") from None
    return h, w


def output_size(who: str, image: tuple[int, int], kernel: tuple[int, int],
                stride: tuple[int, int], padding: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    """How many window positions fit: (size + 2*padding - kernel) // stride + 1 per axis.

    Raises a ValueError naming `who` when the kernel is larger than the padded image.
    """
    sizes = []
    for axis, n, k, s, p in zip(("height", "width"), image, kernel, stride, padding):
        if k < 1 or s < 1 or p < 0:
            raise ValueError(f"{who}: kernel {kernel} and stride {stride} must be positive and "
                             f"padding {padding} not negative")
        if n + 2 * p < k:
            raise ValueError(f"{who}: kernel {kernel} is larger than the padded input "
                             f"{(image[0] + 2 * padding[0], image[1] + 2 * padding[1])} "
                             f"(input {image}, padding {padding}) in {axis}")
        sizes.append((n + 2 * p - k) // s + 1)
    return sizes[0], sizes[1]


def check_4d(who: str, shape: tuple[int, ...], channels: int | None = None) -> None:
    """Inputs are (N, C, H, W); name `who` and the shape otherwise."""
    if len(shape) != 4:
        hint = " (add a batch dimension: x.unsqueeze(0))" if len(shape) == 3 else ""
        raise ValueError(f"{who}: expected a 4-D input (N, C, H, W), got shape {shape}{hint}")
    if channels is not None and shape[1] != channels:
        raise ValueError(f"{who}: expected {channels} input channels, got input of shape "
                         f"{shape} with {shape[1]} channels")


def pad(x: np.ndarray, padding: tuple[int, int]) -> np.ndarray:
    """Zero-pad the last two axes (a fresh array with the image copied into its middle)."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    n, c, h, w = x.shape
    out = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
    out[:, :, ph:ph + h, pw:pw + w] = x
    return out


def windows(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int],
            out_hw: tuple[int, int]) -> np.ndarray:
    """A read-only view (N, C, oH, oW, kH, kW) of every kH x kW window of x (N, C, H, W)."""
    sn, sc, sh, sw = x.strides
    shape = (*x.shape[:2], *out_hw, *kernel)
    strides = (sn, sc, sh * stride[0], sw * stride[1], sh, sw)
    return as_strided(x, shape, strides, writeable=False)


def offset_index(i: int, j: int, stride: tuple[int, int],
                 out_hw: tuple[int, int]) -> tuple[slice, ...]:
    """The index that picks element (i, j) of every window at once.

    For x (N, C, H, W), `x[offset_index(i, j, ...)]` is an (N, C, oH, oW) strided slice:
    pixel (y*stride + i, x*stride + j) for every window position (y, x). Looping over the
    kH*kW offsets with it touches whole batches, never single pixels.
    """
    (sh, sw), (oh, ow) = stride, out_hw
    return (slice(None), slice(None), slice(i, i + sh * (oh - 1) + 1, sh),
            slice(j, j + sw * (ow - 1) + 1, sw))


def scatter_windows(grad_windows: np.ndarray, image_hw: tuple[int, int],
                    stride: tuple[int, int]) -> np.ndarray:
    """The reverse of `windows`: add each window's gradient back onto the pixels it covered.

    grad_windows: (A, B, oH, oW, kH, kW) -> (A, B, H, W). Overlapping windows add up.
    """
    a, b, oh, ow, kh, kw = grad_windows.shape
    out = np.zeros((a, b, *image_hw), dtype=grad_windows.dtype)
    for i in range(kh):
        for j in range(kw):
            out[offset_index(i, j, stride, (oh, ow))] += grad_windows[..., i, j]
    return out
