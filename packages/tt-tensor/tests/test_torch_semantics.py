"""Issue 12's tensor items: each was a silent wrong number, a crash or a surprise for a torch
user. Each test failed before its fix; where torch is installed it is the reference."""

import numpy as np
import pytest
import tt_tensor as tt

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def both(array, requires_grad=True):
    """The same float64 values as a tt tensor and a torch tensor."""
    array = np.asarray(array, dtype=np.float64)
    return (tt.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


# ----- 3: permute with negative dims ------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("shape, dims", [((2, 2), (0, -1)), ((2, 2), (-1, 0)), ((2, 3), (-1, 0)),
                                         ((2, 3, 4), (0, -1, -2))])
def test_permute_with_negative_dims(shape, dims):
    w = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    ours, theirs = both(np.random.default_rng(0).normal(size=shape))
    out, ref = ours.permute(*dims), theirs.permute(*dims)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    (out * tt.tensor(w.reshape(out.shape))).sum().backward()
    (ref * torch.tensor(w.reshape(ref.shape))).sum().backward()
    np.testing.assert_array_equal(ours.grad.data, theirs.grad.numpy())


# ----- 6: tensor(ndarray) copies, from_numpy shares ---------------------------------------------
def test_tensor_copies_the_array_and_from_numpy_shares_it():
    a = np.zeros(3)
    t, shared = tt.tensor(a), tt.from_numpy(a)
    a[0] = 5.0
    assert t.tolist() == [0.0, 0.0, 0.0] and shared.tolist() == [5.0, 0.0, 0.0]
    t2 = tt.tensor(t)
    t.data[1] = 1.0
    assert t2.tolist() == [0.0, 0.0, 0.0]


# ----- 8: integer casts are not differentiable ---------------------------------------------------
def test_long_and_other_integer_casts_cut_the_graph():
    x = tt.tensor([1.7, -2.2], requires_grad=True)
    for cast in (x.long(), x.int(), x.bool(), x.to(tt.int64), x.type(tt.int16)):
        assert not cast.requires_grad and cast.is_leaf
    y = (x.long().double() * x).sum()  # only the second factor carries a gradient
    y.backward()
    assert x.grad.tolist() == [1.0, -2.0]
    assert x.double().requires_grad and x.float() is x  # float casts stay differentiable


# ----- 9: pow gradients at base 0 ---------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("base, exponent", [([0.0, 2.0], [0.0, 0.0]), ([0.0, 0.0], [2.0, 0.5]),
                                            ([0.0, 0.0], [0.0, -1.0]), ([0.0, 3.0], [1.0, 2.5])])
def test_pow_gradients_at_base_zero_match_torch(base, exponent):
    a, ta = both(base)
    b, tb = both(exponent)
    (a ** b).sum().backward()
    (ta ** tb).sum().backward()
    np.testing.assert_array_equal(a.grad.data, ta.grad.numpy())
    np.testing.assert_array_equal(b.grad.data, tb.grad.numpy())
    x, tx = both([0.0, 1.0])
    (x ** 0).sum().backward()
    (tx ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())
    y, ty = both([0.5, 2.0])
    (0.0 ** y).sum().backward()
    (0.0 ** ty).sum().backward()
    np.testing.assert_array_equal(y.grad.data, ty.grad.numpy())


def test_small_whole_exponents_are_multiplications():
    x = np.random.default_rng(0).normal(size=1000)
    assert np.array_equal((tt.tensor(x) ** 3.0).data, x * x * x)
    assert np.array_equal((tt.tensor(x) ** 2).data, x * x)


# ----- 11: indexing axis order ------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("index", [(1, slice(None), [0, 1]), (slice(None), 1, [2, 0]),
                                   ([0, 1], slice(None), 1), (1, [0, 2], slice(None)),
                                   (Ellipsis, 0, [1, 1]), (0, None, slice(None), [3])])
def test_index_arrays_beside_integers_follow_torchs_axis_order(index):
    ours, theirs = both(np.random.default_rng(0).normal(size=(2, 3, 4)))
    out = ours[index]
    ref = theirs[tuple(torch.tensor(i) if isinstance(i, list) else i for i in index)]
    assert out.shape == tuple(ref.shape)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    w = np.random.default_rng(1).normal(size=out.shape)
    (out * tt.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(ours.grad.data, theirs.grad.numpy())


def test_t_1_colon_list_has_torchs_shape():
    assert tt.zeros(2, 3, 4)[1, :, [0, 1]].shape == (3, 2)


# ----- 12: dim=() reduces everything ------------------------------------------------------------
def test_empty_dim_tuple_reduces_every_dimension():
    x = tt.tensor(np.arange(6.0).reshape(2, 3))
    assert x.sum(dim=()).item() == 15.0 and x.amax(dim=()).item() == 5.0
    assert x.max(dim=()).item() == 5.0 and x.mean(dim=()).item() == 2.5 and x.min(dim=()).item() == 0.0


# ----- 15: smaller ones ----------------------------------------------------------------------
def test_bool_tensors_compute_in_float32():
    b = tt.tensor([True, False])
    for name in ("exp", "log", "sqrt", "tanh", "sigmoid", "sin"):
        assert getattr(b, name)().dtype == tt.float32, name
    np.testing.assert_allclose(b.sigmoid().data, [0.7310586, 0.5], rtol=1e-6)


def test_var_of_too_few_values_is_nan():
    assert np.isnan(tt.zeros(0).var().item()) and np.isnan(tt.ones(1).var().item())
    assert tt.ones(1).var(unbiased=False).item() == 0.0


def test_argmax_with_keepdim_and_no_dim_keeps_every_dimension():
    x = tt.tensor(np.arange(6.0).reshape(2, 3))
    assert x.argmax(keepdim=True).shape == (1, 1) and x.argmax(keepdim=True).item() == 5
    assert x.argmin(dim=None, keepdim=True).shape == (1, 1)


@needs_torch
def test_division_gradient_does_not_underflow_in_float32():
    a, b = tt.tensor(np.float32([1e-23]), requires_grad=True), tt.tensor(np.float32([1e-23]), requires_grad=True)
    ta, tb = torch.tensor([1e-23], requires_grad=True), torch.tensor([1e-23], requires_grad=True)
    (a / b).sum().backward()
    (ta / tb).sum().backward()
    assert np.isfinite(b.grad.data).all()
    np.testing.assert_allclose(b.grad.data, tb.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-6)


def test_maximum_and_minimum_split_the_gradient_at_a_tie():
    for f in (tt.maximum, tt.minimum):
        a, b = tt.tensor([1.0, 2.0], requires_grad=True), tt.tensor([1.0, 0.0], requires_grad=True)
        f(a, b).sum().backward()
        assert a.grad.tolist()[0] == b.grad.tolist()[0] == 0.5


def test_clamp_without_limits_is_an_error():
    with pytest.raises(ValueError, match="clamp: at least one of 'min' and 'max'"):
        tt.ones(2).clamp()


# ----- 17, 19, 20: crashes -------------------------------------------------------------------------
@needs_torch
def test_vector_dot_vector_backward():
    a, ta = both([1.0, 2.0, 3.0])
    (a @ a).backward()
    (ta @ ta).backward()
    assert a.grad.tolist() == ta.grad.tolist() == [2.0, 4.0, 6.0]


def test_zero_size_softmax_and_max_give_empty_results():
    assert tt.zeros(0).softmax(0).shape == (0,)
    values, indices = tt.zeros(0, 3).max(dim=1)
    assert values.shape == indices.shape == (0,) and indices.dtype == tt.int64
    with pytest.raises(ValueError, match="cannot reduce over dimension 0 of size 0"):
        tt.zeros(0, 3).amax(0)


def test_zero_dimensional_tensors_accept_dim_0():
    s = tt.tensor(3.0, requires_grad=True)
    assert s.sum(0).item() == 3.0 and s.squeeze(0).shape == () and s.sum(-1).shape == ()
    assert s.max(0).values.item() == 3.0 and s.max(0).indices.item() == 0
    assert s.cumsum(0).shape == () and s.softmax(0).item() == 1.0
    s.sum(0).backward()
    assert s.grad.item() == 1.0


# ----- 26: errors that name the real cause ---------------------------------------------------------
@pytest.mark.parametrize("expression, error, message", [
    (lambda: tt.tensor([2, 3]) ** -2, ValueError, "integers to negative integer powers are not allowed"),
    (lambda: tt.stack([tt.ones(2, 3), tt.ones(2, 3)], dim=77), IndexError, r"stack: dimension 77 is out of range .*-3\.\.2"),
    (lambda: tt.cat([tt.tensor(1.0), tt.tensor(2.0)]), ValueError, r"cat: zero-dimensional tensor \(at position 0\)"),
    (lambda: tt.ones(3).unsqueeze(2), IndexError, r"unsqueeze: dimension 2 is out of range .*-2\.\.1"),
    (lambda: tt.ones(3).unsqueeze(-3), IndexError, "unsqueeze: dimension -3"),
    (lambda: tt.tensor([1, 2]) // 0, ZeroDivisionError, "integer division by zero"),
    (lambda: tt.ones(2, 3).gather(1, tt.tensor([[3]])), IndexError, "gather: index 3 is out of range"),
    (lambda: tt.ones(2).expand(3), ValueError, "expand: the size 3 must match the existing size 2"),
    (lambda: tt.ones(3).topk(4), ValueError, "topk: k=4 is out of range"),
])
def test_errors_name_the_cause(expression, error, message):
    with pytest.raises(error, match=message):
        expression()


# ----- semantics -----------------------------------------------------------------------------------
@needs_torch
def test_var_and_std_are_unbiased_by_default_as_torch():
    x = np.random.default_rng(0).normal(size=(3, 4))
    assert np.isclose(tt.tensor(x).var().item(), torch.tensor(x).var().item(), rtol=1e-12)
    np.testing.assert_allclose(tt.tensor(x).std(1).data, torch.tensor(x).std(1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(tt.tensor(x).var(0, unbiased=False).data, x.var(0), rtol=1e-12)


def test_max_and_min_with_dim_return_values_and_indices():
    x = tt.tensor([[1.0, 5.0, 5.0], [7.0, 0.0, 2.0]], requires_grad=True)
    values, indices = x.max(dim=1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert x.max(1).values is not None and x.min(1).indices.tolist() == [0, 1]
    values.sum().backward()  # the gradient goes to the element at `indices`, as in torch
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    pair = x.max(1)  # unpacking gives (values, indices), never the two rows of a batch of 2
    assert type(pair).__name__ == "max" and pair._fields == ("values", "indices")


def test_type_promotion_follows_torch():
    i = tt.tensor([1, 2])
    f = tt.ones(2)
    assert (i + 0.5).dtype == tt.float32
    assert i.exp().dtype == tt.float32
    assert (f * np.float64(2)).dtype == tt.float32
    assert (f + i).dtype == tt.float32 and (i * f).dtype == tt.float32
    assert (i + 1).dtype == tt.int64 and (tt.tensor([True]) + 1).dtype == tt.int64
    assert (tt.ones(2, dtype=tt.int32) + tt.tensor(5)).dtype == tt.int32  # a 0-d tensor is a number
    assert (tt.ones(2, dtype=tt.float64) + f).dtype == tt.float64
    assert tt.where(tt.tensor([True]), 1.0, 0.0).dtype == tt.float32
    assert (i / i).dtype == tt.float32 and (i // 2).dtype == tt.int64


def test_default_dtype_can_be_changed():
    assert tt.get_default_dtype() == tt.float32
    tt.set_default_dtype(tt.float64)
    try:
        assert tt.tensor([1.5]).dtype == tt.float64 and tt.zeros(2).dtype == tt.float64
        assert (tt.tensor([1, 2]) * 0.5).dtype == tt.float64 and tt.randn(2).dtype == tt.float64
    finally:
        tt.set_default_dtype(tt.float32)
    assert tt.tensor([1.5]).dtype == tt.float32
    with pytest.raises(TypeError, match="only floating-point"):
        tt.set_default_dtype(tt.int64)


def test_python_number_conversions():
    assert float(tt.tensor([2.5])) == 2.5 and int(tt.tensor(3.7)) == 3
    assert [10, 20, 30][tt.tensor(2)] == 30 and range(tt.tensor(3)) == range(3)
    with pytest.raises(TypeError, match="only integer tensors"):
        [1, 2][tt.tensor(1.0)]


def test_any_and_all_give_tensors():
    x = tt.tensor([[True, False], [True, True]])
    assert x.any(1).tolist() == [True, True] and x.all(0).tolist() == [True, False]
    assert isinstance(x.any(), tt.Tensor) and bool(x.any()) and not x.all()


# ----- in-place ------------------------------------------------------------------------------------
def test_in_place_methods_write_the_same_array_and_bump_the_version():
    t = tt.zeros(3)
    array = t.data
    t.add_(2).mul_(3).sub_(1, alpha=2).div_(2)
    assert t.tolist() == [2.0, 2.0, 2.0] and t._version == 4
    t.clamp_(max=1.5)
    t[1] = 7.0
    t.masked_fill_(t > 5, -1.0)
    assert t.tolist() == [1.5, -1.0, 1.5] and t._version == 7
    t.copy_(tt.tensor([1.0, 2.0, 3.0]))
    t += 1
    t -= 1
    t *= 2
    t /= 2
    assert t.tolist() == [1.0, 2.0, 3.0]
    t.fill_(4.0)
    t.zero_()
    assert t.tolist() == [0.0, 0.0, 0.0] and t.data is array and t._version == 14


def test_sgd_step_written_the_torch_way_updates_the_parameter():
    p = tt.tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    with tt.no_grad():
        p -= 0.1 * p.grad
    assert np.allclose(p.tolist(), [0.8, 1.6]) and p.requires_grad and p.is_leaf


def test_in_place_on_a_leaf_that_requires_grad_is_an_error_while_recording():
    p = tt.tensor([1.0, 2.0], requires_grad=True)
    for change in (lambda: p.add_(1), lambda: p.__setitem__(0, 3.0), lambda: p.zero_(),
                   lambda: p.masked_fill_(p > 1, 0.0)):
        with pytest.raises(RuntimeError, match="a leaf tensor that requires grad"):
            change()
    assert p.tolist() == [1.0, 2.0]


@needs_torch
def test_in_place_on_recorded_tensors_keeps_gradients_right():
    def program(m, x, v):
        y = x * 2
        y[0] = v * 3         # setitem records; v gets a gradient
        y.mul_(x)            # y <- y * x
        y.masked_fill_(x > 1.5, 0.0)
        z = y.clone()
        z += x.exp()
        z.clamp_(max=10.0)
        return z.sum()

    x, tx = both([1.0, 2.0, 0.5])
    v, tv = both(4.0)
    program(tt, x, v).backward()
    program(torch, tx, tv).backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(v.grad.data, tv.grad.numpy(), rtol=1e-12)


def test_in_place_int_tensor_cannot_take_a_float_result():
    i = tt.tensor([1, 2])
    with pytest.raises(RuntimeError, match="cannot be written in place"):
        i += 0.5
    i += 1
    assert i.tolist() == [2, 3] and i.dtype == tt.int64


def test_zero_d_results_are_arrays_and_keep_their_dtype():
    x = tt.tensor(np.float64(0.5))
    for y in (x.exp(), x.sqrt(), x.abs(), -x, x.relu(), tt.tensor([1.0, 2.0], dtype=tt.float64) @
              tt.tensor([3.0, 4.0], dtype=tt.float64), x.isnan(), x.sign(), x.round()):
        assert type(y.data) is np.ndarray, y
    assert (x.exp() - 1).dtype == tt.float64 and (x.abs() * 2).dtype == tt.float64


@needs_torch
def test_more_in_place_methods_match_torch():
    def program(m, x):
        # one in-place op per fresh tensor (torch refuses chains whose saved results change)
        y = ((x * 1.0).exp_() + (x * 2.0).log_() + (x + 1).sqrt_() + (x * 3).neg_().abs_()
             + (x - 0.5).tanh_() + (x - 1).sigmoid_() + (x - 0.3).relu_())
        z = m.zeros(2, 3, dtype=m.float64)
        z.scatter_(1, m.tensor([[2], [0]]), 1.0)
        z.scatter_add_(1, m.tensor([[0, 0], [1, 2]]), y[:, :2])
        z.index_fill_(1, m.tensor([1]), -1.0)
        w = (y * 10).round_(decimals=1).floor_()  # steps: no gradient through them
        return (z * y).sum() + (w * y).sum()

    x, tx = both(np.abs(np.random.default_rng(0).normal(size=(2, 3))) + 0.1)
    out, ref = program(tt, x), program(torch, tx)
    assert np.isclose(out.item(), ref.item(), rtol=1e-12)
    out.backward()
    ref.backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12)


def test_random_fills_in_place_follow_the_generator():
    g = tt.Generator().manual_seed(1)
    t = tt.zeros(1000)
    values = t.data
    t.uniform_(-2.0, 2.0, generator=g)
    assert t.data is values and -2 <= t.data.min() and t.data.max() < 2 and t._version == 1
    t.normal_(3.0, 0.5)
    assert abs(t.data.mean() - 3.0) < 0.1
    assert set(np.unique(t.bernoulli_(0.3).data)) <= {0.0, 1.0}
    w = tt.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w.normal_()
    with tt.no_grad():
        w.normal_()


@needs_torch
def test_nan_orders_as_torch_in_sort_topk_and_running_extremes():
    x = np.array([1.0, np.nan, 3.0, 1.0, np.nan, -2.0])
    for descending in (False, True):
        assert (tt.tensor(x).sort(descending=descending, stable=True).indices.tolist()
                == torch.tensor(x).sort(descending=descending, stable=True).indices.tolist())
    assert tt.tensor(x).topk(3).indices.tolist() == torch.tensor(x).topk(3).indices.tolist()
    for name in ("cummax", "cummin"):
        ours, theirs = getattr(tt.tensor(x), name)(0), getattr(torch.tensor(x), name)(0)
        assert ours.indices.tolist() == theirs.indices.tolist()
        np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())


@needs_torch
def test_gradients_through_nan_maxima_as_torch():
    x = np.array([[1.0, np.nan, 3.0, np.nan], [0.5, 2.0, 2.0, -1.0]])
    for f in (lambda t: t.max(), lambda t: t.min(), lambda t: t.amax(1), lambda t: t.max(1).values,
              lambda t: t.min(1).values, lambda t: t.logsumexp(1), lambda t: t.softmax(1)):
        ours, theirs = both(x)
        f(ours).sum().backward()
        f(theirs).sum().backward()
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-12)  # nan == nan
