"""tt-milestones's plugin: registers the built-in milestones, exactly as a third party would.

Importing a milestone's module imports neither tt-vision nor tt-text (models are built
from the registry at train time), so `cnn` can be listed as locked when tt-vision is missing,
and `mnist` as locked when its data is missing.
"""

from tt_tensor import hookimpl

BUILTIN = ("perceptron", "xor", "mlp", "cnn", "transformer", "mnist", "cifar10", "shakespeare",
           "systems")


@hookimpl
def register_milestones(register):
    import importlib

    for name in BUILTIN:
        module = importlib.import_module(f"tt_milestones.milestones.{name}")
        register(module.MILESTONE.name, module.MILESTONE)
