"""Anomaly mode stops at the first NaN/Inf and names the op and its input shapes."""

import numpy as np
import pytest
import tt_tensor as tt
from tt_autograd import AnomalyError, detect_anomaly


def test_forward_nan_names_the_op():
    x = tt.tensor(np.array([[1.0, -1.0, 2.0]]), requires_grad=True)
    with detect_anomaly():
        y = x * 2  # fine
        with pytest.raises(AnomalyError, match=r"'log' produced NaN in forward \(input shapes \(1, 3\)\)"):
            (y - 3).log()


def test_backward_inf_names_the_op():
    x = tt.tensor(np.array([0.0, 1.0]), requires_grad=True)
    with detect_anomaly():
        y = x.sqrt().sum()  # sqrt(0) is fine forward, its gradient is infinite
        with pytest.raises(AnomalyError, match=r"the backward of 'sqrt' produced Inf \(input shapes \(2,\)\)"):
            y.backward()


def test_outside_anomaly_mode_nothing_is_checked():
    x = tt.tensor(np.array([0.0, 1.0]), requires_grad=True)
    with np.errstate(divide="ignore"):
        x.sqrt().sum().backward()
    assert np.isinf(x.grad.data[0])
    assert not tt.grad_mode.observers()


def test_observers_are_removed_even_when_the_block_raises():
    with pytest.raises(AnomalyError):
        with detect_anomaly():
            tt.tensor([-1.0]).log()
    assert not tt.grad_mode.observers()
