"""The site's structure: every page the docs promise exists, and nothing is fetched remotely.

`mkdocs build --strict` (hatch run docs:build) catches broken links and missing includes;
these tests catch what a build cannot: a package without a guide or API page, a milestone
without its results, a quick start that drifted from the README, a remote asset.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CONFIG = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
PACKAGES = sorted(p.name for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").exists())
MILESTONES = ["perceptron", "xor", "mlp", "cnn", "transformer"]


def pages() -> dict[str, str]:
    return {p.relative_to(DOCS).as_posix(): p.read_text(encoding="utf-8")
            for p in DOCS.rglob("*.md") if "generated" not in p.parts}


def test_every_package_has_a_guide_and_an_api_page():
    assert PACKAGES, "no packages found under packages/"
    for package in PACKAGES:
        module = "tt" if package == "tt-framework" else package.replace("-", "_")
        assert (DOCS / "guides" / f"{package}.md").exists(), f"no guide for {package}"
        api = (DOCS / "api" / f"{package}.md").read_text(encoding="utf-8")
        assert f"::: {module}" in api, f"docs/api/{package}.md does not render {module}"
        assert f"packages/{package}/src" in CONFIG, f"mkdocstrings cannot see {package}"


def test_every_nav_entry_exists():
    nav = CONFIG.split("\nnav:", 1)[1].split("\n\n", 1)[0]
    entries = re.findall(r"([\w/.-]+\.md)", nav)
    assert len(entries) >= 20
    missing = [e for e in entries if not (DOCS / e).exists()]
    assert not missing, f"mkdocs.yml's nav names pages that do not exist: {missing}"
    orphans = sorted(set(pages()) - set(entries))
    assert not orphans, f"pages not in the nav (a reader could not find them): {orphans}"


def test_no_remote_fonts_assets_or_fetching_plugins():
    assert re.search(r"^\s+font:\s*false\b", CONFIG, re.MULTILINE), \
        "theme.font must be false: Material otherwise loads Google Fonts"
    settings = re.sub(r"#.*", "", CONFIG)
    assert not re.search(r"https?://", settings), "mkdocs.yml names a remote address"
    plugins = re.findall(r"^  - (\w[\w-]*)", CONFIG.split("\nplugins:", 1)[1], re.MULTILINE)
    assert set(plugins) <= {"search", "mkdocstrings"}, f"unexpected plugins: {plugins}"
    assert "import:" not in CONFIG, "mkdocstrings inventories are fetched over the network"
    assert "repo_url" not in CONFIG, "Material fetches repository facts from the network"


@pytest.mark.parametrize("page", sorted(pages()))
def test_pages_reference_no_remote_images_or_scripts(page):
    text = pages()[page]
    remote = re.findall(r"(?:!\[[^\]]*\]\(|<(?:img|script|link)[^>]+(?:src|href)=\")(https?://[^)\"]+)", text)
    assert not remote, f"{page} loads {remote} from the network"


def test_home_page_quick_start_is_the_readme_quick_start():
    def quick_start(text: str) -> str:
        return re.search(r"## Quick start\s+```bash\n(.*?)```", text, re.DOTALL).group(1)

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert quick_start((DOCS / "index.md").read_text(encoding="utf-8")) == quick_start(readme)


def test_home_page_shows_the_package_map():
    home = (DOCS / "index.md").read_text(encoding="utf-8")
    assert "assets/package-map.svg" in home
    svg = (DOCS / "assets" / "package-map.svg").read_text(encoding="utf-8")
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", ""), "the map fetches something"
    for package in PACKAGES:
        assert package in svg, f"the package map does not show {package}"


@pytest.mark.parametrize("name", MILESTONES)
def test_milestone_page_has_its_sections_and_real_results(name):
    page = (DOCS / "milestones" / f"{name}.md").read_text(encoding="utf-8")
    for section in ("## The problem", "## The model", "## What the checks verify", "## Results"):
        assert section in page, f"milestones/{name}.md has no '{section}' section"
    table, curve = f"docs/generated/{name}-checks.md", f"generated/{name}-loss.png"
    assert f'--8<-- "{table}"' in page, f"milestones/{name}.md does not include {table}"
    assert f"../{curve}" in page, f"milestones/{name}.md does not show {curve}"
    assert (ROOT / table).exists(), f"{table} missing: run docs/scripts/make_figures.py"
    png = (DOCS / curve).read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5000, f"{curve} is not a real plot"
