"""MNIST and Fashion-MNIST from their four IDX files (plain or .gz), downloaded on request.

IDX format (big-endian): a 4-byte magic number — two zero bytes, a type code (0x08 =
unsigned bytes) and the number of dimensions — then one 4-byte size per dimension, then
the values. Images are idx3 (count, 28, 28); labels are idx1 (count,).

Nothing touches the network unless asked: `MNIST(root, download=True)` or
`MNIST.download(root)` fetch the published `.gz` files (canonical URL, then mirrors; SHA-256
checked; see `tt_nn.download`). `MNIST.available(root)` says whether the files are there
without reading them.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any, Callable

import numpy as np

from tt_vision.datasets._base import (DatasetFileError, ImageDataset, Resource, candidates,
                                      find_in, read_bytes, split_name)

FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
UNSIGNED_BYTE = 0x08


def read_idx(path: Path, dims: int, who: str = "read_idx") -> np.ndarray:
    """An IDX file (plain or .gz) of unsigned bytes with `dims` dimensions, as a uint8 array.

    Every way the file can be wrong is a `DatasetFileError` naming it: unreadable or
    damaged gzip, too short for its header, another magic number, or sizes in the header
    that do not match the file's length (including sizes whose product overflows).
    """
    raw = read_bytes(path, who)
    header = 4 + 4 * dims
    if len(raw) < header:
        raise DatasetFileError(f"{who}: {path} is {len(raw)} bytes, too short for an IDX header "
                               f"({header} bytes for {dims} dimensions)")
    magic = raw[:4]
    expected = bytes([0, 0, UNSIGNED_BYTE, dims])
    if magic != expected:
        raise DatasetFileError(f"{who}: {path} starts with magic number 0x{magic.hex()}, expected "
                               f"0x{expected.hex()} (IDX, unsigned bytes, {dims} dimensions)")
    shape = tuple(int(v) for v in np.frombuffer(raw, dtype=">u4", count=dims, offset=4))
    size = math.prod(shape)  # Python integers: no overflow, however large the header says
    if len(raw) != header + size:
        raise DatasetFileError(f"{who}: {path} declares shape {shape} ({header + size} bytes with "
                               f"the header) but has {len(raw)} bytes")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _mirrored(name: str, bases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(base + name for base in bases)


# The canonical site first (it refuses some clients today), then the mirrors torchvision
# and TensorFlow use. SHA-256 of the .gz files and of their decompressed content.
MNIST_BASES = ("http://yann.lecun.com/exdb/mnist/",
               "https://ossci-datasets.s3.amazonaws.com/mnist/",
               "https://storage.googleapis.com/cvdf-datasets/mnist/")
MNIST_RESOURCES = {
    "train-images-idx3-ubyte": Resource(
        "train-images-idx3-ubyte.gz",
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        _mirrored("train-images-idx3-ubyte.gz", MNIST_BASES),
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    "train-labels-idx1-ubyte": Resource(
        "train-labels-idx1-ubyte.gz",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        _mirrored("train-labels-idx1-ubyte.gz", MNIST_BASES),
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    "t10k-images-idx3-ubyte": Resource(
        "t10k-images-idx3-ubyte.gz",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        _mirrored("t10k-images-idx3-ubyte.gz", MNIST_BASES),
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    "t10k-labels-idx1-ubyte": Resource(
        "t10k-labels-idx1-ubyte.gz",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        _mirrored("t10k-labels-idx1-ubyte.gz", MNIST_BASES),
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}

FASHION_BASES = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                 "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/")
FASHION_RESOURCES = {
    "train-images-idx3-ubyte": Resource(
        "train-images-idx3-ubyte.gz",
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        _mirrored("train-images-idx3-ubyte.gz", FASHION_BASES),
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    "train-labels-idx1-ubyte": Resource(
        "train-labels-idx1-ubyte.gz",
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        _mirrored("train-labels-idx1-ubyte.gz", FASHION_BASES),
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    "t10k-images-idx3-ubyte": Resource(
        "t10k-images-idx3-ubyte.gz",
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        _mirrored("t10k-images-idx3-ubyte.gz", FASHION_BASES),
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
    "t10k-labels-idx1-ubyte": Resource(
        "t10k-labels-idx1-ubyte.gz",
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        _mirrored("t10k-labels-idx1-ubyte.gz", FASHION_BASES),
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
}


class MNIST(ImageDataset):
    """The MNIST handwritten digits (60,000 train / 10,000 test), from the standard IDX files.

    Looks for `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`
    and `t10k-labels-idx1-ubyte` (each plain or `.gz`) in `root`, `root/MNIST/raw` (where
    torchvision keeps them) and `root/mnist`. Items are
    `(image (1, 28, 28) float32 in [0, 1], label int)`.

    ```python
    train = MNIST("data", "train", download=True)    # fetches into data/MNIST/raw once
    MNIST.available("data")                          # True: all four files are there
    ```

    Args:
        root: the folder; None means tt's cache folder (`tt_nn.download.data_root()`,
            `~/.cache/tt` or `$TT_DATA`).
        split: "train" or "test".
        transform: optional callable applied to images when items are read.
        target_transform: optional callable applied to each label.
        download: fetch the files first when they are not all present (into
            `root/MNIST/raw`; SHA-256 checked). Without it nothing touches the network.
        train: torchvision's spelling of the split (`train=False` is the test split);
            overrides `split` when given.

    Attributes:
        images / data: (N, 1, 28, 28) float32 in [0, 1]. labels / targets: (N,) int64.
        classes: the class names. split: which split this is.
    """

    classes = tuple(str(d) for d in range(10))
    RESOURCES: dict[str, Resource] = MNIST_RESOURCES
    SUBFOLDERS: tuple[str, ...] = ("MNIST/raw", "mnist")  # the first is where downloads go
    SYSTEM_FOLDERS: tuple[str, ...] = ()  # searched too when root is None
    COMMAND = "tt-milestones download mnist"

    def __init__(self, root: str | Path | None = None, split: str = "train",
                 transform: Callable[[np.ndarray], Any] | None = None,
                 target_transform: Callable[[int], Any] | None = None,
                 download: bool = False, *, train: bool | None = None) -> None:
        who = type(self).__name__
        split = split_name(who, split, train, FILES)
        if download and not type(self).available(root):
            type(self).download(root)
        image_name, label_name = FILES[split]
        image_path = self._find(root, image_name)
        label_path = self._find(root, label_name)
        images = read_idx(image_path, 3, who)
        labels = read_idx(label_path, 1, who)
        if len(images) != len(labels):
            raise DatasetFileError(f"{who}: {image_path} has {len(images)} images but "
                                   f"{label_path} has {len(labels)} labels")
        if labels.size and labels.max() >= len(self.classes):
            raise DatasetFileError(f"{who}: {label_path} contains label {labels.max()}; "
                                   f"expected 0-{len(self.classes) - 1}")
        super().__init__((images[:, None] / np.float32(255)).astype(np.float32, copy=False),
                         labels.astype(np.int64), transform, target_transform)
        self.split = split

    # ----- where the files are ------------------------------------------------------------
    @classmethod
    def folders(cls, root: str | Path | None = None) -> list[Path]:
        """Every folder searched, in order: root, its known subfolders (and, when root is
        None, the cache folder's and the system folders such as Debian's)."""
        if root is None:
            from tt_nn.download import data_root

            base = data_root()
            return [base, *(base / s for s in cls.SUBFOLDERS),
                    *(Path(s) for s in cls.SYSTEM_FOLDERS)]
        root = Path(root)
        return [root, *(root / s for s in cls.SUBFOLDERS)]

    @classmethod
    def available(cls, root: str | Path | None = None) -> bool:
        """Whether all four files are present under `root` (cheap: nothing is read)."""
        folders = cls.folders(root)
        return all(find_in(folders, name) is not None for name in cls.RESOURCES)

    @classmethod
    def locate(cls, root: str | Path | None = None) -> Path | None:
        """The first searched folder that holds all four files, or None (nothing is read)."""
        for folder in cls.folders(root):
            if all(find_in([folder], name) is not None for name in cls.RESOURCES):
                return folder
        return None

    @classmethod
    def system_folder(cls) -> Path | None:
        """The first system folder holding all four files (e.g. Debian's package), or None."""
        for folder in cls.SYSTEM_FOLDERS:
            if all(find_in([Path(folder)], name) is not None for name in cls.RESOURCES):
                return Path(folder)
        return None

    @classmethod
    def download(cls, root: str | Path | None = None, progress: bool = True) -> Path:
        """Fetch every file not already present into `root/<SUBFOLDERS[0]>` and return the folder.

        Files already present anywhere `available` looks are left alone; when all four
        already sit in one folder (say Debian's), that folder is returned and nothing is
        fetched. Each download tries the canonical URL, then the mirrors, and checks the
        published SHA-256.

        Raises:
            tt_nn.download.DownloadError: a file could not be fetched from any URL (the
                message lists each URL, why it failed, and where to put the file by hand).
        """
        from tt_nn.download import data_root, download

        present = cls.locate(root)
        if present is not None:
            return present
        target = (Path(root) if root is not None else data_root()) / cls.SUBFOLDERS[0]
        folders = cls.folders(root)
        for name, resource in cls.RESOURCES.items():
            if find_in(folders, name) is None:
                download(resource.urls, target / resource.name, resource.sha256, progress)
        return target

    @classmethod
    def verify(cls, root: str | Path | None = None) -> dict[str, Path]:
        """Check each file's content (decompressed) against the published SHA-256.

        Useful for files that came from elsewhere (copied by hand, Debian's package):
        whatever their compression, the IDX bytes inside must be the published ones. Reads
        and hashes all four files (about 55 MB decompressed).

        Returns:
            `{file name: path}` of the four files checked.

        Raises:
            DatasetFileError: a file is missing, unreadable, or holds other bytes (the message
                names it, with both hashes).
        """
        checked = {}
        for name, resource in cls.RESOURCES.items():
            path = cls._find(root, name)
            digest = hashlib.sha256(read_bytes(path, cls.__name__)).hexdigest()
            if resource.content_sha256 is not None and digest != resource.content_sha256:
                raise DatasetFileError(
                    f"{cls.__name__}: {path} holds content with SHA-256 {digest}, expected "
                    f"{resource.content_sha256} (the published {name}); the file is damaged "
                    f"or is another data set's")
            checked[name] = path
        return checked

    @classmethod
    def _find(cls, root: str | Path | None, name: str) -> Path:
        folders = cls.folders(root)
        found = find_in(folders, name)
        if found is None:
            resource = cls.RESOURCES[name]
            tried = ", ".join(str(c) for c in candidates(folders, name))
            into = Path(root) if root is not None else folders[0]
            raise DatasetFileError(
                f"{cls.__name__}: missing file {name!r}; looked for {tried}. Pass "
                f"download=True (or run `{cls.COMMAND}`), or download {resource.name} by hand "
                f"from {resource.urls[0]} or a mirror ({', '.join(resource.urls[1:])}; SHA-256 "
                f"{resource.sha256}) into {into}")
        return found


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando): 28x28 grey images of clothing, 10 classes, MNIST's IDX format.

    Same files, layout and arguments as `MNIST`; looked for in `root`,
    `root/FashionMNIST/raw` (torchvision's place) and `root/fashion-mnist`. With
    `root=None` also in Debian's package `dataset-fashion-mnist`
    (`/usr/share/datasets/fashion-mnist`), so after `apt-get install dataset-fashion-mnist`
    `FashionMNIST()` works offline; `FashionMNIST("/usr/share/datasets/fashion-mnist")`
    names that folder directly.
    """

    classes = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")
    RESOURCES = FASHION_RESOURCES
    SUBFOLDERS = ("FashionMNIST/raw", "fashion-mnist")
    SYSTEM_FOLDERS = ("/usr/share/datasets/fashion-mnist",)
    COMMAND = "tt-milestones download fashion-mnist"
