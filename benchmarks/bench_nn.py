"""tt-nn: ms per training step (forward, backward, Adam step) of an MLP 64-128-64-10.

Batch sizes 32 and 256, against PyTorch (one thread) when installed, with the ratio.
Both use float32, the same start weights and the same data.

One thread each: PyTorch is set to one thread, and NumPy's BLAS is asked for one through
OPENBLAS_NUM_THREADS (only effective if set before NumPy is first imported). On a busy
2-core machine a multi-threaded BLAS spin-waits and times become erratic (0.4 to 80 ms).
"""

import os
import pathlib
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
BLAS_THREADS = os.environ["OPENBLAS_NUM_THREADS"] if "numpy" not in sys.modules else "as NumPy was loaded"

import numpy as np  # noqa: E402
import tt_nn as nn  # noqa: E402
import tt_tensor as tt  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from timing import best_time, ratio, torch_or_none  # noqa: E402

SIZES = (64, 128, 64, 10)
BATCHES = (32, 256)


def mlp(nn):
    """The benchmarked MLP, from `tt_nn` or `torch.nn` (the two share these names)."""
    layers = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])  # no ReLU after the output layer


def batch_arrays(batch: int):
    """The same inputs (batch, 64) float32 and class labels (batch,) for both frameworks."""
    rng = np.random.default_rng(0)
    return (rng.normal(size=(batch, SIZES[0])).astype(np.float32),
            rng.integers(0, SIZES[-1], size=batch))


def training_step(model, optimizer, loss_fn, x, y):
    """One step, written once: tt and PyTorch models, optimizers and losses share the API."""

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    return step


def tt_step_fn(batch: int):
    tt.manual_seed(0)
    model = mlp(nn)
    x, y = (tt.tensor(a) for a in batch_arrays(batch))
    optimizer = nn.optim.Adam(model.parameters(), lr=1e-3)
    return training_step(model, optimizer, nn.CrossEntropyLoss(), x, y), model


def torch_step_fn(torch, batch: int, state: dict):
    model = mlp(torch.nn)
    model.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in state.items()})
    x, y = (torch.from_numpy(a) for a in batch_arrays(batch))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    return training_step(model, optimizer, torch.nn.CrossEntropyLoss(), x, y)


def main() -> None:
    torch = torch_or_none()
    print("MLP 64-128-64-10, one training step (forward + backward + Adam), float32; "
          f"NumPy BLAS threads: {BLAS_THREADS}, torch threads: 1")
    print(f"{'batch':>6} {'tt ms':>9} {'torch ms':>9} {'tt/torch':>9}")
    for batch in BATCHES:
        step, model = tt_step_fn(batch)
        ours = best_time(step, repeat=7, min_seconds=0.2)
        reference = None
        if torch is not None:
            reference = best_time(torch_step_fn(torch, batch, model.state_dict()), repeat=7,
                                  min_seconds=0.2)
        ref_text = "—" if reference is None else f"{reference * 1e3:.3f}"
        print(f"{batch:>6} {ours * 1e3:>9.3f} {ref_text:>9} {ratio(ours, reference):>9}")
    if torch is None:
        print("(PyTorch is not installed: no reference column)")


if __name__ == "__main__":
    main()
