"""The four arithmetic operators, powers and negation, with NumPy broadcasting.

Each backward sums the gradient over broadcast dimensions (`unbroadcast`): an input that
was stretched to a bigger shape was used many times, so its gradient adds up.
"""

import numpy as np

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


class Add(Function):
    """a + b."""

    name = "add"

    @staticmethod
    def forward(ctx, a, b):
        try:
            out = a + b
        except ValueError:
            raise broadcast_error("add", a, b) from None
        ctx.shapes = (np.shape(a), np.shape(b))
        return np.asarray(out)

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.shapes[0]), unbroadcast(grad, ctx.shapes[1])

    examples = staticmethod(_binary_examples)


class Sub(Function):
    """a - b."""

    name = "sub"

    @staticmethod
    def forward(ctx, a, b):
        try:
            out = a - b
        except ValueError:
            raise broadcast_error("sub", a, b) from None
        ctx.shapes = (np.shape(a), np.shape(b))
        return np.asarray(out)

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.shapes[0]), unbroadcast(-grad, ctx.shapes[1])

    examples = staticmethod(_binary_examples)


class Mul(Function):
    """a * b (elementwise)."""

    name = "mul"

    @staticmethod
    def forward(ctx, a, b):
        try:
            out = a * b
        except ValueError:
            raise broadcast_error("mul", a, b) from None
        ctx.a, ctx.b = a, b
        return np.asarray(out)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.a, ctx.b
        need_a, need_b = ctx.needs_grad
        return (unbroadcast(grad * b, np.shape(a)) if need_a else None,
                unbroadcast(grad * a, np.shape(b)) if need_b else None)

    examples = staticmethod(_binary_examples)


class Div(Function):
    """a / b (true division; integer inputs give float32, as in PyTorch)."""

    name = "div"

    @staticmethod
    def forward(ctx, a, b):
        try:
            out = np.asarray(a / b)
        except ValueError:
            raise broadcast_error("div", a, b) from None
        if np.asarray(a).dtype.kind in "iub" and np.asarray(b).dtype.kind in "iub":
            out = out.astype(np.float32)
        ctx.a, ctx.b = a, b
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.a, ctx.b
        need_a, need_b = ctx.needs_grad
        return (unbroadcast(grad / b, np.shape(a)) if need_a else None,
                unbroadcast(-grad * a / (b * b), np.shape(b)) if need_b else None)

    @staticmethod
    def examples():
        return _binary_examples(positive_b=True)


class Pow(Function):
    """a ** b; the gradient for the exponent b needs a > 0 (it uses log a)."""

    name = "pow"

    @staticmethod
    def forward(ctx, a, b):
        try:
            out = np.asarray(a ** b)
        except ValueError:
            raise broadcast_error("pow", a, b) from None
        ctx.a, ctx.b, ctx.out = a, b, out
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.a, ctx.b, ctx.out
        need_a, need_b = ctx.needs_grad
        grad_a = unbroadcast(grad * b * a ** (b - 1), np.shape(a)) if need_a else None
        grad_b = unbroadcast(grad * out * np.log(a), np.shape(b)) if need_b else None
        return grad_a, grad_b

    @staticmethod
    def examples():
        r = _rng()
        return [Example(r.uniform(0.5, 2.0, (3, 4)), 2.0),
                Example(r.uniform(0.5, 2.0, (3, 4)), -0.5),
                Example(r.uniform(0.5, 2.0, (3, 4)), r.normal(size=(4,)))]


class Neg(Function):
    """-a."""

    name = "neg"

    @staticmethod
    def forward(ctx, a):
        return np.negative(a)

    @staticmethod
    def backward(ctx, grad):
        return (-grad,)

    @staticmethod
    def examples():
        return [Example(_rng().normal(size=(3, 4)))]
