"""Loss fast paths (see the ops' docstrings) against the plain formulas and the old checks."""

import numpy as np
import pytest
import tt_tensor as tt
from tt_nn import functional as F

rng = np.random.default_rng(5)


def plain_bce(p, y):
    """-(y·log p + (1 - y)·log(1 - p)) with each log clamped at -100, float64."""
    p, y = np.asarray(p, np.float64), np.asarray(y, np.float64)
    with np.errstate(divide="ignore"):
        return -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log(1 - p), -100))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_bce_equals_the_plain_formula(reduction, dtype, rtol):
    p = np.concatenate([rng.uniform(0.01, 0.99, 20), [0.0, 1.0, 1e-30, 1 - 1e-7]]).astype(dtype)
    y = np.concatenate([rng.uniform(0, 1, 20), [0.0, 1.0, 1.0, 0.3]]).astype(dtype)
    pt, yt = tt.tensor(p, requires_grad=True), tt.tensor(y, requires_grad=True)
    loss = F.binary_cross_entropy(pt, yt, reduction=reduction)
    expected = plain_bce(p, y)
    expected = {"mean": expected.mean(), "sum": expected.sum(), "none": expected}[reduction]
    assert loss.dtype == dtype
    np.testing.assert_allclose(loss.data, expected, rtol=rtol)
    loss.sum().backward()
    with np.errstate(divide="ignore"):
        d_target = np.maximum(np.log(1 - p.astype(np.float64)), -100) - np.maximum(
            np.log(p.astype(np.float64)), -100)
    scale = 1 / p.size if reduction == "mean" else 1
    np.testing.assert_allclose(yt.grad.data, d_target * scale, rtol=rtol * 10)


@pytest.mark.parametrize("bad", [1.5, -0.25])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_still_refuses_values_outside_0_1(bad, reduction):
    p = tt.tensor(np.array([0.2, bad, 0.7]))
    with pytest.raises(ValueError, match=r"binary_cross_entropy: input must be probabilities in \[0, 1\]"):
        F.binary_cross_entropy(p, tt.tensor(np.array([0.0, 1.0, 1.0])), reduction=reduction)
    with pytest.raises(ValueError, match="probabilities"):  # one sample, 0-d
        F.binary_cross_entropy(tt.tensor(np.array(bad)), tt.tensor(np.array(1.0)))


def test_bce_of_nan_is_nan_and_of_0d_is_0d():
    loss = F.binary_cross_entropy(tt.tensor(np.array([0.5, np.nan])), tt.tensor(np.array([1.0, 0.0])))
    assert np.isnan(loss.item())
    one = F.binary_cross_entropy(tt.tensor(np.array(0.25)), tt.tensor(np.array(1.0)), reduction="none")
    assert one.shape == () and one.item() == pytest.approx(-np.log(0.25))
    empty = F.binary_cross_entropy(tt.tensor(np.zeros(0)), tt.tensor(np.zeros(0)))
    assert np.isnan(empty.item())


def plain_cross_entropy(x, t, w, eps, ignore_index=-100):
    """Mean cross-entropy of index targets written out in float64: log-softmax, the
    smoothed weighted one-hot coefficients, the weighted mean over counted rows."""
    x = np.asarray(x, np.float64)
    classes = x.shape[-1]
    w = np.ones(classes) if w is None else np.asarray(w, np.float64)
    log_p = x - x.max(-1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(-1, keepdims=True))
    keep = t != ignore_index
    one_hot = np.eye(classes)[np.where(keep, t, 0)] * keep[:, None]
    coef = ((1 - eps) * one_hot + eps / classes * keep[:, None]) * w
    losses = -(coef * log_p).sum(-1)
    grad = np.exp(log_p) * coef.sum(-1, keepdims=True) - coef
    denominator = (w[np.where(keep, t, 0)] * keep).sum()
    return losses.sum() / denominator, grad / denominator


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("eps", [0.0, 0.2])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-5)])
def test_cross_entropy_index_fast_path_equals_the_plain_formula(weighted, eps, dtype, rtol):
    x = (rng.normal(size=(12, 7)) * 3).astype(dtype)
    t = rng.integers(0, 7, size=12)
    t[[2, 5]] = -100  # ignored rows
    w = rng.uniform(0.5, 2.0, 7).astype(dtype) if weighted else None
    xt = tt.tensor(x, requires_grad=True)
    loss = F.cross_entropy(xt, tt.tensor(t), weight=None if w is None else tt.tensor(w),
                           label_smoothing=eps)
    loss.backward()
    expected, expected_grad = plain_cross_entropy(x, t, w, eps)
    assert loss.dtype == dtype and xt.grad.dtype == dtype
    np.testing.assert_allclose(loss.item(), expected, rtol=rtol)
    np.testing.assert_allclose(xt.grad.data, expected_grad, rtol=rtol, atol=rtol)
