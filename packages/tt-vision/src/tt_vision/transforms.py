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

from tt_vision.ops._windows import pad, pair, windows


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

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
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
    """Cut a random `size` (int or (h, w)) window, after zero-padding each side by `padding`.

    Each image of a batch gets its own random position.
    """

    def __init__(self, size: Any, padding: int = 0) -> None:
        self.size = pair(size, "size", "RandomCrop")
        self.padding = int(padding)
        if min(self.size) < 1 or self.padding < 0:
            raise ValueError(f"RandomCrop: size must be positive and padding not negative, "
                             f"got size={self.size}, padding={self.padding}")

    def __call__(self, image: Any) -> Any:
        batch, is_tensor, single = _unwrap(image, "RandomCrop")
        n, _, h, w = batch.shape
        p = self.padding
        ch, cw = self.size
        if ch > h + 2 * p or cw > w + 2 * p:
            raise ValueError(f"RandomCrop: crop size {self.size} is larger than the padded "
                             f"image {(h + 2 * p, w + 2 * p)} (input {batch.shape[1:]}, padding {p})")
        batch = pad(batch, (p, p))
        positions = (batch.shape[2] - ch + 1, batch.shape[3] - cw + 1)
        rng = generator()
        top = rng.integers(0, positions[0], size=n)
        left = rng.integers(0, positions[1], size=n)
        # Every possible crop as a view (N, C, rows, cols, ch, cw); pick one per image.
        crops = windows(batch, (ch, cw), (1, 1), positions)
        out = crops[np.arange(n), :, top, left]  # (N, C, ch, cw), a copy
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


__all__ = ["Compose", "Normalize", "RandomCrop", "RandomHorizontalFlip"]
