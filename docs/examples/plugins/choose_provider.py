import numpy as np
import tt_tensor as tt
from tt_tensor import OPS, RegistryError, hookimpl, plugins


class CountingReLU(tt.Function):
    """ReLU that counts its calls: a stand-in for "my own implementation of an op"."""

    name = "relu"
    calls = 0

    @staticmethod
    def forward(ctx, x):
        CountingReLU.calls += 1
        ctx.positive = x > 0
        return np.where(ctx.positive, x, 0).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return (grad * ctx.positive,)

    @staticmethod
    def examples():
        return [tt.Example(np.array([-1.5, -0.3, 0.4, 2.0]))]


class MyReLU:
    @hookimpl
    def register_ops(self, register):
        register("relu", CountingReLU)


x = tt.tensor([-1.0, 2.0])
with plugins.plugin(MyReLU(), name="my-relu"):
    # Two providers now offer "relu": tt refuses to guess, and says how to choose.
    try:
        x.relu()
    except RegistryError as error:
        print(error)
    else:
        raise AssertionError("an ambiguous op should not run")

    plugins.use("relu", "my-relu")          # every relu, in every layer, is now mine
    assert x.relu().numpy().tolist() == [0.0, 2.0]
    assert CountingReLU.calls == 1 and OPS["relu"] is CountingReLU

# The plugin is gone and so is the choice: the built-in relu is back.
assert OPS["relu"] is not CountingReLU and x.relu().numpy().tolist() == [0.0, 2.0]
