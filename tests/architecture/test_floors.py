"""The house's floors only point down: each package imports only packages it declares.

Read from the source and the pyproject files, so a new import that skips a declaration (or
reaches up a floor) fails here before it fails for a user who installed one package alone.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(p for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").is_file())
# Import names of the distributions in this repository.
IMPORT_NAMES = {p.name: p.name.replace("-", "_") for p in PACKAGES}
IMPORT_NAMES["tt-framework"] = "tt"  # `import tt` (the name `tt` on PyPI is taken)
# The outside packages tt's code imports, by import name (their pip name is the same).
THIRD_PARTY = {"numpy": "numpy", "pluggy": "pluggy", "rich": "rich"}
FLOORS = {"tt-tensor": 0, "tt-autograd": 1, "tt-nn": 2, "tt-vision": 3, "tt-text": 3,
          "tt-milestones": 4, "tt-framework": 4, "tt-accelerate": 4}


def declared(package: Path) -> set[str]:
    """The tt distributions a package's pyproject lists as dependencies (extras included)."""
    project = tomllib.loads((package / "pyproject.toml").read_text())["project"]
    specs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    names = {re.split(r"[<>=!~\[ ;]", spec, maxsplit=1)[0].strip() for spec in specs}
    return names & (set(IMPORT_NAMES) | THIRD_PARTY.keys())


def imported(package: Path) -> dict[str, list[str]]:
    """Which repository distributions the package's source imports, with where."""
    found: dict[str, list[str]] = {}
    by_import = {v: k for k, v in IMPORT_NAMES.items()} | THIRD_PARTY
    for path in (package / "src").rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            elif (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module"
                  and node.args and isinstance(node.args[0], ast.Constant)
                  and isinstance(node.args[0].value, str)):
                modules = [node.args[0].value]
            for module in modules:
                top = module.split(".")[0]
                if top in by_import:
                    found.setdefault(by_import[top], []).append(
                        f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_every_import_is_declared(package):
    undeclared = {dist: where for dist, where in imported(package).items()
                  if dist != package.name and dist not in declared(package)}
    assert not undeclared, (f"{package.name} imports packages its pyproject does not declare: "
                            f"{undeclared}")


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_no_floor_imports_a_floor_above_it(package):
    mine = FLOORS[package.name]
    upward = {dist: where for dist, where in imported(package).items()
              if dist in FLOORS and FLOORS[dist] > mine or (dist in FLOORS and FLOORS[dist] == mine and dist != package.name)}
    assert not upward, f"{package.name} (floor {mine}) imports from above or beside it: {upward}"


def test_the_ground_floor_never_names_autograd():
    mentions = [str(p.relative_to(ROOT)) for p in (ROOT / "packages/tt-tensor/src").rglob("*.py")
                if "tt_autograd" in p.read_text()]
    assert mentions == []
