"""Creation and random functions: torch's names, arguments, defaults and dtypes; the random
ones follow `manual_seed` and draw from the right distributions."""

import numpy as np
import pytest
import tt_tensor as tt

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
@pytest.mark.parametrize("make", [
    lambda m: m.zeros(2, 3), lambda m: m.ones((2,)), lambda m: m.empty(0, 2), lambda m: m.full((2,), 3),
    lambda m: m.full((2,), 1.5), lambda m: m.full((1,), True), lambda m: m.eye(3), lambda m: m.eye(2, 4),
    lambda m: m.arange(5), lambda m: m.arange(0, 1, 0.25), lambda m: m.arange(1, 7, 2),
    lambda m: m.linspace(0, 1, 5), lambda m: m.linspace(-2, 2, 1), lambda m: m.logspace(0, 2, 3),
    lambda m: m.zeros_like(m.ones(2, dtype=m.int64)), lambda m: m.ones_like(m.zeros(2), dtype=m.float64),
    lambda m: m.full_like(m.zeros(2, 2), 7), lambda m: m.zeros_like(m.ones(3, dtype=m.bool)), lambda m: m.empty_like(m.ones(0, 2)),
    lambda m: m.tensor([[1, 2], [3, 4]], dtype=m.float64), lambda m: m.tensor(2.5),
    lambda m: m.zeros(2, dtype=m.int32), lambda m: m.ones(2, dtype=m.float16),
    lambda m: m.ones(3).new_zeros(2), lambda m: m.ones(3, dtype=m.int64).new_full((2,), 4),
])
def test_values_and_dtypes_match_torch(make):
    ours, theirs = make(tt), make(torch)
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == np.dtype(str(theirs.dtype).replace("torch.", ""))
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


def test_requires_grad_and_device_arguments():
    for t in (tt.zeros(2, requires_grad=True), tt.randn(2, requires_grad=True),
              tt.full((2,), 1.0, requires_grad=True), tt.zeros_like(tt.ones(2), requires_grad=True),
              tt.tensor([1.0], device="cpu", requires_grad=True), tt.linspace(0, 1, 3, requires_grad=True)):
        assert t.requires_grad and t.is_leaf
    with pytest.raises(RuntimeError, match="tt computes with NumPy"):
        tt.zeros(2, device="cuda")
    with pytest.raises(TypeError, match="only floating-point"):
        tt.zeros(2, dtype=tt.int64, requires_grad=True)


def test_as_tensor_shares_and_tensor_copies():
    a = np.zeros(2)
    shared, copied = tt.as_tensor(a), tt.tensor(a)
    a[0] = 1.0
    assert shared.tolist() == [1.0, 0.0] and copied.tolist() == [0.0, 0.0]


def test_random_functions_follow_the_seed():
    def draw():
        tt.manual_seed(7)
        x = tt.ones(3, 4)
        return [f().data for f in (lambda: tt.randn(2), lambda: tt.rand(2), lambda: tt.randint(0, 9, (3,)),
                                   lambda: tt.randint(5, (2,)), lambda: tt.randperm(5),
                                   lambda: tt.randn_like(x), lambda: tt.rand_like(x),
                                   lambda: tt.randint_like(x, 3, 9), lambda: tt.normal(0.0, 2.0, (3,)),
                                   lambda: tt.bernoulli(tt.full((4,), 0.5)),
                                   lambda: tt.multinomial(tt.tensor([0.2, 0.8]), 3, replacement=True))]
    first, second = draw(), draw()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_like_functions_keep_shape_and_dtype():
    x = tt.ones(3, 4, dtype=tt.float64)
    assert tt.randn_like(x).shape == (3, 4) and tt.randn_like(x).dtype == tt.float64
    assert tt.rand_like(x, dtype=tt.float32).dtype == tt.float32
    r = tt.randint_like(x, 3, 9)
    assert r.dtype == tt.float64 and 3 <= r.data.min() and r.data.max() < 9
    assert tt.randint_like(tt.ones(2, dtype=tt.int64), 4).dtype == tt.int64


def test_randperm_is_a_permutation():
    assert sorted(tt.randperm(50).tolist()) == list(range(50)) and tt.randperm(3).dtype == tt.int64


def test_normal_and_bernoulli_have_the_right_moments():
    tt.manual_seed(0)
    x = tt.normal(3.0, 2.0, (20000,))
    assert abs(x.data.mean() - 3) < 0.05 and abs(x.data.std() - 2) < 0.05 and x.dtype == tt.float32
    per_element = tt.normal(tt.tensor([0.0, 100.0]), tt.tensor([1.0, 0.0]))
    assert per_element.shape == (2,) and per_element.data[1] == 100.0
    b = tt.bernoulli(tt.full((20000,), 0.3))
    assert set(np.unique(b.data)) <= {0.0, 1.0} and abs(b.data.mean() - 0.3) < 0.02
    with pytest.raises(ValueError, match="probabilities must be in"):
        tt.bernoulli(tt.tensor([1.5]))


def test_multinomial_draws_by_weight():
    tt.manual_seed(0)
    probs = tt.tensor([0.1, 0.0, 0.6, 0.3])
    draws = tt.multinomial(probs, 20000, replacement=True)
    counts = np.bincount(draws.data, minlength=4) / 20000
    np.testing.assert_allclose(counts, [0.1, 0.0, 0.6, 0.3], atol=0.015)
    rows = tt.multinomial(tt.tensor([[1.0, 1.0, 0.0, 2.0]] * 200), 3)
    assert rows.shape == (200, 3) and rows.dtype == tt.int64
    assert all(len(set(r)) == 3 and 2 not in r for r in rows.tolist())  # distinct, never weight 0
    assert tt.multinomial(tt.tensor([0.0, 5.0]), 1).tolist() == [1]


@pytest.mark.parametrize("weights, n, message", [
    ([0.5, -0.1], 1, "non-negative"), ([0.5, float("nan")], 1, "finite"),
    ([0.0, 0.0], 1, "positive sum"), ([1.0, 0.0, 1.0], 3, "without replacement"),
])
def test_multinomial_refuses_bad_weights(weights, n, message):
    with pytest.raises(ValueError, match=message):
        tt.multinomial(tt.tensor(weights), n)
