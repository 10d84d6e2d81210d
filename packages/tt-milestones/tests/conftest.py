"""Shared helpers for tt-milestones' tests."""

import os
import subprocess
import sys

import pytest
from tt_tensor import plugins


@pytest.fixture(autouse=True)
def fresh_choices():
    """Every test starts and ends with no `use()` choice left over."""
    plugins.clear_choices()
    yield
    plugins.clear_choices()


def cli(*args, env=None, cwd=None):
    """Run `python -m tt_milestones ARGS` in a fresh process; returns the CompletedProcess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "tt_milestones", *args], capture_output=True,
                          text=True, env=full_env, cwd=cwd, timeout=300)
