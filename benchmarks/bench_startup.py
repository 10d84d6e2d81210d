"""Start-up cost: how long a user waits before tt does anything.

Each command runs in a fresh process (wall time, best of a few runs after one warm-up that
writes the bytecode caches) and is compared with its target and with a bare `python -c pass`,
the floor that no Python program can go below. `import numpy` is shown as the floor of
anything built on NumPy.
"""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

RUNS = 5
CLI = "tt-milestones"
FIRST_OP = "import tt; tt.tensor([1.0]) + 1"
# Prints the tt modules the first op imported (the registry loads only the plugin that
# declares `add`), so the benchmark shows what laziness buys.
MODULES = ("import json, sys, tt; tt.tensor([1.0]) + 1; "
           "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0].startswith('tt'))))")


def wall_time(command: list[str]) -> float | None:
    """Best wall time of `command` over RUNS runs, in seconds; None if it fails."""
    if subprocess.run(command, capture_output=True).returncode != 0:  # warm-up
        return None
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def cli_command() -> list[str] | None:
    """`tt-milestones list`, from the same environment as this Python if it is installed there."""
    path = shutil.which(CLI, path=str(Path(sys.executable).parent)) or shutil.which(CLI)
    return [path, "list"] if path else None


def main() -> None:
    python = sys.executable
    cases = [
        # (label, command, target in seconds or None)
        ("python -c pass", [python, "-c", "pass"], None),
        ("python -c 'import numpy'", [python, "-c", "import numpy"], None),
        ("python -c 'import tt_tensor'", [python, "-c", "import tt_tensor"], 0.2),
        ("python -c 'import tt'", [python, "-c", "import tt"], 0.2),
        ("import tt; tt.tensor([1.0]) + 1", [python, "-c", FIRST_OP], 0.2),
        ("python -c 'import tt_nn'", [python, "-c", "import tt_nn"], 0.5),
        # What a model-building program pays once: asking every plugin for its layers.
        ("import tt; tt.nn.Linear(2, 2)", [python, "-c", "import tt; tt.nn.Linear(2, 2)"], 0.5),
        ("tt-milestones list", cli_command(), 0.5),
    ]
    baseline = None
    print(f"{'command':<34} {'best of ' + str(RUNS):>10} {'target':>8} {'vs pass':>8}  status")
    for label, command, target in cases:
        seconds = wall_time(command) if command else None
        target_text = f"{target:.2f} s" if target else ""
        if seconds is None:
            why = "not installed" if command is None else "failed (run it to see why)"
            print(f"{label:<34} {'—':>10} {target_text:>8} {'—':>8}  {why}")
            continue
        baseline = baseline or seconds
        status = "" if target is None else ("ok" if seconds <= target else "OVER TARGET")
        print(f"{label:<34} {seconds:>8.3f} s {target_text:>8} {seconds / baseline:>7.1f}×  {status}")
    modules = subprocess.run([python, "-c", MODULES], capture_output=True, text=True).stdout
    names = json.loads(modules) if modules.startswith("[") else []
    print(f"\n`{FIRST_OP}` imports {len(names)} tt modules: {', '.join(names)}")


if __name__ == "__main__":
    main()
