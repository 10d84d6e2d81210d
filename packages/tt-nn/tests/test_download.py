"""tt_nn.download against a real HTTP server on 127.0.0.1 (no other network is touched).

The server serves: a good file, a file whose bytes differ from the expected hash, a transfer
cut short (Content-Length larger than the body), a 404; a closed port stands in for a dead
mirror.
"""

import hashlib
import http.server
import io
import socket
import threading
from pathlib import Path

import pytest
from tt_nn import download as download_module
from tt_nn.download import DownloadError, data_root, download, sha256_of

GOOD = bytes(range(256)) * 2000  # 512 kB: several network chunks
GOOD_SHA = hashlib.sha256(GOOD).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}
    requests: list = []

    def do_GET(self):  # noqa: N802 (the http.server name)
        type(self).requests.append(self.path)
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        body, declared = route
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(declared))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture(scope="module")
def server():
    Handler.routes = {
        "/good.bin": (GOOD, len(GOOD)),
        "/other.bin": (GOOD[::-1], len(GOOD)),  # right size, wrong bytes
        "/short.bin": (GOOD[: len(GOOD) // 2], len(GOOD)),  # announces more than it sends
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def dead_url():
    """A URL on a port nothing listens on (bound, then closed): connection refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/good.bin"


def leftovers(folder: Path):
    return sorted(p.name for p in folder.iterdir())


def test_downloads_a_good_file(server, tmp_path):
    target = tmp_path / "sub" / "good.bin"
    assert download(f"{server}/good.bin", target, GOOD_SHA, progress=False) == target
    assert target.read_bytes() == GOOD
    assert leftovers(target.parent) == ["good.bin"]  # no temporary file left


def test_a_present_intact_file_is_not_fetched_again(server, tmp_path):
    target = tmp_path / "good.bin"
    target.write_bytes(GOOD)
    Handler.requests.clear()
    download([f"{server}/good.bin"], target, GOOD_SHA.upper(), progress=False)
    assert Handler.requests == []


def test_a_present_damaged_file_is_replaced(server, tmp_path):
    target = tmp_path / "good.bin"
    target.write_bytes(b"old and wrong")
    download(f"{server}/good.bin", target, GOOD_SHA, progress=False)
    assert target.read_bytes() == GOOD


def test_bad_checksum_leaves_nothing(server, tmp_path):
    target = tmp_path / "good.bin"
    with pytest.raises(DownloadError) as info:
        download(f"{server}/other.bin", target, GOOD_SHA, progress=False)
    message = str(info.value)
    assert f"{server}/other.bin: SHA-256 is {hashlib.sha256(GOOD[::-1]).hexdigest()}, " \
           f"expected {GOOD_SHA}" in message
    assert leftovers(tmp_path) == []


def test_truncated_transfer_leaves_nothing(server, tmp_path):
    target = tmp_path / "good.bin"
    with pytest.raises(DownloadError, match=r"short.bin: transfer ended"):
        download(f"{server}/short.bin", target, GOOD_SHA, progress=False)
    assert leftovers(tmp_path) == []


def test_404_is_named(server, tmp_path):
    with pytest.raises(DownloadError, match=r"/missing.bin: HTTP 404 Not Found"):
        download(f"{server}/missing.bin", tmp_path / "x.bin", GOOD_SHA, progress=False)
    assert leftovers(tmp_path) == []


def test_dead_first_mirror_then_good_second(server, dead_url, tmp_path):
    target = tmp_path / "good.bin"
    download([dead_url, f"{server}/good.bin"], target, GOOD_SHA, progress=False)
    assert target.read_bytes() == GOOD


def test_every_failure_is_listed_with_the_manual_route(server, dead_url, tmp_path):
    target = tmp_path / "data" / "good.bin"
    urls = [dead_url, f"{server}/missing.bin", f"{server}/other.bin", f"{server}/short.bin"]
    with pytest.raises(DownloadError) as info:
        download(urls, target, GOOD_SHA, progress=False)
    error = info.value
    assert [url for url, _ in error.failures] == urls
    assert "cannot connect" in error.failures[0][1] and "refused" in error.failures[0][1].lower()
    assert error.failures[1][1] == "HTTP 404 Not Found"
    assert error.failures[2][1].startswith("SHA-256 is ")
    assert error.failures[3][1].startswith("transfer ended")
    message = str(error)
    for url in urls:
        assert url in message
    assert f"put it at {target} (its SHA-256 must be {GOOD_SHA})" in message
    assert error.destination == target
    assert leftovers(target.parent) == []


def test_an_interrupted_download_leaves_nothing(server, tmp_path, monkeypatch):
    def interrupt(self, done, final=False):
        raise KeyboardInterrupt

    monkeypatch.setattr(download_module._Progress, "update", interrupt)
    with pytest.raises(KeyboardInterrupt):
        download(f"{server}/good.bin", tmp_path / "good.bin", GOOD_SHA, progress=False)
    assert leftovers(tmp_path) == []


def test_file_urls_work(tmp_path):
    source = tmp_path / "source.bin"
    source.write_bytes(GOOD)
    target = tmp_path / "copy" / "good.bin"
    download(source.as_uri(), target, GOOD_SHA, progress=False)
    assert sha256_of(target) == GOOD_SHA


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_a_terminal(server, tmp_path, monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(download_module.sys, "stderr", terminal)
    download(f"{server}/good.bin", tmp_path / "good.bin", GOOD_SHA)
    shown = terminal.getvalue()
    assert shown.startswith("\rgood.bin [") and shown.endswith("] 100% 0.5/0.5 MB\n")


def test_progress_bar_is_quiet_off_a_terminal(server, tmp_path, monkeypatch):
    stream = io.StringIO()  # isatty() is False
    monkeypatch.setattr(download_module.sys, "stderr", stream)
    download(f"{server}/good.bin", tmp_path / "good.bin", GOOD_SHA)
    assert stream.getvalue() == ""


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="sha256 must be 64 hex digits, got 'abc'"):
        download("http://127.0.0.1:9/x", tmp_path / "x", "abc")
    with pytest.raises(ValueError, match="no URL given"):
        download([], tmp_path / "x", GOOD_SHA)


def test_data_root(monkeypatch, tmp_path):
    monkeypatch.setenv("TT_DATA", str(tmp_path / "mine"))
    assert data_root() == tmp_path / "mine"
    monkeypatch.delenv("TT_DATA")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data_root() == tmp_path / ".cache" / "tt"
