"""Binary ops broadcast exactly like NumPy, forward and backward (property-based)."""

import numpy as np
import tt_tensor as tt
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
    "maximum": (tt.maximum, np.maximum),
}

shapes = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4)


def _sum_to(array, shape):
    """Reference for the gradient of a broadcast input: sum over the stretched axes."""
    while array.ndim > len(shape):
        array = array.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and array.shape[axis] != 1:
            array = array.sum(axis=axis, keepdims=True)
    return array


@settings(max_examples=60, deadline=None)
@given(shapes=shapes, name=st.sampled_from(sorted(BINARY)), seed=st.integers(0, 2**16))
def test_binary_ops_broadcast_like_numpy(shapes, name, seed):
    tt_op, np_op = BINARY[name]
    rng = np.random.default_rng(seed)
    a_shape, b_shape = shapes.input_shapes
    a = rng.normal(size=a_shape)
    b = rng.uniform(0.5, 2.0, size=b_shape) * rng.choice([-1, 1], size=b_shape)
    ta, tb = tt.tensor(a, requires_grad=True), tt.tensor(b, requires_grad=True)
    out = tt_op(ta, tb)
    np.testing.assert_allclose(out.data, np_op(a, b), rtol=1e-12)
    assert out.shape == shapes.result_shape

    upstream = rng.normal(size=out.shape)
    out.backward(upstream)
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape
    if name == "add":
        np.testing.assert_allclose(ta.grad.data, _sum_to(upstream, a_shape))
        np.testing.assert_allclose(tb.grad.data, _sum_to(upstream, b_shape))
    if name == "mul":
        np.testing.assert_allclose(ta.grad.data, _sum_to(upstream * np.broadcast_to(b, out.shape), a_shape))
        np.testing.assert_allclose(tb.grad.data, _sum_to(upstream * np.broadcast_to(a, out.shape), b_shape))


@settings(max_examples=30, deadline=None)
@given(shapes=shapes)
def test_incompatible_shapes_name_the_op_and_shapes(shapes):
    a_shape, _ = shapes.input_shapes
    bad = tuple(a_shape) + (3,)
    other = tuple(a_shape) + (5,)
    a, b = tt.zeros(*bad), tt.zeros(*other)
    try:
        a + b
    except ValueError as error:
        assert "add" in str(error) and str(tuple(bad)) in str(error) and str(tuple(other)) in str(error)
    else:  # pragma: no cover
        raise AssertionError("broadcasting (…, 3) with (…, 5) must fail")


@settings(max_examples=40, deadline=None)
@given(value=st.floats(-1e6, 1e6, allow_nan=False), shape=st.sampled_from([(3,), (2, 3)]))
def test_numbers_on_either_side(value, shape):
    x = tt.tensor(np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape))
    np.testing.assert_allclose((value - x).data, value - x.data)
    np.testing.assert_allclose((x * value).data, x.data * value)
    assert (x + value).dtype == np.float64  # a float64 tensor stays float64
