"""The real-data milestones: mnist (and its Fashion-MNIST run), cifar10, shakespeare, systems.

What needs data it does not have is skipped with the command that unlocks it. The MNIST
and CIFAR-10 pipelines are also run end to end on small synthetic files in the real
formats (IDX, CIFAR binary), so their code is tested on every machine — without any
claim about MNIST or CIFAR-10 themselves.
"""

import gzip

import numpy as np
import pytest

import tt_milestones
from tt_milestones.milestone import DataNeed, Milestone, data_need
from tt_milestones.milestones._data import CIFAR10, FASHION_MNIST, MNIST


def by_name(name, *extra):
    return pytest.param(name, marks=(pytest.mark.milestone, getattr(pytest.mark, name), *extra),
                        id=name)


def require(name, **options):
    status = tt_milestones.get(name).status(**options)
    if not status.ready:
        pytest.skip(f"locked: {status.hint}")


def assert_learned(result):
    failed = [(c.name, c.shown, c.bar) for c in result.failed_checks]
    assert result.passed, f"{result.name} failed {failed}; diagnosis: {result.diagnosis}"
    names = [c.name for c in result.checks]
    assert {"loss decreased", "parameters with a gradient", "parameters updated",
            "mean gradient magnitude", "mean weight change"} <= set(names)


# ----- synthetic files in the real formats ------------------------------------------------------
def _blocks(rng, count, size, channels):
    """Images whose class k is a bright block at place k of a 4×3 grid, in noise."""
    labels = np.arange(count) % 10
    images = rng.integers(0, 60, size=(count, channels, size, size)).astype(np.uint8)
    cell = size // 4
    for k in range(10):
        r, c = divmod(k, 4)
        images[labels == k, :, r * cell:(r + 1) * cell, c * cell:(c + 1) * cell] = 230
    return images, labels.astype(np.uint8)


def write_idx(folder, train=600, test=200, seed=0):
    """The four MNIST IDX files (gzipped) with synthetic 28×28 images."""
    rng = np.random.default_rng(seed)
    for prefix, count in (("train", train), ("t10k", test)):
        images, labels = _blocks(rng, count, 28, 1)
        head = np.array([0x00000803, count, 28, 28], dtype=">u4").tobytes()
        (folder / f"{prefix}-images-idx3-ubyte.gz").write_bytes(
            gzip.compress(head + images[:, 0].tobytes()))
        head = np.array([0x00000801, count], dtype=">u4").tobytes()
        (folder / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(
            gzip.compress(head + labels.tobytes()))


def write_cifar(folder, per_batch=100, seed=0):
    """The six CIFAR-10 binary batch files with synthetic 32×32 colour images."""
    rng = np.random.default_rng(seed)
    folder = folder / "cifar-10-batches-bin"
    folder.mkdir()
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        images, labels = _blocks(rng, per_batch, 32, 3)
        records = np.concatenate([labels[:, None], images.reshape(per_batch, -1)], axis=1)
        (folder / name).write_bytes(records.astype(np.uint8).tobytes())


# ----- data requirements --------------------------------------------------------------------------
def test_missing_data_locks_with_the_download_command(tmp_path, monkeypatch):
    pytest.importorskip("tt_vision")
    monkeypatch.setenv("TT_DATA", str(tmp_path / "cache"))
    mnist = tt_milestones.get("mnist")
    assert mnist.data == (MNIST,) and set(mnist.all_data()) == {MNIST, FASHION_MNIST}
    status = mnist.status()
    assert not status.ready and status.missing_data == ("mnist",)
    assert "tt-milestones download mnist" in status.hint and "--data DIR" in status.hint
    pointed = mnist.status(tmp_path)
    assert f"tt-milestones download mnist --data {tmp_path}" in pointed.hint
    with pytest.raises(tt_milestones.MilestoneLocked, match="download mnist"):
        tt_milestones.run("mnist", data_root=tmp_path)
    write_idx(tmp_path)
    assert mnist.status(tmp_path).ready
    assert tt_milestones.get("cifar10").status(tmp_path).missing_data == ("cifar10",)


def test_data_needs_by_name_and_the_old_data_string():
    assert data_need("fashion-mnist") is FASHION_MNIST and data_need("cifar10") is CIFAR10
    with pytest.raises(LookupError, match="known: .*mnist"):
        data_need("imagenet")
    old = Milestone(name="old", year=2000, title="t", story="s", model="m", data="8 points")
    assert old.about_data == "8 points" and old.data == () and old.all_data() == ()
    need = DataNeed("demo", "Demo", source="not_a_module:Nothing", files=("a.bin",))
    assert not need.available() and need.dataset_class() is None
    assert need.hint() == "tt-milestones download demo, or --data DIR with a folder holding a.bin"


def test_shipped_data_milestones_need_no_download():
    for name in ("perceptron", "xor", "mlp", "cnn", "transformer", "shakespeare", "systems"):
        assert tt_milestones.get(name).all_data() == ()


# ----- the pipelines on synthetic files -----------------------------------------------------------
def test_mnist_pipeline_on_synthetic_idx_files(tmp_path):
    pytest.importorskip("tt_vision")
    write_idx(tmp_path)
    result = tt_milestones.run("mnist", seed=0, data_root=tmp_path, mlp_epochs=2,
                               lenet_epochs=2)
    names = [c.name for c in result.checks]
    assert names[:2] == ["LeNet-5 test accuracy", "MLP test accuracy"]
    assert "MLP: loss decreased" in names and "MLP: mean weight change" in names
    models = result.extras["models"]
    assert models["LeNet-5"]["parameters"] == 61706 and models["MLP"]["parameters"] == 235146
    assert models["LeNet-5"]["test_accuracy"] > 0.9 and models["MLP"]["test_accuracy"] > 0.9
    assert result.config["train_images"] == 600 and result.config["updates"] == 2 * 10


def test_cifar10_pipeline_on_synthetic_binary_files(tmp_path):
    pytest.importorskip("tt_vision")
    write_cifar(tmp_path)
    result = tt_milestones.run("cifar10", seed=0, data_root=tmp_path, epochs=2)
    assert [c.name for c in result.checks][0] == "test accuracy"
    assert result.params_with_grad == result.params_updated == result.total_params == 14
    assert result.config["train_images"] == 500 and result.config["updates"] == 2 * 8
    assert result.extras["parameters"] == 34_058
    assert len(result.accuracy_history) == 2


# ----- the real runs ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [by_name("mnist")])
def test_fashion_mnist_passes_its_bars(name):
    """The MNIST pipeline on the full Fashion-MNIST (Debian's dataset-fashion-mnist in CI)."""
    require(name, dataset="fashion-mnist")
    result = tt_milestones.run(name, seed=0, dataset="fashion-mnist")
    assert_learned(result)
    assert result.extras["models"]["LeNet-5"]["test_accuracy"] >= 0.88
    assert result.config["train_images"] == 60_000 and result.config["test_images"] == 10_000


@pytest.mark.parametrize("name", [by_name("mnist")])
def test_mnist_passes_its_bars(name):
    require(name)
    result = tt_milestones.run(name, seed=0)
    assert_learned(result)


@pytest.mark.parametrize("name", [by_name("cifar10", pytest.mark.slow)])
def test_cifar10_passes_its_bar(name):
    require(name)
    assert_learned(tt_milestones.run(name, seed=0))


@pytest.mark.parametrize("name", [by_name("shakespeare")])
def test_shakespeare_writes_corpus_words(name):
    require(name)
    result = tt_milestones.run(name, seed=0)
    assert_learned(result)
    assert result.extras["val_loss"] < 2.0 and result.extras["words_in_corpus"] >= 0.6
    assert len(result.extras["sample"]) == 500
    title, text = result.extras["printout"][0]
    assert text == result.extras["sample"] and "temperature" in title


@pytest.mark.parametrize("name", [by_name("systems")])
def test_systems_profile_quantize_prune_cache_accelerate(name):
    require(name)
    result = tt_milestones.run(name, seed=0)
    assert_learned(result)
    extras = result.extras
    assert abs(extras["profile"]["op_share"] - 1) <= 0.2
    assert extras["profile"]["backward_flops"] != 2 * extras["profile"]["forward_flops"]
    assert extras["profile"]["peak_bytes"] > 0
    assert {row["model"] for row in extras["quantize"]} == {"MLP", "CNN"}
    assert all(row["weight_bytes"][0] == 4 * row["weight_bytes"][1] for row in extras["quantize"])
    assert extras["prune"]["sparsity"] >= 0.5
    assert extras["cache"]["same_tokens"] and extras["cache"]["speedup"] >= 5
    assert extras["cache"]["past_max_len"]
    assert extras["accelerate"]["same"] and extras["accelerate"]["op_speedup"] > 1
    titles = [t for t, _ in extras["printout"]]
    assert titles[1:] == ["top ops", "by layer", "accelerate"]
