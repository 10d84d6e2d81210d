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


# An alternative (`register(..., alternative=True)`, e.g. tt-accelerate's kernels) is gradchecked
# above like every op; it must also compute what the op it stands in for computes.
ALTERNATIVES = [entry for entry in OPS if entry.alternative]


@pytest.mark.parametrize("entry", ALTERNATIVES, ids=lambda e: f"{e.provider}:{e.name}")
def test_every_alternative_matches_the_op_it_replaces(entry):
    import numpy as np

    originals = [e for e in OPS if e.name == entry.name and not e.alternative]
    assert originals, f"{entry.provider}'s {entry.name!r} is an alternative to no installed op"
    for original in originals:
        for example in entry.obj.examples():
            results = []
            for op in (entry.obj, original.obj):
                inputs = [tt_tensor.tensor(x, requires_grad=True)
                          if isinstance(x, np.ndarray) and x.dtype.kind == "f" else x
                          for x in example.inputs]
                out = op.apply(*inputs, **example.params)
                out.backward(np.random.default_rng(0).normal(size=out.shape))
                results.append([out.data] + [x.grad.data for x in inputs
                                             if isinstance(x, tt_tensor.Tensor)])
            for ours, theirs in zip(*results):
                np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12,
                                           err_msg=f"{entry.name} ({entry.provider}) against "
                                                   f"{original.provider}'s on {example}")
