"""The `Swish` layer: a Module that applies the registered `swish` op."""

from tt_nn import Module
from tt_tensor import OPS


class Swish(Module):
    """Swish activation, x * sigmoid(x). Shape: (*) -> (*), the same shape."""

    def forward(self, x):
        # Looked up by name, so a provider chosen with plugins.use("swish", ...) takes over.
        return OPS["swish"].apply(x)
