"""Every package's pyproject.toml has complete metadata, and the dependencies of API.md."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]
# From the API contract (shared/API.md, "Distributions and import names"), plus every
# package a distribution imports directly (each declares what it imports).
DEPENDS_ON = {
    "tt-tensor": {"numpy", "pluggy"},
    "tt-autograd": {"numpy", "tt-tensor"},
    "tt-nn": {"numpy", "tt-tensor", "tt-autograd"},
    "tt-vision": {"numpy", "tt-tensor", "tt-nn"},
    "tt-text": {"numpy", "tt-tensor", "tt-nn"},
    "tt-milestones": {"numpy", "tt-tensor", "tt-autograd", "tt-nn", "rich"},
    "tt-framework": {"tt-tensor", "tt-autograd", "tt-nn"},
    # Optional compiled kernels: the only package that needs numba (no core package does).
    "tt-accelerate": {"numpy", "numba", "tt-tensor", "tt-nn", "tt-vision"},
}
# `import tt` comes from tt-framework: the name `tt` on PyPI belongs to another project.
IMPORT_NAMES = {"tt-framework": "tt"}
MILESTONE_EXTRAS = {"vision": {"tt-vision"}, "text": {"tt-text"},
                    "all": {"tt-vision", "tt-text", "matplotlib"}}


def load(name: str) -> dict:
    return tomllib.loads((ROOT / "packages" / name / "pyproject.toml").read_text())


def test_the_packages_are_the_ones_in_the_api():
    assert sorted(p.parent.name for p in ROOT.glob("packages/*/pyproject.toml")) == sorted(DEPENDS_ON)


@pytest.mark.parametrize("name", sorted(DEPENDS_ON))
def test_metadata_is_complete(name):
    folder = ROOT / "packages" / name
    pyproject = load(name)
    project = pyproject["project"]
    assert project["name"] == name
    assert len(project["description"]) > 20
    assert (folder / project["readme"]).read_text().startswith(f"# {name}")
    assert project["license"] == "MIT" and (folder / "LICENSE").read_text().startswith("MIT License")
    assert SpecifierSet(project["requires-python"]) == SpecifierSet(">=3.10")
    classifiers = project["classifiers"]
    # hatchling rejects a License :: classifier beside a PEP 639 licence expression.
    assert not any(c.startswith("License ::") for c in classifiers)
    assert "Typing :: Typed" in classifiers and "Programming Language :: Python :: 3" in classifiers
    assert {"Homepage", "Source", "Issues", "Documentation"} <= set(project["urls"])
    assert pyproject["build-system"]["build-backend"] == "hatchling.build"


@pytest.mark.parametrize("name", sorted(DEPENDS_ON))
def test_package_layout_and_entry_point(name):
    import_name = IMPORT_NAMES.get(name, name.replace("-", "_"))
    src = ROOT / "packages" / name / "src" / import_name
    pyproject = load(name)
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == [f"src/{import_name}"]
    assert (src / "py.typed").exists(), f"{name} is typed but has no py.typed"
    # The registry loads each package's plugin through its `tt` entry point, named after
    # the package (tt-framework registers nothing: it is a view of the others).
    entry_points = pyproject["project"].get("entry-points", {}).get("tt", {})
    assert set(entry_points) == ({name} if name != "tt-framework" else set())
    for module in entry_points.values():
        assert module.startswith(f"{import_name}.")
        path = src.parent / (module.replace(".", "/") + ".py")
        assert path.exists(), f"{name}'s entry point {module!r} names no module ({path} is missing)"


@pytest.mark.parametrize("name", sorted(DEPENDS_ON))
def test_dependencies_are_those_of_the_api(name):
    project = load(name)["project"]
    requirements = [Requirement(r) for r in project["dependencies"]]
    assert {r.name for r in requirements} == DEPENDS_ON[name]
    for req in requirements:
        assert str(req.specifier), f"{name}: {req} has no version range"


def test_milestones_extras_pull_in_the_optional_packages():
    extras = load("tt-milestones")["project"]["optional-dependencies"]
    for extra, needed in MILESTONE_EXTRAS.items():
        assert {Requirement(r).name for r in extras[extra]} >= needed, extra
    scripts = load("tt-milestones")["project"]["scripts"]
    assert scripts == {"tt-milestones": "tt_milestones.cli:main"}
