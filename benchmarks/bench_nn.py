"""tt-nn: ms per training step (forward, cross-entropy, backward, Adam step) of MLPs, against PyTorch.

Workloads, float32, ReLU between the layers, the same start weights and the same batch in both:
  - MLP 784-512-512-10, batch 128 (issue 16's real-scale MLP; target tt/torch ≤ 1.0),
  - MLP 64-128-64-10, batch 32 and 256 (small: per-op overhead shows).

tt and torch are timed *interleaved in one process*, one thread each (NumPy's BLAS through
OPENBLAS_NUM_THREADS, set before NumPy is imported, and torch.set_num_threads(1)): round
after round a few tt steps then a few torch steps, the order alternating, so a busy machine
slows both alike. The table gives the median CPU time per step of each and the median of
the per-round ratios tt/torch with its spread (lowest–highest round); CPU time is the
steadier measure on a shared machine (both run on one thread).

`--memory` adds the peak memory of one step of the big MLP: the growth of the resident set
above its level before the step (after two warm-up steps), in a fresh process per framework
with glibc mapping every big block on its own, so that memory freed during the step leaves
the resident set at once (Linux only).

    hatch run bench:python benchmarks/bench_nn.py [--quick] [--memory]
"""

from __future__ import annotations

import os
import pathlib
import statistics
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
BLAS_THREADS = os.environ["OPENBLAS_NUM_THREADS"] if "numpy" not in sys.modules else "as NumPy was loaded"

import numpy as np  # noqa: E402
import tt_nn as nn  # noqa: E402
import tt_tensor as tt  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from timing import interleaved, peak_memory_in_child, step_peak_mib, torch_or_none  # noqa: E402

WORKLOADS = {  # name: (layer sizes, batch, target ratio or None)
    "mlp784 b128": ((784, 512, 512, 10), 128, 1.0),
    "mlp64 b32": ((64, 128, 64, 10), 32, None),
    "mlp64 b256": ((64, 128, 64, 10), 256, None),
}


def mlp(lib, sizes):
    """The benchmarked MLP, from `tt_nn` or `torch.nn` (the two share these names)."""
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [lib.Linear(fan_in, fan_out), lib.ReLU()]
    return lib.Sequential(*layers[:-1])  # no ReLU after the output layer


def batch_arrays(sizes, batch: int):
    """The same inputs (batch, in) float32 and class labels (batch,) for both frameworks."""
    rng = np.random.default_rng(0)
    return (rng.normal(size=(batch, sizes[0])).astype(np.float32),
            rng.integers(0, sizes[-1], size=batch))


def training_step(model, optimizer, loss_fn, x, y):
    """One step, written once: tt and PyTorch models, optimizers and losses share the API."""

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    return step


def steps(name: str, torch):
    """(tt step, torch step or None) for one workload, same start weights and data."""
    sizes, batch, _ = WORKLOADS[name]
    tt.manual_seed(0)
    model = mlp(nn, sizes)
    xa, ya = batch_arrays(sizes, batch)
    ours = training_step(model, nn.optim.Adam(model.parameters(), lr=1e-3),
                         nn.CrossEntropyLoss(), tt.tensor(xa), tt.tensor(ya))
    if torch is None:
        return ours, None
    reference = mlp(torch.nn, sizes)
    reference.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in
                               model.state_dict().items()})
    theirs = training_step(reference, torch.optim.Adam(reference.parameters(), lr=1e-3),
                           torch.nn.CrossEntropyLoss(), torch.from_numpy(xa), torch.from_numpy(ya))
    return ours, theirs


# ----- peak memory of one step, in a fresh process ------------------------------------------
def measure_memory(name: str, framework: str) -> None:
    """Child process: print the peak resident growth (MiB) of one step above the level
    before it (after two warm-up steps), resetting the high-water mark through clear_refs."""
    torch = torch_or_none() if framework == "torch" else None
    ours, theirs = steps(name, torch)
    step = ours if torch is None else theirs
    del ours, theirs
    print(step_peak_mib(step))


def peak_memory(name: str, framework: str) -> float | None:
    """MiB, measured in a fresh process (None if that is impossible here)."""
    return peak_memory_in_child(__file__, name, framework)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--measure-memory"]:
        measure_memory(argv[1], argv[2])
        return
    rounds = 3 if "--quick" in argv else int(os.environ.get("TT_BENCH_ROUNDS", "7"))
    torch = torch_or_none()
    print(f"MLP training step (forward + cross-entropy + backward + Adam), float32; NumPy BLAS "
          f"threads: {BLAS_THREADS}, torch threads: 1; {rounds} interleaved rounds; load "
          f"average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("ms per step (CPU time), tt/torch = median of the per-round ratios, spread = "
          "lowest–highest round; wall-clock ratio beside it")
    print(f"{'workload':>12} {'tt ms':>8} {'torch ms':>9} {'tt/torch':>9} {'spread':>12} "
          f"{'wall':>6} {'target':>7}")
    for name, (_, _, target) in WORKLOADS.items():
        ours, theirs = steps(name, torch)
        tt_times, torch_times = interleaved(ours, theirs, rounds)
        tt_ms = statistics.median(t[1] for t in tt_times) * 1e3
        if torch is None:
            print(f"{name:>12} {tt_ms:>8.3f} {'—':>9}")
            continue
        cpu = [a[1] / b[1] for a, b in zip(tt_times, torch_times)]
        wall = [a[0] / b[0] for a, b in zip(tt_times, torch_times)]
        print(f"{name:>12} {tt_ms:>8.3f} {statistics.median(t[1] for t in torch_times) * 1e3:>9.3f} "
              f"{statistics.median(cpu):>8.2f}× {min(cpu):>5.2f}–{max(cpu):<5.2f} "
              f"{statistics.median(wall):>5.2f}× {'≤' + str(target) if target else '':>7}",
              flush=True)
    if torch is None:
        print("(PyTorch is not installed: no reference column)")
    if "--memory" in argv:
        name = "mlp784 b128"
        ours, theirs = peak_memory(name, "tt"), peak_memory(name, "torch")
        print(f"\npeak memory of one {name} step (MiB above the level before it, fresh process "
              f"each): tt {'—' if ours is None else f'{ours:.1f}'}, torch "
              f"{'—' if theirs is None else f'{theirs:.1f}'}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
