"""tt-vision's plugin: what this package registers with tt's registry (see tt_tensor.hookspecs).

Imports happen inside the hooks, so loading this module (done when the registry is built)
stays cheap and each hook pulls in only what it registers.
"""

from tt_tensor import hookimpl


@hookimpl
def register_ops(register):
    from tt_vision.ops import OPS

    for op in OPS:
        register(op.name, op)


@hookimpl
def register_layers(register):
    from tt_vision.layers import LAYERS

    for layer in LAYERS:
        register(layer.__name__, layer)


@hookimpl
def register_datasets(register):
    from tt_vision.datasets import CIFAR10, MNIST, FashionMNIST, TinyDigits

    for dataset in (TinyDigits, MNIST, FashionMNIST, CIFAR10):
        register(dataset.__name__, dataset)
