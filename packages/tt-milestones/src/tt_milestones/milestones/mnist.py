"""1998 — LeNet-5 reads MNIST: the benchmark that made convolutional networks famous.

In 1998 LeCun, Bottou, Bengio and Haffner published LeNet-5 with the MNIST set: 60,000
handwritten digits to learn from and 10,000 to test on, 28×28 grey pixels each. Their
paper compared every method of the day on it: multi-layer perceptrons reached 95-98%,
LeNet-5 0.95% test error — weights shared across the image beat weights for every pixel.
This milestone trains both on the full set: a two-hidden-layer MLP on the flattened
pixels, and LeNet-5 (two 5×5 convolutions with pooling, three linear layers). With
`dataset="fashion-mnist"` the same pipeline reads Zalando's Fashion-MNIST (clothing
photographs in MNIST's format, much harder to tell apart), with bars of its own.
"""

from __future__ import annotations

import numpy as np
import tt_tensor as tt

from tt_milestones.milestone import Milestone
from tt_milestones.milestones._common import layer, optimizer, percent
from tt_milestones.milestones._data import FASHION_MNIST, MNIST, load_images
from tt_milestones.milestones._images import accuracy, normalise, side_checks
from tt_milestones.training import TrainingRun

MLP_EPOCHS = 10
LENET_EPOCHS = 8
MLP_BATCH, LENET_BATCH = 128, 64
MLP_LR, LENET_LR = 1e-3, 2e-3
# Test-accuracy bars. MNIST: what such models and schedules are known to reach (LeCun et
# al. 1998: LeNet-5 at 0.95% error). Fashion-MNIST: its own, lower bars.
BARS = {"mnist": {"MLP": 0.98, "LeNet-5": 0.99},
        "fashion-mnist": {"MLP": 0.85, "LeNet-5": 0.88}}
DATA = {"mnist": MNIST, "fashion-mnist": FASHION_MNIST}


# ----- the historical models ----------------------------------------------------------------
def build_mlp():
    """Flatten → Linear(784,256) → ReLU → Linear(256,128) → ReLU → Linear(128,10).

    Shapes: (N, 1, 28, 28) → (N, 784) → (N, 256) → (N, 128) → logits (N, 10).
    """
    Linear, ReLU = layer("Linear"), layer("ReLU")
    return layer("Sequential")(layer("Flatten")(), Linear(784, 256), ReLU(), Linear(256, 128),
                               ReLU(), Linear(128, 10))


def build_lenet():
    """LeNet-5 with ReLU and max pooling (the modern reading of the 1998 network).

    (N, 1, 28, 28) → Conv2d(1,6,5,padding=2) → (N, 6, 28, 28) → pool → (N, 6, 14, 14) →
    Conv2d(6,16,5) → (N, 16, 10, 10) → pool → (N, 16, 5, 5) → Flatten (N, 400) →
    Linear(400,120) → Linear(120,84) → Linear(84,10), ReLU between them.
    """
    Conv2d, ReLU, Pool, Linear = layer("Conv2d"), layer("ReLU"), layer("MaxPool2d"), layer("Linear")
    return layer("Sequential")(Conv2d(1, 6, 5, padding=2), ReLU(), Pool(2),
                               Conv2d(6, 16, 5), ReLU(), Pool(2), layer("Flatten")(),
                               Linear(400, 120), ReLU(), Linear(120, 84), ReLU(),
                               Linear(84, 10))


# ----- the training loop ----------------------------------------------------------------------
def fit(run: TrainingRun, model, data, epochs: int, batch_size: int, lr: float) -> float:
    """Adam with the learning rate annealed to zero on a cosine; returns the test accuracy."""
    from tt_nn.data import DataLoader, TensorDataset

    train_x, train_y, test_x, test_y = data
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=batch_size, shuffle=True,
                        seed=run.seed)
    loss_fn = layer("CrossEntropyLoss")()
    opt = optimizer("Adam")(model.parameters(), lr=lr)
    schedule = optimizer("CosineAnnealingLR")(opt, T_max=max(epochs * len(loader), 1))

    def training_step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        schedule.step()
        return loss

    for _ in run.epochs(epochs):
        model.train()
        for x, y in loader:
            run.step(training_step, x, y)
        model.eval()
        run.evaluate(accuracy(model, test_x, test_y))
    return run.accuracy_history[-1] if run.accuracy_history else 0.0


def load(dataset: str, data_root=None, limit: int | None = None):
    """The normalised images (N, 1, 28, 28) and labels; `limit` keeps the first train images."""
    if dataset not in DATA:
        raise ValueError(f"mnist: dataset must be one of {', '.join(DATA)}, got {dataset!r}")
    train_x, train_y, test_x, test_y = load_images(DATA[dataset], data_root)
    if limit is not None:
        train_x, train_y = train_x[:limit], train_y[:limit]
    train_x, test_x = normalise(train_x, test_x)
    return train_x, train_y, test_x, test_y


def train(run, data_root=None, dataset: str = "mnist", mlp_epochs: int = MLP_EPOCHS,
          lenet_epochs: int = LENET_EPOCHS, limit: int | None = None) -> None:
    """Train LeNet-5 (the run's main model) and the MLP (a second, checked the same way).

    Options: `dataset` ("mnist" or "fashion-mnist"), `data_root` (the folder with the IDX
    files), the two epoch counts, `limit` (train on the first `limit` images, to try it fast).
    """
    data = load(dataset, data_root, limit)
    bars = BARS[dataset]
    run.describe(batch_size=LENET_BATCH, optimizer="Adam + cosine annealing", lr=LENET_LR,
                 dataset=dataset, train_images=len(data[0]), test_images=len(data[2]),
                 mlp={"epochs": mlp_epochs, "batch_size": MLP_BATCH, "lr": MLP_LR})
    lenet = run.watch(build_lenet(), sample=tt.tensor(data[2][:256]))
    lenet_accuracy = fit(run, lenet, data, lenet_epochs, LENET_BATCH, LENET_LR)

    side = TrainingRun(run.seed)
    mlp = side.watch(build_mlp())
    mlp_accuracy = fit(side, mlp, data, mlp_epochs, MLP_BATCH, MLP_LR)

    # ----- the checks ------------------------------------------------------------------------
    for label, value in (("LeNet-5", lenet_accuracy), ("MLP", mlp_accuracy)):
        bar = bars[label]
        run.check(f"{label} test accuracy", value, f"≥ {bar:.0%}", value >= bar, percent(value))
    run.checks.extend(side_checks("MLP", side))
    run.extras["models"] = {
        "LeNet-5": {"test_accuracy": lenet_accuracy, "parameters": _count(lenet),
                    "loss_history": list(run.loss_history), "epochs": lenet_epochs},
        "MLP": {"test_accuracy": mlp_accuracy, "parameters": _count(mlp),
                "loss_history": list(side.loss_history), "epochs": mlp_epochs,
                "accuracy_history": list(side.accuracy_history)}}


def _count(model) -> int:
    return int(sum(np.asarray(p.data).size for p in model.parameters()))


MILESTONE = Milestone(
    name="mnist", year=1998, title="LeNet-5 reads MNIST",
    story=__doc__.split("\n\n", 1)[1].strip(),
    model="LeNet-5: Conv(1,6,5) → pool → Conv(6,16,5) → pool → 120 → 84 → 10; and an MLP 784-256-128-10",
    about_data=(f"MNIST, or Fashion-MNIST with dataset=\"fashion-mnist\" (60,000 / 10,000 28×28 "
                f"images): LeNet-5 {LENET_EPOCHS} epochs at batch {LENET_BATCH}, MLP "
                f"{MLP_EPOCHS} epochs at batch {MLP_BATCH}"),
    data=(MNIST,), variants={"mnist": (MNIST,), "fashion-mnist": (FASHION_MNIST,)},
    packages=("tt-nn", "tt-vision"),
    needs={"layers": ("Sequential", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear",
                      "CrossEntropyLoss"),
           "optimizers": ("Adam", "CosineAnnealingLR")},
    bar="LeNet-5 ≥ 99% and MLP ≥ 98% test accuracy (Fashion-MNIST: 88% and 85%)",
    budget="about 3 minutes on a 2-core CPU",
    train=train)
