"""Build a wheel and an sdist of every tt package into dist/ (`hatch run dist:build`).

Each package is built the way a release would be: `python -m build` makes the sdist, then
builds the wheel *from the unpacked sdist*, so a file missing from an sdist breaks the
build here instead of on a user's machine. The build back end (hatchling) is installed
into a throw-away environment per build, as pip would do.

    python scripts/build_dists.py                 # every package, into dist/
    python scripts/build_dists.py tt-nn tt-vision # some of them
    python scripts/build_dists.py --outdir /tmp/d

Needs the `build` package (the `dist` hatch environment has it). Afterwards every
artifact is checked against its source tree; see `check_dists`.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tarfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ROOT / "packages"
# Files under src/ that are build leftovers, never part of a distribution.
JUNK = ("__pycache__", ".pyc", ".pyo")


def package_names() -> list[str]:
    """The distribution names: one per folder under packages/ with a pyproject.toml."""
    return sorted(p.parent.name for p in PACKAGES.glob("*/pyproject.toml"))


def read_version() -> str:
    """The one version of every package, kept in the root VERSION file."""
    return (ROOT / "VERSION").read_text().strip()


def artifact_names(dist_name: str, version: str) -> tuple[str, str]:
    """File names of the (wheel, sdist) of `dist_name`: normalised as PEP 427 and 625 say."""
    stem = f"{dist_name.replace('-', '_')}-{version}"
    return f"{stem}-py3-none-any.whl", f"{stem}.tar.gz"


def source_files(dist_name: str) -> list[str]:
    """Every file of the import package, relative to src/ (code, py.typed, package data)."""
    src = PACKAGES / dist_name / "src"
    return sorted(str(p.relative_to(src)) for p in src.rglob("*")
                  if p.is_file() and not any(j in str(p) for j in JUNK))


def build_one(dist_name: str, outdir: Path) -> tuple[str, float, str]:
    """Build the sdist and wheel of one package; returns (name, seconds, error output or "")."""
    version = read_version()
    for name in artifact_names(dist_name, version):
        (outdir / name).unlink(missing_ok=True)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(outdir), str(PACKAGES / dist_name)],
        capture_output=True, text=True)
    seconds = time.perf_counter() - start
    return dist_name, seconds, "" if proc.returncode == 0 else proc.stdout + proc.stderr


def check_dists(names: list[str], outdir: Path) -> list[str]:
    """Problems found in the built artifacts (an empty list means all is well).

    A wheel must hold every file of its import package (so tt-vision's TinyDigits data
    ships), the licence, and metadata with the shared version; an sdist must hold the
    pyproject, README, LICENSE and the whole source tree.
    """
    version = read_version()
    problems = []
    for dist_name in names:
        wheel, sdist = (outdir / n for n in artifact_names(dist_name, version))
        if not wheel.exists() or not sdist.exists():
            problems.append(f"{dist_name}: expected {wheel.name} and {sdist.name} in {outdir}")
            continue
        expected = source_files(dist_name)
        with zipfile.ZipFile(wheel) as zf:
            inside = set(zf.namelist())
            info = f"{wheel.name[:-len('-py3-none-any.whl')]}.dist-info"
            metadata = zf.read(f"{info}/METADATA").decode()
        missing = [f for f in expected if f not in inside]
        if missing:
            problems.append(f"{wheel.name} lacks {missing}")
        if not any(n.startswith(f"{info}/licenses/LICENSE") for n in inside):
            problems.append(f"{wheel.name} has no LICENSE file")
        for field in (f"Version: {version}", "License-Expression: MIT", "Requires-Python: >=3.10"):
            if field not in metadata.splitlines():
                problems.append(f"{wheel.name}: METADATA lacks {field!r}")
        top = sdist.name[:-len(".tar.gz")]
        with tarfile.open(sdist) as tf:
            inside = {n.removeprefix(f"{top}/") for n in tf.getnames()}
        needed = ["pyproject.toml", "README.md", "LICENSE"] + [f"src/{f}" for f in expected]
        missing = [f for f in needed if f not in inside]
        if missing:
            problems.append(f"{sdist.name} lacks {missing}")
        junk = sorted(n for n in inside if any(j in n for j in JUNK))
        if junk:
            problems.append(f"{sdist.name} contains build leftovers {junk[:3]}")
    return problems


def build(names: list[str], outdir: Path, quiet: bool = False) -> int:
    """Build and check `names` into `outdir`; returns a process exit status."""
    if importlib.util.find_spec("build") is None:
        print("build_dists: the 'build' package is not installed in this Python "
              f"({sys.executable}); run `hatch run dist:build` or `pip install build`.",
              file=sys.stderr)
        return 2
    unknown = sorted(set(names) - set(package_names()))
    if unknown:
        print(f"build_dists: no package named {unknown} under packages/ "
              f"(known: {', '.join(package_names())})", file=sys.stderr)
        return 2
    outdir.mkdir(parents=True, exist_ok=True)
    failed = False
    # Two at a time: each build mostly waits on pip, and the machine has two cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        for dist_name, seconds, error in pool.map(lambda n: build_one(n, outdir), names):
            if error:
                failed = True
                print(f"FAILED {dist_name} ({seconds:.1f} s):\n{error}", file=sys.stderr)
            elif not quiet:
                print(f"built  {dist_name:<14} sdist + wheel in {seconds:.1f} s")
    if failed:
        return 1
    problems = check_dists(names, outdir)
    for problem in problems:
        print(f"CHECK  {problem}", file=sys.stderr)
    if not problems and not quiet:
        print(f"{2 * len(names)} files in {outdir}, all checked")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", help="distribution names (default: all)")
    parser.add_argument("--outdir", type=Path, default=ROOT / "dist")
    parser.add_argument("--quiet", action="store_true", help="print only problems")
    args = parser.parse_args(argv)
    return build(args.packages or package_names(), args.outdir.resolve(), args.quiet)


if __name__ == "__main__":
    sys.exit(main())
