"""1998 — LeCun's convolutional network: weights shared across the image.

LeNet-5 (LeCun, Bottou, Bengio and Haffner, 1998) read the digits on bank cheques. Its
idea: slide the same small filters over every position, so a stroke is recognised
wherever it appears, then pool to keep the strongest responses. Here eight 3×3 filters
and one pooling step feed a single linear layer — 810 parameters against the MLP's
17,226 — and reach about the same accuracy on TinyDigits.
"""

from __future__ import annotations

import tt_tensor as tt

from tt_milestones.milestone import Milestone
from tt_milestones.milestones._common import class_accuracy, layer, optimizer, percent
from tt_milestones.milestones._digits import tiny_digits

EPOCHS = 25
BATCH_SIZE = 32
LR = 1e-2
BAR = 0.80


# ----- the historical model -----------------------------------------------------------------
def build_model():
    """Conv2d(1,8,3) → ReLU → MaxPool2d(2) → Flatten → Linear(72,10).

    Shapes: (N, 1, 8, 8) → (N, 8, 6, 6) → (N, 8, 3, 3) → (N, 72) → logits (N, 10).
    """
    return layer("Sequential")(layer("Conv2d")(1, 8, 3), layer("ReLU")(), layer("MaxPool2d")(2),
                               layer("Flatten")(), layer("Linear")(72, 10))


# ----- the training loop ----------------------------------------------------------------------
def train(run, lr: float = LR, epochs: int = EPOCHS, batch_size: int = BATCH_SIZE) -> None:
    """Adam on mini-batches of images, cross-entropy on the ten classes."""
    from tt_nn.data import DataLoader, TensorDataset

    run.describe(batch_size=batch_size, optimizer="Adam", lr=lr)
    train_x, train_y, test_x, test_y = tiny_digits()
    test_x = tt.tensor(test_x)
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
    name="cnn", year=1998, title="LeCun's convolutional network",
    story=__doc__.split("\n\n", 1)[1].strip(),
    model="Conv2d(1,8,3) → ReLU → MaxPool2d(2) → Flatten → Linear(72,10)",
    data="TinyDigits (1000 train / 200 test 8×8 images), batch 32, 25 epochs",
    packages=("tt-nn", "tt-vision"),
    needs={"layers": ("Sequential", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear",
                      "CrossEntropyLoss"),
           "optimizers": ("Adam",), "datasets": ("TinyDigits",)},
    bar="test accuracy > 80%",
    train=train)
