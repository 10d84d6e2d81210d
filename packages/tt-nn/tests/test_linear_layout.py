"""linear's layout fast path: `(W @ xᵀ)ᵀ` for few rows and many outputs, and `dx` in x's layout.

The values must be those of the plain formula `y = x @ Wᵀ + b`, `dx = g @ W`, `dW = gᵀ @ x`,
`db = Σ g` whichever product the op picks; float64 to rounding, float32 close to float64.
"""

import numpy as np
import pytest
import tt_tensor as tt
from tt_nn import functional as F

rng = np.random.default_rng(3)


def plain_mlp(x, w1, b1, w2, b2, g):
    """Forward and backward of linear → relu → linear, written out in float64."""
    h_pre = x @ w1.T + b1
    h = np.maximum(h_pre, 0)
    y = h @ w2.T + b2
    dh = (g @ w2) * (h_pre > 0)
    return y, {"x": dh @ w1, "w1": dh.T @ x, "b1": dh.sum(0), "w2": g.T @ h, "b2": g.sum(0)}


# (rows, in, hidden, out): hidden ≥ 3·rows takes the transposed product; ≤ 64 rows too.
SHAPES = [(4, 5, 12, 3), (70, 6, 210, 4), (80, 7, 9, 5), (1, 3, 4, 2)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-5)])
def test_linear_relu_linear_equals_the_plain_formula(shape, dtype, rtol):
    rows, n_in, hidden, n_out = shape
    arrays = {"x": rng.normal(size=(rows, n_in)), "w1": rng.normal(size=(hidden, n_in)),
              "b1": rng.normal(size=hidden), "w2": rng.normal(size=(n_out, hidden)),
              "b2": rng.normal(size=n_out)}
    g = rng.normal(size=(rows, n_out))
    ts = {k: tt.tensor(a.astype(dtype), requires_grad=True) for k, a in arrays.items()}
    h = F.linear(ts["x"], ts["w1"], ts["b1"]).relu()
    y = F.linear(h, ts["w2"], ts["b2"])
    y.backward(g.astype(dtype))
    f64 = {k: a.astype(dtype).astype(np.float64) for k, a in arrays.items()}
    expected_y, expected_grads = plain_mlp(f64["x"], f64["w1"], f64["b1"], f64["w2"], f64["b2"],
                                           g.astype(dtype).astype(np.float64))
    assert y.dtype == dtype
    np.testing.assert_allclose(y.data, expected_y, rtol=rtol, atol=rtol)
    for k, t in ts.items():
        assert t.grad.dtype == dtype
        np.testing.assert_allclose(t.grad.data, expected_grads[k], rtol=rtol, atol=rtol * 10,
                                   err_msg=k)


def test_the_transposed_product_is_taken_and_dx_follows_the_layout_of_x():
    from tt_tensor.function import Context
    from tt_nn.ops.linear import LinearOp

    x = rng.normal(size=(80, 5)).astype(np.float32)
    w = rng.normal(size=(240, 5)).astype(np.float32)
    ctx = Context()
    h = LinearOp.forward(ctx, x, w)  # 240 ≥ 3·80 outputs: a column-major result
    assert h.flags.f_contiguous and not h.flags.c_contiguous
    w2 = rng.normal(size=(2, 240)).astype(np.float32)
    ctx2 = Context()
    ctx2.needs_grad = (True, True)
    y = LinearOp.forward(ctx2, h, w2)  # 2 outputs over 80 rows: the plain product
    assert y.flags.c_contiguous
    dh, dw2 = LinearOp.backward(ctx2, np.ones_like(y))[:2]
    # The gradient of h has h's layout, so relu's backward does not mix layouts.
    assert dh.flags.f_contiguous and not dh.flags.c_contiguous
    np.testing.assert_allclose(dh, np.ones_like(y) @ w2, rtol=1e-6)
    np.testing.assert_allclose(dw2, np.ones_like(y).T @ h, rtol=1e-5)


def test_linear_fast_path_agrees_with_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is an optional reference")
    arrays = [rng.normal(size=(4, 5)), rng.normal(size=(13, 5)), rng.normal(size=13)]
    xs = [tt.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    g = rng.normal(size=(4, 13))
    F.linear(*xs).relu().backward(g)
    torch.nn.functional.linear(*ts).relu().backward(torch.tensor(g))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-9, atol=1e-12)
