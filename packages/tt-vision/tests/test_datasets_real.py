"""MNIST, Fashion-MNIST and CIFAR-10: downloads from a 127.0.0.1 server, damaged files, the
torchvision-style surface, and (when Debian's package is installed) the real Fashion-MNIST.

Every file served or written here is small and synthetic, in the real formats: IDX with
gzip, CIFAR binary records inside a `cifar-10-binary.tar.gz`. No test touches the network
beyond 127.0.0.1.
"""

import gzip
import hashlib
import http.server
import io
import socket
import struct
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest
from tt_nn.download import DownloadError, sha256_of
from tt_vision.datasets import CIFAR10, MNIST, DatasetFileError, FashionMNIST, Resource
from tt_vision.datasets import cifar as cifar_module
from tt_vision.datasets import mnist as mnist_module

DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")
IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


# ----- synthetic files in the real formats --------------------------------------------------
def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def mnist_files(n_train=6, n_test=4, seed=0) -> dict[str, bytes]:
    """{'train-images-idx3-ubyte.gz': gzipped IDX bytes, ...} for a tiny MNIST."""
    r = np.random.default_rng(seed)
    arrays = {"train-images-idx3-ubyte": r.integers(0, 256, (n_train, 28, 28)),
              "train-labels-idx1-ubyte": r.integers(0, 10, n_train),
              "t10k-images-idx3-ubyte": r.integers(0, 256, (n_test, 28, 28)),
              "t10k-labels-idx1-ubyte": r.integers(0, 10, n_test)}
    return {f"{name}.gz": gzip.compress(idx_bytes(a), mtime=0) for name, a in arrays.items()}


def cifar_records(n: int, seed: int) -> tuple[bytes, np.ndarray, np.ndarray]:
    r = np.random.default_rng(seed)
    labels = r.integers(0, 10, n, dtype=np.uint8)
    images = r.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8)
    return np.concatenate([labels[:, None], images.reshape(n, -1)], 1).tobytes(), images, labels


def cifar_archive(seed=0, skip=()) -> tuple[bytes, dict]:
    """A `cifar-10-binary.tar.gz` with 2-4 records per batch; also returns the arrays."""
    buffer, arrays = io.BytesIO(), {}
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin",
                                                                  "batches.meta.txt"]
        for k, name in enumerate(names):
            if name in skip:
                continue
            if name.endswith(".txt"):
                raw = "\n".join(CIFAR10.classes).encode() + b"\n"
            else:
                raw, images, labels = cifar_records(2 + k % 3, seed + k)
                arrays[name] = (images, labels)
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return buffer.getvalue(), arrays


# ----- a local HTTP server ------------------------------------------------------------------
class Handler(http.server.BaseHTTPRequestHandler):
    files: dict = {}
    requests: list = []

    def do_GET(self):  # noqa: N802
        type(self).requests.append(self.path)
        body = self.files.get(self.path.lstrip("/"))
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

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
def dead():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def local_resources(files: dict[str, bytes], bases: list[str], prefix: str) -> dict:
    return {name[:-3]: Resource(name, hashlib.sha256(raw).hexdigest(),
                                tuple(f"{b}/{prefix}{name}" for b in bases))
            for name, raw in files.items()}


# ----- the published tables -----------------------------------------------------------------
@pytest.mark.parametrize("table", [mnist_module.MNIST_RESOURCES, mnist_module.FASHION_RESOURCES,
                                   CIFAR10.RESOURCES])
def test_every_file_has_a_sha256_and_a_mirror(table):
    for resource in table.values():
        for digest in (resource.sha256, resource.content_sha256 or "0" * 64):
            assert len(digest) == 64 and set(digest) <= set("0123456789abcdef")
        assert len(resource.urls) >= 2 and len(set(resource.urls)) == len(resource.urls)
        assert all(url.endswith("/" + resource.name) for url in resource.urls)
    if table is not CIFAR10.RESOURCES:
        assert sorted(table) == sorted(IDX_NAMES)


# ----- MNIST / Fashion-MNIST downloads ------------------------------------------------------
@pytest.mark.parametrize("cls", [MNIST, FashionMNIST])
def test_download_through_a_dead_mirror_then_read(cls, server, dead, tmp_path):
    files = mnist_files(seed=3)
    Handler.files.update({f"{cls.__name__}/{k}": v for k, v in files.items()})
    local = type("Local" + cls.__name__, (cls,),
                 {"RESOURCES": local_resources(files, [dead, server], f"{cls.__name__}/")})
    assert not local.available(tmp_path)
    train = local(tmp_path, "train", download=True)
    folder = tmp_path / cls.SUBFOLDERS[0]
    assert sorted(p.name for p in folder.iterdir()) == sorted(files)  # the .gz, nothing else
    assert local.available(tmp_path) and len(train) == 6 and len(local(tmp_path, train=False)) == 4
    Handler.requests.clear()
    assert local.download(tmp_path) == folder and Handler.requests == []  # all there already
    assert local.locate(tmp_path) == folder and local.locate(tmp_path / "elsewhere") is None
    expected = np.frombuffer(gzip.decompress(files["train-images-idx3-ubyte.gz"])[16:], np.uint8)
    np.testing.assert_allclose(train.data.reshape(-1) * 255, expected, atol=1e-4)
    assert train.classes == cls.classes


def test_download_failure_names_every_url_and_the_manual_route(server, dead, tmp_path):
    files = mnist_files()
    resources = local_resources(files, [dead, server], "nowhere/")
    local = type("LocalMNIST", (MNIST,), {"RESOURCES": resources})
    with pytest.raises(DownloadError) as info:
        local(tmp_path, download=True)
    message = str(info.value)
    assert f"{dead}/nowhere/" in message and "cannot connect" in message
    assert f"{server}/nowhere/" in message and "HTTP 404" in message
    assert f"put it at {tmp_path / 'MNIST' / 'raw'}" in message
    assert not any((tmp_path / "MNIST" / "raw").iterdir())  # nothing half-written


def test_download_with_a_wrong_file_is_refused(server, tmp_path):
    files = mnist_files()
    Handler.files.update({f"wrong/{k}": b"not what was published" for k in files})
    local = type("LocalMNIST", (MNIST,), {"RESOURCES": local_resources(files, [server], "wrong/")})
    with pytest.raises(DownloadError, match="SHA-256 is "):
        local.download(tmp_path, progress=False)


def test_missing_files_say_how_to_get_them(tmp_path):
    with pytest.raises(DatasetFileError) as info:
        FashionMNIST(tmp_path, "test")
    message = str(info.value)
    assert "FashionMNIST: missing file 't10k-images-idx3-ubyte'" in message
    assert str(tmp_path / "FashionMNIST" / "raw" / "t10k-images-idx3-ubyte.gz") in message
    assert "download=True" in message and "tt-milestones download fashion-mnist" in message
    assert FashionMNIST.RESOURCES["t10k-images-idx3-ubyte"].sha256 in message


def test_root_none_means_the_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TT_DATA", str(tmp_path))
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name, data in mnist_files().items():
        (raw / name).write_bytes(data)
    assert MNIST.available() and len(MNIST(split="test")) == 4
    assert MNIST.folders()[:2] == [tmp_path, raw]


def test_split_arguments():
    with pytest.raises(ValueError, match="MNIST: split must be 'train' or 'test', got 'val'"):
        MNIST("/nonexistent", "val")
    with pytest.raises(ValueError, match="CIFAR10: split must be 'train' or 'test', got 'dev'"):
        CIFAR10("/nonexistent", "dev")


# ----- damaged IDX files (issue 12, item 21) ------------------------------------------------
@pytest.fixture
def mnist_dir(tmp_path):
    for name, data in mnist_files().items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def test_bad_zlib_stream_is_a_dataset_file_error(mnist_dir):
    path = mnist_dir / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(path.read_bytes())
    raw[10:20] = b"\xff" * 10  # the deflate data right after the gzip header
    path.write_bytes(bytes(raw))
    with pytest.raises(DatasetFileError, match=r"MNIST: cannot read .*t10k-labels-idx1-ubyte.gz"):
        MNIST(mnist_dir, "test")


def test_bad_crc_is_a_dataset_file_error(mnist_dir):
    path = mnist_dir / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(path.read_bytes())
    raw[-8] ^= 0xFF  # the CRC-32 in the gzip trailer
    path.write_bytes(bytes(raw))
    with pytest.raises(DatasetFileError, match=r"t10k-labels-idx1-ubyte.gz: CRC check failed"):
        MNIST(mnist_dir, "test")


def test_cut_gzip_is_a_dataset_file_error(mnist_dir):
    path = mnist_dir / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[: 200])
    with pytest.raises(DatasetFileError, match=r"t10k-images-idx3-ubyte.gz: the compressed file "
                                               r"is cut short"):
        MNIST(mnist_dir, "test")


def test_header_sizes_that_overflow_are_named(mnist_dir):
    path = mnist_dir / "t10k-images-idx3-ubyte.gz"
    raw = gzip.decompress(path.read_bytes())
    # 2**32-1 images of 2**32-1 x 2**16 pixels: the product wraps to 0 in int64 arithmetic
    header = bytes([0, 0, 8, 3]) + struct.pack(">III", 0xFFFFFFFF, 0xFFFFFFFF, 1 << 16)
    path.write_bytes(gzip.compress(header + raw[16:], mtime=0))
    with pytest.raises(DatasetFileError, match=r"t10k-images-idx3-ubyte.gz declares shape "
                                               r"\(4294967295, 4294967295, 65536\) \(\d+ bytes "
                                               r"with the header\) but has 3152 bytes"):
        MNIST(mnist_dir, "test")


def test_header_sizes_that_disagree_with_the_file_are_named(mnist_dir):
    path = mnist_dir / "t10k-images-idx3-ubyte.gz"
    raw = bytearray(gzip.decompress(path.read_bytes()))
    raw[4:8] = struct.pack(">I", 5)  # says 5 images, holds 4
    path.write_bytes(gzip.compress(bytes(raw), mtime=0))
    with pytest.raises(DatasetFileError, match=r"declares shape \(5, 28, 28\) \(3936 bytes with "
                                               r"the header\) but has 3152 bytes"):
        MNIST(mnist_dir, "test")


def test_header_too_short_is_named(mnist_dir):
    (mnist_dir / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\0\0\x08", mtime=0))
    with pytest.raises(DatasetFileError, match=r"is 3 bytes, too short for an IDX header"):
        MNIST(mnist_dir, "test")


def test_label_out_of_range_is_named(mnist_dir):
    (mnist_dir / "t10k-labels-idx1-ubyte.gz").write_bytes(
        gzip.compress(idx_bytes(np.array([1, 2, 10, 3])), mtime=0))
    with pytest.raises(DatasetFileError, match=r"contains label 10; expected 0-9"):
        MNIST(mnist_dir, "test")


# ----- the torchvision-style surface --------------------------------------------------------
def test_items_are_copies_and_transforms_apply(mnist_dir):
    ds = MNIST(mnist_dir, "test", transform=lambda x: x * 2, target_transform=lambda y: y + 100)
    image, label = ds[1]
    assert label == int(ds.targets[1]) + 100
    np.testing.assert_allclose(image, ds.data[1] * 2)
    plain = MNIST(mnist_dir, "test")
    before = plain.images[0].copy()
    image, _ = plain[0]
    image[...] = -1.0  # writing to an item leaves the data set alone
    np.testing.assert_array_equal(plain.images[0], before)
    images, labels = ds.__getitems__(np.array([3, 0]))
    np.testing.assert_allclose(images.data, ds.images[[3, 0]] * 2)
    np.testing.assert_array_equal(labels.data, ds.labels[[3, 0]] + 100)
    assert plain.data is plain.images and plain.targets is plain.labels


# ----- CIFAR-10 -----------------------------------------------------------------------------
@pytest.fixture
def local_cifar(server, dead, monkeypatch):
    archive, arrays = cifar_archive(seed=5)
    Handler.files["cifar/cifar-10-binary.tar.gz"] = archive
    resource = Resource("cifar-10-binary.tar.gz", hashlib.sha256(archive).hexdigest(),
                        (f"{dead}/cifar-10-binary.tar.gz", f"{server}/cifar/cifar-10-binary.tar.gz"))
    monkeypatch.setattr(cifar_module, "ARCHIVE", resource)
    return archive, arrays


def test_cifar_download_unpacks_the_binary_version(local_cifar, tmp_path):
    archive, arrays = local_cifar
    assert not CIFAR10.available(tmp_path)
    test = CIFAR10(tmp_path, "test", download=True)
    folder = tmp_path / "cifar-10-batches-bin"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin", "batches.meta.txt"])
    assert sha256_of(tmp_path / "cifar-10-binary.tar.gz") == hashlib.sha256(archive).hexdigest()
    np.testing.assert_array_equal(test.labels, arrays["test_batch.bin"][1])
    np.testing.assert_allclose(test.images * 255, arrays["test_batch.bin"][0], atol=1e-4)
    train = CIFAR10(tmp_path, train=True)
    np.testing.assert_array_equal(
        train.targets, np.concatenate([arrays[f"data_batch_{i}.bin"][1] for i in range(1, 6)]))
    assert CIFAR10.available(tmp_path) and CIFAR10.download(tmp_path) == folder


def test_cifar_reads_straight_from_the_archive(tmp_path):
    archive, arrays = cifar_archive(seed=8)
    (tmp_path / "cifar-10-binary.tar.gz").write_bytes(archive)
    assert CIFAR10.available(tmp_path)
    test = CIFAR10(tmp_path, "test")
    np.testing.assert_array_equal(test.labels, arrays["test_batch.bin"][1])
    assert not (tmp_path / "cifar-10-batches-bin").exists()  # nothing was unpacked


def test_cifar_archive_without_a_member_is_named(tmp_path):
    archive, _ = cifar_archive(skip=("test_batch.bin",))
    (tmp_path / "cifar-10-binary.tar.gz").write_bytes(archive)
    with pytest.raises(DatasetFileError, match=r"has no member cifar-10-batches-bin/test_batch.bin"):
        CIFAR10(tmp_path, "test")


@pytest.mark.parametrize("damage", ["not gzip", "cut"])
def test_cifar_damaged_archive_is_named(tmp_path, damage):
    archive, _ = cifar_archive()
    raw = b"plain text, not an archive" if damage == "not gzip" else archive[: len(archive) // 2]
    (tmp_path / "cifar-10-binary.tar.gz").write_bytes(raw)
    with pytest.raises(DatasetFileError, match=r"CIFAR10: cannot read the archive .*"
                                               r"cifar-10-binary.tar.gz"):
        CIFAR10(tmp_path, "test")


def test_cifar_corrupt_gzipped_batch_is_named(tmp_path):
    raw, _, _ = cifar_records(2, 0)
    packed = bytearray(gzip.compress(raw, mtime=0))
    packed[12:40] = b"\x00" * 28
    (tmp_path / "test_batch.bin.gz").write_bytes(bytes(packed))
    with pytest.raises(DatasetFileError, match=r"CIFAR10: cannot read .*test_batch.bin.gz"):
        CIFAR10(tmp_path, "test")


@pytest.mark.parametrize("layout", ["folder", "archive", "inside"])
def test_python_version_is_refused_with_the_way_out(tmp_path, layout):
    if layout == "folder":
        (tmp_path / "cifar-10-batches-py").mkdir()
        (tmp_path / "cifar-10-batches-py" / "data_batch_1").write_bytes(b"\x80\x04pickle")
        root = tmp_path
    elif layout == "archive":
        (tmp_path / "cifar-10-python.tar.gz").write_bytes(b"\x1f\x8b")
        root = tmp_path
    else:  # pointed at the python folder itself
        root = tmp_path / "cifar-10-batches-py"
        root.mkdir()
        (root / "data_batch_1").write_bytes(b"\x80\x04pickle")
    with pytest.raises(DatasetFileError) as info:
        CIFAR10(root, "train")
    message = str(info.value)
    assert "holds the python version of CIFAR-10" in message and "never reads" in message
    assert "cifar-10-binary.tar.gz (the binary version" in message
    assert "https://www.cs.toronto.edu/~kriz/cifar.html" in message
    assert CIFAR10.RESOURCES["cifar-10-binary.tar.gz"].sha256 in message


def test_cifar_missing_everything_says_how_to_get_it(tmp_path):
    with pytest.raises(DatasetFileError, match=r"CIFAR10: missing file 'test_batch.bin'; .* "
                                               r"To fix: get cifar-10-binary.tar.gz"):
        CIFAR10(tmp_path, "test")


def test_cifar_download_failure_leaves_nothing(server, dead, tmp_path, monkeypatch):
    monkeypatch.setattr(cifar_module, "ARCHIVE", Resource(
        "cifar-10-binary.tar.gz", "0" * 64, (f"{dead}/x.tar.gz", f"{server}/none.tar.gz")))
    with pytest.raises(DownloadError, match="HTTP 404"):
        CIFAR10.download(tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


# ----- Debian's Fashion-MNIST (installed by .ci/run) -----------------------------------------
debian = pytest.mark.skipif(not (DEBIAN_FASHION / "t10k-labels-idx1-ubyte.gz").is_file(),
                            reason="needs Debian's dataset-fashion-mnist package "
                                   "(apt-get install dataset-fashion-mnist)")


@debian
def test_debian_fashion_mnist_holds_the_published_content():
    """Debian recompressed the .gz files; their content matches the published hashes."""
    for name, resource in FashionMNIST.RESOURCES.items():
        raw = gzip.decompress((DEBIAN_FASHION / f"{name}.gz").read_bytes())
        assert hashlib.sha256(raw).hexdigest() == resource.content_sha256, name


@debian
def test_debian_fashion_mnist_loads(monkeypatch, tmp_path):
    test = FashionMNIST(DEBIAN_FASHION, "test")
    assert test.images.shape == (10000, 1, 28, 28) and test.labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(test.labels), [1000] * 10)
    assert FashionMNIST.system_folder() == DEBIAN_FASHION
    assert FashionMNIST.available(Path("/usr/share/datasets"))  # via the fashion-mnist subfolder
    monkeypatch.setenv("TT_DATA", str(tmp_path))  # an empty cache: root=None finds Debian's
    assert FashionMNIST.available() and len(FashionMNIST(train=False)) == 10000
    assert FashionMNIST.download() == DEBIAN_FASHION  # nothing to fetch: Debian's has all four
    assert not any(tmp_path.iterdir())


# ----- verify(): content against the published hashes ----------------------------------------
def test_mnist_verify_names_a_file_with_other_content(mnist_dir):
    with pytest.raises(DatasetFileError, match=r"MNIST: .*train-images-idx3-ubyte.gz holds content "
                                               r"with SHA-256 [0-9a-f]{64}, expected ba891046"):
        MNIST.verify(mnist_dir)  # synthetic files are not the published ones
    local = type("LocalMNIST", (MNIST,), {"RESOURCES": {
        name[:-3]: Resource(name, "0" * 64, ("x",),
                            hashlib.sha256(gzip.decompress(raw)).hexdigest())
        for name, raw in mnist_files().items()}})
    checked = local.verify(mnist_dir)
    assert sorted(checked) == sorted(IDX_NAMES)
    assert checked["t10k-labels-idx1-ubyte"] == mnist_dir / "t10k-labels-idx1-ubyte.gz"
    with pytest.raises(DatasetFileError, match="missing file"):
        MNIST.verify(mnist_dir / "nowhere")


def test_cifar_verify(tmp_path, monkeypatch):
    archive, arrays = cifar_archive(seed=2)
    (tmp_path / "cifar-10-binary.tar.gz").write_bytes(archive)
    with pytest.raises(DatasetFileError, match=r"cifar-10-binary.tar.gz:cifar-10-batches-bin/"
                                               r"data_batch_1.bin has SHA-256 [0-9a-f]{64}, "
                                               r"expected cee91656"):
        CIFAR10.verify(tmp_path)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        hashes = {m.name.split("/")[-1]: hashlib.sha256(tar.extractfile(m).read()).hexdigest()
                  for m in tar if m.name.endswith(".bin")}
    monkeypatch.setattr(cifar_module, "BIN_SHA256", hashes)
    assert sorted(CIFAR10.verify(tmp_path)) == sorted(hashes)
    with pytest.raises(DatasetFileError, match="missing file"):
        CIFAR10.verify(tmp_path / "nowhere")


@debian
def test_debian_fashion_mnist_verifies():
    checked = FashionMNIST.verify(DEBIAN_FASHION)
    assert checked["train-images-idx3-ubyte"] == DEBIAN_FASHION / "train-images-idx3-ubyte.gz"
