"""Image transforms for (C, H, W) images or (N, C, H, W) batches, as NumPy arrays or Tensors.

The random ones draw from tt's one seeded generator (`tt_tensor.manual_seed` repeats
them) and are vectorised over a batch: each image gets its own random crop or flip without
a Python loop over images. They are data preparation, so no gradient flows through them.

    >>> augment = Compose([RandomCrop(8, padding=1), RandomHorizontalFlip(),
    ...                    Normalize(mean=[0.3], std=[0.35])])
    >>> batch = augment(TinyDigits().images[:32])        # (32, 1, 8, 8)
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
from tt_tensor import Tensor, from_numpy, generator

from tt_vision.ops._windows import pair, windows


def _unwrap(image: Any, who: str) -> tuple[np.ndarray, bool, bool]:
    """(the array as a batch (N, C, H, W), was it a Tensor, was it a single image)."""
    is_tensor = isinstance(image, Tensor)
    array = np.asarray(image.data if is_tensor else image)
    if array.ndim not in (3, 4):
        raise ValueError(f"{who}: expected an image (C, H, W) or a batch (N, C, H, W), "
                         f"got shape {array.shape}")
    single = array.ndim == 3
    return (array[None] if single else array), is_tensor, single


def _wrap(batch: np.ndarray, is_tensor: bool, single: bool) -> Any:
    out = batch[0] if single else batch
    return from_numpy(out) if is_tensor else out


class ToTensor:
    """An image as a float Tensor (C, H, W), as torchvision's `ToTensor`.

    - 8-bit images (uint8) (H, W) or (H, W, C) — what PIL and image files give, a PIL image
      works too — become float32 (C, H, W) scaled from 0..255 to [0, 1]; a uint8 batch
      (N, H, W, C) becomes (N, C, H, W).
    - float (H, W, C) images with 1, 3 or 4 channels last become (C, H, W), unscaled.
    - anything else is taken as already (C, H, W) or (N, C, H, W): tt's data sets give
      images that way, float32 in [0, 1], so `Compose([ToTensor(), Normalize(...)])` written
      for torchvision works on them unchanged (ToTensor only makes them a float32 Tensor).
    """

    def __call__(self, pic: Any) -> Tensor:
        array = np.asarray(pic.data if isinstance(pic, Tensor) else pic)
        if array.ndim not in (2, 3, 4):
            raise ValueError(f"ToTensor: expected an image (H, W), (H, W, C) or (C, H, W), got "
                             f"shape {array.shape}")
        channels_last = (array.dtype == np.uint8 or (
            array.ndim == 3 and array.shape[-1] in (1, 3, 4) and array.shape[0] not in (1, 3, 4)))
        if array.ndim == 2:
            array = array[None]
        elif channels_last:
            array = np.moveaxis(array, -1, -3)
        if array.dtype == np.uint8:
            array = array.astype(np.float32) / np.float32(255)
        return from_numpy(np.ascontiguousarray(array, dtype=np.float32))

    def __repr__(self) -> str:
        return "ToTensor()"


class Compose:
    """Apply transforms one after another: `Compose([t1, t2])(x) == t2(t1(x))`."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, image: Any) -> Any:
        for transform in self.transforms:
            image = transform(image)
        return image

    def __repr__(self) -> str:
        return "Compose(" + ", ".join(repr(t) for t in self.transforms) + ")"


class Normalize:
    """(image - mean) / std per channel; `mean` and `std` have one value per channel."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.inplace = inplace  # accepted for torchvision's signature; a new array is returned
        self.mean = np.asarray(mean, dtype=np.float32).reshape(-1, 1, 1)
        self.std = np.asarray(std, dtype=np.float32).reshape(-1, 1, 1)
        if self.mean.shape != self.std.shape:
            raise ValueError(f"Normalize: mean has {self.mean.size} values but std has "
                             f"{self.std.size}; give one of each per channel")
        if (self.std <= 0).any():
            raise ValueError(f"Normalize: std must be positive, got {self.std.ravel().tolist()}")

    def __call__(self, image: Any) -> Any:
        batch, is_tensor, single = _unwrap(image, "Normalize")
        channels = batch.shape[1]
        if self.mean.shape[0] not in (1, channels):
            raise ValueError(f"Normalize: {self.mean.shape[0]} mean/std values for an input of "
                             f"shape {np.shape(image.data if is_tensor else image)} with "
                             f"{channels} channels")
        out = ((batch - self.mean) / self.std).astype(batch.dtype, copy=False)
        return _wrap(out, is_tensor, single)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.ravel().tolist()}, std={self.std.ravel().tolist()})"


class RandomCrop:
    """Cut a random `size` (int or (h, w)) window, after padding the image, as torchvision's.

    Args:
        size: the crop's (h, w) (an int: square).
        padding: None, an int (every side), (left/right, top/bottom) or (left, top, right, bottom).
        pad_if_needed: pad images smaller than `size` up to it (beyond `padding`).
        fill: the value for padding_mode "constant".
        padding_mode: "constant", "edge", "reflect" or "symmetric" (as torchvision).

    Each image of a batch gets its own random position.
    """

    _MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect",
              "symmetric": "symmetric"}

    def __init__(self, size: Any, padding: Any = None, pad_if_needed: bool = False,
                 fill: float = 0, padding_mode: str = "constant") -> None:
        self.size = pair(size, "size", "RandomCrop")
        if padding is None:
            padding = 0
        if isinstance(padding, (int, np.integer)):
            padding = (int(padding),) * 4
        padding = tuple(int(p) for p in padding)
        if len(padding) == 2:
            padding = (padding[0], padding[1], padding[0], padding[1])
        if len(padding) != 4:
            raise ValueError(f"RandomCrop: padding must be an int or a sequence of 2 or 4 ints, "
                             f"got {padding}")
        self.padding = padding  # (left, top, right, bottom)
        if padding_mode not in self._MODES:
            raise ValueError(f"RandomCrop: padding_mode must be one of "
                             f"{', '.join(map(repr, self._MODES))}, got {padding_mode!r}")
        if min(self.size) < 1 or min(self.padding) < 0:
            raise ValueError(f"RandomCrop: size must be positive and padding not negative, "
                             f"got size={self.size}, padding={self.padding}")
        self.pad_if_needed, self.fill, self.padding_mode = pad_if_needed, fill, padding_mode

    def __call__(self, image: Any) -> Any:
        batch, is_tensor, single = _unwrap(image, "RandomCrop")
        n, _, h, w = batch.shape
        left, top, right, bottom = self.padding
        ch, cw = self.size
        if self.pad_if_needed:  # grow short sides to the crop size, as torchvision does
            grow_h, grow_w = max(0, ch - (h + top + bottom)), max(0, cw - (w + left + right))
            top, bottom, left, right = top + grow_h, bottom + grow_h, left + grow_w, right + grow_w
        if ch > h + top + bottom or cw > w + left + right:
            raise ValueError(f"RandomCrop: crop size {self.size} is larger than the padded "
                             f"image {(h + top + bottom, w + left + right)} (input "
                             f"{batch.shape[1:]}, padding {self.padding})")
        if top or bottom or left or right:
            widths = ((0, 0), (0, 0), (top, bottom), (left, right))
            mode = self._MODES[self.padding_mode]
            batch = (np.pad(batch, widths, mode="constant", constant_values=self.fill)
                     if mode == "constant" else np.pad(batch, widths, mode=mode))
        positions = (batch.shape[2] - ch + 1, batch.shape[3] - cw + 1)
        rng = generator()
        top_at = rng.integers(0, positions[0], size=n)
        left_at = rng.integers(0, positions[1], size=n)
        # Every possible crop as a view (N, C, rows, cols, ch, cw); pick one per image.
        crops = windows(batch, (ch, cw), (1, 1), positions)
        out = crops[np.arange(n), :, top_at, left_at]  # (N, C, ch, cw), a copy
        return _wrap(out, is_tensor, single)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror each image left-right with probability `p`."""

    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], got {p}")
        self.p = float(p)

    def __call__(self, image: Any) -> Any:
        batch, is_tensor, single = _unwrap(image, "RandomHorizontalFlip")
        flip = generator().random(batch.shape[0]) < self.p
        out = np.where(flip[:, None, None, None], batch[..., ::-1], batch)
        return _wrap(out, is_tensor, single)

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


__all__ = ["Compose", "ToTensor", "Normalize", "RandomCrop", "RandomHorizontalFlip"]
