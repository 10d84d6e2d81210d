"""int8 post-training quantization of weights: 4x smaller, values within half a step."""

import warnings

import numpy as np
import pytest
import tt_tensor as tt

import tt_nn as nn
from tt_nn import quantization as q


def test_per_tensor_round_trip_is_within_half_a_step():
    x = np.linspace(-1, 1, 101, dtype=np.float32)
    qt = q.quantize_per_tensor(x, scale=1 / 127, zero_point=0)
    assert qt.int_repr().dtype == np.int8 and qt.int_repr().max() == 127
    assert np.abs(qt.dequantize().data - x).max() <= 0.5 / 127 + 1e-7
    assert qt.q_scale == pytest.approx(1 / 127)


def test_per_channel_scales_keep_small_channels_precise():
    w = np.array([[100.0, -50.0, 1.0], [0.01, -0.02, 0.005]], dtype=np.float32)
    scales = q.symmetric_scales(w, axis=0)
    qt = q.quantize_per_channel(w, scales, np.zeros(2, np.int32), axis=0)
    back = qt.dequantize().data
    assert np.all(np.abs(back - w).max(axis=1) <= scales / 2 + 1e-6)  # each row: its own step
    assert np.count_nonzero(back[1]) == 3  # a per-tensor scale would round row 1 to zero
    with pytest.raises(ValueError, match="need 2 scales"):
        q.quantize_per_channel(w, scales[:1], np.zeros(1, np.int32), axis=0)


def test_quantize_dynamic_stores_int8_and_is_4x_smaller():
    tt.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    small = q.quantize_dynamic(model)
    assert small is not model and not q.is_quantized(model) and q.is_quantized(small)
    state = small.state_dict()
    assert state["0.weight_int8"].data.dtype == np.int8 and "0.weight" not in state
    weights = sum(model.state_dict()[k].data.nbytes for k in ("0.weight", "2.weight"))
    int8 = sum(state[k].data.nbytes for k in ("0.weight_int8", "2.weight_int8"))
    assert weights == 4 * int8
    assert q.model_bytes(small) < 0.28 * q.model_bytes(model)  # + float biases and scales
    assert [n for n, _ in small.named_parameters()] == ["0.bias", "2.bias"]
    x = tt.randn(16, 64)
    with tt.no_grad():
        a, b = model(x).data, small(x).data
    assert np.abs(a - b).max() < 0.02 * np.abs(a).max()
    back = q.dequantize_model(small)
    with tt.no_grad():
        assert np.allclose(back(x).data, b, atol=1e-6)


def test_only_the_chosen_layers_and_not_pruned_ones():
    model = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    small = q.quantize_dynamic(model, {"Linear"})
    assert "1.weight" in small.state_dict()  # LayerNorm's 1-D weight stays float
    from tt_nn import prune

    prune.l1_unstructured(model[0], "weight", 0.5)
    with pytest.raises(ValueError, match="prune.remove"):
        q.quantize_dynamic(model)
    with pytest.raises(ValueError, match="qint8"):
        q.quantize_dynamic(model, dtype="float16")


def test_same_int8_values_as_torch():
    torch = pytest.importorskip("torch")
    w = np.random.default_rng(1).normal(size=(6, 5)).astype(np.float32)
    scales = q.symmetric_scales(w, axis=0)
    ours = q.quantize_per_channel(w, scales, np.zeros(6, np.int32), axis=0).int_repr()
    with warnings.catch_warnings():  # torch 2.13 deprecates its quantized tensors
        warnings.simplefilter("ignore")
        theirs = torch.quantize_per_channel(
            torch.from_numpy(w), torch.from_numpy(scales.astype(np.float64)),
            torch.zeros(6, dtype=torch.int64), 0, torch.qint8).int_repr().numpy()
        one = torch.quantize_per_tensor(torch.from_numpy(w), 0.01, 3, torch.qint8)
    assert np.array_equal(ours, theirs)
    assert np.array_equal(q.quantize_per_tensor(w, 0.01, 3).int_repr(), one.int_repr().numpy())
