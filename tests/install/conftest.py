"""Helpers for the install tests: fresh dists in dist/, and virtual environments to install them in.

The tests install tt the way a user does, `pip install --find-links dist/ tt-nn tt-vision`,
into a new `python -m venv`; the third-party dependencies (numpy, pluggy, rich, ...) come
from the package registry through the machine's pip configuration.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import venv
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
PACKAGES = ("tt-tensor", "tt-autograd", "tt-nn", "tt-vision", "tt-text", "tt-milestones",
            "tt-framework")
IGNORED = ("__pycache__", ".pyc", ".pytest_cache", ".hypothesis")


def load_script(name: str) -> ModuleType:
    """Import scripts/<name>.py (the scripts folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"tt_scripts_{name}", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def newest_source_mtime() -> float:
    """When any file that goes into a distribution last changed."""
    paths = [ROOT / "VERSION"] + [p for p in (ROOT / "packages").rglob("*")
                                  if p.is_file() and not any(i in str(p) for i in IGNORED)]
    return max(p.stat().st_mtime for p in paths)


def dists_are_fresh(build_dists: ModuleType) -> bool:
    """True when dist/ holds a wheel and an sdist of every package, newer than their sources."""
    version = build_dists.read_version()
    artifacts = [DIST / name for pkg in PACKAGES for name in build_dists.artifact_names(pkg, version)]
    if not all(a.exists() for a in artifacts):
        return False
    return min(a.stat().st_mtime for a in artifacts) > newest_source_mtime()


class Venv:
    """A fresh virtual environment with its own pip, used as a user would use one."""

    def __init__(self, path: Path, find_links: Path = DIST) -> None:
        venv.EnvBuilder(with_pip=True, clear=True).create(path)
        self.path = path
        self.find_links = find_links
        self.bin = path / "bin"
        self.python = self.bin / "python"
        # The environment of an activated venv, and nothing of the test runner's own:
        # no PYTHONPATH, no hatch environment on PATH. A wide, plain terminal keeps rich's
        # tables on one line per row so the tests can read them.
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
        env.update(VIRTUAL_ENV=str(path), PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '')}",
                   COLUMNS="200", NO_COLOR="1", TERM="dumb")
        self.env = env

    def run(self, *command: str | Path, check: bool = True, timeout: float = 300
            ) -> subprocess.CompletedProcess:
        """Run a command inside the venv, from its folder (where nothing of the repo is importable)."""
        proc = subprocess.run([str(c) for c in command], env=self.env, cwd=self.path,
                              capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            pytest.fail(f"`{' '.join(map(str, command))}` exited {proc.returncode}\n"
                        f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
        return proc

    def pip(self, *args: str) -> subprocess.CompletedProcess:
        """`pip install ...` / `pip uninstall ...`, finding tt's own packages in dist/."""
        extra = ["--find-links", str(self.find_links)] if args[0] == "install" else []
        return self.run(self.python, "-m", "pip", *args, *extra, "--disable-pip-version-check")

    def installed(self) -> dict[str, str]:
        """Distribution name -> version of everything installed in the venv."""
        code = ("import importlib.metadata as m\n"
                "for d in m.distributions(): print(d.metadata['Name'], d.version)")
        out = self.run(self.python, "-c", code).stdout
        return dict(line.split(" ", 1) for line in out.splitlines() if line.strip())

    def cli(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        """Run the `tt-milestones` command installed in the venv."""
        return self.run(self.bin / "tt-milestones", *args, check=check)


@pytest.fixture(scope="session")
def dists(tmp_path_factory) -> Path:
    """dist/ holding fresh wheels and sdists of every package (built here if stale)."""
    build_dists = load_script("build_dists")
    if dists_are_fresh(build_dists):
        return DIST
    if importlib.util.find_spec("build") is not None:
        python = Path(sys.executable)
    else:  # the test environment has no `build`: give it an environment of its own
        builder = Venv(tmp_path_factory.mktemp("builder") / "venv")
        builder.run(builder.python, "-m", "pip", "install", "--quiet", "build>=1.2")
        python = builder.python
    proc = subprocess.run([str(python), str(ROOT / "scripts" / "build_dists.py"), "--quiet"],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail(f"building the dists failed:\n{proc.stdout}\n{proc.stderr}")
    return DIST


@pytest.fixture(scope="session")
def new_venv(dists, tmp_path_factory):
    """Make a fresh venv: `new_venv("name")` -> `Venv` (pip finds tt's packages in dist/,
    or in the folder given as `find_links`)."""
    return lambda name, find_links=dists: Venv(tmp_path_factory.mktemp(name) / "venv", find_links)


@pytest.fixture(scope="session")
def version() -> str:
    """The one version of every package (root VERSION file)."""
    return load_script("build_dists").read_version()


@pytest.fixture(scope="session")
def scripts():
    """`scripts("set_version")` imports scripts/set_version.py."""
    return load_script


@pytest.fixture(scope="session")
def tt_packages() -> tuple[str, ...]:
    """Every distribution name, in dependency order."""
    return PACKAGES
