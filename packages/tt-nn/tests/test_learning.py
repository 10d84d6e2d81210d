"""Learning smoke tests: the pieces together actually learn, with PyTorch's training loop."""

import textwrap

import numpy as np
import pytest
import tt_nn as nn
import tt_tensor as tt


def test_linear_model_fits_a_line():
    tt.manual_seed(0)
    x = tt.rand(100, 1) * 4 - 2
    y = 3 * x - 1 + tt.randn(100, 1) * 0.01
    model = nn.Linear(1, 1)
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(200):
        loss = nn.MSELoss()(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 1e-3
    assert model.weight.item() == pytest.approx(3.0, abs=0.01)
    assert model.bias.item() == pytest.approx(-1.0, abs=0.01)


def test_two_layer_network_fits_xor():
    tt.manual_seed(0)
    x = tt.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = tt.tensor([[0.0], [1.0], [1.0], [0.0]])
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = nn.optim.Adam(model.parameters(), lr=0.05)
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(500):
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.02
    np.testing.assert_array_equal((model(x).data > 0).astype(float), y.data)


# The usual PyTorch training loop, written once; only the imports differ between the runs.
TRAINING_LOOP = textwrap.dedent("""
    torch.manual_seed(0)
    inputs = torch.tensor(DATA_X)
    labels = torch.tensor(DATA_Y)
    loader = DataLoader(TensorDataset(inputs, labels), batch_size=16, shuffle=True)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.02)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
    for epoch in range(30):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        scheduler.step()
    model.eval()
    accuracy = (model(inputs).argmax(1) == labels).float().mean().item()
""")

TT_IMPORTS = """
import tt_tensor as torch
import tt_nn as nn
from tt_nn import optim
from tt_nn.data import DataLoader, TensorDataset
"""

TORCH_IMPORTS = """
import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset
"""


def _three_blobs():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    labels = rng.integers(0, 3, size=120)
    points = centres[labels] + rng.normal(scale=0.5, size=(120, 2))
    return points.astype(np.float32), labels


def _run(imports):
    x, y = _three_blobs()
    namespace = {"DATA_X": x, "DATA_Y": y}
    exec(imports + TRAINING_LOOP, namespace)  # noqa: S102 - our own fixed source text
    return namespace["accuracy"]


def test_the_pytorch_training_loop_runs_with_only_the_imports_changed():
    assert _run(TT_IMPORTS) > 0.95


def test_the_same_loop_in_pytorch_reaches_the_same_accuracy(torch):
    assert abs(_run(TT_IMPORTS) - _run(TORCH_IMPORTS)) < 0.03
