"""Float32 stays float32: every tt-nn op, forward and backward, on its own examples.

NumPy 2 promotes `float32 array * np.float64 scalar` to float64. One such leak in an op
turns every later op of a float32 model into slower mixed-precision work, so each op is
run here on float32 copies of its gradient-check examples.
"""

import numpy as np
import pytest
from tt_nn.ops import OP_CLASSES
from tt_tensor import Context

CASES = [(op, i) for op in OP_CLASSES for i in range(len(op.examples()))]


def as_float32(value):
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value.astype(np.float32)
    return value


@pytest.mark.parametrize("op, index", CASES, ids=[f"{op.name}-{i}" for op, i in CASES])
def test_op_keeps_float32_forward_and_backward(op, index):
    example = op.examples()[index]
    inputs = [as_float32(x) for x in example.inputs]
    params = {k: as_float32(v) for k, v in example.params.items()}
    ctx = Context()
    ctx.needs_grad = tuple(isinstance(x, np.ndarray) and x.dtype == np.float32 for x in inputs)
    out = op.forward(ctx, *inputs, **params)
    assert out.dtype == np.float32, f"{op.name} forward gave {out.dtype}"
    # As the engine runs every backward: OpenBLAS's small products can leave a floating-point
    # flag raised that NumPy (>= 2) then reports as a RuntimeWarning for finite results
    # (numpy/numpy#28967); the engine ignores such flags in backward, as torch does.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        grads = op.backward(ctx, np.ones_like(out))
    assert all(g is None or np.isfinite(g).all() for g in grads), f"{op.name}: non-finite gradient"
    for i, grad in enumerate(grads):
        if grad is not None:
            assert grad.dtype == np.float32, f"{op.name} backward gave {grad.dtype} for input {i}"
