"""The package itself: a quiet, fast import and the public names of the API contract."""

import subprocess
import sys

import tt_nn as nn


def test_import_is_quiet_and_light():
    # How long it takes is measured by benchmarks/bench_startup.py, never in a unit test.
    out = subprocess.run([sys.executable, "-c", "import tt_nn"], capture_output=True, text=True,
                         check=True)
    assert out.stdout == "" and out.stderr == ""
    heavy = subprocess.run([sys.executable, "-c", "import sys, tt_nn; "
                            "print(sorted(m for m in ('torch', 'matplotlib') if m in sys.modules))"],
                           capture_output=True, text=True, check=True)
    assert heavy.stdout.strip() == "[]"


def test_public_names_from_the_api_contract():
    for name in ["Module", "Parameter", "Linear", "Sequential", "ReLU", "Tanh", "Sigmoid", "GELU",
                 "Softmax", "Flatten", "Dropout", "LayerNorm", "MSELoss", "BCELoss",
                 "BCEWithLogitsLoss", "CrossEntropyLoss", "save", "load", "clip_grad_norm_",
                 "NLLLoss", "LogSoftmax", "SiLU", "LeakyReLU", "ELU", "Softplus", "Identity",
                 "Unflatten", "Mish", "ReLU6", "Hardtanh", "GLU", "SELU", "CELU"]:
        assert hasattr(nn, name), name
    for name in ["relu", "softmax", "cross_entropy", "mse_loss", "linear", "gelu", "log_softmax",
                 "dropout", "layer_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits"]:
        assert callable(getattr(nn.functional, name)), name
    for name in ["xavier_uniform_", "kaiming_uniform_", "zeros_", "ones_", "normal_", "uniform_"]:
        assert callable(getattr(nn.init, name)), name
    for name in ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"]:
        assert hasattr(nn.optim, name), name
    for name in ["StepLR", "CosineAnnealingLR", "LambdaLR", "MultiStepLR", "ExponentialLR",
                 "OneCycleLR", "ReduceLROnPlateau", "LinearLR", "SequentialLR"]:
        assert getattr(nn.optim, name) is getattr(nn.optim.lr_scheduler, name), name
    for name in ["Dataset", "TensorDataset", "DataLoader", "Subset", "ConcatDataset",
                 "random_split", "Sampler", "SequentialSampler", "RandomSampler",
                 "BatchSampler", "default_collate"]:
        assert hasattr(nn.data, name), name
    for name in ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
                 "vector_to_parameters"]:
        assert callable(getattr(nn.utils, name)), name
