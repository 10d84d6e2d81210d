"""tt-nn's plugin: the ops, layers, optimizers and datasets it registers with tt's registry.

Each hook runs once, when the registry is built. Importing optim and data here (not in
`tt_nn/__init__`) keeps `import tt_nn` light.
"""

from tt_tensor import hookimpl

LAYER_NAMES = ("Linear", "Sequential", "ModuleList", "ModuleDict", "ReLU", "Tanh", "Sigmoid",
               "GELU", "Softmax", "Identity", "Flatten", "Dropout", "LayerNorm",
               "MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss")


@hookimpl
def register_ops(register):
    from tt_nn.ops import NN_OPS

    for op in NN_OPS:
        register(op.name, op)


@hookimpl
def register_layers(register):
    import tt_nn

    for name in LAYER_NAMES:
        register(name, getattr(tt_nn, name))


@hookimpl
def register_optimizers(register):
    from tt_nn import optim

    for name in ("SGD", "Adam", "AdamW", "StepLR", "CosineAnnealingLR"):
        register(name, getattr(optim, name))


@hookimpl
def register_datasets(register):
    from tt_nn import data

    register("TensorDataset", data.TensorDataset)
