"""Break the models on purpose: a failed run must say which check failed and why."""

import numpy as np
from tt_tensor import OPS, hookimpl, plugins
from tt_nn import Linear, Module

import tt_milestones


def failed(result):
    return {c.name for c in result.failed_checks}


def said(result, *words):
    text = " ".join(result.diagnosis)
    return all(w in text for w in words)


def test_learning_rate_too_high():
    result = tt_milestones.run("xor", seed=0, lr=1e3)
    assert not result.passed and "XOR accuracy" in failed(result)
    assert said(result, "learning rate is probably too high")


def test_learning_rate_zero():
    result = tt_milestones.run("xor", seed=0, lr=0.0)
    assert {"parameters updated", "loss decreased"} <= failed(result)
    assert result.params_updated == 0 and result.params_with_grad == result.total_params
    assert said(result, "never changed", "learning rate 0")
    assert said(result, "barely moved")


def test_exploding_gradients_and_dead_relus():
    import pytest

    if not tt_milestones.get("mlp").status().ready:
        pytest.skip(f"locked: {tt_milestones.get('mlp').status().hint}")
    result = tt_milestones.run("mlp", seed=0, lr=1e3)
    assert not result.passed
    assert said(result, "exploding gradients")
    assert said(result, "dead ReLUs")


class Provides:
    """A plugin that provides one layer under a name."""

    def __init__(self, name, cls):
        self.name, self.cls = name, cls

    @hookimpl
    def register_layers(self, register):
        register(self.name, self.cls)


class FrozenFirstLinear(Linear):
    """A learner's Linear that forgot to let its 2→4 layer learn."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__(in_features, out_features, bias)
        if in_features == 2:
            self.weight.requires_grad = False
            self.bias.requires_grad = False


def test_frozen_layer():
    with plugins.plugin(Provides("Linear", FrozenFirstLinear), "frozen"):
        plugins.use("Linear", "frozen")
        result = tt_milestones.run("xor", seed=0)
    assert "parameters with a gradient" in failed(result)
    assert result.params_with_grad == 2 and result.total_params == 4
    assert said(result, "frozen parameters", "0.weight", "0.bias")


class LogTanh(Module):
    """A broken Tanh: log of a number that can be negative gives NaN."""

    def forward(self, x):
        return OPS["log"].apply(x)


def test_nan_names_the_op_through_anomaly_mode():
    with plugins.plugin(Provides("Tanh", LogTanh), "broken"):
        plugins.use("Tanh", "broken")
        result = tt_milestones.run("xor", seed=0)
    assert "loss and gradients finite" in failed(result)
    assert said(result, "NaN", "epoch 1, step 0", "'log' produced NaN")
    assert np.isfinite(result.loss_history).all()  # the NaN epoch is not averaged in
