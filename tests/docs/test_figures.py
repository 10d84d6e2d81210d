"""The results shown on the site are the results tt produces now, not typed by hand.

`docs/scripts/make_figures.py` writes docs/generated/ by running the milestones; these
tests rebuild the registry table and the two quickest milestones' tables and compare them
with what is committed. When a milestone changes on purpose, regenerate with
`hatch run docs:figures` (python docs/scripts/make_figures.py) and commit the result.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "docs" / "generated"
REGENERATE = "regenerate with `hatch run docs:figures` and commit it"


def make_figures():
    spec = importlib.util.spec_from_file_location(
        "make_figures", ROOT / "docs" / "scripts" / "make_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_registry_table_is_current():
    committed = (GENERATED / "registry.md").read_text(encoding="utf-8")
    assert make_figures().registry_table() == committed, f"registry.md is stale: {REGENERATE}"


@pytest.mark.parametrize("name", ["perceptron", "xor"])
def test_committed_results_match_a_fresh_run(name):
    import tt_milestones

    figures = make_figures()
    result = tt_milestones.run(name, seed=figures.SEED)
    fresh = figures.checks_table(result)
    committed = (GENERATED / f"{name}-checks.md").read_text(encoding="utf-8")
    assert fresh == committed, f"{name}-checks.md is not what a run gives now: {REGENERATE}"
    setup = figures.setup_table(tt_milestones.get(name), result)
    assert setup == (GENERATED / f"{name}-setup.md").read_text(encoding="utf-8"), \
        f"{name}-setup.md is stale: {REGENERATE}"
