"""A learner's own pieces: scaffolded, filled in, checked, and trained — or refused.

The learner's packages are installed for the test only, into tmp_path (a .dist-info with
the entry points of the package's own pyproject.toml, and its source on PYTHONPATH), so
the hatch environment is never touched.
"""

import json
import shutil
import sys
from pathlib import Path

import pytest

import tt_milestones

sys.path.insert(0, str(Path(__file__).parent / "plugins"))
from learner import BUGS  # noqa: E402

LAYER_PLUGIN = Path(__file__).parent / "plugins" / "tt-my-conv"


@pytest.fixture
def cnn_ready():
    status = tt_milestones.get("cnn").status()
    if not status.ready:
        pytest.skip(f"locked: {status.hint}")


# ----- the path the issue asks for: scaffold -> implement -> check -> --use ----------------
def test_new_prints_the_one_line_that_installs_it(learner):
    _, package, printed = learner()
    assert f"pip install -e {package}" in printed or "pip install -e my-conv" in printed
    assert (package / "pyproject.toml").read_text().count('"my_conv.plugin"') == 2  # tt + tt.ops
    text = (package / "src" / "my_conv" / "ops.py").read_text()
    assert "class Conv2dOp(Function)" in text and "(N, C, H, W)" in text


def test_the_scaffold_before_filling_in_is_not_implemented(cli, tmp_path):
    import learner as session

    from tt_milestones.cli import main

    assert main(["new", "todo-conv", "--op", "conv2d", "--dir", str(tmp_path)]) == 0
    env = session.install(tmp_path / "todo-conv", tmp_path / "site")
    done = cli("check", "todo-conv", env=env)
    assert done.returncode == 1
    assert "NotImplementedError" in done.stdout and "conv2d forward" in done.stdout


@pytest.mark.milestone
@pytest.mark.cnn
def test_a_correct_conv2d_is_checked_and_trains_cnn_to_a_pass(cli, learner, tmp_path, cnn_ready):
    env, _, _ = learner()
    checked = cli("check", "my-conv", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "conv2d (my-conv): ok" in checked.stdout and "tt-vision's conv2d" in checked.stdout

    done = cli("run", "cnn", "--use", "conv2d=my-conv", "--json", str(tmp_path / "r.json"),
               env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "checked conv2d (my-conv): ok" in done.stdout
    result = json.loads((tmp_path / "r.json").read_text())[0]
    assert result["passed"] and result["accuracy"] > 0.8
    status = cli("status", env=env)
    assert "★ conv2d (my-conv)" in status.stdout


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_each_planted_bug_is_refused_before_training(cli, learner, bug):
    env, _, _ = learner(bug)
    done = cli("run", "cnn", "--use", "conv2d=my-conv", env=env)
    _, where, kind = BUGS[bug]
    assert done.returncode == 1, done.stdout + done.stderr
    assert "refusing to train" in done.stderr
    assert f"conv2d (my-conv): gradient of {where}" in done.stderr
    assert f"— {kind}:" in done.stderr, done.stderr
    assert "epoch" not in done.stdout and "parameters updated" not in done.stdout  # no training
    checked = cli("check", "my-conv", env=env)
    assert checked.returncode == 1 and f"— {kind}:" in checked.stdout


def test_the_diagnosis_names_a_wrong_swapped_in_op_first():
    """With --no-check a run goes ahead; its diagnosis then starts with the op's mismatch."""
    from tt_tensor import hookimpl, plugins

    from tt_milestones.diagnose import _swapped_ops

    reference = _builtin("ops", "conv2d")

    class FlippedConv2dOp(reference):
        @staticmethod
        def backward(ctx, grad):
            gx, gw, gb = reference.backward(ctx, grad)
            return gx, None if gw is None else -gw, gb

    class Plugin:
        @hookimpl
        def register_ops(self, register):
            register("conv2d", FlippedConv2dOp)

    with plugins.plugin(Plugin(), "flipped"):
        plugins.use("conv2d", "flipped")
        findings = _swapped_ops()
    assert findings and "conv2d (flipped)" in findings[0] and "sign" in findings[0]


# ----- --use picks a layer and the op it brings along ---------------------------------------
def _builtin(kind, name):
    from tt_tensor import plugins

    return next(e.obj for e in plugins.listing(kind) if e.name == name and
                e.provider == "tt-vision")


def test_use_on_a_layer_also_chooses_the_op_it_brings(cnn_ready):
    from tt_tensor import hookimpl, plugins

    from tt_milestones.cli import ambiguous_ops, apply_choices

    op, layer = _builtin("ops", "conv2d"), _builtin("layers", "Conv2d")

    class Pair:
        """Registers a Conv2d layer and a conv2d op, the pattern the plugin guide teaches."""

        @hookimpl
        def register_ops(self, register):
            register("conv2d", type("Conv2dOp", (op,), {}))

        @hookimpl
        def register_layers(self, register):
            register("Conv2d", type("Conv2d", (layer,), {}))

    with plugins.plugin(Pair(), "pair"):
        assert ambiguous_ops([tt_milestones.get("cnn")])  # before: conv2d would stop training
        chosen = apply_choices(["Conv2d=pair"])
        assert chosen["layers:Conv2d"] == "pair" and chosen["ops:conv2d"] == "pair"
        assert plugins.get("ops", "conv2d").__name__ == "Conv2dOp"
        assert not ambiguous_ops([tt_milestones.get("cnn")])


def test_an_ambiguous_op_is_reported_before_training_with_the_cli_fix(cli, learner):
    env, _, _ = learner()
    done = cli("run", "cnn", env=env)
    assert done.returncode == 2
    assert "op 'conv2d' is provided by both" in done.stderr
    assert "--use conv2d=my-conv" in done.stderr
    assert "Traceback" not in done.stderr and "epoch" not in done.stdout


# ----- a layer-only plugin (tests/plugins/tt-my-conv) ---------------------------------------
def install_layer_plugin(target: Path) -> None:
    shutil.copytree(LAYER_PLUGIN / "src" / "tt_my_conv", target / "tt_my_conv")
    info = target / "tt_my_conv-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tt-my-conv\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[tt]\ntt-my-conv = tt_my_conv.plugin\n")


@pytest.mark.milestone
@pytest.mark.cnn
def test_cli_runs_cnn_with_the_learners_conv2d_layer(cli, tmp_path, cnn_ready):
    install_layer_plugin(tmp_path / "site")
    env = {"PYTHONPATH": str(tmp_path / "site"), "TT_MY_CONV_LOG": str(tmp_path / "calls")}
    both = cli("run", "cnn", "--quiet", env=env)
    assert both.returncode == 2  # two Conv2d providers and none chosen: say so, do not guess
    assert "'tt-my-conv' and 'tt-vision'" in both.stderr
    assert "--use Conv2d=tt-vision or --use Conv2d=tt-my-conv" in both.stderr or \
        "--use Conv2d=tt-my-conv or --use Conv2d=tt-vision" in both.stderr, both.stderr

    done = cli("run", "cnn", "--use", "Conv2d=tt-my-conv", "--json", str(tmp_path / "r.json"),
               env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((tmp_path / "r.json").read_text())[0]
    assert result["passed"] and result["accuracy"] > 0.8
    calls = int((tmp_path / "calls").read_text())
    assert calls >= result["config"]["updates"]  # one forward per update, plus evaluations


@pytest.mark.milestone
@pytest.mark.cnn
def test_in_process_the_chosen_provider_is_the_one_that_trains(provide, cnn_ready):
    from tt_vision import Conv2d

    class CountingConv2d(Conv2d):
        calls = 0

        def forward(self, x):
            CountingConv2d.calls += 1
            return super().forward(x)

    with provide("Conv2d", CountingConv2d, "counting"):
        result = tt_milestones.run("cnn", seed=0)
    assert result.passed
    # one forward per update, one test evaluation per epoch, one for the final check
    assert CountingConv2d.calls == result.config["updates"] + result.config["epochs"] + 1


@pytest.mark.milestone
@pytest.mark.cnn
def test_no_check_trains_anyway_and_the_diagnosis_names_the_op_first(cli, learner, cnn_ready):
    env, _, _ = learner("flipped sign")
    done = cli("run", "cnn", "--use", "conv2d=my-conv", "--no-check", env=env)
    assert "refusing" not in done.stderr and "parameters updated" in done.stdout  # it trained
    assert done.returncode == 1, done.stdout + done.stderr
    findings = [line for line in done.stdout.splitlines() if line.strip().startswith("•")]
    assert findings[0].startswith("  • your op conv2d (my-conv): gradient of input 1 (weight)")
    assert "— sign:" in findings[0]


def test_new_with_a_layer_brings_its_op_and_use_chooses_both(tmp_path):
    import importlib

    from tt_tensor import plugins

    from tt_milestones.cli import apply_choices, main

    assert main(["new", "my-linear", "--layer", "Linear", "--dir", str(tmp_path)]) == 0
    package = tmp_path / "my-linear"
    pyproject = (package / "pyproject.toml").read_text()
    assert 'my-linear = "my_linear.plugin"' in pyproject and 'linear = "my_linear.plugin"' in pyproject
    assert "class LinearOp(Function)" in (package / "src" / "my_linear" / "ops.py").read_text()
    assert "LinearOp.apply(x, self.weight, self.bias)" in (
        package / "src" / "my_linear" / "layers.py").read_text()
    sys.path.insert(0, str(package / "src"))
    try:
        hooks = importlib.import_module("my_linear.plugin")
        with plugins.plugin(hooks, "my-linear"):
            chosen = apply_choices(["Linear=my-linear"])
            assert chosen["layers:Linear"] == "my-linear" and chosen["ops:linear"] == "my-linear"
            assert plugins.get("ops", "linear").__name__ == "LinearOp"
            assert plugins.get("layers", "Linear").__module__ == "my_linear.layers"
    finally:
        sys.path.remove(str(package / "src"))
        for name in [m for m in sys.modules if m.startswith("my_linear")]:
            del sys.modules[name]


@pytest.mark.install
def test_the_scaffold_builds_and_installs_with_pip(cli, learner, tmp_path):
    """What `new` prints (`pip install -e my-conv`) works: pip builds the package it wrote.

    pip installs into a folder (--target, no index, no dependencies), not the environment; a
    real wheel build proves the pyproject, and tt finds the installed copy by its entry points.
    """
    import subprocess

    pytest.importorskip("hatchling", reason="the scaffold's build backend")
    _, package, _ = learner()
    target = tmp_path / "installed"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                           "--no-index", "--no-build-isolation", "--target", str(target),
                           str(package)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    (entry_points,) = target.glob("my_conv-*.dist-info/entry_points.txt")
    text = entry_points.read_text()
    assert "[tt]\nmy-conv = my_conv.plugin" in text and "[tt.ops]\nconv2d = my_conv.plugin" in text
    checked = cli("check", "my-conv", env={"PYTHONPATH": str(target)})
    assert checked.returncode == 0, checked.stdout + checked.stderr
