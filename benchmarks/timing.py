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
