"""The `tt-milestones` command, run as a user would: in a fresh process."""

import json

import pytest

import tt_milestones


def test_list_shows_every_milestone_with_its_year_and_status(cli):
    done = cli("list")
    assert done.returncode == 0, done.stderr
    for m in tt_milestones.registered():
        assert m.name in done.stdout and str(m.year) in done.stdout
    assert "ready" in done.stdout


def test_importing_pulls_in_nothing_heavy():
    import subprocess
    import sys

    code = ("import sys, tt_milestones; heavy = {'rich', 'matplotlib', 'torch'} & set(sys.modules);"
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_run_passes_writes_json_and_exits_0(cli, tmp_path):
    done = cli("run", "perceptron", "xor", "--json", str(tmp_path / "out.json"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "AND accuracy" in done.stdout and "parameters updated" in done.stdout
    assert "side by side" in done.stdout and "FLOPs / step" in done.stdout
    data = json.loads((tmp_path / "out.json").read_text())
    assert [r["name"] for r in data] == ["perceptron", "xor"]
    assert all(r["passed"] and r["systems"]["step_flops"] > 0 for r in data)


def test_seeds_report_the_pass_rate(cli):
    done = cli("run", "xor", "--seeds", "3", "--seed", "5", "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "xor seed 7: passed" in done.stdout
    assert "3/3 (100%)" in done.stdout


def test_a_failed_verification_exits_1_with_the_diagnosis(capsys, provide, log_tanh):
    from tt_milestones.cli import main

    with provide("Tanh", log_tanh, "broken"):
        status = main(["run", "xor", "--use", "Tanh=broken"])
    out = capsys.readouterr().out
    assert status == 1
    assert "FAILED" in out and "loss and gradients finite" in out
    assert "'log' produced NaN" in out


def test_an_unknown_provider_is_a_usage_error(cli):
    done = cli("run", "xor", "--use", "Tanh=nobody")
    assert done.returncode == 2
    assert "'nobody' does not provide 'Tanh'" in done.stdout


@pytest.mark.parametrize("args, message", [
    (["run"], "give milestone names or --all"),
    (["run", "alexnet"], "no milestone named 'alexnet'"),
    (["run", "xor", "--seeds", "0"], "--seeds must be at least 1"),
    (["run", "xor", "--use", "Tanh"], "--use expects NAME=PROVIDER"),
])
def test_usage_errors_exit_2(cli, args, message):
    done = cli(*args)
    assert done.returncode == 2
    assert message in done.stdout


def test_blocked_package_locks_its_milestones_and_leaves_the_others(cli):
    env = {"TT_BLOCK_PLUGINS": "tt-vision"}
    listed = cli("list", env=env)
    assert listed.returncode == 0
    line = next(l for l in listed.stdout.splitlines() if " cnn " in l)
    assert "locked" in line
    done = cli("run", "cnn", env=env)
    assert done.returncode == 2
    assert "pip install tt-nn tt-vision" in done.stdout
    for name in ("perceptron", "xor", "mlp", "transformer"):
        assert "ready" in next(l for l in listed.stdout.splitlines() if f" {name} " in l)
    everything = cli("run", "--all", "--quiet", env=env)
    assert everything.returncode == 0, everything.stdout
    assert "locked" in everything.stdout
    assert "xor seed 0: passed" in everything.stdout and "mlp seed 0: passed" in everything.stdout


def test_plot_writes_pngs(cli, tmp_path):
    pytest.importorskip("matplotlib", reason="--plot needs matplotlib (the [plot] extra)")
    done = cli("run", "xor", "--plot", str(tmp_path), "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    png = (tmp_path / "xor_seed0_curves.png").read_bytes()
    assert png.startswith(b"\x89PNG")


def test_plot_without_matplotlib_is_a_clear_usage_error(cli, tmp_path):
    # A stand-in `matplotlib` that fails to import shows what happens when it is missing.
    fake = tmp_path / "fake"
    (fake / "matplotlib").mkdir(parents=True)
    (fake / "matplotlib" / "__init__.py").write_text("raise ImportError('no matplotlib')")
    done = cli("run", "xor", "--plot", str(tmp_path / "plots"),
               env={"PYTHONPATH": str(fake)})
    assert done.returncode == 2
    assert "pip install" in done.stdout and "matplotlib" in done.stdout
