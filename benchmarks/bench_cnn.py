"""tt-vision at real scale: ms per Adam training step of LeNet-5 and a CIFAR-size CNN, against PyTorch.

Workloads (issue 16), float32, cross-entropy, Adam (lr 1e-3):
- LeNet-5 on 1x28x28: Conv2d(1, 6, 5, padding=2) - ReLU - MaxPool2d(2) - Conv2d(6, 16, 5) -
  ReLU - MaxPool2d(2) - Flatten - Linear(400, 120) - ReLU - Linear(120, 84) - ReLU -
  Linear(84, 10), at batch 64 and 256.
- CIFAR-size CNN on 3x32x32: Conv2d(3, 32, 3, padding=1) - ReLU - MaxPool2d(2) -
  Conv2d(32, 64, 3, padding=1) - ReLU - MaxPool2d(2) - Flatten - Linear(4096, 256) - ReLU -
  Linear(256, 10), at batch 128.

Both libraries start from the same weights and see the same batch. They are timed
*interleaved in one process*, one thread each (NumPy's OpenBLAS and torch limited to one
thread): round after round, a few tt steps then a few torch steps, so a busy machine slows
both alike. The table gives the median time per step of each and the median of the
per-round ratios tt/torch with its spread (lowest and highest round), in CPU time (steady
on a shared machine: both run on one thread) and in wall-clock time.

`--separate` runs each library in its own process (rounds still alternate in time): in one
process the two share glibc's heap, and what one frees and the heap gives back, the other
faults in again (measured: torch's LeNet b64 step takes ~15 % longer beside tt than alone,
while tt's own page faults vanish). The default stays one process, as issue 16 asks.

`--memory` adds the peak memory of one step: the growth of the resident set above its level
before the step (after two warm-up steps), in a fresh process per library, with glibc
mapping every big block on its own so that memory freed during the step leaves the
resident set at once (Linux only; the method of bench_nn.py).

    hatch run bench:vision            # all three workloads
    hatch run bench:vision lenet64    # one of: lenet64, lenet256, cifar128
    hatch run bench:vision --memory   # and the peak memory per step of each
    hatch run bench:vision --separate # each library in its own process
"""

import os
import pathlib
import statistics
import subprocess
import sys

import numpy as np
import tt_nn as nn
import tt_tensor as tt
from tt_vision import Conv2d, MaxPool2d

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from bench_vision import limit_numpy_blas_threads  # noqa: E402
from timing import (interleaved, peak_memory_in_child, per_step, step_peak_mib,  # noqa: E402
                    torch_or_none)

LR = 1e-3
WORKLOADS = {  # name: (model, batch, image shape)
    "lenet64": ("lenet", 64, (1, 28, 28)),
    "lenet256": ("lenet", 256, (1, 28, 28)),
    "cifar128": ("cifar", 128, (3, 32, 32)),
}
TARGETS = {"lenet64": 1.0, "lenet256": 1.3, "cifar128": 1.3}


def layers(lib, conv, pool, kind: str) -> list:
    """The same architecture from either library's classes (`lib` is tt_nn or torch.nn)."""
    if kind == "lenet":
        return [conv(1, 6, 5, padding=2), lib.ReLU(), pool(2), conv(6, 16, 5), lib.ReLU(), pool(2),
                lib.Flatten(), lib.Linear(400, 120), lib.ReLU(), lib.Linear(120, 84), lib.ReLU(),
                lib.Linear(84, 10)]
    return [conv(3, 32, 3, padding=1), lib.ReLU(), pool(2), conv(32, 64, 3, padding=1), lib.ReLU(),
            pool(2), lib.Flatten(), lib.Linear(4096, 256), lib.ReLU(), lib.Linear(256, 10)]


def make_step(optim, loss_fn, model, x, y):
    optimizer = optim.Adam(model.parameters(), lr=LR)

    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

    return step


def steps(kind: str, batch: int, shape: tuple, torch):
    """(tt step, torch step or None) for one workload, same start weights and data."""
    tt.manual_seed(0)
    model = nn.Sequential(*layers(nn, Conv2d, MaxPool2d, kind))
    rng = np.random.default_rng(0)
    x = rng.random((batch, *shape), dtype=np.float32)
    y = rng.integers(0, 10, size=batch)
    ours = make_step(nn.optim, nn.CrossEntropyLoss(), model, tt.tensor(x), tt.tensor(y))
    if torch is None:
        return ours, None
    reference = torch.nn.Sequential(*layers(torch.nn, torch.nn.Conv2d, torch.nn.MaxPool2d, kind))
    reference.load_state_dict({k: torch.from_numpy(np.array(getattr(v, "data", v))) for k, v in
                               model.state_dict().items()})
    theirs = make_step(torch.optim, torch.nn.CrossEntropyLoss(), reference,
                       torch.from_numpy(x), torch.from_numpy(y))
    return ours, theirs


def worker(name: str, library: str) -> None:
    """Child process of `separate`: one library's step; answers "calls" lines on stdin with
    "wall cpu" seconds per step on stdout."""
    torch = torch_or_none() if library == "torch" else None
    limit_numpy_blas_threads(1)
    ours, theirs = steps(*WORKLOADS[name], torch)
    step = ours if torch is None else theirs
    del ours, theirs
    step(), step()  # warm up
    for line in sys.stdin:
        wall, cpu = per_step(step, int(line))
        print(wall, cpu, flush=True)


def separate(name: str, rounds: int, seconds_per_round: float = 0.15):
    """Like `interleaved`, but tt and torch each step in a process of their own."""
    procs = {library: subprocess.Popen([sys.executable, __file__, "--worker", name, library],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for library in ("tt", "torch")}

    def ask(library: str, calls: int) -> tuple[float, float]:
        procs[library].stdin.write(f"{calls}\n")
        procs[library].stdin.flush()
        wall, cpu = procs[library].stdout.readline().split()
        return float(wall), float(cpu)

    try:
        calls = max(1, int(seconds_per_round / ask("tt", 1)[0]))
        times = {"tt": [], "torch": []}
        for r in range(rounds):
            for library in (("tt", "torch") if r % 2 == 0 else ("torch", "tt")):
                times[library].append(ask(library, calls))
    finally:
        for proc in procs.values():
            proc.stdin.close()
            proc.wait()
    return times["tt"], times["torch"]


def measure_memory(name: str, library: str) -> None:
    """Child process: print the peak resident growth (MiB) of one step above the level
    before it (after two warm-up steps), resetting the high-water mark through clear_refs."""
    torch = torch_or_none() if library == "torch" else None
    limit_numpy_blas_threads(1)
    ours, theirs = steps(*WORKLOADS[name], torch)
    step = ours if torch is None else theirs
    del ours, theirs
    print(step_peak_mib(step))


def peak_memory(name: str, library: str) -> float | None:
    """MiB, measured in a fresh process (None if that is impossible here)."""
    return peak_memory_in_child(__file__, name, library)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--measure-memory"]:
        measure_memory(argv[1], argv[2])
        return
    if argv[:1] == ["--worker"]:
        worker(argv[1], argv[2])
        return
    names = [a for a in argv if a in WORKLOADS] or list(WORKLOADS)
    rounds = int(os.environ.get("TT_BENCH_ROUNDS", "7"))
    torch = torch_or_none()
    blas = limit_numpy_blas_threads(1)
    load = os.getloadavg()[0]
    apart = "--separate" in argv and torch is not None
    where = "in two processes (one per library)" if apart else "in one process"
    print(f"Adam training step (forward + backward + update), float32; {blas}; torch one thread; "
          f"{rounds} interleaved rounds {where}; load average {load:.1f} on {os.cpu_count()} "
          f"cores")
    print("ms per step (CPU time; wall-clock ratio beside it), tt/torch = median of the "
          "per-round ratios, spread = lowest–highest round")
    print(f"{'workload':>9} {'tt ms':>8} {'torch ms':>9} {'tt/torch':>9} {'spread':>12} "
          f"{'wall':>6} {'wall spread':>12} {'target':>7}")
    for name in names:
        kind, batch, shape = WORKLOADS[name]
        if apart:
            tt_times, torch_times = separate(name, rounds)
        else:
            ours, theirs = steps(kind, batch, shape, torch)
            tt_times, torch_times = interleaved(ours, theirs, rounds)
        tt_ms = statistics.median(t[1] for t in tt_times) * 1e3
        if torch is None:
            print(f"{name:>9} {tt_ms:>8.2f} {'—':>9}")
            continue
        cpu = [a[1] / b[1] for a, b in zip(tt_times, torch_times)]
        wall = [a[0] / b[0] for a, b in zip(tt_times, torch_times)]
        print(f"{name:>9} {tt_ms:>8.2f} {statistics.median(t[1] for t in torch_times) * 1e3:>9.2f} "
              f"{statistics.median(cpu):>8.2f}× {min(cpu):>5.2f}–{max(cpu):<5.2f} "
              f"{statistics.median(wall):>5.2f}× {min(wall):>5.2f}–{max(wall):<5.2f} "
              f"≤{TARGETS[name]}", flush=True)
    if torch is None:
        print("(PyTorch is not installed: no reference column)")
    if "--memory" in argv:
        print("peak memory of one step (MiB above the level before it, a fresh process each):")
        for name in names:
            ours, theirs = peak_memory(name, "tt"), peak_memory(name, "torch")
            print(f"{name:>9} tt {'—' if ours is None else f'{ours:.1f}'}, torch "
                  f"{'—' if theirs is None else f'{theirs:.1f}'}", flush=True)


if __name__ == "__main__":
    main()
