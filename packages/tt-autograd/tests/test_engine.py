"""Backpropagation: correctness, deep graphs, reuse, accumulation and grad modes."""

import numpy as np
import pytest
import tt_autograd
import tt_tensor as tt
from tt_autograd import enable_grad, no_grad, topological_order


def test_chain_rule_on_a_small_expression():
    x = tt.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    y = (x * x * 3 + x.exp()).sum()  # dy/dx = 6x + e^x
    y.backward()
    np.testing.assert_allclose(x.grad.data, 6 * x.data + np.exp(x.data))


def test_a_tensor_used_directly_and_through_another_op_gets_both_gradients():
    x = tt.tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x + x * 3.0).sum().backward()  # d/dx (x + 3x) = 4
    np.testing.assert_allclose(x.grad.data, [4.0, 4.0])


def test_residual_paths_match_finite_differences():
    from tt_autograd import gradcheck

    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(4, 4)) * 0.5 for _ in range(3)]

    def residual_stack(x, w0, w1, w2):
        for w in (w0, w1, w2):
            x = x + (x @ w).tanh() * x  # x reaches the sum three ways
        return x

    gradcheck(residual_stack, [rng.normal(size=(2, 4)), *weights])


def test_fifty_residual_blocks_backprop_without_recursion():
    tt.manual_seed(0)
    w = [tt.tensor(np.random.default_rng(i).normal(size=(8, 8)) * 0.1, requires_grad=True)
         for i in range(50)]
    h = tt.tensor(np.ones((4, 8)), requires_grad=True)
    x = h
    for weight in w:
        x = x + (x @ weight).tanh()  # a residual block
    x.sum().backward()
    assert all(p.grad is not None and np.isfinite(p.grad.data).all() for p in w)
    assert h.grad.shape == (4, 8)


def test_a_graph_far_deeper_than_the_recursion_limit():
    import sys

    x = tt.tensor(np.array([1.0]), requires_grad=True)
    y = x
    depth = sys.getrecursionlimit() * 3
    for _ in range(depth):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(x.grad.data, [1.0001 ** depth], rtol=1e-9)


def test_a_reused_node_is_visited_once_and_sums_its_uses():
    class Counting(tt.Function):
        name = "counting_identity"
        backward_calls = 0

        @staticmethod
        def forward(ctx, a):
            return a.copy()

        @staticmethod
        def backward(ctx, grad):
            Counting.backward_calls += 1
            return (grad,)

    x = tt.tensor(np.array([2.0]), requires_grad=True)
    shared = Counting.apply(x)
    total = shared
    for _ in range(20):
        total = total + shared  # `shared` used 21 times
    total.backward()
    assert Counting.backward_calls == 1
    np.testing.assert_allclose(x.grad.data, [21.0])


def test_topological_order_grows_linearly_with_the_graph():
    x = tt.tensor(np.ones(3), requires_grad=True)
    sizes = []
    for n in (100, 200, 400):
        y = x
        for _ in range(n):
            y = y + x  # every node also points back at x
        sizes.append(len(topological_order(y)))
    assert sizes == [101, 201, 401]  # the n additions and x, each exactly once


def test_gradients_accumulate_until_zeroed():
    x = tt.tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, [6.0, 6.0])
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])


def test_shared_upstream_gradients_are_not_aliased_between_leaves():
    a = tt.tensor(np.zeros(2), requires_grad=True)
    b = tt.tensor(np.zeros(2), requires_grad=True)
    (a + b).sum().backward()
    a.grad.data += 10  # changing one leaf's gradient in place must not change the other's
    np.testing.assert_allclose(b.grad.data, [1.0, 1.0])


def test_leaves_given_one_upstream_array_each_own_their_gradient():
    a = tt.tensor(np.zeros(2), requires_grad=True)
    b = tt.tensor(np.zeros(2), requires_grad=True)
    upstream = np.ones(2)
    (a + b).backward(upstream)  # add hands the very same array to both inputs
    a.grad.data *= 10  # in place, as gradient clipping does
    np.testing.assert_allclose(b.grad.data, [1.0, 1.0])
    np.testing.assert_allclose(upstream, [1.0, 1.0])  # the caller's array is untouched
    c = tt.tensor(np.zeros((2, 2)), requires_grad=True)
    c.reshape(4).backward(np.arange(4.0))  # reshape's backward gives a view
    assert c.grad.data.base is None


def test_non_scalar_backward_takes_a_gradient():
    x = tt.tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * x).backward(np.array([1.0, 10.0]))
    np.testing.assert_allclose(x.grad.data, [2.0, 40.0])
    with pytest.raises(RuntimeError, match=r"gradient has shape \(3,\) but the tensor has shape \(2,\)"):
        (x * x).backward(np.ones(3))


def test_backward_on_a_tensor_without_history_is_a_clear_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tt.ones(1).backward()


def test_no_grad_records_nothing_and_enable_grad_restores():
    x = tt.tensor(np.ones(2), requires_grad=True)
    with no_grad():
        y = x * 2
        with enable_grad():
            z = x * 2
    assert not y.requires_grad and y.is_leaf
    assert z.requires_grad and not z.is_leaf

    @no_grad()
    def evaluate(t):
        return t * 2

    assert not evaluate(x).requires_grad and tt_autograd.is_grad_enabled()


def test_float32_leaves_get_float32_gradients():
    w = tt.tensor(np.ones((2, 2), dtype=np.float32), requires_grad=True)
    (w * np.float64(2.0)).sum().backward()
    assert w.grad.dtype == np.float32


def test_an_in_place_op_after_a_use_still_gets_every_gradient_in_order():
    # backward orders nodes by creation number; `y.mul_(3)` re-points y at a node made after
    # z used the old y, and both paths must reach x: out = (2x + 1)·(6x), d/dx = 24x + 6.
    x = tt.tensor(np.array([3.0, -1.0]), requires_grad=True)
    y = x * 2
    z = y + 1
    y.mul_(3)
    (z * y).sum().backward()
    np.testing.assert_allclose(x.grad.data, 24 * x.data + 6)


def test_backward_of_a_leaf_gives_it_the_gradient():
    x = tt.tensor(np.array([1.0, 2.0]), requires_grad=True)
    x.backward(np.array([0.5, -1.0]))
    np.testing.assert_array_equal(x.grad.data, [0.5, -1.0])
