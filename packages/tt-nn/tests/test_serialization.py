"""save/load: .npz without pickle, round trip, and clear errors for files that are not ours."""

import numpy as np
import pytest
import tt_nn as nn
import tt_tensor as tt


def test_save_and_load_round_trip(tmp_path):
    tt.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    path = nn.save(model, tmp_path / "model")
    state = nn.load(path)
    assert list(state) == list(model.state_dict())
    tt.manual_seed(1)
    other = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    other.load_state_dict(state)
    x = tt.randn(5, 3)
    np.testing.assert_array_equal(other(x).data, model(x).data)


def test_load_refuses_pickles_and_foreign_files(tmp_path):
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, evil=np.array([object()], dtype=object), __tt_nn_format__=np.array("tt-nn state dict v1"))
    with pytest.raises(ValueError, match="pickled objects"):
        nn.load(pickled)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, weight=np.ones(2))
    with pytest.raises(ValueError, match="was not written by tt_nn.save"):
        nn.load(foreign)
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a readable .npz file"):
        nn.load(text)
    with pytest.raises(FileNotFoundError, match="no file at"):
        nn.load(tmp_path / "missing.npz")


def test_save_writes_exactly_the_path_given(tmp_path):
    # Issue 12, item 24: save(m, "ckpt") wrote ckpt.npz and load("ckpt") found nothing.
    model = nn.Linear(2, 3)
    nn.save(model, tmp_path / "ckpt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]
    np.testing.assert_array_equal(nn.load(tmp_path / "ckpt")["weight"], model.weight.data)
    nn.save(model, str(tmp_path / "weights.pt"))
    assert (tmp_path / "weights.pt").exists() and not (tmp_path / "weights.pt.npz").exists()


def test_save_to_a_file_object(tmp_path):
    import io

    buffer = io.BytesIO()
    nn.save({"w": np.arange(3.0)}, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(nn.load(buffer)["w"], [0.0, 1.0, 2.0])


def test_keys_named_like_numpys_arguments_are_kept(tmp_path):
    # Issue 12, item 13: a key named allow_pickle was passed to np.savez as its keyword.
    state = {"allow_pickle": np.ones(2), "file": np.zeros(1), "args": np.full(3, 2.0),
             "a.b.weight": np.eye(2, dtype=np.float32)}
    nn.save(state, tmp_path / "odd")
    loaded = nn.load(tmp_path / "odd")
    assert list(loaded) == list(state)
    for key, value in state.items():
        np.testing.assert_array_equal(loaded[key], value)
        assert loaded[key].dtype == value.dtype


def test_damaged_checkpoints_and_directories_name_the_path(tmp_path):
    # Issue 12, item 22: zipfile's own errors (or IsADirectoryError) without the path.
    nn.save(nn.Linear(20, 20), tmp_path / "good")
    data = (tmp_path / "good").read_bytes()
    truncated = tmp_path / "truncated.ckpt"
    truncated.write_bytes(data[:len(data) // 2])
    with pytest.raises(nn.serialization.CheckpointError, match="truncated.ckpt"):
        nn.load(truncated)
    flipped = bytearray(data)
    middle = len(flipped) // 2
    flipped[middle:middle + 64] = bytes(64)  # zeroed bytes inside an entry: a CRC mismatch
    corrupted = tmp_path / "corrupted.ckpt"
    corrupted.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="corrupted.ckpt"):
        nn.load(corrupted)
    unsupported = bytearray(data)
    central = data.index(b"PK\x01\x02")  # the first central-directory record
    unsupported[central + 10:central + 12] = (99).to_bytes(2, "little")  # unknown compression
    odd = tmp_path / "method.ckpt"
    odd.write_bytes(bytes(unsupported))
    with pytest.raises(ValueError, match="method.ckpt"):
        nn.load(odd)
    with pytest.raises(ValueError, match=r"is a directory"):
        nn.load(tmp_path)


def test_a_checkpoint_with_model_optimizer_and_config_round_trips(tmp_path):
    # nanoGPT's checkpoint: state dicts of model and optimizer, a config dict, ints and floats.
    tt.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = nn.optim.AdamW([{"params": model[0].parameters(), "weight_decay": 0.1},
                          {"params": model[2].parameters(), "weight_decay": 0.0}], lr=0.01)
    x, y = tt.randn(8, 3), tt.tensor(np.arange(8) % 2)
    for _ in range(3):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    checkpoint = {"model": model.state_dict(), "optimizer": opt.state_dict(),
                  "model_args": {"n_layer": 2, "dropout": 0.0, "bias": True, "name": "tiny",
                                 "sizes": (3, 4, 2), "extra": None},
                  "iter_num": 3, "best_val_loss": float("inf"), "history": [1.5, np.float64(0.5)]}
    nn.save(checkpoint, tmp_path / "ckpt.pt")
    loaded = nn.load(tmp_path / "ckpt.pt")
    assert loaded["iter_num"] == 3 and isinstance(loaded["iter_num"], int)
    assert loaded["best_val_loss"] == float("inf") and loaded["history"] == [1.5, 0.5]
    assert loaded["model_args"] == checkpoint["model_args"]  # the tuple stays a tuple
    assert list(loaded["model"]) == list(checkpoint["model"])
    assert isinstance(loaded["model"]["0.weight"], tt.Tensor)
    assert set(loaded["optimizer"]["state"]) == {0, 1, 2, 3}  # int keys stay ints

    tt.manual_seed(1)
    resumed = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    resumed.load_state_dict(loaded["model"])
    opt2 = nn.optim.AdamW([{"params": resumed[0].parameters(), "weight_decay": 0.1},
                           {"params": resumed[2].parameters(), "weight_decay": 0.0}], lr=0.01)
    opt2.load_state_dict(loaded["optimizer"])
    for m, o in ((model, opt), (resumed, opt2)):
        o.zero_grad()
        nn.functional.cross_entropy(m(x), y).backward()
        o.step()
    for a, b in zip(model.parameters(), resumed.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_a_checkpoint_refuses_what_it_cannot_store_without_pickle(tmp_path):
    with pytest.raises(TypeError, match=r"save: the checkpoint\['fn'\] is a function"):
        nn.save({"fn": lambda: 0, "w": np.ones(2)}, tmp_path / "bad")
    with pytest.raises(TypeError, match="expected a Module, a state dict or a checkpoint"):
        nn.save(42, tmp_path / "bad")
