"""Small timing helpers shared by the benchmark scripts."""

import time
from typing import Callable


def best_time(fn: Callable[[], object], *, repeat: int = 5, min_seconds: float = 0.05) -> float:
    """Seconds per call of `fn`: the best of `repeat` rounds, each long enough to time reliably."""
    fn()  # warm up
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            break
        calls *= 2
    best = elapsed / calls
    for _ in range(repeat - 1):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def torch_or_none():
    """PyTorch limited to one thread (a fair comparison on this machine), or None."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def ratio(ours: float, reference: float | None) -> str:
    return "—" if reference is None else f"{ours / reference:.2f}×"


# ----- peak memory of one step, in a fresh process ------------------------------------------
def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def step_peak_mib(step: Callable[[], object]) -> float:
    """The peak resident growth (MiB) of one call of `step` above the level before it,
    after two warm-up calls (Linux: the high-water mark is reset through clear_refs)."""
    step()
    step()
    before = _rss_kib("VmRSS:")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current resident size
    step()
    return (_rss_kib("VmHWM:") - before) / 1024


def peak_memory_in_child(script: str, *args: str) -> float | None:
    """Run `script --measure-memory *args` in a fresh Python and read the MiB it prints last
    (None where that cannot be measured, e.g. without /proc)."""
    import os
    import subprocess
    import sys

    try:
        # A fixed, small mmap threshold makes glibc map every big array on its own and
        # unmap it when freed, so the resident size follows the memory in use (otherwise
        # freed memory stays in the heap and the growth undercounts, differently for each).
        env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536")
        out = subprocess.run([sys.executable, script, "--measure-memory", *args],
                             capture_output=True, text=True, timeout=300, check=True, env=env)
        return float(out.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError, OSError):
        return None


# ----- tt and torch, round after round ------------------------------------------------------
def per_step(fn: Callable[[], object], calls: int) -> tuple[float, float]:
    """(wall-clock, CPU) seconds per call. Both libraries run on one thread, so on a machine
    shared with other work the CPU time is the steadier measure: it leaves out time spent
    waiting for a core."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls, (time.process_time() - cpu) / calls


def interleaved(ours, theirs, rounds: int, seconds_per_round: float = 0.15):
    """Per-round (wall, CPU) seconds per call of `ours` and `theirs` (None: tt only), a few
    calls of one then of the other, alternating which goes first, so that both see the same
    machine load. Both are warmed up first (buffers, caches, optimizer state)."""
    ours(), ours()
    if theirs is not None:
        theirs(), theirs()
    calls = max(1, int(seconds_per_round / per_step(ours, 1)[0]))
    tt_times, torch_times = [], []
    for r in range(rounds):
        pair = [(ours, tt_times), (theirs, torch_times)]
        for fn, times in (pair if r % 2 == 0 else pair[::-1]):
            if fn is not None:
                times.append(per_step(fn, calls))
    return tt_times, torch_times
