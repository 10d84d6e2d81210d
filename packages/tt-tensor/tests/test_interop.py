"""What torch programs do with tensors besides ops: their own Generator, f-strings,
NumPy on either side, `p.data += ...`, `keepdims=`."""

import numpy as np
import pytest
import tt_tensor as tt


def test_a_generator_of_its_own_repeats_and_ignores_manual_seed():
    g = tt.Generator().manual_seed(2147483647)
    first = [tt.randn(3, generator=g).data, tt.rand(2, generator=g).data,
             tt.randint(0, 10, (4,), generator=g).data, tt.randperm(5, generator=g).data,
             tt.multinomial(tt.tensor([0.2, 0.8]), 4, True, generator=g).data,
             tt.normal(0.0, 1.0, (2,), generator=g).data, tt.bernoulli(tt.full((3,), 0.5), generator=g).data]
    g.manual_seed(2147483647)
    tt.manual_seed(5)  # the default generator does not affect g
    second = [tt.randn(3, generator=g).data, tt.rand(2, generator=g).data,
              tt.randint(0, 10, (4,), generator=g).data, tt.randperm(5, generator=g).data,
              tt.multinomial(tt.tensor([0.2, 0.8]), 4, True, generator=g).data,
              tt.normal(0.0, 1.0, (2,), generator=g).data, tt.bernoulli(tt.full((3,), 0.5), generator=g).data]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert g.initial_seed() == 2147483647 and tt.manual_seed(3).initial_seed() == 3
    state = g.get_state()
    x = tt.rand(2, generator=g)
    g.set_state(state)
    np.testing.assert_array_equal(tt.rand(2, generator=g).data, x.data)
    with pytest.raises(TypeError, match="generator must be a tt Generator"):
        tt.randn(2, generator=3)


def test_format_spec_formats_the_value():
    assert f"{tt.tensor(3.14159):.2f}" == "3.14" and f"{tt.tensor([7]):d}" == "7"
    assert f"{tt.tensor([1.0, 2.0])}" == "tensor([1., 2.])"


def test_numpy_on_either_side():
    t = tt.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * t + np.exp(t)  # NumPy on the left still records the ops
    assert isinstance(y, tt.Tensor) and y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(t.grad.data, [3 + np.e, 4 + np.e ** 2], rtol=1e-6)
    assert np.asarray(t).dtype == np.float32 and tt.tensor([tt.tensor(1.0), tt.tensor(2.0)]).tolist() == [1.0, 2.0]


def test_updating_p_data_in_place_keeps_an_array():
    p = tt.tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    values = p.data
    p.data += -0.1 * p.grad  # torch programs' hand-written SGD step
    assert p.data is values and isinstance(p.data, np.ndarray)
    np.testing.assert_allclose(p.data, [0.8, 1.6], rtol=1e-6)


def test_keepdims_is_accepted_as_in_torch():
    x = tt.ones(2, 3)
    assert x.sum(1, keepdims=True).shape == (2, 1) and x.mean(0, keepdims=True).shape == (1, 3)
    assert x.max(1, keepdims=True).values.shape == (2, 1) and x.std(1, keepdims=True).shape == (2, 1)
