"""tt with and without tt-accelerate's compiled kernels, against PyTorch (issue 16), one thread each.

The workloads are the issue's, built by the other benchmark scripts (imported, not copied):
the GPT training step and uncached generation (`bench_text`), the MLP (`bench_nn`), and
LeNet-5 at batch 64 and 256 and the CIFAR-size CNN (`bench_cnn`). Each is timed three ways,
interleaved round by round (the order rotating, so all three see the same machine load):
tt with its NumPy ops, tt with `tt_accelerate.enable()`, and PyTorch. The table gives the
median CPU time per call of each, tt/torch for both tt columns (the median of the per-round
ratios) and its spread (lowest–highest round). Both frameworks run on one thread, so CPU
time is the steady measure on a shared machine.

    hatch run bench:python benchmarks/bench_accelerate.py [--quick] [gpt generate mlp lenet64 lenet256 cifar128]

Without tt-accelerate or numba installed it says so and times the NumPy ops only.
"""

from __future__ import annotations

import os
import pathlib
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import bench_cnn  # noqa: E402
import bench_nn  # noqa: E402
import bench_text  # noqa: E402
from timing import torch_or_none  # noqa: E402

WORKLOADS = ("gpt", "generate", "mlp", "lenet64", "lenet256", "cifar128")
TARGETS = {"gpt": 1.2, "generate": 1.2, "mlp": 1.0, "lenet64": 1.0, "lenet256": 1.3,
           "cifar128": 1.3}


def accelerator():
    """`tt_accelerate` if it and numba can be imported, else None (with the reason printed)."""
    try:
        import numba  # noqa: F401
        import tt_accelerate
    except ImportError as error:
        print(f"tt-accelerate unavailable ({error}): timing the NumPy ops only")
        return None
    return tt_accelerate


def build(name: str, torch):
    """(tt call, torch call or None) for one workload, same weights and data in both."""
    if name == "gpt":
        model = bench_text.tt_gpt()
        x, y = bench_text.data(np.random.default_rng(0))
        ours = bench_text.tt_gpt_step(model, x, y)
        theirs = None if torch is None else bench_text.torch_gpt_step(
            torch, bench_text.torch_gpt(torch, model), x, y)
        return ours, theirs
    if name == "generate":
        from tt_text import generate
        model = bench_text.tt_gpt().eval()
        prompt = np.zeros((1, 1), dtype=np.int64)
        tokens = bench_text.NEW_TOKENS

        def ours():
            return generate(model, prompt, tokens, temperature=0, use_cache=False)
        if torch is None:
            return ours, None
        net = bench_text.torch_gpt(torch, model).eval()
        return ours, lambda: bench_text.torch_generate(torch, net, prompt, tokens)
    if name == "mlp":
        return bench_nn.steps("mlp784 b128", torch)
    kind, batch, shape = bench_cnn.WORKLOADS[name]
    return bench_cnn.steps(kind, batch, shape, torch)


def cpu_per_call(fn, calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        fn()
    return (time.process_time() - start) / calls


def interleaved(variants: dict, rounds: int, seconds: float) -> dict:
    """{name: [CPU seconds per call, one per round]} for `variants` {name: (setup, fn)}.

    `setup()` runs before each of its variant's rounds, untimed (it switches the
    accelerator on or off). Each variant is warmed up first (the accelerator's first call
    compiles or loads its kernels) and runs enough calls per round to last `seconds`.
    """
    calls = {}
    for name, (setup, fn) in variants.items():
        setup()
        fn(), fn()
        calls[name] = max(1, int(seconds / max(cpu_per_call(fn, 1), 1e-6)))
    times = {name: [] for name in variants}
    names = list(variants)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            setup, fn = variants[name]
            setup()
            times[name].append(cpu_per_call(fn, calls[name]))
    return times


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    names = [a for a in argv if a in WORKLOADS] or list(WORKLOADS)
    rounds = 3 if "--quick" in argv else int(os.environ.get("TT_BENCH_ROUNDS", "6"))
    torch = torch_or_none()
    accel = accelerator()
    load = os.getloadavg()[0]
    print(f"load average {load:.2f} on {os.cpu_count()} CPUs; one thread each; {rounds} rounds; "
          f"CPU ms per call (median); ratio = median of per-round tt/torch [lowest–highest]")
    if accel is not None:
        accel.disable()
        print(f"tt-accelerate provides: {', '.join(accel.OP_NAMES)}")
    print(f"{'workload':<10} {'numpy ms':>9} {'accel ms':>9} {'torch ms':>9} "
          f"{'numpy/torch':>12} {'spread':>11} {'accel/torch':>12} {'spread':>11} {'target':>7}")
    for name in names:
        ours, theirs = build(name, torch)
        variants = {"numpy": (accel.disable if accel else (lambda: None), ours)}
        if accel is not None:
            variants["accel"] = (accel.enable, ours)
        if theirs is not None:
            variants["torch"] = (lambda: None, theirs)
        seconds = 0.0 if name == "generate" else 0.3
        times = interleaved(variants, rounds, seconds)
        if accel is not None:
            accel.disable()
        row = f"{name:<10}"
        for variant in ("numpy", "accel", "torch"):
            t = times.get(variant)
            row += f" {statistics.median(t) * 1e3:>9.2f}" if t else f" {'—':>9}"
        for variant in ("numpy", "accel"):
            if variant in times and "torch" in times:
                ratios = [a / b for a, b in zip(times[variant], times["torch"])]
                row += (f" {statistics.median(ratios):>11.2f}× "
                        f"{min(ratios):>5.2f}–{max(ratios):<5.2f}")
            else:
                row += f" {'—':>12} {'':>11}"
        print(row + f" {'≤' + str(TARGETS[name]):>7}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
