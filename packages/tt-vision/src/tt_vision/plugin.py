"""tt-vision's plugin: what this package registers with tt's registry (see tt_tensor.hookspecs).

Imports happen inside the hooks, so loading this module (done when the registry is built)
stays cheap and each hook pulls in only what it registers. Every op registered here is also
listed under `[project.entry-points."tt.ops"]` in the package's pyproject.toml.
"""

from tt_tensor import hookimpl


@hookimpl
def register_ops(register):
    from tt_vision.ops import OP_CLASSES

    for op in OP_CLASSES:
        register(op.name, op)


@hookimpl
def register_functions(register):
    from tt_vision import functional

    for name in functional.__all__:
        register(name, getattr(functional, name))


@hookimpl
def register_layers(register):
    from tt_vision.layers import LAYERS

    for layer in LAYERS:
        register(layer.__name__, layer)


@hookimpl
def register_datasets(register):
    from tt_vision import datasets

    for name in ("TinyDigits", "MNIST", "FashionMNIST", "CIFAR10"):
        if hasattr(datasets, name):
            register(name, getattr(datasets, name))
