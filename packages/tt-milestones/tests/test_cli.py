"""The `tt-milestones` command, run as a user would: in a fresh process."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

import tt_milestones


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got {len(lines)}:\n{text}"
    return lines[0]


def test_list_shows_every_milestone_with_its_year_and_status(cli):
    done = cli("list")
    assert done.returncode == 0, done.stderr
    for m in tt_milestones.registered():
        assert m.name in done.stdout and str(m.year) in done.stdout
    assert "ready" in done.stdout and "data" in done.stdout


def test_importing_pulls_in_nothing_heavy():
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


def test_an_unknown_provider_is_a_usage_error_on_stderr(cli):
    done = cli("run", "xor", "--use", "Tanh=nobody")
    assert done.returncode == 2
    assert "'nobody' does not provide 'Tanh'" in one_line(done.stderr)
    assert done.stdout == ""


@pytest.mark.parametrize("args, message", [
    (["run"], "give milestone names or --all"),
    (["run", "alexnet"], "no milestone named 'alexnet'"),
    (["run", "xor", "--seeds", "0"], "--seeds: must be between 1 and"),
    (["run", "xor", "--seed", "-1"], "--seed: must be between 0 and"),
    (["run", "xor", "--seed", "x"], "--seed: expected a whole number"),
    (["run", "xor", "--seed", str(2**32)], "--seed: must be between 0 and"),
    (["run", "xor", "--use", "Tanh"], "--use expects NAME=PROVIDER"),
    (["run", "xor", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["run", "xor", "--data", "/no/such/folder"], "--data /no/such/folder: no such folder"),
    (["check", "nobody"], "no plugin named 'nobody'"),
    (["new", "bad name", "--op", "conv2d"], "is not a usable package name"),
    (["new", "my-thing"], "say what to build"),
    (["download"], "give data names"),
    (["download", "no-such-data"], "no data called 'no-such-data'"),
    (["nonsense"], "invalid choice: 'nonsense'"),
])
def test_usage_errors_exit_2_with_one_line_on_stderr(cli, args, message):
    done = cli(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in one_line(done.stderr)
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_output_paths_are_checked_before_training(cli, tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    for option, path in (("--json", a_file / "out.json"), ("--json", tmp_path),
                         ("--plot", a_file), ("--plot", a_file / "plots")):
        start = time.perf_counter()
        done = cli("run", "xor", option, str(path))
        assert done.returncode == 2, (option, path, done.stdout, done.stderr)
        assert str(path) in one_line(done.stderr)
        assert done.stdout == ""  # nothing trained
        assert time.perf_counter() - start < 30


def test_help_lists_the_exit_codes_and_version_prints(cli):
    done = cli("--help")
    assert done.returncode == 0
    assert "exit status:" in done.stdout and "130" in done.stdout
    run_help = cli("run", "--help")
    assert "exit status:" in run_help.stdout and "--no-check" in run_help.stdout
    version = cli("--version")
    assert version.returncode == 0
    assert version.stdout.startswith(f"tt-milestones {tt_milestones.__version__}")


def test_piped_output_shows_plain_progress_lines(cli):
    done = cli("run", "xor")
    assert done.returncode == 0, done.stderr
    assert "xor seed 0: epoch 1/" in done.stdout
    assert "\x1b[" not in done.stdout  # no terminal control codes in a pipe


def test_results_print_as_each_finishes_and_ctrl_c_keeps_them(tmp_path):
    """Interrupt during the second milestone: one line, exit 130, the first kept in --json."""
    if not tt_milestones.get("mlp").status().ready:
        pytest.skip("mlp is locked here")
    out = tmp_path / "partial.json"
    process = subprocess.Popen([sys.executable, "-m", "tt_milestones", "run", "perceptron",
                                "mlp", "--quiet", "--json", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "TT_STATE_DIR": str(tmp_path / "state")})
    first = process.stdout.readline()  # printed while mlp still trains
    assert first.startswith("perceptron seed 0: passed"), first
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stdout + stderr
    assert "interrupted" in one_line(stderr) and "Traceback" not in stderr
    assert [r["name"] for r in json.loads(out.read_text())] == ["perceptron"]


def test_status_shows_what_passed_with_whose_pieces(cli, tmp_path):
    env = {"TT_STATE_DIR": str(tmp_path / "state")}
    before = cli("status", env=env)
    assert before.returncode == 0 and "0 of" in before.stdout
    assert cli("run", "xor", "--quiet", env=env).returncode == 0
    after = cli("status", env=env)
    line = next(line for line in after.stdout.splitlines() if " xor " in line)
    assert "passed" in line
    recorded = json.loads((tmp_path / "state" / "milestones.json").read_text())
    assert recorded["milestones"]["xor"]["providers"]["layers:Linear"] == "tt-nn"
    assert cli("status", "--reset", env=env).returncode == 0
    assert not (tmp_path / "state" / "milestones.json").exists()


def test_blocked_package_locks_its_milestones_and_leaves_the_others(cli):
    env = {"TT_BLOCK_PLUGINS": "tt-vision", "COLUMNS": "80"}
    listed = cli("list", env=env)
    assert listed.returncode == 0
    line = next(l for l in listed.stdout.splitlines() if " cnn " in l)
    # locked, and the unlock hint on the same line: it copies whole, however narrow the terminal
    assert "locked" in line and "pip install tt-nn tt-vision" in line
    done = cli("run", "cnn", env=env)
    assert done.returncode == 2
    assert "pip install tt-nn tt-vision" in one_line(done.stderr)
    for name in ("perceptron", "xor", "mlp"):
        assert "ready" in next(l for l in listed.stdout.splitlines() if f" {name} " in l)
    # --all runs what is ready and only lists the rest (tt-text blocked too, to stay quick)
    everything = cli("run", "--all", "--quiet", env={"TT_BLOCK_PLUGINS": "tt-vision,tt-text"})
    assert "locked" in everything.stdout
    assert "xor seed 0: passed" in everything.stdout and "mlp seed 0: passed" in everything.stdout


def test_hints_from_a_clone_give_the_clone_command(monkeypatch):
    from tt_tensor import plugins

    from tt_milestones.cli import clone_hint

    monkeypatch.setattr(plugins, "from_clone", lambda: True)
    assert clone_hint("cnn needs tt-vision: pip install tt-nn tt-vision") == (
        "cnn needs tt-vision: pip install tt-nn tt-vision (from a clone: pip install "
        "-e packages/tt-nn -e packages/tt-vision)")
    monkeypatch.setattr(plugins, "from_clone", lambda: False)
    assert clone_hint("pip install tt-text") == "pip install tt-text"


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
    # the extra's brackets survive (not eaten as console markup)
    assert 'pip install "tt-milestones[plot]"' in one_line(done.stderr)


# ----- data (issue 14): download, --data, data status in list ---------------------------------
def _milestone_with_data():
    for m in tt_milestones.registered():
        if getattr(m, "all_data", None) and m.all_data():
            return m
    pytest.skip("no registered milestone needs data files")


def test_run_never_downloads_and_names_the_command_that_does(cli, tmp_path):
    m = _milestone_with_data()
    empty = tmp_path / "empty"
    empty.mkdir()
    done = cli("run", m.name, "--data", str(empty), env={"TT_DATA": str(tmp_path / "cache")})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "tt-milestones download" in one_line(done.stderr) or "--data" in done.stderr
    assert not (tmp_path / "cache").exists()  # nothing was fetched


def test_list_shows_data_status(cli, tmp_path):
    m = _milestone_with_data()
    done = cli("list", env={"TT_DATA": str(tmp_path / "cache")})
    line = next(l for l in done.stdout.splitlines() if f" {m.name} " in l)
    assert "missing" in line or "✓" in line
    from tt_milestones.milestone import data_need

    try:
        need = data_need("mnist")
    except LookupError:
        pytest.skip("no mnist data need registered")
    folder = tmp_path / "files"
    folder.mkdir()
    for name in need.files:
        (folder / name).write_bytes(b"")
    here = cli("download", need.name, "--data", str(folder))
    assert here.returncode == 0 and "already present" in here.stdout


def test_download_fetches_only_when_asked_and_then_the_milestone_unlocks(tmp_path, capsys,
                                                                         monkeypatch):
    """A plugin milestone whose data a (local, fake) dataset class fetches: list, run, download."""
    from tt_tensor import hookimpl, plugins

    from tt_milestones import Milestone
    from tt_milestones.cli import main
    from tt_milestones.milestone import DataNeed

    (tmp_path / "fake_data.py").write_text(
        "from pathlib import Path\n"
        "fetched = []\n"
        "class FakeSet:\n"
        "    @classmethod\n"
        "    def available(cls, root=None):\n"
        "        return root is not None and (Path(root) / 'a.bin').is_file()\n"
        "    @classmethod\n"
        "    def download(cls, root=None):\n"
        "        fetched.append(root)\n"
        "        Path(root).mkdir(parents=True, exist_ok=True)\n"
        "        (Path(root) / 'a.bin').write_bytes(b'data')\n"
        "        return Path(root)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import fake_data

    need = DataNeed(name="fake-data", title="a fake data set", source="fake_data:FakeSet",
                    files=("a.bin",), size="1 KB")
    seen = []
    milestone = Milestone(name="fake", year=2000, title="fake", story="", model="nothing",
                          data=(need,), train=lambda run, data_root=None: seen.append(data_root))

    class Plugin:
        @hookimpl
        def register_milestones(self, register):
            register("fake", milestone)

    folder = tmp_path / "data"
    folder.mkdir()
    with plugins.plugin(Plugin(), "fake-plugin"):
        assert main(["list", "--data", str(folder)]) == 0
        assert "fake-data missing" in capsys.readouterr().out
        assert main(["run", "fake", "--data", str(folder), "--quiet"]) == 2  # never downloads
        assert "tt-milestones download fake-data" in capsys.readouterr().err
        assert fake_data.fetched == [] and seen == []
        assert main(["download", "fake-data", "--data", str(folder)]) == 0
        assert "fake-data: ready in" in capsys.readouterr().out
        assert fake_data.fetched == [folder]
        assert main(["download", "fake-data", "--data", str(folder)]) == 0
        assert "already present" in capsys.readouterr().out and len(fake_data.fetched) == 1
        assert main(["list", "--data", str(folder)]) == 0
        assert "fake-data ✓" in capsys.readouterr().out
        main(["run", "fake", "--data", str(folder), "--quiet"])  # trains nothing: it fails
        assert seen == [folder]  # but the folder reached the milestone's train(data_root=...)


def test_a_milestones_printout_and_fair_comparison_are_printed_as_they_are():
    import io

    from rich.console import Console

    from tt_milestones import Result, report

    result = Result(name="x", year=2000, seed=0, extras={
        "printout": [("sample [500 characters]", "ROMEO. [Enter] a *very* long line " * 5)],
        "fair_comparison": [{"model": "CNN", "parameters": 810, "accuracy": 0.97},
                            {"model": "MLP", "parameters": 17226, "accuracy": 0.985}]})
    console = Console(file=io.StringIO(), width=60)
    report.print_extras(console, result)
    text = console.file.getvalue()
    assert "sample [500 characters]" in text
    assert ("ROMEO. [Enter] a *very* long line " * 5).strip() in text  # not wrapped, not markup
    assert "17,226" in text and "98.5%" in text
