"""Make tt-vision's TinyDigits file from scikit-learn's copy of the UCI handwritten digits.

Run from the repository root with any Python that has scikit-learn (it is not a dependency
of tt; `load_digits` reads a file shipped inside scikit-learn, nothing is downloaded):

    python3 packages/tt-vision/scripts/make_tinydigits.py

Source: "Optical Recognition of Handwritten Digits" by E. Alpaydin and C. Kaynak, UCI Machine
Learning Repository, https://doi.org/10.24432/C50P49, licensed CC BY 4.0.

What it writes, and why the bytes never change:
- The selection is deterministic: walking the 1797 images in their original order, the
  first 100 of each digit go to `train` and the next 20 of each digit to `test` (1000 and
  200 images), keeping the original order within each split.
- Pixels are the original counts 0..16 divided by 16, as float32 (exact: k/16 is a binary
  fraction), shaped (N, 1, 8, 8); labels are int64.
- `np.savez_compressed` would stamp each zip entry with the current time, so the file is
  written here with `zipfile` directly: fixed entry order, fixed 1980-01-01 timestamps,
  deflate level 9. The same NumPy `.npy` header and the same zlib give the same bytes, so
  the SHA-256 printed at the end matches `TINYDIGITS_SHA256` in
  `tt_vision/datasets/tinydigits.py`. (A different zlib build could in principle compress
  differently; the arrays would still be identical, and the loader's hash check would say so.)
"""

from __future__ import annotations

import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

TRAIN_PER_CLASS = 100
TEST_PER_CLASS = 20
OUT = Path(__file__).resolve().parents[1] / "src" / "tt_vision" / "datasets" / "data" / "tinydigits.npz"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry


def select(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the train and test images: the first 100, then the next 20, of each digit."""
    train, test = [], []
    for digit in range(10):
        where = np.flatnonzero(labels == digit)
        train.append(where[:TRAIN_PER_CLASS])
        test.append(where[TRAIN_PER_CLASS:TRAIN_PER_CLASS + TEST_PER_CLASS])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An .npz (a zip of .npy files, readable by np.load) with no timestamps in it."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, npy_bytes(array), compresslevel=9)


def main() -> None:
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None, :, :]  # (1797, 1, 8, 8)
    labels = digits.target.astype(np.int64)
    train, test = select(labels)
    write_npz(OUT, {"train_images": images[train], "train_labels": labels[train],
                    "test_images": images[test], "test_labels": labels[test]})
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)\nsha256 {digest}", file=sys.stdout)


if __name__ == "__main__":
    main()
