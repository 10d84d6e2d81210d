"""A learner's own layer, from their own plugin package, trains the CNN milestone.

tests/plugins/tt-my-conv is such a package (pyproject with an entry point in group "tt").
It is installed for the test only, into tmp_path, by writing its .dist-info (metadata and
entry_points.txt) beside a copy of its code — the hatch environment is not touched.
"""

import json
import shutil
from pathlib import Path

import pytest

import tt_milestones

PLUGIN = Path(__file__).parent / "plugins" / "tt-my-conv"


def install_into(target: Path) -> None:
    shutil.copytree(PLUGIN / "src" / "tt_my_conv", target / "tt_my_conv")
    info = target / "tt_my_conv-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tt-my-conv\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[tt]\ntt-my-conv = tt_my_conv.plugin\n")


@pytest.fixture
def cnn_ready():
    status = tt_milestones.get("cnn").status()
    if not status.ready:
        pytest.skip(f"locked: {status.hint}")


@pytest.mark.milestone
@pytest.mark.cnn
def test_cli_runs_cnn_with_the_learners_conv2d(cli, tmp_path, cnn_ready):
    install_into(tmp_path / "site")
    env = {"PYTHONPATH": str(tmp_path / "site"), "TT_MY_CONV_LOG": str(tmp_path / "calls")}
    both = cli("run", "cnn", "--quiet", env=env)
    assert both.returncode == 2  # two Conv2d providers and none chosen: say so, do not guess
    assert "'tt-my-conv' and 'tt-vision'" in both.stdout
    assert "--use Conv2d=PROVIDER" in both.stdout

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
