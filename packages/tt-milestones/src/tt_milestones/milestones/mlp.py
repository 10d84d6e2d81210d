"""1989 — A multi-layer perceptron reads handwritten digits.

By the late 1980s backpropagation trained networks with hidden layers on real data, and
in 1989 Cybenko and Hornik, Stinchcombe and White proved that one hidden layer can
approximate any continuous function. This milestone trains a two-hidden-layer network on
TinyDigits: each 8×8 image is flattened into 64 numbers, so the network must learn the
shapes of digits without being told which pixels are neighbours.
"""

from __future__ import annotations

import tt_tensor as tt

from tt_milestones.milestone import Milestone
from tt_milestones.milestones._common import class_accuracy, layer, optimizer, percent
from tt_milestones.milestones._digits import shipped_digits

EPOCHS = 25
BATCH_SIZE = 32
LR = 2e-3
BAR = 0.80


# ----- the historical model -----------------------------------------------------------------
def build_model():
    """Linear(64,128) → ReLU → Linear(128,64) → ReLU → Linear(64,10): (N, 64) → logits (N, 10)."""
    Sequential, Linear, ReLU = layer("Sequential"), layer("Linear"), layer("ReLU")
    return Sequential(Linear(64, 128), ReLU(), Linear(128, 64), ReLU(), Linear(64, 10))


# ----- the training loop ----------------------------------------------------------------------
def train(run, lr: float = LR, epochs: int = EPOCHS, batch_size: int = BATCH_SIZE,
          data_root=None) -> None:
    """Adam on mini-batches of flattened images, cross-entropy on the ten classes."""
    from tt_nn.data import DataLoader, TensorDataset

    run.describe(batch_size=batch_size, optimizer="Adam", lr=lr)
    train_x, train_y, test_x, test_y = shipped_digits()
    train_x, test_x = train_x.reshape(-1, 64), tt.tensor(test_x.reshape(-1, 64))
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=batch_size, shuffle=True,
                        seed=run.seed)
    model = run.watch(build_model(), sample=test_x)
    loss_fn = layer("CrossEntropyLoss")()
    opt = optimizer("Adam")(model.parameters(), lr=lr)

    def training_step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in run.epochs(epochs):
        for x, y in loader:
            run.step(training_step, x, y)
        run.evaluate(class_accuracy(model, test_x, test_y))

    # ----- the checks ------------------------------------------------------------------------
    accuracy = class_accuracy(model, test_x, test_y)
    run.check("test accuracy", accuracy, f"> {BAR:.0%}", accuracy > BAR, percent(accuracy))


MILESTONE = Milestone(
    name="mlp", year=1989, title="A multi-layer perceptron reads digits",
    story=__doc__.split("\n\n", 1)[1].strip(),
    model="Linear(64,128) → ReLU → Linear(128,64) → ReLU → Linear(64,10)",
    data="TinyDigits (1000 train / 200 test 8×8 images), batch 32, 25 epochs",
    packages=("tt-nn",),
    needs={"layers": ("Sequential", "Linear", "ReLU", "CrossEntropyLoss"),
           "optimizers": ("Adam",)},
    bar="test accuracy > 80%",
    train=train)
