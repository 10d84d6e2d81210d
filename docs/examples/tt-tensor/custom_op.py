import numpy as np
import tt_tensor as tt
from tt_autograd import gradcheck


class Cube(tt.Function):
    """x ** 3, elementwise. Shapes: any -> the same shape."""

    name = "cube"

    @staticmethod
    def forward(ctx, x):
        ctx.x = x                      # backward needs the input
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        return (grad * 3 * ctx.x ** 2,)  # d(x^3)/dx = 3x^2, one gradient per input

    @staticmethod
    def examples():
        # float64 sample inputs for the registry-wide gradient check
        return [tt.Example(np.random.default_rng(0).normal(size=(3, 4)))]


x = tt.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = Cube.apply(x)
assert y.numpy().tolist() == [1.0, 8.0, 27.0]

y.sum().backward()
assert x.grad.numpy().tolist() == [3.0, 12.0, 27.0]

# Compare the backward with central differences, in float64.
assert gradcheck(Cube.apply, [np.random.default_rng(1).normal(size=(4,))])
