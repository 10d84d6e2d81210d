"""The arithmetic operators, powers, division with rounding, remainders and negation.

Inputs are promoted to one dtype by torch's rules first (`tt_tensor.dtypes.promote`):
`int64 tensor + 0.5` is float32, `float32 tensor * 2.0` stays float32. Each backward sums
the gradient over broadcast dimensions (`unbroadcast`): an input that was stretched to a
bigger shape was used many times, so its gradient adds up.
"""

import numpy as np

from tt_tensor.dtypes import get_default_dtype, promote
from tt_tensor.function import Example, Function, unbroadcast
from tt_tensor.ops._errors import broadcast_error


def _rng():
    return np.random.default_rng(0)


def _binary_examples(positive_b: bool = False):
    r = _rng()
    b = lambda *s: r.uniform(0.5, 2.0, s) if positive_b else r.normal(size=s)  # noqa: E731
    return [Example(r.normal(size=(3, 4)), b(3, 4)),
            Example(r.normal(size=(2, 3, 4)), b(4)),        # b broadcast over two dims
            Example(r.normal(size=(3, 1)), b(1, 4)),        # both stretched
            Example(r.normal(size=(3, 4)), 1.5)]            # a Python number


def _binary(op: str, ufunc, a, b):
    """`ufunc(a, b)` after type promotion, with an error naming `op` and both shapes."""
    a, b = promote(a, b)
    try:
        return a, b, np.asarray(ufunc(a, b))
    except ValueError:
        raise broadcast_error(op, a, b) from None


class AddOp(Function):
    """`a + b`. Derivatives: 1 and 1."""

    name = "add"
    saves_inputs = False  # its backward never reads the input values

    @staticmethod
    def forward(ctx, a, b):
        a, b, out = _binary("add", np.add, a, b)
        ctx.shapes = (a.shape, b.shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        # Only the gradients an input wants: `x + 0.5` sums nothing for the number.
        need_a, need_b = ctx.needs_grad
        return (unbroadcast(grad, ctx.shapes[0]) if need_a else None,
                unbroadcast(grad, ctx.shapes[1]) if need_b else None)

    examples = staticmethod(_binary_examples)


class SubOp(Function):
    """`a - b`. Derivatives: 1 and -1."""

    name = "sub"
    saves_inputs = False  # its backward never reads the input values

    @staticmethod
    def forward(ctx, a, b):
        a, b, out = _binary("sub", np.subtract, a, b)
        ctx.shapes = (a.shape, b.shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        need_a, need_b = ctx.needs_grad
        return (unbroadcast(grad, ctx.shapes[0]) if need_a else None,
                unbroadcast(-grad, ctx.shapes[1]) if need_b else None)

    examples = staticmethod(_binary_examples)


class MulOp(Function):
    """`a * b` (elementwise). Derivatives: b and a."""

    name = "mul"

    @staticmethod
    def forward(ctx, a, b):
        a, b, out = _binary("mul", np.multiply, a, b)
        ctx.a, ctx.b = a, b
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.a, ctx.b
        need_a, need_b = ctx.needs_grad
        return (unbroadcast(grad * b, a.shape) if need_a else None,
                unbroadcast(grad * a, b.shape) if need_b else None)

    examples = staticmethod(_binary_examples)


def _check_integer_divisor(op: str, b: np.ndarray) -> None:
    if b.dtype.kind in "iub" and np.any(b == 0):
        raise ZeroDivisionError(f"{op}: integer division by zero (a divisor of dtype {b.dtype} "
                                "contains 0); use floating-point tensors to get inf/nan instead")


def _trunc_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`a / b` rounded toward zero; exact for integers (no detour through floats)."""
    if a.dtype.kind == "f":
        return np.trunc(a / b)
    q = np.floor_divide(a, b)
    return np.where((np.remainder(a, b) != 0) & ((a < 0) != (b < 0)), q + 1, q)


class DivOp(Function):
    """`a / b`; `rounding_mode` "trunc" or "floor" rounds the quotient (as `torch.div`).

    True division of integers gives the default float dtype (float32), as in torch.
    Derivatives: 1/b and -a/b², computed as -(a/b)/b so a tiny float32 b does not
    underflow b² to 0. A rounded quotient is a step function: its gradient is zero.
    """

    saves_output = True  # backward reads the result

    name = "div"

    @staticmethod
    def forward(ctx, a, b, rounding_mode=None):
        a, b = promote(a, b)
        if rounding_mode not in (None, "trunc", "floor"):
            raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
        if rounding_mode is None and a.dtype.kind != "f":
            a, b = a.astype(get_default_dtype()), b.astype(get_default_dtype())
        if rounding_mode is not None:
            _check_integer_divisor("div", b)
        try:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                if rounding_mode is None:
                    out = np.true_divide(a, b)
                elif rounding_mode == "floor":
                    out = np.floor_divide(a, b)
                else:
                    out = _trunc_divide(a, b)
        except ValueError:
            raise broadcast_error("div", a, b) from None
        ctx.b, ctx.out, ctx.shapes, ctx.rounded = b, np.asarray(out), (a.shape, b.shape), rounding_mode
        return ctx.out

    @staticmethod
    def backward(ctx, grad):
        (shape_a, shape_b), b = ctx.shapes, ctx.b
        if ctx.rounded is not None:
            return np.zeros(shape_a, grad.dtype), np.zeros(shape_b, grad.dtype)
        need_a, need_b = ctx.needs_grad
        return (unbroadcast(grad / b, shape_a) if need_a else None,
                unbroadcast(-grad * ctx.out / b, shape_b) if need_b else None)

    @staticmethod
    def examples():
        r = _rng()
        return _binary_examples(positive_b=True) + [
            Example(r.normal(size=(3, 4)) * 5, r.uniform(0.5, 2.0, (4,)), rounding_mode="floor"),
            Example(r.normal(size=(3, 4)) * 5, -1.5, rounding_mode="trunc")]


class _ModuloOp(Function):
    """`a - b * q(a, b)` for a rounded quotient q: shared by `remainder` and `fmod`.

    Derivatives: 1 and -q(a, b) (the rounded quotient is piecewise constant).
    """

    # Each subclass sets: `modulo(a, b)`, the NumPy function for the result, and
    # `quotient(a, b)`, the rounded quotient q.

    @classmethod
    def forward(cls, ctx, a, b):
        a, b = promote(a, b)
        _check_integer_divisor(cls.name, b)
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                out = cls.modulo(a, b)
        except ValueError:
            raise broadcast_error(cls.name, a, b) from None
        ctx.a, ctx.b = a, b
        return np.asarray(out)

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.a, ctx.b
        need_a, need_b = ctx.needs_grad
        if not need_b:
            return unbroadcast(grad, a.shape), None
        with np.errstate(divide="ignore", invalid="ignore"):
            return (unbroadcast(grad, a.shape) if need_a else None,
                    unbroadcast(-grad * cls.quotient(a, b), b.shape))

    @staticmethod
    def examples():
        r = _rng()
        return [Example(r.normal(size=(3, 4)) * 5, r.uniform(0.5, 2.0, (3, 4)) * r.choice([-1, 1], (3, 4))),
                Example(r.normal(size=(3, 4)) * 5, 1.5)]


class RemainderOp(_ModuloOp):
    """`a - b * floor(a / b)`: the remainder with the sign of b (Python's %, `torch.remainder`).

    Derivatives: 1 and -floor(a / b).
    """

    name = "remainder"
    modulo = staticmethod(np.remainder)
    quotient = staticmethod(np.floor_divide)


class FmodOp(_ModuloOp):
    """`a - b * trunc(a / b)`: the remainder with the sign of a (C's fmod, `torch.fmod`).

    Derivatives: 1 and -trunc(a / b).
    """

    name = "fmod"
    modulo = staticmethod(np.fmod)
    quotient = staticmethod(_trunc_divide)


def _power(a: np.ndarray, b):
    """`a ** b`, with small whole exponents as multiplications (far faster than np.power)."""
    if isinstance(b, np.ndarray) and b.ndim == 0 and a.ndim:
        b = b.item()
    if not isinstance(b, np.ndarray):
        if b == 2:
            return a * a
        if b == 3:
            return a * a * a
        if b == 4:
            square = a * a
            return square * square
        if b == 1:
            return a.copy()
        if b == 0.5 and a.dtype.kind == "f":
            return np.sqrt(a)
        if b == -1 and a.dtype.kind == "f":
            return 1 / a
    return np.power(a, b)


class PowOp(Function):
    """`a ** b`. Derivatives: `b·a^(b-1)` and `a^b·log(a)`, both 0 where torch says so.

    As in torch, d/da is 0 where b = 0 (so `x ** 0` has gradient 0 even at x = 0), and d/db
    is 0 where a = 0 and b ≥ 0 (the limit of a^b·log a; log 0 alone would give nan).
    """

    saves_output = True  # backward reads the result

    name = "pow"

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        if a.dtype.kind in "iub" and b.dtype.kind in "iub" and np.any(b < 0):
            raise ValueError(f"pow: integers to negative integer powers are not allowed (a base of "
                             f"dtype {a.dtype} to the power {b.min()}); make the base floating "
                             "point, e.g. x.float() ** -2")
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise broadcast_error("pow", a, b) from None
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = np.asarray(_power(a, b))
        ctx.a, ctx.b, ctx.out = a, b, out
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.a, ctx.b, ctx.out
        need_a, need_b = ctx.needs_grad
        grad_a = grad_b = None
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if need_a and b.ndim == 0:  # one exponent e (x ** 2): e·a^(e-1), 0 for e = 0
                e = b.item()
                grad_a = unbroadcast(grad * (e * _power(a, e - 1)) if e != 0 else
                                     np.zeros(np.broadcast_shapes(grad.shape, a.shape),
                                              np.result_type(grad, a)), a.shape)
            elif need_a:
                slope = b * _power(a, b - 1)
                grad_a = unbroadcast(np.where(b == 0, 0, grad * slope), a.shape)
            if need_b:
                grad_b = unbroadcast(np.where((a == 0) & (b >= 0), 0, grad * out * np.log(a)), b.shape)
        return grad_a, grad_b

    @staticmethod
    def examples():
        r = _rng()
        return [Example(r.uniform(0.5, 2.0, (3, 4)), 2.0),
                Example(r.normal(size=(3, 4)), 3.0),
                Example(r.uniform(0.5, 2.0, (3, 4)), -0.5),
                Example(r.uniform(0.5, 2.0, (3, 4)), r.normal(size=(4,))),
                Example(2.0, r.normal(size=(3,)))]


class NegOp(Function):
    """-a. Derivative: -1."""

    name = "neg"
    saves_inputs = False  # its backward never reads the input values

    @staticmethod
    def forward(ctx, a):
        if np.asarray(a).dtype == np.bool_:
            raise TypeError("neg: negating a bool tensor is not supported; use ~x or x.logical_not()")
        return np.negative(a)

    @staticmethod
    def backward(ctx, grad):
        return (-grad,)

    @staticmethod
    def examples():
        return [Example(_rng().normal(size=(3, 4)))]
