"""Shared fixtures for tt-milestones' tests."""

import os
import subprocess
import sys

import pytest
from tt_tensor import OPS, hookimpl, plugins


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
