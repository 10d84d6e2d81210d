"""How the `tt` namespace finds a name: in the registry first, then in a package module.

`tt.nn.Conv2d` is whatever layer is registered as `Conv2d` (tt-vision's, or a learner's
chosen with `use()`); `tt.vision.transforms.ToTensor` is `tt_vision.transforms.ToTensor`.
When the package that provides a name is not installed, the error says which one to
install, so a PyTorch program that reaches for a missing name learns how to get it.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from tt_tensor import plugins

# Where tt's own names live, for the hint when their package is missing. Strings only:
# nothing here imports a package.
HOMES: dict[str, tuple[str, ...]] = {
    "tt-vision": (
        "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
        "MaxUnpool2d", "BatchNorm1d", "BatchNorm2d", "GroupNorm", "Dropout2d", "Upsample",
        "conv1d", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d",
        "adaptive_avg_pool2d", "max_unpool2d", "batch_norm", "interpolate", "pad",
        "TinyDigits", "MNIST", "FashionMNIST", "CIFAR10", "transforms", "datasets",
    ),
    "tt-text": (
        "Embedding", "PositionalEncoding", "MultiHeadAttention", "TransformerBlock", "GPT",
        "embedding", "scaled_dot_product_attention", "CharTokenizer", "BPETokenizer",
    ),
}


def home_of(name: str) -> str | None:
    """The tt distribution that provides `name`, if it is one of tt's own names."""
    for distribution, names in HOMES.items():
        if name in names:
            return distribution
    return None


def missing(where: str, name: str, kind: str) -> AttributeError:
    """The error for a name nothing installed provides, naming the package to install."""
    distribution = home_of(name)
    if distribution is not None:
        return AttributeError(f"{where}.{name} is provided by {distribution}, which is not "
                              f"installed (or is blocked); install it: "
                              f"{plugins.install_hint(distribution)}")
    return AttributeError(f"module {where!r} has no attribute {name!r}: no installed tt package "
                          f"registers a {kind} of that name (see `python -m tt_tensor.plugins`)")


def registered(kind: str, name: str) -> Any:
    """The object registered as `name` in `kind`, or `None` if nothing registers it."""
    if name.startswith("__"):
        return None
    try:
        return plugins.registry().get(kind, name)
    except plugins.RegistryError as error:
        if plugins.registry().providers(kind, name):  # ambiguous or a broken choice: say so
            raise AttributeError(str(error)) from None
        return None


def from_module(module_name: str, name: str) -> Any:
    """`module_name.name`, or `None` if the module is not installed or lacks it."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            return None
        raise
    return getattr(module, name, None)


def view(where: str, kind: str | None, *modules: str) -> Callable[[str], Any]:
    """A module `__getattr__`: the registry's `kind` first, then each module in turn."""

    def __getattr__(name: str) -> Any:
        if kind is not None:
            found = registered(kind, name)
            if found is not None:
                return found
        for module_name in modules:
            found = from_module(module_name, name)
            if found is not None:
                return found
        raise missing(where, name, kind or "name")

    return __getattr__


def package_view(where: str, module_name: str, distribution: str) -> Callable[[str], Any]:
    """A module `__getattr__` over one package module, with an install hint when it is absent."""

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and module_name.startswith(error.name):
                raise AttributeError(f"{where}.{name} needs {distribution}, which is not "
                                     f"installed; install it: "
                                     f"{plugins.install_hint(distribution)}") from None
            raise
        try:
            return getattr(module, name)
        except AttributeError:
            raise AttributeError(f"module {where!r} has no attribute {name!r}") from None

    return __getattr__
