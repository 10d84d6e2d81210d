"""Every example on the site runs, and every example file is shown on some page.

The guides include their code from `docs/examples/<package>/*.py` with
`--8<-- "docs/examples/..."`, so the code a reader sees is exactly the code tested here.
Each example checks its own claims with `assert`.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
import tt_tensor
from tt_tensor import grad_mode, plugins

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = sorted((DOCS / "examples").rglob("*.py"))
INCLUDE = re.compile(r'^\s*--8<--\s+"([^"]+)"', re.MULTILINE)


def included_files() -> dict[str, Path]:
    """Each file pulled into a page with `--8<--`, mapped to the page that includes it."""
    found = {}
    for page in DOCS.rglob("*.md"):
        for path in INCLUDE.findall(page.read_text(encoding="utf-8")):
            found[path] = page
    return found


def test_there_are_examples_for_every_guide():
    guides = sorted(p.stem for p in (DOCS / "guides").glob("*.md"))
    with_examples = sorted({p.parent.name for p in EXAMPLES})
    missing = [g for g in guides if g not in with_examples]
    assert not missing, f"guides with no runnable example under docs/examples/: {missing}"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_runs(example, capsys):
    tt_tensor.manual_seed(0)
    observers = grad_mode.state.observers
    try:
        runpy.run_path(str(example), run_name="__main__")
    finally:
        # an example may choose providers or leave an observer: don't let it leak
        plugins.clear_choices()
        grad_mode.state.grad_enabled = True
        grad_mode.state.observers = observers


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_is_shown_on_a_page(example):
    relative = example.relative_to(ROOT).as_posix()
    assert relative in included_files(), (
        f"{relative} is tested but no page includes it; add "
        f'--8<-- "{relative}" to its guide')


def test_every_included_file_exists():
    missing = {path: page.relative_to(ROOT).as_posix()
               for path, page in included_files().items() if not (ROOT / path).is_file()}
    assert not missing, f"pages include files that do not exist: {missing}"


def test_every_python_block_on_the_site_is_a_tested_example():
    """Python shown in a page is included from docs/examples or the example plugin, never
    typed into the page, where no test would run it."""
    block = re.compile(r"```python\n(.*?)```", re.DOTALL)
    inline = {}
    for page in DOCS.rglob("*.md"):
        for code in block.findall(page.read_text(encoding="utf-8")):
            if not INCLUDE.fullmatch(code.strip()):
                inline.setdefault(page.relative_to(ROOT).as_posix(), []).append(code[:60])
    assert not inline, f"Python blocks typed into pages (move them to docs/examples/): {inline}"
