"""An op that says its backward does not read its inputs (`saves_inputs = False`) or its
output (`saves_output = False`) must mean it: changing those values in place between forward
and backward then goes unchecked, so it must leave the gradients exactly as they were."""

import numpy as np
import pytest
import tt_tensor as tt
from tt_tensor import plugins

# Every installed package's ops (as the registry gradcheck does). Known offenders are expected
# failures until their packages declare `saves_output = True`.
KNOWN: dict[str, str] = {}  # op name -> why it is still expected to fail (none today)
OPS = [pytest.param(e, id=f"{e.provider}:{e.name}",
                    marks=[pytest.mark.xfail(reason=KNOWN[e.name], strict=False)] if e.name in KNOWN else [])
       for e in plugins.listing("ops") if e.obj.differentiable]


def run(op, example, change_inputs=False, change_output=False):
    inputs = [tt.tensor(x, requires_grad=True) if isinstance(x, np.ndarray) and x.dtype.kind == "f"
              else x for x in example.inputs]
    out = op.apply(*inputs, **example.params)
    upstream = np.random.default_rng(0).normal(size=out.shape).astype(out.dtype)
    if change_inputs:
        for x in inputs:
            if isinstance(x, tt.Tensor):
                x.data[...] = x.data * 1.7 + 0.3  # behind the version counter's back
    if change_output and out.data.size and out.data.flags.writeable:
        out.data[...] = out.data * 1.7 + 0.3
    out.backward(upstream)
    return [x.grad.data.copy() if isinstance(x, tt.Tensor) and x.grad is not None else None
            for x in inputs]


@pytest.mark.parametrize("entry", OPS)
def test_undeclared_values_are_not_read_by_backward(entry):
    op = entry.obj
    for example in op.examples():
        reference = run(op, example)
        for flag, change in (("saves_inputs", dict(change_inputs=True)),
                             ("saves_output", dict(change_output=True))):
            if getattr(op, flag):
                continue
            got = run(op, example, **change)
            for mine, expected in zip(got, reference):
                if expected is not None:
                    np.testing.assert_array_equal(mine, expected, err_msg=f"{entry.name}: {flag} "
                                                  f"is False but its backward reads them ({example})")
