"""Fetching data files: mirrors, SHA-256 checks, atomic writes, a cache folder, clear errors.

Used by the data sets of tt-vision (MNIST, Fashion-MNIST, CIFAR-10) and tt-text (Tiny
Shakespeare); it lives in tt-nn because both build on it. Only the standard library's
`urllib` talks to the network, and only when `download` is called.

```python
from tt_nn.download import data_root, download

path = download(["https://example.org/a.gz", "https://mirror.example.net/a.gz"],
                data_root() / "example" / "a.gz", sha256="9f86d0...")
```

What `download` promises:

- Each URL is tried in turn (the canonical one first, then the mirrors) until one gives a
  complete file with the expected SHA-256.
- Bytes go to a temporary file in the destination's folder (`.<name>.<random>.part`);
  only a complete, verified file is renamed to the destination (`os.replace`, atomic on one
  file system). An interrupted, truncated or wrong transfer leaves nothing behind.
- A file already at the destination with the right SHA-256 is kept: no network at all.
- When every URL fails, `DownloadError` lists each URL with the reason it failed, and says
  where to put the file by hand (and which SHA-256 it must have).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable

__all__ = ["DatasetFileError", "DownloadError", "Resource", "data_root", "download", "sha256_of"]

CHUNK = 1 << 16  # bytes read from the network (and hashed) at a time
USER_AGENT = "tt-download/0.1 (Python urllib)"


class DatasetFileError(RuntimeError):
    """A dataset file is missing, damaged or not in the expected format (the message names it).

    Raised by the data sets of tt-vision and tt-text (`tt_vision.datasets.DatasetFileError`
    is this class).
    """


@dataclass(frozen=True)
class Resource:
    """One downloadable file of a data set.

    Attributes:
        name: the file's name as published, e.g. `"train-images-idx3-ubyte.gz"`.
        sha256: SHA-256 of the published file (checked by every download).
        urls: the canonical URL first, then mirrors; `download` tries them in this order.
        content_sha256: SHA-256 of the decompressed content, where the file is gzipped
            (repackaged copies, e.g. Debian's, are compressed differently but hold the
            same content); None when not recorded.
    """

    name: str
    sha256: str
    urls: tuple[str, ...]
    content_sha256: str | None = None


class DownloadError(RuntimeError):
    """Every URL for a file failed. The message names each URL and why, and the manual route.

    Attributes:
        destination: where the file was to be written (and where to put it by hand).
        failures: list of `(url, reason)` pairs, in the order they were tried.
    """

    def __init__(self, message: str, destination: Path, failures: list[tuple[str, str]]):
        super().__init__(message)
        self.destination = destination
        self.failures = failures


def data_root() -> Path:
    """The folder where tt keeps downloaded data: `$TT_DATA` if set, else `~/.cache/tt`.

    The folder is not created here; `download` creates what it needs.
    """
    override = os.environ.get("TT_DATA")
    if override:
        return Path(override).expanduser()
    return Path.home() / ".cache" / "tt"


def sha256_of(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes as 64 lower-case hex digits (read in chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Progress:
    """A one-line progress bar on a terminal stream: `name [#####-----]  45%  4.5/10.0 MB`.

    Draws nothing when the stream is not a terminal (logs and CI stay clean).
    """

    WIDTH = 30

    def __init__(self, name: str, total: int | None, stream: IO[str] | None) -> None:
        self.name, self.total, self.stream = name, total, stream
        self.active = stream is not None and getattr(stream, "isatty", lambda: False)()
        self.last = 0.0

    def update(self, done: int, final: bool = False) -> None:
        if not self.active:
            return
        now = time.monotonic()
        if not final and now - self.last < 0.1:  # at most ten redraws a second
            return
        self.last = now
        mb = done / 1e6
        if self.total:
            fraction = min(done / self.total, 1.0)
            filled = int(self.WIDTH * fraction)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            line = f"{self.name} [{bar}] {fraction:4.0%} {mb:.1f}/{self.total / 1e6:.1f} MB"
        else:
            line = f"{self.name} {mb:.1f} MB"
        self.stream.write("\r" + line + ("\n" if final else ""))
        self.stream.flush()


def _fetch(url: str, temporary: IO[bytes], name: str, timeout: float,
           stream: IO[str] | None) -> str:
    """Stream `url` into the open `temporary` file; returns its SHA-256 (raises on failure)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    digest = hashlib.sha256()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        bar = _Progress(name, total, stream)
        done = 0
        while True:
            block = response.read(CHUNK)
            if not block:
                break
            temporary.write(block)
            digest.update(block)
            done += len(block)
            bar.update(done)
        bar.update(done, final=True)
    if total is not None and done != total:
        raise _Incomplete(f"transfer ended after {done} of {total} bytes (Content-Length)")
    return digest.hexdigest()


class _Incomplete(Exception):
    """A transfer that stopped before the announced Content-Length."""


def _reason(error: BaseException) -> str:
    """A short human description of why one URL failed."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return f"cannot connect ({error.reason})"
    if isinstance(error, http.client.IncompleteRead):
        return f"transfer ended early ({len(error.partial)} bytes read, {error.expected} more expected)"
    if isinstance(error, _Incomplete):
        return str(error)
    return f"{type(error).__name__}: {error}"


def download(urls: str | Iterable[str], destination: str | os.PathLike, sha256: str,
             progress: bool = True, timeout: float = 60.0) -> Path:
    """Download a file to `destination`, trying each URL in turn, and check its SHA-256.

    Args:
        urls: one URL, or the canonical URL followed by mirrors (tried in that order). Any
            scheme `urllib` opens works (`https://`, `http://`, `file://`).
        destination: the file to write; its folder is created when missing.
        sha256: the expected SHA-256 (64 hex digits) of the file's bytes.
        progress: draw a progress bar on stderr (only when stderr is a terminal).
        timeout: seconds to wait for a connection or for the next bytes.

    Returns:
        `destination` as a `Path`; the file there has the expected SHA-256.

    Raises:
        DownloadError: no URL gave the expected file (each URL and its reason are listed).
        ValueError: `sha256` is not 64 hex digits, or no URL was given.
    """
    destination = Path(destination)
    expected = str(sha256).lower()
    if len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected):
        raise ValueError(f"download: sha256 must be 64 hex digits, got {sha256!r}")
    urls = [urls] if isinstance(urls, str) else list(urls)
    if not urls:
        raise ValueError(f"download: no URL given for {destination}")
    if destination.is_file() and sha256_of(destination) == expected:
        return destination  # already here and intact: no network
    destination.parent.mkdir(parents=True, exist_ok=True)
    stream = sys.stderr if progress else None
    failures: list[tuple[str, str]] = []
    for url in urls:
        handle = tempfile.NamedTemporaryFile(dir=destination.parent, prefix=f".{destination.name}.",
                                             suffix=".part", delete=False)
        temporary = Path(handle.name)
        try:
            with handle:
                got = _fetch(url, handle, destination.name, timeout, stream)
            if got != expected:
                failures.append((url, f"SHA-256 is {got}, expected {expected} (a damaged or "
                                      "different file)"))
                continue
            os.replace(temporary, destination)
            return destination
        except (OSError, ValueError, http.client.HTTPException, _Incomplete) as error:
            failures.append((url, _reason(error)))  # URLError and HTTPError are OSErrors
        finally:  # also on KeyboardInterrupt: never leave a partial file behind
            temporary.unlink(missing_ok=True)
    lines = "\n".join(f"  {url}: {reason}" for url, reason in failures)
    raise DownloadError(
        f"could not download {destination.name}; every URL failed:\n{lines}\n"
        f"Without network, fetch the file by hand from one of the URLs above on another "
        f"machine and put it at {destination} (its SHA-256 must be {expected}).",
        destination, failures)
