"""Milestones come from the registry: built-ins and third-party ones alike; ready or locked."""

import numpy as np
import pytest
from tt_tensor import hookimpl, plugins

import tt_milestones
from tt_milestones import Milestone


def test_builtins_are_registered_through_the_hook():
    entries = {e.name: e.provider for e in plugins.listing("milestones")}
    assert {n: entries.get(n) for n in ("perceptron", "xor", "mlp", "cnn", "transformer")} == \
        dict.fromkeys(("perceptron", "xor", "mlp", "cnn", "transformer"), "tt-milestones")
    years = [m.year for m in tt_milestones.registered()]
    assert years == sorted(years)


class ThirdParty:
    """A plugin providing one milestone, as an outside package would."""

    def __init__(self, milestone):
        self.milestone = milestone

    @hookimpl
    def register_milestones(self, register):
        register(self.milestone.name, self.milestone)


def tiny_train(run, lr=0.5):
    import tt_tensor as tt

    Linear = plugins.get("layers", "Linear")
    model = run.watch(Linear(1, 1))
    opt = plugins.get("optimizers", "SGD")(model.parameters(), lr=lr)
    x = tt.tensor(np.linspace(-1, 1, 8, dtype=np.float32)[:, None])
    y = x * 3.0 + 1.0

    def step(x, y):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    for _ in run.epochs(50):
        run.step(step, x, y)
        run.evaluate(1.0)
    w = float(model.weight.data.ravel()[0])
    run.check("slope", w, "≈ 3", abs(w - 3) < 0.1)


def line_milestone(**changes):
    fields = dict(name="line", year=1805, title="Least squares", story="Legendre's line.",
                  model="Linear(1,1)", data="8 points", packages=("tt-nn",),
                  needs={"layers": ("Linear",), "optimizers": ("SGD",)}, train=tiny_train)
    return Milestone(**{**fields, **changes})


def test_a_third_party_milestone_is_listed_and_runs():
    with plugins.plugin(ThirdParty(line_milestone()), "tt-line"):
        assert "line" in [m.name for m in tt_milestones.registered()]
        result = tt_milestones.run("line", seed=0)
        assert result.passed, result.checks
        assert [c.name for c in result.checks][0] == "slope"
        assert result.total_params == 2 and result.config["updates"] == 50
    assert "line" not in [m.name for m in tt_milestones.registered()]


def test_missing_package_locks_with_the_pip_line():
    locked = line_milestone(packages=("tt-nn", "tt-not-a-real-package"))
    status = locked.status()
    assert not status.ready and status.label == "locked"
    assert status.missing_packages == ("tt-not-a-real-package",)
    assert "pip install tt-not-a-real-package" in status.hint
    with plugins.plugin(ThirdParty(locked), "tt-line"):
        with pytest.raises(tt_milestones.MilestoneLocked, match="pip install tt-not-a-real"):
            tt_milestones.run("line")


def test_missing_registered_name_locks():
    status = line_milestone(needs={"layers": ("Linear", "QuantumLayer")}).status()
    assert not status.ready
    assert status.missing_names == ("layers:QuantumLayer",)
    assert "layers:QuantumLayer" in status.hint and "pip install tt-nn" in status.hint


def test_unknown_milestone_names_the_known_ones():
    with pytest.raises(tt_milestones.MilestoneError, match="known: .*perceptron"):
        tt_milestones.run("alexnet")


def test_training_is_deterministic_for_a_seed():
    a, b = tt_milestones.run("xor", seed=3), tt_milestones.run("xor", seed=3)
    c = tt_milestones.run("xor", seed=4)
    assert a.loss_history == b.loss_history
    assert a.loss_history != c.loss_history


def test_result_holds_everything_as_json_ready_data():
    import json

    result = tt_milestones.run("perceptron", seed=0)
    data = json.loads(json.dumps(result.to_dict()))
    for key in ("passed", "accuracy", "loss_decrease", "params_with_grad", "params_updated",
                "total_params", "seconds", "loss_history", "accuracy_history", "checks",
                "diagnosis", "systems", "config"):
        assert key in data
    assert data["checks"][0] == {"name": "AND accuracy", "value": 1.0, "bar": "≥ 90%",
                                 "passed": True, "shown": "100.0%"}
    assert len(data["loss_history"]) == len(data["accuracy_history"]) == 300


def test_the_mlp_digits_are_the_very_same_file_as_tinydigits():
    """The MLP's own copy of the digits must stay byte-identical to tt-vision's TinyDigits."""
    import hashlib
    from importlib import resources

    from tt_milestones.milestones._digits import DIGITS_SHA256, shipped_digits

    copy = resources.files("tt_milestones") / "data" / "digits.npz"
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == DIGITS_SHA256
    vision = pytest.importorskip("tt_vision.datasets.tinydigits",
                                 reason="tt-vision is not installed: nothing to compare with")
    assert vision.TINYDIGITS_SHA256 == DIGITS_SHA256
    train_x, train_y, test_x, test_y = shipped_digits()
    assert train_x.shape == (1000, 1, 8, 8) and test_y.shape == (200,)
