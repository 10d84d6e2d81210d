import numpy as np
import tt_tensor as tt
from tt_tensor import OPS, hookimpl, plugins


class FastReLU(tt.Function):
    """A stand-in for a faster relu (a compiled kernel, say)."""

    name = "relu"

    @staticmethod
    def forward(ctx, x):
        ctx.positive = x > 0
        return np.maximum(x, 0)

    @staticmethod
    def backward(ctx, grad):
        return (grad * ctx.positive,)

    @staticmethod
    def examples():
        return [tt.Example(np.array([-1.5, -0.3, 0.4, 2.0]))]


class FastOps:
    @hookimpl
    def register_ops(self, register):
        register("relu", FastReLU, alternative=True)  # used only once chosen


x = tt.tensor([-1.0, 2.0])
with plugins.plugin(FastOps(), name="fast-ops"):
    assert x.relu().tolist() == [0.0, 2.0]         # not ambiguous: tt-tensor's relu runs
    assert OPS["relu"] is not FastReLU
    providers = plugins.registry().providers("ops", "relu")  # alternatives come last
    assert providers[0] == "tt-tensor" and "fast-ops" in providers

    plugins.use("relu", "fast-ops")                # switched on
    assert OPS["relu"] is FastReLU and x.relu().tolist() == [0.0, 2.0]

    plugins.clear_choices("fast-ops")              # switched off again
    assert OPS["relu"] is not FastReLU
