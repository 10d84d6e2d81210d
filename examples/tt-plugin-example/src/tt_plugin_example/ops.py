"""The `swish` op: y = x * sigmoid(x), elementwise, with its derivative beside it."""

import numpy as np
from tt_tensor import Example, Function
from tt_tensor.ops.elementwise import stable_sigmoid  # tt's own: no overflow for large |x|


class SwishOp(Function):
    """swish(x) = x * sigmoid(x). Shapes: any -> the same shape."""

    name = "swish"

    @staticmethod
    def forward(ctx, x):
        s = stable_sigmoid(x)
        ctx.x, ctx.s = x, s
        return x * s

    @staticmethod
    def backward(ctx, grad):
        # d/dx [x s(x)] = s + x s (1 - s)
        s = ctx.s
        return (grad * (s + ctx.x * s * (1 - s)),)

    @staticmethod
    def examples():
        rng = np.random.default_rng(0)
        return [Example(rng.normal(size=(3, 4))),
                Example(np.array([-30.0, -2.0, 0.0, 2.0, 30.0]))]  # both tails

    @staticmethod
    def flops(ctx, inputs, output):
        return 5 * int(output.size)  # exp, add, divide, select, multiply
