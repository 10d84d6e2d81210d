"""Fast paths of tt-tensor's ops against the simple formula they replace (see the docstrings)."""

import numpy as np
import pytest
from tt_tensor.ops.elementwise import stable_sigmoid


def simple_sigmoid(a):
    """The textbook stable form: 1/(1+e) for a ≥ 0, e/(1+e) below, with e = e^-|a|."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_fast_path_gives_the_same_bits_as_the_simple_formula(dtype):
    a = np.concatenate([np.linspace(-120, 120, 20001), [0.0, -0.0, np.inf, -np.inf, np.nan,
                                                        1e-30, -1e-30, 88.0, -104.0]]).astype(dtype)
    out = stable_sigmoid(a)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, simple_sigmoid(a))
    column_major = np.asfortranarray(a[:20000].reshape(100, 200))
    np.testing.assert_array_equal(stable_sigmoid(column_major), simple_sigmoid(column_major))
    zero_d = stable_sigmoid(np.array(-0.5, dtype))
    assert isinstance(zero_d, np.ndarray) and zero_d.shape == () and zero_d == simple_sigmoid(
        np.array(-0.5, dtype))
