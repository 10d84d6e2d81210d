"""tt-vision: ms per training step of the 1998-style CNN, and one epoch of TinyDigits.

The model is Conv2d(1, 8, 3) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(8*k*k, 10) with
cross-entropy and SGD (momentum 0.9): a step is forward, backward and the update. Sizes:
batch 32 of 8x8 images (Linear(72, 10)) and batch 64 of 28x28 (Linear(1352, 10)). Beside
each, PyTorch (one thread) with the same start weights and data, and the ratio.

NumPy's BLAS is limited to one thread too (when it is the OpenBLAS NumPy ships with): a
fair comparison, and a stable one — on a busy 2-core machine a multi-threaded BLAS spends
milliseconds waiting for cores on matrix products that take microseconds.

tt and PyTorch are timed interleaved in one process (`timing.interleaved`): round
after round, the order alternating; the table gives the median CPU time per step and the
median of the per-round ratios with its spread (lowest–highest round).
"""

import ctypes
import glob
import os
import pathlib
import statistics
import sys
import time

import numpy as np
import tt_nn as nn
import tt_tensor as tt
from tt_vision import Conv2d, MaxPool2d

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from timing import torch_or_none  # noqa: E402

CASES = ((32, 8), (64, 28))  # (batch, image side)
LR, MOMENTUM = 0.05, 0.9


def limit_numpy_blas_threads(threads: int = 1) -> str:
    """Ask the OpenBLAS bundled with NumPy to use `threads` threads; say what happened."""
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs",
                                  "*openblas*"))
    for path in libs:
        lib = ctypes.CDLL(path)
        for symbol in ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                       "openblas_set_num_threads64_", "openblas_set_num_threads"):
            setter = getattr(lib, symbol, None)
            if setter is not None:
                setter(ctypes.c_int(threads))
                return f"NumPy BLAS: {threads} thread (OpenBLAS)"
    return "NumPy BLAS: thread count unchanged (no bundled OpenBLAS found)"


def tt_model(side: int):
    pooled = (side - 2) // 2
    return nn.Sequential(Conv2d(1, 8, 3), nn.ReLU(), MaxPool2d(2), nn.Flatten(),
                         nn.Linear(8 * pooled * pooled, 10))


def torch_model(torch, side: int, state: dict):
    pooled = (side - 2) // 2
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                torch.nn.Flatten(), torch.nn.Linear(8 * pooled * pooled, 10))
    model.load_state_dict({k: torch.from_numpy(np.array(getattr(v, "data", v))) for k, v in
                           state.items()})
    return model


def data(batch: int, side: int):
    rng = np.random.default_rng(0)
    return (rng.random((batch, 1, side, side), dtype=np.float32),
            rng.integers(0, 10, size=batch))


def step_fn(optim, losses, model, x, y):
    """One training step as a callable: the same code for tt (optim=tt_nn.optim, losses=tt_nn)
    and PyTorch (torch.optim, torch.nn)."""
    optimizer = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = losses.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

    return step


def epoch_seconds() -> tuple[float, float]:
    """Best time of one shuffled epoch of TinyDigits (1000 images, batch 32), and the last loss."""
    from tt_nn.data import DataLoader
    from tt_vision.datasets import TinyDigits

    tt.manual_seed(0)
    model = tt_model(8)
    optimizer = nn.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TinyDigits("train"), batch_size=32, shuffle=True, seed=0)
    best, loss = float("inf"), None
    for _ in range(5):
        start = time.perf_counter()
        for images, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
        best = min(best, time.perf_counter() - start)
    return best, float(loss.item())


def main() -> None:
    from timing import interleaved

    torch = torch_or_none()
    blas = limit_numpy_blas_threads(1)
    rounds = int(os.environ.get("TT_BENCH_ROUNDS", "9"))
    print("CNN Conv2d(1,8,3)-ReLU-MaxPool2d(2)-Flatten-Linear, one training step "
          f"(forward + backward + SGD), float32; {blas}; {rounds} interleaved rounds; load "
          f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("ms per step (CPU time), tt/torch = median of the per-round ratios, spread = "
          "lowest–highest round")
    print(f"{'batch':>6} {'image':>6} {'tt ms':>9} {'torch ms':>9} {'tt/torch':>9} {'spread':>12}")
    for batch, side in CASES:
        tt.manual_seed(0)
        model = tt_model(side)
        x, y = data(batch, side)
        state = model.state_dict()
        ours = step_fn(nn.optim, nn, model, tt.tensor(x), tt.tensor(y))
        theirs = None if torch is None else step_fn(
            torch.optim, torch.nn, torch_model(torch, side, state), torch.from_numpy(x),
            torch.from_numpy(y))
        tt_times, torch_times = interleaved(ours, theirs, rounds)
        tt_ms = statistics.median(t[1] for t in tt_times) * 1e3
        if theirs is None:
            print(f"{batch:>6} {f'{side}x{side}':>6} {tt_ms:>9.3f} {'—':>9}")
            continue
        cpu = [a[1] / b[1] for a, b in zip(tt_times, torch_times)]
        print(f"{batch:>6} {f'{side}x{side}':>6} {tt_ms:>9.3f} "
              f"{statistics.median(t[1] for t in torch_times) * 1e3:>9.3f} "
              f"{statistics.median(cpu):>8.2f}× {min(cpu):>5.2f}–{max(cpu):<5.2f}", flush=True)
    if torch is None:
        print("(PyTorch is not installed: no reference column)")
    seconds, loss = epoch_seconds()
    print(f"one epoch of TinyDigits (1000 images, batch 32, shuffled, with DataLoader): "
          f"{seconds:.4f} s (target < 0.05 s; last batch loss {loss:.3f})")


if __name__ == "__main__":
    main()
