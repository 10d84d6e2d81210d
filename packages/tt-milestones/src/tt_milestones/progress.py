"""A learner's path: which milestones passed last time on this machine, and with whose pieces.

`tt-milestones run` records each finished milestone in a small JSON file;
`tt-milestones status` shows it. The file lives in the user's state folder:

- `$TT_STATE_DIR/milestones.json` when `TT_STATE_DIR` is set (tests point it at a temporary
  folder);
- otherwise `$XDG_STATE_HOME/tt/` or `~/.local/state/tt/` on Linux, `~/Library/Application
  Support/tt/` on macOS, `%LOCALAPPDATA%\\tt\\` on Windows.

Nothing here is needed to run a milestone: a state file that cannot be read or written is
ignored (the command says so once) rather than failing a run.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

STATE_ENV = "TT_STATE_DIR"
FILE_NAME = "milestones.json"
FORMAT = 1


def state_dir() -> Path:
    """The folder the progress file lives in (see the module docstring)."""
    env = os.environ.get(STATE_ENV)
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "tt"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "tt"
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "tt"


def state_file() -> Path:
    """`state_dir() / "milestones.json"`."""
    return state_dir() / FILE_NAME


def load() -> dict[str, Any]:
    """Every recorded milestone by name (empty when there is no readable file)."""
    try:
        data = json.loads(state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    runs = data.get("milestones") if isinstance(data, dict) else None
    return runs if isinstance(runs, dict) else {}


def providers_used(milestone: Any, chosen: dict[str, str] | None = None) -> dict[str, str]:
    """`{"layers:Conv2d": "tt-vision", ...}`: who provided each registered name it needs.

    `chosen` adds the `--use` choices (e.g. the op `conv2d` from `my-conv`), which a
    milestone's `needs` do not list.
    """
    from tt_tensor import plugins

    used: dict[str, str] = {}
    registry = plugins.registry()
    for kind, names in getattr(milestone, "needs", {}).items():
        for name in names:
            try:
                entry = registry.resolve(kind, name)
            except plugins.RegistryError:
                continue
            provider = getattr(entry, "provider", None)
            if provider:
                used[f"{kind}:{name}"] = provider
    for key, provider in (chosen or {}).items():
        used[key] = provider
    return used


def record(result: Any, providers: dict[str, str]) -> str | None:
    """Store one finished run (the latest per milestone); returns an error message or None."""
    from tt_milestones.check import is_builtin

    path = state_file()
    runs = load()
    runs[result.name] = {
        "passed": bool(result.passed), "seed": int(result.seed), "year": int(result.year),
        "accuracy": float(result.accuracy), "seconds": round(float(result.seconds), 3),
        "when": time.strftime("%Y-%m-%d %H:%M", time.localtime()),
        "providers": providers,
        "own": sorted(k for k, p in providers.items() if not is_builtin(p)),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"format": FORMAT, "milestones": runs}, indent=2),
                             encoding="utf-8")
        temporary.replace(path)
    except OSError as error:
        return f"could not record progress in {path}: {error.strerror or error}"
    return None


def forget() -> None:
    """Delete the progress file (`tt-milestones status --reset`)."""
    try:
        state_file().unlink()
    except FileNotFoundError:
        pass
