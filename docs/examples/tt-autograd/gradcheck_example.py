import numpy as np
import tt_tensor as tt
from tt_autograd import GradcheckError, gradcheck

rng = np.random.default_rng(0)
a, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))

# A composite expression: backprop through matmul, tanh and sum vs. finite differences.
assert gradcheck(lambda a, b: (a @ b).tanh().sum(dim=1), [a, b])


class WrongSquare(tt.Function):
    """x ** 2 with a deliberately wrong backward (2x forgotten: it returns x)."""

    name = "wrong_square"

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return x * x

    @staticmethod
    def backward(ctx, grad):
        return (grad * ctx.x,)


try:
    gradcheck(WrongSquare.apply, [rng.normal(size=(5,))])
except GradcheckError as error:
    print(error)                # names the worst element and both values
else:
    raise AssertionError("gradcheck should have caught the wrong backward")
