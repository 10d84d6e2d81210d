"""The plugin author's guide documents every hook, each under its own heading."""

from __future__ import annotations

import re
from pathlib import Path

from tt_tensor import hookspecs

PAGE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def hook_names() -> list[str]:
    """Every hook tt defines: the functions pluggy's hookspec marker has tagged."""
    marker = f"{hookspecs.PROJECT}_spec"
    return sorted(name for name, obj in vars(hookspecs).items()
                  if callable(obj) and hasattr(obj, marker))


def headings() -> list[str]:
    text = PAGE.read_text(encoding="utf-8")
    return [m.strip() for m in re.findall(r"^#{2,3} (.+)$", text, flags=re.MULTILINE)]


def test_the_hooks_are_found():
    # guards the test below: finding no hooks would make it pass vacuously
    assert {"register_ops", "register_layers", "register_milestones"} <= set(hook_names())


def test_every_hook_has_a_heading():
    missing = [name for name in hook_names() if name not in headings()]
    assert not missing, f"docs/plugins.md has no heading for the hooks {missing}"


def test_every_hook_heading_is_a_real_hook():
    stale = [h for h in headings() if h.startswith("register_") and h not in hook_names()]
    assert not stale, f"docs/plugins.md documents hooks that do not exist: {stale}"


def test_every_hook_shows_its_docstring():
    text = PAGE.read_text(encoding="utf-8")
    missing = [name for name in hook_names() if f"::: tt_tensor.hookspecs.{name}" not in text]
    assert not missing, f"docs/plugins.md does not render the docstring of {missing}"


def test_the_caught_bug_shown_on_the_page_is_what_the_check_prints(capsys):
    """The guide's message for the learner's broken matmul is the check's real output."""
    import runpy

    from tt_tensor import plugins

    example = PAGE.parents[0] / "examples" / "plugins" / "check_an_op.py"
    try:
        runpy.run_path(str(example), run_name="__main__")
    finally:
        plugins.clear_choices()
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("matmul")]
    text = PAGE.read_text(encoding="utf-8")
    assert printed and all(line in text for line in printed[:2]), printed[:2]


def test_the_guide_walks_the_learners_path():
    text = PAGE.read_text(encoding="utf-8")
    steps = ["tt-milestones new my-conv --op conv2d", "pip install -e my-conv",
             "tt-milestones check my-conv", "tt-milestones run cnn --use conv2d=my-conv"]
    positions = [text.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), positions
    assert "refusing to train" in text and "--no-check" in text
