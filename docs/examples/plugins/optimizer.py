import numpy as np
import tt_tensor as tt
from tt_nn import Linear, MSELoss
from tt_nn.optim import Optimizer
from tt_tensor import hookimpl, plugins


class SignSGD(Optimizer):
    """p <- p - lr * sign(grad): every weight moves by exactly lr, against its gradient."""

    def __init__(self, params, lr=0.01):
        super().__init__(params, dict(lr=lr))

    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.data -= group["lr"] * np.sign(p.grad.data)


class MyPlugin:
    """A plugin can be any object (or module) with hook functions."""

    @hookimpl
    def register_optimizers(self, register):
        register("SignSGD", SignSGD)


with plugins.plugin(MyPlugin(), name="my-optimizers"):
    Optim = plugins.get("optimizers", "SignSGD")     # found by name, like "Adam"
    tt.manual_seed(0)
    model = Linear(3, 1)
    x, y = tt.randn(64, 3), tt.randn(64, 1)
    optimizer = Optim(model.parameters(), lr=0.01)
    before = model.weight.numpy().copy()
    loss = MSELoss()(model(x), y)
    loss.backward()
    optimizer.step()
    assert np.allclose(np.abs(model.weight.numpy() - before), 0.01)

# Outside the block the plugin is gone again.
assert "SignSGD" not in {e.name for e in plugins.listing("optimizers")}
