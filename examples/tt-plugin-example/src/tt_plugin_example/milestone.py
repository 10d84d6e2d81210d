"""The `swish-xor` milestone: XOR learned by a network whose hidden layer is `Swish`.

It trains like tt's own milestones: the model is built from the registry (so it uses
whichever `Swish` and `Linear` are registered), the loop reports each step to `run`, and
`run.check` adds this milestone's own bar. tt-milestones adds the checks every milestone
gets: the loss fell by more than half, every parameter got a gradient and moved.
"""

import numpy as np
import tt_tensor as tt
from tt_autograd import no_grad
from tt_milestones import Milestone
from tt_tensor import plugins

EPOCHS = 300
BAR = 1.0  # four points: all of them right, or it did not learn XOR


def build_model():
    """Linear(2,8) → Swish → Linear(8,1): (N, 2) → a logit for x1 XOR x2, (N, 1)."""
    Linear, Swish = plugins.get("layers", "Linear"), plugins.get("layers", "Swish")
    return plugins.get("layers", "Sequential")(Linear(2, 8), Swish(), Linear(8, 1))


def accuracy(model, x, y) -> float:
    """Share of rows whose logit is on the label's side of 0 (evaluation records no graph)."""
    with no_grad():
        return float(np.mean((model(x).numpy() > 0) == (y.numpy() > 0.5)))


def train(run, lr: float = 0.05, epochs: int = EPOCHS) -> None:
    """Full-batch Adam on the four rows of the XOR truth table."""
    run.describe(batch_size="full", optimizer="Adam", lr=lr)
    x = tt.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = tt.tensor([[0.0], [1.0], [1.0], [0.0]])
    model = run.watch(build_model(), sample=x)
    loss_fn = plugins.get("layers", "BCEWithLogitsLoss")()
    opt = plugins.get("optimizers", "Adam")(model.parameters(), lr=lr)

    def training_step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in run.epochs(epochs):
        run.step(training_step, x, y)
        run.evaluate(accuracy(model, x, y))

    final = accuracy(model, x, y)
    run.check("XOR accuracy", final, f"= {BAR:.0%}", final >= BAR, f"{final:.0%}")


SWISH_XOR = Milestone(
    name="swish-xor", year=2017, title="XOR with a Swish hidden layer",
    story="Swish (Ramachandran, Zoph and Le, 2017) is x * sigmoid(x): smooth, and unlike "
          "ReLU never exactly flat. This milestone shows a plugin's own op and layer "
          "training a network through tt's backpropagation.",
    model="Linear(2,8) → Swish → Linear(8,1)",
    data="the XOR truth table",
    packages=("tt-nn", "tt-plugin-example"),
    needs={"layers": ("Sequential", "Linear", "Swish", "BCEWithLogitsLoss"),
           "optimizers": ("Adam",)},
    bar="accuracy = 100%",
    train=train)
