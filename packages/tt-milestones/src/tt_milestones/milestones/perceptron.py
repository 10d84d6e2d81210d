"""1957 — Rosenblatt's perceptron: one weighted sum and a threshold.

Frank Rosenblatt's Mark I Perceptron learned to separate two classes by nudging its
weights after each mistake. Here it is one `Linear(2, 1)` and a `Sigmoid`, trained by
gradient descent on the three problems a single line can solve: the AND gate, the OR gate
and two clouds of points on either side of a line. Each gets its own perceptron.
"""

from __future__ import annotations

import numpy as np
import tt_tensor as tt

from tt_milestones.milestone import Milestone
from tt_milestones.milestones._common import binary_accuracy, layer, optimizer, percent

EPOCHS = 300
LR = 2.0  # full-batch gradient descent on a handful of points tolerates a large step
BAR = 0.90


# ----- the historical model -----------------------------------------------------------------
def build_perceptron():
    """Linear(2, 1) → Sigmoid: P(class 1 | x) for a 2-D input x, shape (N, 2) → (N, 1)."""
    Sequential, Linear, Sigmoid = layer("Sequential"), layer("Linear"), layer("Sigmoid")
    return Sequential(Linear(2, 1), Sigmoid())


def make_problems(seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The AND and OR truth tables and 100 points in two separable clusters; x (N, 2), y (N, 1)."""
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    rng = np.random.default_rng(seed)
    # Noise clipped to ±1 keeps every point of cluster (±1.5, ±1.5) on its side of x1 + x2 = 0.
    noise = np.clip(rng.normal(0, 0.5, size=(100, 2)), -1, 1)
    labels = np.repeat([0.0, 1.0], 50)
    clusters = (np.where(labels[:, None] > 0, 1.5, -1.5) + noise).astype(np.float32)
    return {
        "AND": (corners, np.array([[0], [0], [0], [1]], dtype=np.float32)),
        "OR": (corners, np.array([[0], [1], [1], [1]], dtype=np.float32)),
        "clusters": (clusters, labels[:, None].astype(np.float32)),
    }


# ----- the training loop ----------------------------------------------------------------------
def train(run, lr: float = LR, epochs: int = EPOCHS, data_root=None) -> None:
    """Train one perceptron per problem, side by side, with full-batch gradient descent."""
    run.describe(batch_size="full", optimizer="SGD", lr=lr)
    loss_fn = layer("BCELoss")()
    problems = {}
    for name, (x, y) in make_problems(run.seed).items():
        x, y = tt.tensor(x), tt.tensor(y)
        model = run.watch(build_perceptron(), name=name)
        problems[name] = (model, optimizer("SGD")(model.parameters(), lr=lr), x, y)

    def training_step(model, opt, x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in run.epochs(epochs):
        for model, opt, x, y in problems.values():
            run.step(training_step, model, opt, x, y)
        run.evaluate(min(binary_accuracy(m, x, y.data) for m, _, x, y in problems.values()))

    # ----- the checks ------------------------------------------------------------------------
    for name, (model, _, x, y) in problems.items():
        accuracy = binary_accuracy(model, x, y.data)
        run.check(f"{name} accuracy", accuracy, f"≥ {BAR:.0%}", accuracy >= BAR, percent(accuracy))


MILESTONE = Milestone(
    name="perceptron", year=1957, title="Rosenblatt's perceptron",
    story=__doc__.split("\n\n", 1)[1].strip(),
    model="Linear(2,1) → Sigmoid",
    data="AND and OR gates, two separable 2-D clusters",
    packages=("tt-nn",),
    needs={"layers": ("Sequential", "Linear", "Sigmoid", "BCELoss"), "optimizers": ("SGD",)},
    bar="accuracy ≥ 90% on each problem",
    train=train)
