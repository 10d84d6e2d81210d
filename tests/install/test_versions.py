"""One version for every package, decided in the root VERSION file (see scripts/set_version.py)."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def pyprojects(root: Path) -> dict[str, dict]:
    """Distribution name -> parsed pyproject.toml, for every package under root/packages."""
    found = {}
    for path in sorted(root.glob("packages/*/pyproject.toml")):
        found[path.parent.name] = tomllib.loads(path.read_text())["project"]
    return found


def init_version(root: Path, dist_name: str) -> str:
    (init,) = (root / "packages" / dist_name).glob("src/*/__init__.py")
    match = re.search(r'^__version__ = "([^"]*)"$', init.read_text(), re.MULTILINE)
    assert match, f"{init} has no __version__ line"
    return match[1]


def sibling_requirements(project: dict) -> list[Requirement]:
    """Every requirement on another tt package, in dependencies and extras."""
    reqs = [Requirement(r) for r in project.get("dependencies", [])]
    for extra in project.get("optional-dependencies", {}).values():
        reqs += [Requirement(r) for r in extra]
    return [r for r in reqs if r.name.startswith("tt-")]


def assert_consistent(root: Path, version: str) -> None:
    projects = pyprojects(root)
    assert len(projects) == 8, sorted(projects)
    for name, project in projects.items():
        assert project["version"] == version, f"{name} pyproject says {project['version']}"
        assert init_version(root, name) == version, f"{name} __version__ disagrees"
        for req in sibling_requirements(project):
            assert req.specifier.contains(version), f"{name}: {req} excludes {version}"
            # An upper bound: a future incompatible sibling must not satisfy it.
            assert any(s.operator in ("<", "<=", "~=", "==") for s in req.specifier), \
                f"{name}: {req} has no upper bound"


def test_every_package_has_the_version_in_VERSION(scripts):
    version = (ROOT / "VERSION").read_text().strip()
    Version(version)  # raises if it is not a valid version
    assert_consistent(ROOT, version)
    assert scripts("set_version").main(["--check"]) == 0


@pytest.fixture
def tree_copy(tmp_path) -> Path:
    """A copy of what set_version touches: VERSION, every pyproject and __init__.py."""
    shutil.copy(ROOT / "VERSION", tmp_path / "VERSION")
    for path in [*ROOT.glob("packages/*/pyproject.toml"), *ROOT.glob("packages/*/src/*/__init__.py")]:
        target = tmp_path / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    return tmp_path


@pytest.mark.parametrize("new, excluded", [("0.2.0", "0.1.0"), ("1.0.0rc1", "2.0.0")])
def test_set_version_moves_every_package_and_range(tree_copy, scripts, new, excluded, capsys):
    set_version = scripts("set_version")
    assert set_version.main([new, "--root", str(tree_copy)]) == 0
    assert (tree_copy / "VERSION").read_text().strip() == new
    assert_consistent(tree_copy, new)
    for project in pyprojects(tree_copy).values():
        for req in sibling_requirements(project):
            assert not req.specifier.contains(excluded, prereleases=True), str(req)
    assert set_version.main(["--check", "--root", str(tree_copy)]) == 0


def test_set_version_check_reports_a_disagreeing_package(tree_copy, scripts, capsys):
    init = tree_copy / "packages" / "tt-nn" / "src" / "tt_nn" / "__init__.py"
    init.write_text(re.sub(r'__version__ = "[^"]*"', '__version__ = "9.9.9"', init.read_text()))
    assert scripts("set_version").main(["--check", "--root", str(tree_copy)]) == 1
    assert "tt_nn/__init__.py disagrees" in capsys.readouterr().out


def test_set_version_rejects_a_malformed_version(tree_copy, scripts, capsys):
    assert scripts("set_version").main(["one.two", "--root", str(tree_copy)]) == 2
    assert "'one.two' is not a version" in capsys.readouterr().err
    assert_consistent(tree_copy, (ROOT / "VERSION").read_text().strip())
