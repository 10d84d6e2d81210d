"""save/load: .npz without pickle, round trip, and clear errors for files that are not ours."""

import numpy as np
import pytest
import tt_nn as nn
import tt_tensor as tt


def test_save_and_load_round_trip(tmp_path):
    tt.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    path = nn.save(model, tmp_path / "model")
    assert path.endswith("model.npz")
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
