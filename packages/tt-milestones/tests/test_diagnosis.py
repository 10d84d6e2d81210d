"""Break the models on purpose: a failed run must say which check failed and why."""

import numpy as np
from tt_nn import Linear

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


class DetachedFirstLinear(Linear):
    """A learner's Linear whose 2→4 layer computes with plain arrays: no gradient flows back."""

    def forward(self, x):
        if self.in_features != 2:
            return super().forward(x)
        return x @ self.weight.detach().T + self.bias.detach()


def test_layer_that_gets_no_gradient(provide):
    with provide("Linear", DetachedFirstLinear, "detached"):
        result = tt_milestones.run("xor", seed=0)
    assert {"parameters with a gradient", "parameters updated"} <= failed(result)
    assert result.params_with_grad == 2 and result.total_params == 4
    # named by the layer, its class and who provided it, not only by the state-dict key
    assert said(result, "no gradient reached weight of layer 0, DetachedFirstLinear (detached) "
                        "[0.weight], bias of layer 0, DetachedFirstLinear (detached) [0.bias]")


def test_frozen_parameters_are_named():
    from tt_milestones.diagnose import diagnose
    from tt_milestones.training import TrainingRun

    run = TrainingRun(seed=0)
    model = run.watch(Linear(3, 2), name="head")
    model.weight.requires_grad = False
    assert any("frozen parameters (requires_grad=False): weight of Linear [head.weight]" in f
               for f in diagnose(run))


def test_nan_names_the_op_through_anomaly_mode(provide, log_tanh):
    with provide("Tanh", log_tanh, "broken"):
        result = tt_milestones.run("xor", seed=0)
    assert "loss and gradients finite" in failed(result)
    assert said(result, "NaN", "epoch 1, update 1", "'log' produced NaN")
    assert np.isfinite(result.loss_history).all()  # the NaN epoch is not averaged in
