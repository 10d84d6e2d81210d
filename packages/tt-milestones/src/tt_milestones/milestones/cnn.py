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
COMPARISON_MARGIN = 0.03  # the CNN may trail the MLP's accuracy by at most 3 points


# ----- the historical model -----------------------------------------------------------------
def build_model():
    """Conv2d(1,8,3) → ReLU → MaxPool2d(2) → Flatten → Linear(72,10).

    Shapes: (N, 1, 8, 8) → (N, 8, 6, 6) → (N, 8, 3, 3) → (N, 72) → logits (N, 10).
    """
    return layer("Sequential")(layer("Conv2d")(1, 8, 3), layer("ReLU")(), layer("MaxPool2d")(2),
                               layer("Flatten")(), layer("Linear")(72, 10))


# ----- the training loop ----------------------------------------------------------------------
def fit(run, model, data, lr: float, epochs: int, batch_size: int) -> float:
    """Adam on mini-batches of images, cross-entropy on the ten classes; the test accuracy."""
    from tt_nn.data import DataLoader, TensorDataset

    train_x, train_y, test_x, test_y = data
    test_x = tt.tensor(test_x)
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=batch_size, shuffle=True,
                        seed=run.seed)
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
    return class_accuracy(model, test_x, test_y)


def train(run, lr: float = LR, epochs: int = EPOCHS, batch_size: int = BATCH_SIZE,
          compare: bool = True, data_root=None) -> None:
    """Train the CNN; then, for the fair comparison, the 1989 MLP in the same setup.

    `compare=False` skips the MLP.
    """
    run.describe(batch_size=batch_size, optimizer="Adam", lr=lr)
    data = tiny_digits()
    model = run.watch(build_model(), sample=tt.tensor(data[2]))
    accuracy = fit(run, model, data, lr, epochs, batch_size)

    # ----- the checks ------------------------------------------------------------------------
    run.check("test accuracy", accuracy, f"> {BAR:.0%}", accuracy > BAR, percent(accuracy))
    if compare:
        fair_comparison(run, model, accuracy, epochs, batch_size)


def fair_comparison(run, cnn, cnn_accuracy: float, epochs: int, batch_size: int) -> None:
    """The MLP trained on the same images, batches, epochs and number of updates.

    Each keeps its own learning rate (the one its milestone is tuned with); the images are
    the same, flattened for the MLP, and the data order is the same (same seed). The CNN
    must learn more per parameter: at least the MLP's accuracy minus
    `COMPARISON_MARGIN`, with at most a tenth of its parameters.
    """
    from tt_milestones.checks import loss_decrease
    from tt_milestones.milestones import mlp
    from tt_milestones.training import TrainingRun

    tt.manual_seed(run.seed)
    side = TrainingRun(run.seed)
    train_x, train_y, test_x, test_y = tiny_digits()
    flat = (train_x.reshape(len(train_x), -1), train_y, test_x.reshape(len(test_x), -1), test_y)
    model = side.watch(mlp.build_model())
    mlp_accuracy = fit(side, model, flat, mlp.LR, epochs, batch_size)
    rows = []
    for name, m, r, acc, lr in (("CNN", cnn, run, cnn_accuracy, run.config.get("lr", LR)),
                                ("MLP", model, side, mlp_accuracy, mlp.LR)):
        rows.append({"model": name, "parameters": int(sum(p.data.size for p in m.parameters())),
                     "batch_size": batch_size, "epochs": epochs, "updates": r.steps,
                     "lr": lr, "first_loss": r.loss_history[0], "last_loss": r.loss_history[-1],
                     "loss_decrease": loss_decrease(r), "accuracy": acc})
    run.extras["fair_comparison"] = rows
    cnn_row, mlp_row = rows
    passed = (cnn_row["updates"] == mlp_row["updates"]
              and cnn_accuracy >= mlp_accuracy - COMPARISON_MARGIN
              and 10 * cnn_row["parameters"] <= mlp_row["parameters"])
    run.check("CNN vs MLP, same batches and updates", cnn_accuracy - mlp_accuracy,
              f"≥ MLP − {COMPARISON_MARGIN:.0%} with ≤ 1/10 of its parameters", passed,
              f"{percent(cnn_accuracy)} vs {percent(mlp_accuracy)}, "
              f"{cnn_row['parameters']:,} vs {mlp_row['parameters']:,} parameters")


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
