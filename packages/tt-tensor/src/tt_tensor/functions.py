"""torch's function forms of the Tensor methods: `tt.add(a, b)`, `tt.sum(x, dim=1)`, ...

Each `tt.NAME(input, *args, **kwargs)` is `input.NAME(*args, **kwargs)` (so the two can
never disagree), plus the few functions torch has no method for: `einsum`, `meshgrid`,
`std_mean`, `var_mean`, `is_tensor`, `numel`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tt_tensor.plugins import OPS
from tt_tensor.tensor import Tensor

# Tensor methods that torch also offers as `torch.NAME(input, ...)`.
METHOD_FORMS = (
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
    "remainder", "fmod", "pow", "matmul", "mm", "bmm", "mv", "dot", "outer", "neg", "negative", "square", "reciprocal", "rsqrt",
    "lerp", "logaddexp", "copysign", "abs", "absolute",
    "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos", "tan", "asin", "acos", "atan",
    "sinh", "cosh", "asinh", "acosh", "atanh", "arcsin", "arccos", "arctan", "arcsinh",
    "arccosh", "arctanh", "log2", "log10", "log1p", "expm1", "exp2", "erf", "floor", "ceil",
    "trunc", "fix", "sign", "round", "isinf", "isnan", "isfinite", "clamp", "clip",
    "clamp_min", "clamp_max",
    "eq", "ne", "lt", "le", "gt", "ge", "less", "less_equal", "greater", "greater_equal",
    "not_equal", "equal", "isclose", "allclose", "any", "all",
    "sum", "mean", "prod", "var", "std", "max", "min", "amax", "amin", "argmax", "argmin",
    "logsumexp", "cumsum", "cumprod", "cummax", "cummin", "softmax", "log_softmax",
    "reshape", "flatten", "unflatten", "unsqueeze", "squeeze", "transpose", "swapaxes",
    "swapdims", "t", "permute", "movedim", "moveaxis", "roll", "flip", "tril", "triu",
    "diagonal", "repeat_interleave", "split", "chunk", "unbind", "narrow",
    "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "sort", "argsort",
    "topk", "nonzero", "masked_fill", "masked_select", "clone", "norm", "unique", "bincount",
    "count_nonzero", "argwhere",
    "is_floating_point",
)


def _method_form(name: str):
    def function(input: Tensor, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        if not isinstance(input, Tensor):
            input = Tensor(input)  # noqa: A001  (torch accepts a number where it can)
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"`tt.{name}(input, ...)` is `input.{name}(...)`; see `Tensor.{name}`."
    return function


for _name in METHOD_FORMS:
    globals()[_name] = _method_form(_name)
del _name


def is_tensor(obj: Any) -> bool:
    """True for a tt Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:  # noqa: A002
    """The number of elements of `input`."""
    return input.numel()



def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,  # noqa: A002
             correction=None):
    """`(var, mean)` over `dim` (correction 1 by default), as torch.var_mean."""
    return (input.var(dim, unbiased, keepdim, correction=correction), input.mean(dim, keepdim))


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,  # noqa: A002
             correction=None):
    """`(std, mean)` over `dim` (correction 1 by default), as torch.std_mean."""
    return (input.std(dim, unbiased, keepdim, correction=correction), input.mean(dim, keepdim))


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """`torch.linalg.vector_norm`: `(Σ |x|^ord)^(1/ord)` over `dim` (all by default)."""
    if dtype is not None:
        x = x.to(dtype)
    return OPS["norm"].apply(x, ord=ord, dim=dim, keepdim=keepdim)


def einsum(equation: str, *operands: Tensor) -> Tensor:
    """Sums of products named by index letters: `einsum("bij,bjk->bik", a, b)` (differentiable).

    Operands may also be given as one list, as torch allows.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return OPS["einsum"].apply(*operands, equation=equation)


def meshgrid(*tensors: Tensor, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors: with "ij" the i-th output varies along dim i;
    "xy" swaps the first two (as NumPy's default). Differentiable (each is an expand)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    sizes = [t.numel() for t in tensors]
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        order[0], order[1] = 1, 0
    shape = [sizes[i] for i in order]
    grids = []
    for i, t in enumerate(tensors):
        view = [1] * len(tensors)
        view[order.index(i)] = sizes[i]
        grids.append(t.reshape(*view).expand(*shape))
    return tuple(grids)


def result_type(tensor1: Any, tensor2: Any) -> np.dtype:
    """The dtype an elementwise op on the two gives (torch's promotion rules)."""
    from tt_tensor.dtypes import result_type as rule

    return rule(*(t.data if isinstance(t, Tensor) else t for t in (tensor1, tensor2)))


__all__ = list(METHOD_FORMS) + ["is_tensor", "numel", "var_mean", "std_mean", "einsum", "vector_norm",
                                "meshgrid", "result_type"]
