"""Tokenizers: turn text into integer ids a model can embed, and ids back into text.

`CharTokenizer` gives every character seen in training its own id: tiny and obvious, but it
cannot encode a character it never saw. `BPETokenizer` (byte-pair encoding, as in GPT-2)
starts from the 256 possible byte values of UTF-8, so any string at all can be encoded,
then learns merges: the most frequent pair of neighbouring tokens becomes a new token,
again and again, until the vocabulary has the size asked for. Common words end up as one
token; rare text falls back to bytes.

Both save to and load from plain JSON.

Any Python string round-trips, even one holding lone surrogates (say `"a\\ud800b"`, which
is not valid Unicode text but is a valid `str`, e.g. from `os.fsdecode`): `BPETokenizer`
encodes them as Python's `"surrogatepass"` does (the 3-byte form UTF-8 would give them),
and decodes those bytes back to the same surrogate; `CharTokenizer.save` writes JSON with
`\\uXXXX` escapes for every non-ASCII character, which JSON reads back exactly.
"""

from __future__ import annotations

import codecs
import heapq
import json
import re
from collections import Counter
from pathlib import Path
from typing import Iterable

# Before merging, BPE splits text into chunks (words with their leading space, runs of
# digits, of punctuation, of whitespace) and never merges across a chunk boundary: merges
# then learn "word pieces", and training only needs each distinct chunk once with its count.
# Every character matches one of the alternatives, so the chunks always rebuild the text.
_CHUNK = re.compile(r" ?[^\W\d_]+| ?\d+| ?[^\w\s]+| ?_+|\s+(?!\S)|\s+")


def _utf8(text: str) -> bytes:
    """UTF-8 bytes of `text`; a lone surrogate becomes its 3-byte form (surrogatepass)."""
    return text.encode("utf-8", errors="surrogatepass")


def _surrogate_or_replace(error: UnicodeDecodeError) -> tuple[str, int]:
    """Decoding errors: the 3-byte form of a surrogate is that surrogate (the inverse of
    `_utf8`); any other invalid byte sequence becomes U+FFFD, as with errors="replace"."""
    data, start = error.object, error.start
    three = data[start:start + 3]
    if len(three) == 3 and three[0] == 0xED and 0xA0 <= three[1] <= 0xBF \
            and 0x80 <= three[2] <= 0xBF:
        return three.decode("utf-8", errors="surrogatepass"), start + 3
    return "\ufffd", error.end


codecs.register_error("tt_text.surrogate_or_replace", _surrogate_or_replace)


def _check_ids(name: str, ids: Iterable[int], vocab_size: int) -> list[int]:
    ids = [int(i) for i in ids]
    bad = [i for i in ids if not 0 <= i < vocab_size]
    if bad:
        raise ValueError(f"{name}.decode: token id {bad[0]} is outside the vocabulary "
                         f"(valid ids are 0..{vocab_size - 1})")
    return ids


def _read_json(path: str | Path, kind: str) -> dict:
    with open(path, encoding="utf-8") as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as error:
            raise ValueError(f"{kind}.load: {path} is not valid JSON ({error})") from None
    if not isinstance(data, dict) or data.get("type") != kind:
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise ValueError(f"{kind}.load: {path} does not hold a {kind} (found type {found!r})")
    return data


class CharTokenizer:
    """One id per distinct character of the training text (ids in sorted character order).

    Example:
        >>> tok = CharTokenizer().train("hello")
        >>> tok.encode("hole")
        [1, 3, 2, 0]
        >>> tok.decode([1, 0, 2, 2, 3])
        'hello'
    """

    def __init__(self, chars: Iterable[str] = ()) -> None:
        self.chars: list[str] = list(chars)
        self._ids = {c: i for i, c in enumerate(self.chars)}

    def train(self, text: str) -> CharTokenizer:
        """Learn the vocabulary: every character that occurs in `text`. Returns self."""
        if not text:
            raise ValueError("CharTokenizer.train: the training text is empty")
        self.__init__(sorted(set(text)))
        return self

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> list[int]:
        """The id of each character of `text`; a character not seen in training is an error."""
        try:
            return [self._ids[c] for c in text]
        except KeyError as missing:
            char = missing.args[0]
            raise ValueError(f"CharTokenizer.encode: character {char!r} (position "
                             f"{text.index(char)}) was not in the training text; the vocabulary "
                             f"has {self.vocab_size} characters") from None

    def decode(self, ids: Iterable[int]) -> str:
        """The characters of `ids` joined into a string."""
        return "".join(self.chars[i] for i in _check_ids("CharTokenizer", ids, self.vocab_size))

    def save(self, path: str | Path) -> None:
        """Write the vocabulary to `path` as JSON."""
        # ensure_ascii: \uXXXX escapes keep the file valid UTF-8 even for lone surrogates.
        Path(path).write_text(json.dumps({"type": "CharTokenizer", "chars": self.chars},
                                         ensure_ascii=True), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> CharTokenizer:
        """Read a tokenizer written by `save`."""
        data = _read_json(path, "CharTokenizer")
        chars = data.get("chars")
        if (not isinstance(chars, list) or not all(isinstance(c, str) and len(c) == 1 for c in chars)
                or len(set(chars)) != len(chars)):
            raise ValueError(f"CharTokenizer.load: {path}: 'chars' must be a list of distinct "
                             "single characters")
        return cls(chars)


class BPETokenizer:
    """Byte-level byte-pair encoding: ids 0..255 are bytes, each later id merges two earlier ones.

    Any string round-trips exactly: `decode(encode(s)) == s`, whether or not its characters
    were seen in training, because every string is a sequence of UTF-8 bytes.

    Example:
        >>> tok = BPETokenizer().train("low lower lowest " * 20, vocab_size=260)
        >>> tok.vocab_size
        260
        >>> tok.decode(tok.encode("lowest 🙂")) == "lowest 🙂"
        True
    """

    def __init__(self, merges: Iterable[tuple[int, int]] = ()) -> None:
        self.merges: list[tuple[int, int]] = []
        self._rank: dict[tuple[int, int], int] = {}  # pair -> the id it merges into
        self._bytes: list[bytes] = [bytes([b]) for b in range(256)]
        self._cache: dict[str, list[int]] = {}  # chunk -> ids, since chunks repeat a lot
        for a, b in merges:
            self._add_merge(int(a), int(b))

    def _add_merge(self, a: int, b: int) -> None:
        n = len(self._bytes)
        if not (0 <= a < n and 0 <= b < n):
            raise ValueError(f"BPETokenizer: merge ({a}, {b}) refers to an id that does not "
                             f"exist yet (there are {n} ids)")
        self._rank[(a, b)] = n
        self.merges.append((a, b))
        self._bytes.append(self._bytes[a] + self._bytes[b])

    @property
    def vocab_size(self) -> int:
        return len(self._bytes)

    def train(self, text: str, vocab_size: int) -> BPETokenizer:
        """Learn `vocab_size - 256` merges from `text`. Returns self.

        Pair counts are kept up to date incrementally: a merge only revisits the chunks that
        contain the merged pair, and a heap finds the most frequent pair without a full scan.
        Training stops early if no pair occurs at least twice.
        """
        if vocab_size < 256:
            raise ValueError(f"BPETokenizer.train: vocab_size must be at least 256 (the byte "
                             f"values), got {vocab_size}")
        self.__init__()
        counts = Counter(_CHUNK.findall(text))
        words = [list(_utf8(chunk)) for chunk in counts]
        freqs = list(counts.values())

        pair_count: Counter = Counter()
        where: dict[tuple[int, int], set[int]] = {}  # pair -> indices of words containing it
        for w, (word, freq) in enumerate(zip(words, freqs)):
            for pair in zip(word, word[1:]):
                pair_count[pair] += freq
                where.setdefault(pair, set()).add(w)
        heap = [(-c, pair) for pair, c in pair_count.items()]
        heapq.heapify(heap)

        while self.vocab_size < vocab_size:
            # Pop until an entry matches the current count (older entries are stale).
            while heap and -heap[0][0] != pair_count.get(heap[0][1], 0):
                heapq.heappop(heap)
            if not heap or -heap[0][0] < 2:
                break
            _, best = heapq.heappop(heap)
            new_id = self.vocab_size
            self._add_merge(*best)
            changed: set[tuple[int, int]] = set()
            for w in where.pop(best, ()):
                word, freq = words[w], freqs[w]
                for pair in zip(word, word[1:]):
                    pair_count[pair] -= freq
                    changed.add(pair)
                word = words[w] = _merge(word, best, new_id)
                for pair in zip(word, word[1:]):
                    pair_count[pair] += freq
                    where.setdefault(pair, set()).add(w)
                    changed.add(pair)
            for pair in changed:
                c = pair_count[pair]
                if c > 0:
                    heapq.heappush(heap, (-c, pair))
                else:
                    del pair_count[pair]
        return self

    def encode(self, text: str) -> list[int]:
        """The ids of `text`: its UTF-8 bytes with the learned merges applied in order
        (lone surrogates: see the module docstring)."""
        ids: list[int] = []
        for chunk in _CHUNK.findall(text):
            cached = self._cache.get(chunk)
            if cached is None:
                cached = self._cache[chunk] = self._encode_chunk(chunk)
            ids.extend(cached)
        return ids

    def _encode_chunk(self, chunk: str) -> list[int]:
        word = list(_utf8(chunk))
        while len(word) > 1:
            # Apply the earliest-learned merge present; the order of training is the rule.
            pair = min(zip(word, word[1:]), key=lambda p: self._rank.get(p, 1 << 62))
            if pair not in self._rank:
                break
            word = _merge(word, pair, self._rank[pair])
        return word

    def decode(self, ids: Iterable[int]) -> str:
        """The text of `ids`. Byte sequences that are not valid UTF-8 (possible when a model
        generates ids freely) become U+FFFD replacement characters instead of failing,
        except the 3-byte form of a surrogate, which gives back that surrogate."""
        ids = _check_ids("BPETokenizer", ids, self.vocab_size)
        return b"".join(self._bytes[i] for i in ids).decode(
            "utf-8", errors="tt_text.surrogate_or_replace")

    def token_bytes(self, token_id: int) -> bytes:
        """The bytes one id stands for (handy for looking at what was learned)."""
        return self._bytes[_check_ids("BPETokenizer", [token_id], self.vocab_size)[0]]

    def save(self, path: str | Path) -> None:
        """Write the merges to `path` as JSON (the byte vocabulary is implied)."""
        Path(path).write_text(json.dumps({"type": "BPETokenizer",
                                          "merges": [list(m) for m in self.merges]}),
                              encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> BPETokenizer:
        """Read a tokenizer written by `save`."""
        merges = _read_json(path, "BPETokenizer").get("merges")
        if not isinstance(merges, list) or not all(
                isinstance(m, list) and len(m) == 2 and all(isinstance(i, int) for i in m)
                for m in merges):
            raise ValueError(f"BPETokenizer.load: {path}: 'merges' must be a list of "
                             "[id, id] pairs")
        return cls([tuple(m) for m in merges])


def _merge(word: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """`word` with every non-overlapping occurrence of `pair` (left to right) made `new_id`."""
    out: list[int] = []
    a, b = pair
    i, n = 0, len(word)
    while i < n:
        if i + 1 < n and word[i] == a and word[i + 1] == b:
            out.append(new_id)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out
