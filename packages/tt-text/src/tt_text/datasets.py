"""Text datasets: the copy task (a first test for a transformer) and characters of any text file.

Nothing here downloads: `CopyTask` is generated, `CharDataset` reads a file you give it.
Items are `(x, y)` pairs of int64 arrays, ready for `Embedding`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tt_tensor

from tt_text.tokenizers import CharTokenizer


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
        return self.inputs[index], self.targets[index]


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
        self.ids = np.asarray(self.tokenizer.encode(text), dtype=np.int64)

    @property
    def vocab_size(self) -> int:
        return self.tokenizer.vocab_size

    def __len__(self) -> int:
        return len(self.ids) - self.block_size

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        if not -len(self) <= index < len(self):
            raise IndexError(f"CharDataset: index {index} out of range for {len(self)} windows")
        index %= len(self)
        chunk = self.ids[index:index + self.block_size + 1]
        return chunk[:-1], chunk[1:]

    def batch(self, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Windows starting at each of `starts` at once: x and y, each (B, block_size)."""
        window = np.arange(self.block_size + 1)  # x's positions and the one after
        chunks = self.ids[np.asarray(starts)[:, None] + window]  # one gather, no loop
        return chunks[:, :-1], chunks[:, 1:]

    def random_batch(self, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        """`batch_size` windows at random places, drawn from tt's generator."""
        return self.batch(tt_tensor.generator().integers(0, len(self), size=batch_size))
