"""Shared fixtures for tt-milestones' tests."""

import os
import subprocess
import sys

import pytest
from tt_tensor import OPS, hookimpl, plugins


@pytest.fixture(autouse=True)
def own_state_dir(tmp_path_factory, monkeypatch):
    """`tt-milestones status` records go to a temporary folder, never the user's."""
    monkeypatch.setenv("TT_STATE_DIR", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(autouse=True)
def fresh_choices():
    """Every test starts and ends with no `use()` choice left over."""
    plugins.clear_choices()
    yield
    plugins.clear_choices()


@pytest.fixture
def cli():
    """Run `python -m tt_milestones ARGS` in a fresh process; returns the CompletedProcess."""

    def run(*args, env=None):
        full_env = {**os.environ, **(env or {})}
        if env and "PYTHONPATH" in env and os.environ.get("PYTHONPATH"):
            full_env["PYTHONPATH"] = env["PYTHONPATH"] + os.pathsep + os.environ["PYTHONPATH"]
        return subprocess.run([sys.executable, "-m", "tt_milestones", *args],
                              capture_output=True, text=True, env=full_env, timeout=300)

    return run


class Provides:
    """A plugin that provides one layer under a name (a learner's own layer)."""

    def __init__(self, name, cls):
        self.name, self.cls = name, cls

    @hookimpl
    def register_layers(self, register):
        register(self.name, self.cls)


@pytest.fixture
def provide():
    """`with provide("Tanh", MyTanh, "me"):` registers the layer and selects it."""
    from contextlib import contextmanager

    @contextmanager
    def registered(name, cls, provider):
        with plugins.plugin(Provides(name, cls), provider):
            plugins.use(name, provider)
            yield

    return registered


@pytest.fixture
def log_tanh():
    """A broken Tanh layer: the log of numbers that can be negative gives NaN."""
    from tt_nn import Module

    class LogTanh(Module):
        def forward(self, x):
            return OPS["log"].apply(x)

    return LogTanh


@pytest.fixture
def learner(tmp_path):
    """`learner(bug=None)`: scaffold my-conv with `tt-milestones new`, fill in conv2d, install it.

    Returns (env for `cli`, the package folder, what `new` printed). `bug` is one of
    `plugins.learner.BUGS` (a planted mistake) or None (a correct conv2d).
    """
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "plugins"))
    import learner as session

    from tt_milestones.cli import main

    def make(bug=None, name="my-conv"):
        import contextlib
        import io

        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert main(["new", name, "--op", "conv2d", "--dir", str(tmp_path)]) == 0
        package = tmp_path / name
        returned = session.CORRECT if bug is None else session.BUGS[bug][0]
        session.fill_in(package, name.replace("-", "_"), returned)
        env = session.install(package, tmp_path / "site")
        return env, package, printed.getvalue()

    return make
