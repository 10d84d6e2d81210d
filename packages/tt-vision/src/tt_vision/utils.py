"""`make_grid` and `save_image`: look at a batch of images, as torchvision.utils does.

    >>> grid = make_grid(images[:64], nrow=8)      # (3, 8*(H+2)+2, 8*(W+2)+2)
    >>> save_image(images[:64], "samples.png")     # needs matplotlib: pip install 'tt-vision[plot]'
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from tt_tensor import Tensor, from_numpy


def _batch(tensor: Any) -> np.ndarray:
    """(B, C, H, W) float array from a batch, one image, or a list of images."""
    if isinstance(tensor, (list, tuple)):
        array = np.stack([np.asarray(t.data if isinstance(t, Tensor) else t) for t in tensor])
    else:
        array = np.asarray(tensor.data if isinstance(tensor, Tensor) else tensor)
    if array.ndim == 2:  # one (H, W) image
        array = array[None]
    if array.ndim == 3:  # one (C, H, W) image
        array = array[None]
    if array.ndim != 4:
        raise ValueError(f"make_grid: expected images (B, C, H, W), (C, H, W) or (H, W), got "
                         f"shape {array.shape}")
    if array.shape[1] == 1:  # grey -> RGB, so grids of any images look alike
        array = np.repeat(array, 3, axis=1)
    return array.astype(np.float32 if array.dtype.kind != "f" else array.dtype, copy=False)


def _scale(images: np.ndarray, value_range) -> np.ndarray:
    low, high = (float(images.min()), float(images.max())) if value_range is None \
        else (float(value_range[0]), float(value_range[1]))
    return (np.clip(images, low, high) - low) / max(high - low, 1e-5)


def make_grid(tensor: Any, nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range: tuple[float, float] | None = None, scale_each: bool = False,
              pad_value: float = 0.0) -> Tensor:
    """Tile a batch of images (B, C, H, W) into one image, `nrow` per row, as torchvision's.

    Images are `padding` pixels apart (filled with `pad_value`); 1-channel images become
    3-channel. `normalize=True` maps `value_range` (default: the batch's min and max, or
    each image's own with `scale_each`) to [0, 1]. Returns a (C, H', W') Tensor (no gradient).
    """
    images = _batch(tensor)
    if normalize:
        images = np.stack([_scale(im, value_range) for im in images]) if scale_each \
            else _scale(images, value_range)
    b, c, h, w = images.shape
    if b == 1:
        return from_numpy(np.ascontiguousarray(images[0]))
    columns = min(nrow, b)
    rows = math.ceil(b / columns)
    cell_h, cell_w = h + padding, w + padding
    grid = np.full((c, rows * cell_h + padding, columns * cell_w + padding), pad_value,
                   dtype=images.dtype)
    # Place all images at once: a (rows, columns) view of the cells, filled row by row.
    full = np.zeros((rows * columns, c, h, w), dtype=images.dtype)
    full[:b] = images
    cells = grid[:, padding:, padding:].reshape(c, rows, cell_h, columns, cell_w)
    cells[:, :, :h, :, :w] = full.reshape(rows, columns, c, h, w).transpose(2, 0, 3, 1, 4)
    if b < rows * columns:  # the unused cells at the end keep the padding colour
        last = grid[:, padding + (rows - 1) * cell_h:, :]
        last[:, :h, padding + (b - (rows - 1) * columns) * cell_w:] = pad_value
    return from_numpy(grid)


def save_image(tensor: Any, fp: Any, format: str | None = None, **kwargs: Any) -> None:
    """Write images to a file (PNG unless `format`/the name says otherwise), as torchvision's.

    The images are tiled with `make_grid(tensor, **kwargs)`, values in [0, 1] mapped to
    0..255. Needs matplotlib (`pip install 'tt-vision[plot]'`).
    """
    try:
        from matplotlib import image as mpl_image
    except ImportError:
        raise ImportError("save_image needs matplotlib, which tt-vision installs with its plot "
                          "extra: pip install 'tt-vision[plot]'") from None
    grid = make_grid(tensor, **kwargs).data
    pixels = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    mpl_image.imsave(fp, np.ascontiguousarray(pixels), format=format)


__all__ = ["make_grid", "save_image"]
