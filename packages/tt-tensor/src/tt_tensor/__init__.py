"""tt-tensor: NumPy arrays that remember how they were computed, and tt's plugin registry.

    >>> import tt_tensor as tt
    >>> x = tt.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> (x @ x.T).sum().item()
    52.0
"""

from tt_tensor import plugins
from tt_tensor import functions
from tt_tensor.creation import (arange, as_tensor, bernoulli, cat, concat, concatenate, empty,
                                empty_like, eye, full, full_like, linspace, logspace, maximum,
                                minimum, multinomial, normal, ones, ones_like, rand, rand_like,
                                randint, randint_like, randn, randn_like, randperm, stack, tensor,
                                where, zeros, zeros_like)
from tt_tensor.dtypes import (bool, double, float, float16, float32, float64, get_default_dtype,  # noqa: A004
                              half, int, int8, int16, int32, int64, long, set_default_dtype, short,
                              uint8)
from tt_tensor.functions import *  # noqa: F403  (tt.add, tt.sum, ...: the Tensor methods as functions)
from tt_tensor.device import device
from tt_tensor.function import Context, Example, Function, unbroadcast
from tt_tensor.grad_mode import (AnomalyError, detect_anomaly, enable_grad, inference_mode,
                                 is_anomaly_enabled, is_grad_enabled, no_grad, observing,
                                 set_grad_enabled)
from tt_tensor.hookspecs import hookimpl
from tt_tensor.plugins import OPS, RegistryError
from tt_tensor.random import Generator, default_generator, generator, initial_seed, manual_seed, seed
from tt_tensor.tensor import Tensor, from_numpy

__version__ = "0.1.0"

__all__ = [
    "Tensor", "from_numpy", "tensor", "zeros", "ones", "zeros_like", "ones_like", "randn", "rand", "randint",
    "arange", "cat", "stack", "where", "maximum", "manual_seed", "generator",
    "float32", "float64", "int64", "bool",
    "Function", "Context", "Example", "observing", "unbroadcast", "device",
    "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
    "detect_anomaly", "is_anomaly_enabled", "AnomalyError",
    "hookimpl", "plugins", "OPS", "RegistryError", "__version__",
    # issue 13: creation, dtypes and the function forms of the Tensor methods
    "as_tensor", "bernoulli", "concat", "concatenate", "empty", "empty_like", "eye", "full",
    "full_like", "linspace", "logspace", "minimum", "multinomial", "normal", "rand_like",
    "randint_like", "randn_like", "randperm", "double", "float", "float16", "half", "int",
    "int8", "int16", "int32", "long", "short", "uint8", "get_default_dtype", "set_default_dtype",
    "Generator", "default_generator", "initial_seed", "seed",
    *functions.__all__,
]
