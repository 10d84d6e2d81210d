"""CIFAR-10 from its binary version (`cifar-10-binary.tar.gz`): no pickle, ever.

Each batch file is a run of 3073-byte records: one label byte (0-9), then a 32x32 colour
image as 1024 red, 1024 green and 1024 blue bytes, row by row — already (3, 32, 32) order.
The archive unpacks to `cifar-10-batches-bin/` with `data_batch_1.bin` ... `data_batch_5.bin`
and `test_batch.bin`.

The python version (`cifar-10-python.tar.gz`, folder `cifar-10-batches-py`) stores pickled
objects; unpickling a file can run arbitrary code, so tt never reads it and says which
archive to get instead.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import tempfile
import zlib
from pathlib import Path
from typing import Any, Callable

import numpy as np

from tt_vision.datasets._base import (DatasetFileError, ImageDataset, Resource, candidates,
                                      find_in, read_bytes, split_name)

RECORD = 1 + 3 * 32 * 32
FILES = {"train": tuple(f"data_batch_{i}.bin" for i in range(1, 6)), "test": ("test_batch.bin",)}
SUBFOLDER = "cifar-10-batches-bin"  # what the official archive unpacks to
EXTRA_MEMBERS = ("batches.meta.txt", "readme.html")  # also unpacked by `download`
PYTHON_VERSION = ("cifar-10-batches-py", "cifar-10-python.tar.gz")
HOME_PAGE = "https://www.cs.toronto.edu/~kriz/cifar.html"
ARCHIVE = Resource(
    "cifar-10-binary.tar.gz",
    "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
    ("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
     "https://storage.googleapis.com/s4tf-hosted-binaries/datasets/CIFAR10/cifar-10-binary.tar.gz"))


# SHA-256 of each batch file inside the archive. test_batch.bin's is published by several
# independent sources; the five train batches' by one (a port of torchvision's CIFAR10).
BIN_SHA256 = {
    "data_batch_1.bin": "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5",
    "data_batch_2.bin": "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed",
    "data_batch_3.bin": "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67",
    "data_batch_4.bin": "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48",
    "data_batch_5.bin": "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add",
    "test_batch.bin": "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b",
}


def parse_records(raw: bytes, path: Path | str, who: str = "CIFAR10") -> tuple[np.ndarray, np.ndarray]:
    """The bytes of one binary batch -> (images (N, 3, 32, 32) uint8, labels (N,) uint8)."""
    if len(raw) == 0 or len(raw) % RECORD:
        raise DatasetFileError(f"{who}: {path} is {len(raw)} bytes, not a whole number of "
                               f"{RECORD}-byte records (1 label byte + 3072 pixel bytes)")
    records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, RECORD)
    labels = records[:, 0]
    if labels.max() > 9:
        bad = int(np.argmax(labels > 9))
        raise DatasetFileError(f"{who}: {path} record {bad} has label {labels[bad]}; expected "
                               "0-9 (is this the binary version of CIFAR-10?)")
    return records[:, 1:].reshape(-1, 3, 32, 32), labels


def read_cifar_file(path: Path, who: str = "CIFAR10") -> tuple[np.ndarray, np.ndarray]:
    """One binary batch file (plain or .gz) -> (images (N, 3, 32, 32) uint8, labels (N,) uint8)."""
    return parse_records(read_bytes(path, who), path, who)


def read_archive_members(archive: Path, names: tuple[str, ...], who: str = "CIFAR10",
                         optional: tuple[str, ...] = ()) -> dict[str, bytes]:
    """The bytes of `cifar-10-batches-bin/<name>` for each name, read from the .tar.gz in one pass.

    Only regular files with exactly those names (or the `optional` ones, when present) are
    read; nothing is written to disk, so no member can land outside a folder.
    """
    wanted = {f"{SUBFOLDER}/{name}": name for name in names + optional}
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(archive, "r|gz") as tar:  # a stream: one pass through the gzip
            for member in tar:
                name = wanted.get(member.name.lstrip("./"))
                if name is not None and member.isfile():
                    found[name] = tar.extractfile(member).read()
                    if len(found) == len(wanted):
                        break
    except (tarfile.TarError, zlib.error, EOFError, OSError) as error:
        raise DatasetFileError(f"{who}: cannot read the archive {archive}: {error or type(error).__name__}"
                               " (damaged or not a .tar.gz?)") from None
    missing = [n for n in names if n not in found]
    if missing:
        raise DatasetFileError(f"{who}: the archive {archive} has no member "
                               + ", ".join(f"{SUBFOLDER}/{n}" for n in missing)
                               + f"; expected the binary version of CIFAR-10 ({ARCHIVE.name})")
    return found


class CIFAR10(ImageDataset):
    """CIFAR-10 (32x32 colour images, 10 classes; 50,000 train / 10,000 test), binary version.

    Reads `data_batch_1.bin` ... `data_batch_5.bin` (train) and `test_batch.bin` (test),
    each plain or `.gz`, from `root/cifar-10-batches-bin` or `root` itself; failing that,
    straight from the archive `root/cifar-10-binary.tar.gz` (slower: it is decompressed on
    every load). Items are `(image (3, 32, 32) float32 in [0, 1], label int)`.

    ```python
    test = CIFAR10("data", "test", download=True)    # data/cifar-10-binary.tar.gz, unpacked
    ```

    Args:
        root: the folder; None means tt's cache folder (`tt_nn.download.data_root()`).
        split: "train" or "test".
        transform: optional callable applied to images when items are read.
        target_transform: optional callable applied to each label.
        download: fetch `cifar-10-binary.tar.gz` (SHA-256 checked) into `root` and unpack
            its batch files into `root/cifar-10-batches-bin`, unless they are present.
        train: torchvision's spelling of the split; overrides `split` when given.

    A folder holding only the python version (`cifar-10-batches-py`) is refused with a
    message naming the binary archive: tt never unpickles downloaded files.
    """

    classes = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
               "ship", "truck")
    RESOURCES = {ARCHIVE.name: ARCHIVE}
    COMMAND = "tt-milestones download cifar10"

    def __init__(self, root: str | Path | None = None, split: str = "train",
                 transform: Callable[[np.ndarray], Any] | None = None,
                 target_transform: Callable[[int], Any] | None = None,
                 download: bool = False, *, train: bool | None = None) -> None:
        split = split_name("CIFAR10", split, train, FILES)
        if download and not CIFAR10.available(root):
            CIFAR10.download(root)
        base = self._root(root)
        folders = [base / SUBFOLDER, base]
        paths = [find_in(folders, name) for name in FILES[split]]
        if all(p is not None for p in paths):
            parts = [read_cifar_file(p) for p in paths]
        elif (base / ARCHIVE.name).is_file():
            raw = read_archive_members(base / ARCHIVE.name, FILES[split])
            parts = [parse_records(raw[name], f"{base / ARCHIVE.name}:{SUBFOLDER}/{name}")
                     for name in FILES[split]]
        else:
            missing = FILES[split][[p is None for p in paths].index(True)]
            raise self._missing(base, folders, missing)
        images = np.concatenate([p[0] for p in parts])
        labels = np.concatenate([p[1] for p in parts])
        super().__init__((images / np.float32(255)).astype(np.float32, copy=False),
                         labels.astype(np.int64), transform, target_transform)
        self.split = split

    @staticmethod
    def _root(root: str | Path | None) -> Path:
        if root is None:
            from tt_nn.download import data_root

            return data_root()
        return Path(root)

    @classmethod
    def available(cls, root: str | Path | None = None) -> bool:
        """Whether all six batch files, or the archive, are under `root` (nothing is read)."""
        base = cls._root(root)
        folders = [base / SUBFOLDER, base]
        names = FILES["train"] + FILES["test"]
        return (all(find_in(folders, n) is not None for n in names)
                or (base / ARCHIVE.name).is_file())

    @classmethod
    def download(cls, root: str | Path | None = None, progress: bool = True) -> Path:
        """Fetch and unpack the binary archive into `root`; returns `root/cifar-10-batches-bin`.

        The archive (163 MB) is kept beside the folder. Unpacking writes only the six batch
        files and the two small text files, each to a temporary name first, so a failure
        leaves no half-written batch.

        Raises:
            tt_nn.download.DownloadError: no URL gave the archive (each URL and why are listed,
                with where to put the file by hand).
        """
        from tt_nn.download import download

        base = cls._root(root)
        folder = base / SUBFOLDER
        names = FILES["train"] + FILES["test"]
        if all(find_in([folder, base], n) is not None for n in names):
            return folder
        archive = download(ARCHIVE.urls, base / ARCHIVE.name, ARCHIVE.sha256, progress)
        members = read_archive_members(archive, names, optional=EXTRA_MEMBERS)
        folder.mkdir(parents=True, exist_ok=True)
        for name, raw in members.items():
            handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}.", suffix=".part",
                                                 delete=False)
            with handle:
                handle.write(raw)
            os.replace(handle.name, folder / name)
        return folder

    @classmethod
    def verify(cls, root: str | Path | None = None) -> dict[str, str]:
        """Check each batch file's bytes against its published SHA-256 (`BIN_SHA256`).

        Reads the unpacked files (or, failing that, the archive's members) and hashes them.

        Returns:
            `{file name: where it was read}` for the six batch files.

        Raises:
            DatasetFileError: a file is missing, unreadable, or holds other bytes (the message
                names it, with both hashes).
        """
        base = cls._root(root)
        folders = [base / SUBFOLDER, base]
        names = FILES["train"] + FILES["test"]
        paths = {name: find_in(folders, name) for name in names}
        if all(p is not None for p in paths.values()):
            contents = {name: (read_bytes(p, "CIFAR10"), str(p)) for name, p in paths.items()}
        elif (base / ARCHIVE.name).is_file():
            raw = read_archive_members(base / ARCHIVE.name, names)
            contents = {name: (raw[name], f"{base / ARCHIVE.name}:{SUBFOLDER}/{name}")
                        for name in names}
        else:
            missing = next(name for name, p in paths.items() if p is None)
            raise cls._missing(base, folders, missing)
        for name, (raw, where) in contents.items():
            digest = hashlib.sha256(raw).hexdigest()
            if digest != BIN_SHA256[name]:
                raise DatasetFileError(f"CIFAR10: {where} has SHA-256 {digest}, expected "
                                       f"{BIN_SHA256[name]} (the published {name}); the file is "
                                       "damaged or is not CIFAR-10's")
        return {name: where for name, (_, where) in contents.items()}

    @staticmethod
    def _missing(base: Path, folders: list[Path], name: str) -> DatasetFileError:
        """The error for absent files: the python version gets its own explanation."""
        python_folder = base / PYTHON_VERSION[0]
        has_python = (python_folder.is_dir() or (base / PYTHON_VERSION[1]).is_file()
                      or base.name == PYTHON_VERSION[0] or (base / "data_batch_1").is_file())
        get = (f"get {ARCHIVE.name} (the binary version, SHA-256 {ARCHIVE.sha256}) from "
               f"{HOME_PAGE} ({ARCHIVE.urls[0]}) and put it, or the {SUBFOLDER} folder it "
               f"unpacks to, in {base}; or pass download=True (or run `{CIFAR10.COMMAND}`)")
        if has_python:
            return DatasetFileError(
                f"CIFAR10: {base} holds the python version of CIFAR-10 ({PYTHON_VERSION[0]} / "
                f"{PYTHON_VERSION[1]}: pickled batches, which tt never reads because unpickling "
                f"a file can run code). tt reads the binary version: {get}.")
        tried = ", ".join(str(c) for c in candidates(folders, name))
        return DatasetFileError(f"CIFAR10: missing file {name!r}; looked for {tried} and for "
                                f"{base / ARCHIVE.name}. To fix: {get}.")
