"""The dtype of every elementwise result is torch's, for every pair of dtypes, tensors with
dimensions, 0-d tensors and Python numbers (torch's type promotion)."""

import itertools

import numpy as np
import pytest
import tt_tensor as tt

torch = pytest.importorskip("torch", reason="PyTorch is not installed: promotion reference skipped")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
NUMBERS = [True, 3, 2.5]


def make(module, dtype, zero_d):
    value = np.array(1 if zero_d else [1, 1]).astype(dtype)
    return module.tensor(value) if module is tt else torch.tensor(value)


def torch_dtype(t):
    return str(t.dtype).replace("torch.", "")


OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": lambda a, b: (tt if isinstance(a, tt.Tensor) else torch).maximum(a, b),
    "where": lambda a, b: (tt if isinstance(a, tt.Tensor) else torch).where(a > 0, a, b),
}


@pytest.mark.parametrize("op", sorted(OPS))
def test_tensor_with_tensor(op):
    f = OPS[op]
    compared = 0
    for left, right, zero_left, zero_right in itertools.product(DTYPES, DTYPES, (False, True), (False, True)):
        try:
            expected = torch_dtype(f(make(torch, left, zero_left), make(torch, right, zero_right)))
        except RuntimeError:
            continue  # torch refuses (e.g. bool - bool); tt may do something else
        got = str(f(make(tt, left, zero_left), make(tt, right, zero_right)).dtype)
        assert got == expected, (op, left, zero_left, right, zero_right, got, expected)
        compared += 1
    assert compared > 250  # of 324: only pairs torch refuses are left out


@pytest.mark.parametrize("op", ["add", "mul", "div", "where"])
def test_tensor_with_python_number(op):
    f = OPS[op]
    compared = 0
    for dtype, number, zero_d in itertools.product(DTYPES, NUMBERS, (False, True)):
        try:
            expected = torch_dtype(f(make(torch, dtype, zero_d), number))
        except (RuntimeError, TypeError):
            continue
        got = str(f(make(tt, dtype, zero_d), number).dtype)
        assert got == expected, (op, dtype, zero_d, number, got, expected)
        compared += 1
    assert compared > 40


def test_unary_float_functions_of_integers_and_bools():
    for dtype, name in itertools.product(DTYPES, ["exp", "log", "sqrt", "sin", "tanh", "sigmoid", "erf"]):
        expected = torch_dtype(getattr(make(torch, dtype, False), name)())
        assert str(getattr(make(tt, dtype, False), name)().dtype) == expected, (dtype, name)


def test_reductions_accumulate_like_torch():
    for dtype, name in itertools.product(DTYPES, ["sum", "prod", "cumsum"]):
        t, r = make(tt, dtype, False), make(torch, dtype, False)
        args = (0,) if name == "cumsum" else ()
        assert str(getattr(t, name)(*args).dtype) == torch_dtype(getattr(r, name)(*args)), (dtype, name)
