"""Magnitude pruning: the smallest weights are zeroed and stay zero while training."""

import numpy as np
import pytest
import tt_tensor as tt

import tt_nn as nn
from tt_nn import prune
from tt_nn.optim import Adam


def test_l1_unstructured_zeroes_the_smallest():
    layer = nn.Linear(4, 2)
    layer.weight.data[...] = np.array([[1, -2, 3, -4], [0.5, 6, -7, 8]], np.float32)
    prune.l1_unstructured(layer, "weight", amount=0.25)
    assert [n for n, _ in layer.named_parameters()] == ["bias", "weight_orig"]
    assert layer.weight_mask.data.tolist() == [[0, 1, 1, 1], [0, 1, 1, 1]]
    assert layer.weight.data[:, 0].tolist() == [0, 0]
    assert prune.sparsity(layer) == 0.25 and prune.is_pruned(layer)


def test_pruned_weights_stay_zero_while_fine_tuning_and_the_optimizer_keeps_working():
    tt.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
    opt = Adam(model.parameters(), lr=1e-2)  # built before pruning: same Parameter objects
    prune.global_unstructured([(model[0], "weight"), (model[2], "weight")], amount=0.6)
    assert prune.sparsity(model) == pytest.approx(0.6, abs=1 / 144)
    x, y = tt.randn(32, 8), tt.randn(32, 1)
    before = model[0].weight_orig.data.copy()
    for _ in range(20):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
    mask = model[0].weight_mask.data
    assert np.all(model[0].weight_orig.grad.data[mask == 0] == 0)  # no gradient where pruned
    assert not np.array_equal(before[mask == 1], model[0].weight_orig.data[mask == 1])
    with tt.no_grad():
        model(x)
    assert np.all(model[0].weight.data[mask == 0] == 0)
    prune.remove(model[0], "weight")
    assert isinstance(model[0].weight, nn.Parameter) and "weight_mask" not in model[0].state_dict()
    assert np.all(model[0].weight.data[mask == 0] == 0)
    assert not prune.is_pruned(model[0]) and prune.is_pruned(model)


def test_pruning_twice_combines_the_masks_and_errors_are_clear():
    layer = nn.Linear(10, 10)
    prune.l1_unstructured(layer, amount=0.5)
    prune.l1_unstructured(layer, amount=0.5)  # half of what is left... and the zeros again
    assert prune.sparsity(layer) >= 0.5
    with pytest.raises(ValueError, match="fraction in"):
        prune.l1_unstructured(layer, amount=1.5)
    with pytest.raises(ValueError, match="no parameter 'kernel'"):
        prune.l1_unstructured(layer, "kernel", 0.1)
    with pytest.raises(ValueError, match="is not pruned"):
        prune.remove(nn.Linear(2, 2), "weight")


def test_same_masks_as_torch():
    torch = pytest.importorskip("torch")
    import torch.nn.utils.prune  # noqa: F401  (a submodule torch does not import by itself)

    w = np.random.default_rng(2).normal(size=(7, 9)).astype(np.float32)
    ours = nn.Linear(9, 7)
    ours.weight.data[...] = w
    theirs = torch.nn.Linear(9, 7)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(w))
    prune.l1_unstructured(ours, "weight", amount=0.4)
    torch.nn.utils.prune.l1_unstructured(theirs, "weight", amount=0.4)
    assert np.array_equal(ours.weight_mask.data, theirs.weight_mask.numpy())
    # One threshold across two layers (the same weights in both libraries).
    v = np.random.default_rng(3).normal(size=(4, 7)).astype(np.float32) * 0.5
    pairs = []
    for values in (w, v):
        mine, torchs = nn.Linear(values.shape[1], values.shape[0]), torch.nn.Linear(
            values.shape[1], values.shape[0])
        mine.weight.data[...] = values
        with torch.no_grad():
            torchs.weight.copy_(torch.from_numpy(values))
        pairs.append((mine, torchs))
    prune.global_unstructured([(m, "weight") for m, _ in pairs], amount=30)
    torch.nn.utils.prune.global_unstructured(
        [(t, "weight") for _, t in pairs], pruning_method=torch.nn.utils.prune.L1Unstructured,
        amount=30)
    for mine, torchs in pairs:
        assert np.array_equal(mine.weight_mask.data, torchs.weight_mask.numpy())
