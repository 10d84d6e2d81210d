"""Extreme inputs: softmax, log_softmax and sigmoid stay finite and correct."""

import numpy as np
import pytest
import tt_tensor as tt


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_and_log_softmax_of_huge_logits(dtype):
    logits = tt.tensor(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]], dtype=dtype),
                       requires_grad=True)
    probs = logits.softmax(-1)
    logp = logits.log_softmax(-1)
    assert np.isfinite(probs.data).all() and np.isfinite(logp.data).all()
    np.testing.assert_allclose(probs.data[0], [1, 0, 0])
    np.testing.assert_allclose(probs.data[1], [1 / 3] * 3, rtol=1e-6)
    np.testing.assert_allclose(logp.data[2, :2], [np.log(0.5)] * 2, rtol=1e-6)
    (logp.sum() + probs.sum()).backward()
    assert np.isfinite(logits.grad.data).all()


def test_sigmoid_and_tanh_saturate_without_overflow():
    x = tt.tensor(np.array([-1e4, -50.0, 0.0, 50.0, 1e4]), requires_grad=True)
    s = x.sigmoid()
    np.testing.assert_allclose(s.data, [0, 1.9287498479639178e-22, 0.5, 1, 1], rtol=1e-12)
    (s.sum() + x.tanh().sum()).backward()
    assert np.isfinite(x.grad.data).all()


def test_log_of_zero_is_minus_infinity_like_pytorch():
    assert tt.tensor([0.0]).log().item() == -np.inf
