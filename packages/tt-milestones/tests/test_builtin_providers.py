"""Every plugin that ships in this repository counts as tt's own, never as the learner's."""

import pathlib
import tomllib

from tt_milestones.check import is_builtin

PACKAGES = pathlib.Path(__file__).resolve().parents[2]


def test_every_repository_plugin_is_builtin():
    providers = []
    for pyproject in sorted(PACKAGES.glob("*/pyproject.toml")):
        meta = tomllib.loads(pyproject.read_text())["project"]
        providers += list(meta.get("entry-points", {}).get("tt", {}))
    assert "tt-accelerate" in providers and "tt-vision" in providers
    assert [p for p in providers if not is_builtin(p)] == []


def test_a_learners_plugin_is_not_builtin():
    assert not is_builtin("my-conv")
