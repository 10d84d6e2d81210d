"""Every op in the registry passes a float64 gradient check on its own sample inputs.

The list of ops comes from the registry, so an op added by any installed package is checked
here too, and an op that ships without `examples()` fails.
"""

import pytest
import tt_tensor
from tt_autograd import gradcheck
from tt_tensor import plugins

OPS = [entry for entry in plugins.listing("ops") if entry.obj.differentiable]


@pytest.mark.parametrize("entry", OPS, ids=lambda e: f"{e.provider}:{e.name}")
def test_every_op_has_examples(entry):
    assert entry.obj.examples(), (f"op {entry.name!r} from {entry.provider} has no examples(): "
                                  "every differentiable op needs float64 sample inputs")


@pytest.mark.parametrize("entry", OPS, ids=lambda e: f"{e.provider}:{e.name}")
def test_every_op_matches_finite_differences(entry):
    op = entry.obj
    for example in op.examples():
        gradcheck(lambda *xs: op.apply(*xs, **example.params), example.inputs)


def test_gradcheck_names_the_worst_element():
    class WrongSquare(tt_tensor.Function):
        name = "wrong_square"

        @staticmethod
        def forward(ctx, a):
            ctx.a = a
            return a * a

        @staticmethod
        def backward(ctx, grad):
            return (grad * ctx.a,)  # should be 2a

    import numpy as np
    from tt_autograd import GradcheckError

    with pytest.raises(GradcheckError, match=r"input 0 \(shape \(2, 3\)\) element \(\d, \d\)"):
        gradcheck(WrongSquare.apply, [np.arange(1.0, 7.0).reshape(2, 3)])
