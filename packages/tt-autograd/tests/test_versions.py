"""Values changed in place after forward saved them are an error at backward, as in PyTorch;
the graph is freed by backward unless `retain_graph=True`."""

import gc
import weakref

import numpy as np
import pytest
import tt_tensor as tt


def bump(t):
    """What every in-place change through tt does after writing `t.data` (optimizers too)."""
    t._version += 1


def test_a_weight_changed_between_forward_and_backward_is_an_error():
    w = tt.tensor(np.ones((2, 2)), requires_grad=True)
    x = tt.tensor(np.ones((3, 2)))
    loss = (x @ w).sum()
    with tt.no_grad():
        w.data -= 0.1  # what an optimizer step does
        bump(w)
    with pytest.raises(RuntimeError, match=r"gradient of 'matmul' \(input 1, shape \(2, 2\)\) has "
                                           r"been modified by an in-place operation: it is at "
                                           r"version 1, expected version 0"):
        loss.backward()


def test_changing_a_value_the_backward_does_not_read_is_fine():
    w = tt.tensor(np.ones(2), requires_grad=True)
    loss = (w + 1).sum()
    bump(w)
    loss.backward()
    assert w.grad.tolist() == [1.0, 1.0]


def test_an_output_changed_in_place_is_caught_when_its_op_saved_it():
    x = tt.tensor(np.array([0.5, 1.0]), requires_grad=True)
    y = x.exp()
    if not y.grad_fn.op.saves_output:
        pytest.skip("exp does not declare saves_output yet")
    with tt.no_grad():
        tt.OPS["mul"].apply_(y, 0.0)
    with pytest.raises(RuntimeError, match="'exp' \\(its output"):
        y.sum().backward()


def test_in_place_on_a_recorded_tensor_keeps_gradients_right():
    x = tt.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x * 3
    tt.OPS["mul"].apply_(y, y.detach() + 1)  # y <- y * (3x + 1), recorded
    y.sum().backward()
    # d/dx of 3x * c with c held fixed is 3c = 3(3x + 1)
    assert x.grad.tolist() == [12.0, 21.0]
    assert y._version == 1


def test_in_place_on_a_leaf_that_requires_grad_is_refused_while_recording():
    w = tt.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf tensor that requires grad is being used in an "
                                           "in-place operation"):
        tt.OPS["add"].apply_(w, 1.0)
    with tt.no_grad():
        tt.OPS["add"].apply_(w, 1.0)
    assert w.tolist() == [2.0, 2.0] and w._version == 1


def test_backward_twice_needs_retain_graph():
    x = tt.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]
    with pytest.raises(RuntimeError, match="backward through the graph a second time.*"
                                           "retain_graph=True"):
        y.backward()


def test_backward_releases_what_forward_saved():
    x = tt.tensor(np.ones(1000), requires_grad=True)
    hidden = x * 2
    values = weakref.ref(hidden.data)
    loss = (hidden * hidden).sum()  # mul saves its inputs' values for backward
    del hidden
    gc.collect()
    assert values() is not None  # what mul saved stays alive ...
    loss.backward()
    gc.collect()
    assert values() is None  # ... until its backward has used it


def test_an_intermediate_no_backward_reads_is_freed_during_forward():
    x = tt.tensor(np.ones(1000), requires_grad=True)
    shifted = x + 1  # add saves nothing, and sum only the shape
    values = weakref.ref(shifted.data)
    loss = shifted.sum()
    del shifted
    gc.collect()
    assert values() is None  # the graph keeps no values of its own, as in PyTorch
    loss.backward()
    assert x.grad.tolist() == [1.0] * 1000


def test_grad_fn_names_the_op():
    x = tt.tensor(np.ones(2), requires_grad=True)
    assert x.grad_fn is None and (x * 2).grad_fn.name() == "mul"


def test_a_detached_view_shares_the_version_counter():
    w = tt.tensor(np.ones((2, 2)), requires_grad=True)
    loss = (tt.tensor(np.ones((3, 2))) @ w).sum()
    view = w.detach()
    tt.OPS["mul"].apply_(view, 0.5)  # no graph through a detached tensor: allowed ...
    assert w.tolist() == [[0.5, 0.5], [0.5, 0.5]] and w._version == 1
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()  # ... but the backward that saved w sees it


def test_in_place_on_a_saved_result_while_recording_is_an_error_as_in_torch():
    # exp's backward reads its own result; mul_ overwrites that very array. Computing the
    # new op on a copy of the old value is not enough: the node of exp must see the change.
    x = tt.tensor(np.ones(2), requires_grad=True)
    y = x.exp()
    tt.OPS["mul"].apply_(y, 2.0)
    with pytest.raises(RuntimeError, match="'exp' \\(its output, shape \\(2,\\)\\) has been "
                                           "modified by an in-place operation"):
        y.sum().backward()


def test_writing_through_a_detached_view_is_caught_but_data_is_not_tracked():
    # As in PyTorch: `.detach()` shares the version counter; `.data` (here: the NumPy
    # array) bypasses autograd altogether, so a write through it is the caller's choice.
    x = tt.tensor(np.ones(2), requires_grad=True)
    y = x.exp()
    y.detach()[...] = 0.0
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()
