"""The fused ops' fast paths against their plain formulas: linear, gelu, layer_norm.

The ops compute in few NumPy passes (see each op's docstring); these tests keep the simple
formula beside them, in float32 (the fast paths) and float64, and compare with torch.
"""

import math

import numpy as np
import pytest
import tt_tensor as tt
from tt_nn import functional as F
from tt_nn.ops.erf import gelu_float32

rng = np.random.default_rng(0)


def plain_gelu(x):
    """x·Φ(x) and Φ(x) + x·φ(x) in float64, with the standard library's erfc."""
    x = np.asarray(x, dtype=np.float64)
    cdf = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x.ravel()]).reshape(x.shape)
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return x * cdf, cdf + x * pdf


def test_float32_gelu_fast_path_is_within_1e7_of_the_formula():
    x = np.concatenate([np.linspace(-10, 10, 100001), [0.0, -0.0, 1e-30, -1e-30, 40.0, -40.0]])
    out, slope = gelu_float32(x.astype(np.float32))
    assert out.dtype == slope.dtype == np.float32
    expected, expected_slope = plain_gelu(x.astype(np.float32))
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=4e-7)
    np.testing.assert_allclose(slope, expected_slope, rtol=0, atol=4e-7)
    # Training's Φ = 0.5 + sign(x)·(0.5 - h) is exact to a few float32 steps near 0.5
    # (absolute, as PyTorch's float32 (1 + erf)/2): gelu = x·Φ within |x|·3e-7 of the truth.
    assert np.all(np.abs(out - expected) <= 3e-7 * np.abs(x) + 1e-30)
    tail = (x > -6) & (x < -1)
    # Inference's max(x, 0) - |x|·Φ(-|x|) keeps relative precision in the lower tail.
    inference, none = gelu_float32(x.astype(np.float32), slope=False)
    assert none is None
    np.testing.assert_allclose(inference, expected, rtol=1e-6, atol=4e-7)
    np.testing.assert_allclose(inference[tail], expected[tail], rtol=2e-2)
    assert np.isnan(gelu_float32(np.array([np.nan], dtype=np.float32))[0][0])
    # gelu(+inf) = +inf, gelu(-inf) is NaN (-inf·0), as in PyTorch.
    for with_slope in (True, False):
        with np.errstate(invalid="ignore"):
            both = gelu_float32(np.array([np.inf, -np.inf], dtype=np.float32), slope=with_slope)[0]
        assert both[0] == np.inf and np.isnan(both[1])


def test_float32_gelu_block_boundaries_and_shapes():
    x = rng.normal(size=(3, 70001)).astype(np.float32)  # several blocks, a ragged last one
    out, slope = gelu_float32(x[:, ::2])                # a non-contiguous view too
    expected, expected_slope = plain_gelu(x[:, ::2])
    assert out.shape == x[:, ::2].shape
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=4e-7)
    np.testing.assert_allclose(slope, expected_slope, atol=4e-7)
    out0, _ = gelu_float32(np.float32(0.5).reshape(()))
    assert out0.shape == ()
    columns = np.asfortranarray(x[:, :5000])  # column-major: computed in place order, kept
    for with_slope in (True, False):
        out, slope = gelu_float32(columns, slope=with_slope)
        assert out.flags.f_contiguous and out.shape == columns.shape
        expected, expected_slope = plain_gelu(columns)
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=4e-7)
        if with_slope:
            assert slope.flags.f_contiguous
            np.testing.assert_allclose(slope, expected_slope, atol=4e-7)


def test_float32_gelu_work_arrays_are_reused_safely_across_sizes_and_threads():
    # The work arrays are kept per thread and reused: small after big, big after small,
    # and two threads at once must all get their own right answers.
    import threading

    xs = [rng.normal(size=size).astype(np.float32) for size in (7, 40000, 3, 100000)]
    expected = [plain_gelu(x)[0] for x in xs]
    for x, want in zip(xs, expected):
        np.testing.assert_allclose(gelu_float32(x)[0], want, rtol=1e-5, atol=4e-7)
    failures = []

    def work(order):
        for _ in range(5):
            for i in order:
                if not np.allclose(gelu_float32(xs[i], slope=False)[0], expected[i],
                                   rtol=1e-5, atol=4e-7):
                    failures.append(i)

    orders = ([0, 1, 2, 3], [3, 2, 1, 0])
    threads = [threading.Thread(target=work, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def test_gelu_rejects_integer_input_as_torch():
    # Issue 12, item 15: F.gelu on an int tensor returned zeros.
    with pytest.raises(TypeError, match="gelu: input must be a floating-point tensor, got dtype int64"):
        F.gelu(tt.tensor([1, 2]))


def plain_layer_norm(x, w, b, eps=1e-5):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 2e-5), (np.float64, 1e-12)])
def test_layer_norm_matches_the_formula(dtype, rtol):
    x = (rng.normal(size=(4, 5, 16)) * 3 + 1).astype(dtype)
    w, b = (1 + rng.normal(size=16) * 0.1).astype(dtype), rng.normal(size=16).astype(dtype)
    xt = tt.tensor(x, requires_grad=True)
    out = F.layer_norm(xt, (16,), tt.tensor(w), tt.tensor(b))
    assert out.dtype == dtype
    np.testing.assert_allclose(out.data, plain_layer_norm(x, w, b), rtol=rtol, atol=rtol)
    # Without weight and bias, a normalised row sums to 0 whatever x is: zero gradient.
    F.layer_norm(xt, (16,)).sum().backward()
    np.testing.assert_allclose(xt.grad.data, 0.0, atol=1e-5 if dtype == np.float32 else 1e-12)


def plain_layer_norm_backward(x, w, g, eps=1e-5):
    """dx, dweight, dbias from the textbook formula with x̂ (float64)."""
    x, w, g = (np.asarray(a, dtype=np.float64) for a in (x, w, g))
    mean = x.mean(-1, keepdims=True)
    rstd = 1 / np.sqrt(((x - mean) ** 2).mean(-1, keepdims=True) + eps)
    xhat = (x - mean) * rstd
    gh = g * w
    dx = rstd * (gh - gh.mean(-1, keepdims=True) - xhat * (gh * xhat).mean(-1, keepdims=True))
    axes = tuple(range(x.ndim - 1))
    return dx, (g * xhat).sum(axes), g.sum(axes)


@pytest.mark.parametrize("dtype, offset, rtol", [(np.float64, 1.0, 1e-10), (np.float32, 1.0, 1e-5),
                                                 (np.float32, 20.0, 1e-5)])
def test_layer_norm_backward_matches_the_formula(dtype, offset, rtol):
    # Backward never forms x̂ (dx = G - α·x + β per row, as torch's kernel): the same
    # numbers as the textbook formula, also for rows whose mean is far from 0.
    x = (rng.normal(size=(6, 7, 32)) * 2 + offset).astype(dtype)
    w, b = (1 + rng.normal(size=32) * 0.3).astype(dtype), rng.normal(size=32).astype(dtype)
    g = rng.normal(size=x.shape).astype(dtype)
    xt, wt, bt = (tt.tensor(a, requires_grad=True) for a in (x, w, b))
    F.layer_norm(xt, (32,), wt, bt).backward(tt.tensor(g))
    dx, dw, db = plain_layer_norm_backward(x, w, g)
    scale = np.abs(dx).max()
    np.testing.assert_allclose(xt.grad.data, dx, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(wt.grad.data, dw, rtol=rtol, atol=rtol * np.abs(dw).max())
    np.testing.assert_allclose(bt.grad.data, db, rtol=rtol, atol=rtol * np.abs(db).max())


def test_layer_norm_keeps_no_copy_of_the_normalised_input():
    # Memory as torch's: the op saves the input, the means and 1/std only.
    x = tt.tensor(rng.normal(size=(8, 32)), requires_grad=True)
    out = F.layer_norm(x, (32,), tt.ones(32, requires_grad=True), tt.zeros(32, requires_grad=True))
    saved = [v for v in vars(out.grad_fn.ctx).values() if isinstance(v, np.ndarray) and v.size >= x.data.size]
    assert all(np.shares_memory(v, x.data) for v in saved)


# ----- one line per op against torch (float64, forward and backward, rtol 1e-9) ------------
def torch_agrees(ours, theirs, *arrays):
    torch = pytest.importorskip("torch", reason="PyTorch is an optional reference")
    xs = [tt.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = ours(*xs), theirs(torch, *ts)
    g = rng.normal(size=tuple(expected.shape))
    out.backward(g)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-9, atol=1e-12)
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_torch_linear():
    torch_agrees(F.linear, lambda torch, *t: torch.nn.functional.linear(*t),
                 rng.normal(size=(2, 3, 4)), rng.normal(size=(5, 4)), rng.normal(size=5))


def test_torch_gelu():
    torch_agrees(F.gelu, lambda torch, x: torch.nn.functional.gelu(x), rng.normal(size=(3, 7)) * 3)


def test_torch_gelu_tanh():
    torch_agrees(lambda x: F.gelu(x, approximate="tanh"),
                 lambda torch, x: torch.nn.functional.gelu(x, approximate="tanh"),
                 rng.normal(size=(3, 7)) * 3)


def test_torch_layer_norm():
    torch_agrees(lambda x, w, b: F.layer_norm(x, (3, 4), w, b),
                 lambda torch, x, w, b: torch.nn.functional.layer_norm(x, (3, 4), w, b),
                 rng.normal(size=(2, 3, 4)) * 2 + 1, rng.normal(size=(3, 4)), rng.normal(size=(3, 4)))
