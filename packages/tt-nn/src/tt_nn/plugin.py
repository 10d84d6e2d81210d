"""tt-nn's plugin: the ops, functional forms, layers, optimizers and datasets it registers
with tt's registry.

Each hook runs once, when the registry builds that kind. Every op registered here is also
listed under `[project.entry-points."tt.ops"]` in tt-nn's pyproject.toml (a meta-test checks
the two agree). Importing optim and data inside the hooks (not in `tt_nn/__init__`) keeps
`import tt_nn` light.
"""

from tt_tensor import hookimpl

LAYER_NAMES = (
    "Linear", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Identity", "Flatten",
    "Unflatten", "Dropout", "LayerNorm",
    "ReLU", "Tanh", "Sigmoid", "GELU", "Softmax", "LogSoftmax", "Softmin", "SiLU", "Mish",
    "Softplus", "LogSigmoid", "Softsign", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish",
    "LeakyReLU", "ELU", "CELU", "SELU", "GLU", "PReLU", "Threshold", "Tanhshrink", "Softshrink",
    "Hardshrink", "CosineSimilarity", "PairwiseDistance",
    "MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "L1Loss",
    "SmoothL1Loss", "HuberLoss", "KLDivLoss",
)

OPTIMIZER_NAMES = (
    "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
    "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR", "LinearLR",
    "SequentialLR", "OneCycleLR", "ReduceLROnPlateau", "ConstantLR", "PolynomialLR",
    "CosineAnnealingWarmRestarts",
)

DATASET_NAMES = ("TensorDataset", "Subset", "ConcatDataset")


@hookimpl
def register_ops(register):
    """Every op class in `tt_nn.ops.OP_CLASSES`, under its `name`."""
    from tt_nn.ops import OP_CLASSES

    for op in OP_CLASSES:
        register(op.name, op)


@hookimpl
def register_functions(register):
    """Every functional form in `tt_nn.functional.FUNCTIONS`, under torch's name."""
    from tt_nn import functional

    for name in functional.FUNCTIONS:
        register(name, getattr(functional, name))


@hookimpl
def register_layers(register):
    """The layers, containers and loss modules named in `LAYER_NAMES`."""
    import tt_nn

    for name in LAYER_NAMES:
        register(name, getattr(tt_nn, name))


@hookimpl
def register_optimizers(register):
    """The optimizers and lr schedulers named in `OPTIMIZER_NAMES`."""
    from tt_nn import optim

    for name in OPTIMIZER_NAMES:
        register(name, getattr(optim, name))


@hookimpl
def register_datasets(register):
    """The generic datasets (`TensorDataset`, `Subset`, `ConcatDataset`)."""
    from tt_nn import data

    for name in DATASET_NAMES:
        register(name, getattr(data, name))
