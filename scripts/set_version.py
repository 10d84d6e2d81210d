"""Set the one version of every tt package, kept in the root VERSION file.

All six packages are released together under one version. VERSION is the single place
it is decided; this script copies it to where Python packaging needs it:

- `version = "..."` in every packages/*/pyproject.toml (static, so each sdist builds on
  its own, with nothing outside its folder);
- `__version__ = "..."` in every src/tt_x/__init__.py;
- the ranges on sibling packages, e.g. `tt-nn>=0.1,<0.2` (same minor release while the
  major version is 0, same major release after that).

    python scripts/set_version.py 0.2.0   # write 0.2.0 everywhere
    python scripts/set_version.py         # rewrite everything from VERSION
    python scripts/set_version.py --check # only report what disagrees (exit 1 if anything)

tests/install/test_versions.py checks that everything agrees.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION_RE = re.compile(r"^\d+\.\d+\.\d+([a-z]+\d+|\.dev\d+|\.post\d+)?$")
PYPROJECT_VERSION = re.compile(r'^version = "[^"]*"$', re.MULTILINE)
INIT_VERSION = re.compile(r'^__version__ = "[^"]*"$', re.MULTILINE)
# A requirement on a sibling, inside a quoted dependency string: "tt-nn>=0.1,<0.2".
SIBLING = re.compile(r'"(tt-[a-z]+)((?:\[[^\]]*\])?)[<>=!~][^"]*"')


def sibling_range(version: str) -> str:
    """The range siblings require: releases compatible with `version` (0.1.3 -> >=0.1,<0.2).

    A pre-release is its own lower bound (1.0.0rc1 -> >=1.0.0rc1,<2): `>=1.0` would not
    admit it, since 1.0.0rc1 comes before 1.0.
    """
    major, minor = (int(part) for part in version.split(".")[:2])
    final = re.fullmatch(r"\d+\.\d+\.\d+(\.post\d+)?", version)
    lower = f"{major}.{minor}" if final else version
    upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}"
    return f">={lower},<{upper}"


def files(root: Path) -> list[tuple[Path, Path]]:
    """(pyproject.toml, __init__.py) of every package under root/packages."""
    pairs = []
    for pyproject in sorted(root.glob("packages/*/pyproject.toml")):
        # The import package is the one folder under src/ (tt-framework's is `tt`).
        (init,) = pyproject.parent.glob("src/*/__init__.py")
        pairs.append((pyproject, init))
    return pairs


def rewrite(root: Path, version: str) -> dict[Path, str]:
    """The new text of every file whose text would change for `version`."""
    changed = {}
    spec = sibling_range(version)
    for pyproject, init in files(root):
        text = pyproject.read_text()
        if not PYPROJECT_VERSION.search(text):
            raise SystemExit(f"set_version: no `version = \"...\"` line in {pyproject}")
        new = PYPROJECT_VERSION.sub(f'version = "{version}"', text, count=1)
        new = SIBLING.sub(lambda m: f'"{m[1]}{m[2]}{spec}"', new)
        if new != text:
            changed[pyproject] = new
        text = init.read_text()
        if not INIT_VERSION.search(text):
            raise SystemExit(f"set_version: no `__version__ = \"...\"` line in {init}")
        new = INIT_VERSION.sub(f'__version__ = "{version}"', text, count=1)
        if new != text:
            changed[init] = new
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", nargs="?", help="new version (default: the one in VERSION)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 on disagreement")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    version_file = args.root / "VERSION"
    version = args.version or version_file.read_text().strip()
    if not VERSION_RE.match(version):
        print(f"set_version: {version!r} is not a version like 1.2.3 (or 1.2.3rc1, 1.2.3.dev0)",
              file=sys.stderr)
        return 2
    changed = rewrite(args.root, version)
    if args.check:
        if args.version is None or version_file.read_text().strip() == version:
            for path in changed:
                print(f"{path.relative_to(args.root)} disagrees with VERSION {version}")
            return 1 if changed else 0
        print(f"VERSION says {version_file.read_text().strip()}, not {version}")
        return 1
    version_file.write_text(version + "\n")
    for path, text in changed.items():
        path.write_text(text)
        print(f"wrote {path.relative_to(args.root)}")
    print(f"every package is now at {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
