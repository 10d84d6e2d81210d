"""The embedding and attention ops: float64 gradient checks, masks, errors, and torch equality."""

import numpy as np
import pytest
import tt_tensor as tt
from tt_autograd import gradcheck
from tt_tensor import OPS
from tt_text import causal_mask

rng = np.random.default_rng(0)


def attention(*xs, **params):
    return OPS["scaled_dot_product_attention"].apply(*xs, **params)


def reference_attention(q, k, v, num_heads, mask=None):
    """Plain per-head NumPy attention, written the slow obvious way, in float64."""
    n, length, e = q.shape
    d = e // num_heads
    out = np.zeros_like(q)
    for h in range(num_heads):
        cols = slice(h * d, (h + 1) * d)
        scores = q[:, :, cols] @ k[:, :, cols].transpose(0, 2, 1) / np.sqrt(d)
        if mask is not None:
            scores = np.where(mask, -np.inf, scores)
        w = np.exp(scores - scores.max(-1, keepdims=True))
        out[:, :, cols] = (w / w.sum(-1, keepdims=True)) @ v[:, :, cols]
    return out


# ----- embedding --------------------------------------------------------------------------
def test_embedding_gradient_adds_up_repeated_rows():
    weight = tt.tensor(rng.normal(size=(4, 3)), requires_grad=True)
    ids = np.array([[1, 1], [3, 1]])
    out = OPS["embedding"].apply(ids, weight)
    assert np.array_equal(out.data, weight.data[ids])
    out.backward(np.ones((2, 2, 3)))
    np.testing.assert_array_equal(weight.grad.data[:, 0], [0, 3, 0, 1])  # row 1 used 3 times


def test_embedding_gradcheck_with_repeats():
    ids = rng.integers(0, 6, size=(3, 7))  # 21 lookups into 6 rows: many repeats
    gradcheck(lambda w: OPS["embedding"].apply(ids, w), [rng.normal(size=(6, 4))])


@pytest.mark.parametrize("ids, message", [
    (np.array([0, 5]), r"token id 5 is outside the vocabulary: ids must be in 0..4"),
    (np.array([-1, 2]), r"token id -1 is outside the vocabulary"),
])
def test_embedding_rejects_ids_outside_the_table(ids, message):
    with pytest.raises(IndexError, match=message):
        OPS["embedding"].apply(ids, tt.zeros(5, 2))


def test_embedding_rejects_float_ids():
    with pytest.raises(TypeError, match="token ids must be integers, got dtype float64"):
        OPS["embedding"].apply(np.array([0.0, 1.0]), tt.zeros(5, 2))


# ----- attention --------------------------------------------------------------------------
@pytest.mark.parametrize("num_heads", [1, 2, 4])
def test_attention_matches_a_per_head_loop(num_heads):
    q, k, v = rng.normal(size=(2, 3, 8)), rng.normal(size=(2, 5, 8)), rng.normal(size=(2, 5, 8))
    mask = rng.random((2, 3, 5)) < 0.3
    mask[:, :, 0] = False  # keep one key per row so the reference has no 0/0
    for m in (None, mask, mask[0]):
        out = attention(q, k, v, num_heads=num_heads, mask=m)
        np.testing.assert_allclose(out.data, reference_attention(q, k, v, num_heads, m),
                                   rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mask_kind", ["none", "causal", "padding", "random"])
def test_attention_gradcheck(mask_kind):
    q, k, v = rng.normal(size=(2, 4, 6)), rng.normal(size=(2, 4, 6)), rng.normal(size=(2, 4, 6))
    mask = {"none": None, "causal": causal_mask(4),
            "padding": np.array([[False] * 4, [False, False, True, True]])[:, None, :],
            "random": rng.random((2, 4, 4)) < 0.5}[mask_kind]
    gradcheck(lambda q, k, v: attention(q, k, v, num_heads=3, mask=mask), [q, k, v])


def test_causal_mask_hides_the_future():
    q = tt.tensor(rng.normal(size=(1, 4, 4)))
    v = rng.normal(size=(1, 4, 4))
    out = attention(q, q, v, num_heads=2, mask=causal_mask(4)).data
    changed = v.copy()
    changed[:, 2:] += 10.0  # change the values of positions 2 and 3
    out2 = attention(q, q, changed, num_heads=2, mask=causal_mask(4)).data
    np.testing.assert_array_equal(out[:, :2], out2[:, :2])  # 0 and 1 cannot see them
    assert not np.allclose(out[:, 2:], out2[:, 2:])
    # A shifted mask for queries that are the last 2 of 4 positions (as with a KV cache).
    np.testing.assert_array_equal(causal_mask(2, 4), [[0, 0, 0, 1], [0, 0, 0, 0]])


def test_fully_masked_row_gives_zeros_not_nan():
    q = tt.tensor(rng.normal(size=(1, 2, 4)), requires_grad=True)
    mask = np.array([[True, True, True], [False, True, True]])
    kv = tt.tensor(rng.normal(size=(1, 3, 4)), requires_grad=True)
    holder = type("Holder", (), {})()
    out = attention(q, kv, kv, num_heads=2, mask=mask, store=holder)
    assert np.isfinite(out.data).all()
    np.testing.assert_array_equal(out.data[0, 0], 0.0)
    np.testing.assert_array_equal(holder.attn_weights[0, :, 0], 0.0)
    np.testing.assert_allclose(holder.attn_weights[0, :, 1], [[1, 0, 0]] * 2)
    out.sum().backward()
    assert np.isfinite(q.grad.data).all() and np.isfinite(kv.grad.data).all()
    np.testing.assert_array_equal(q.grad.data[0, 0], 0.0)


def test_attention_is_stable_for_huge_scores():
    q = np.full((1, 2, 4), 1e4)
    out = attention(q, q, rng.normal(size=(1, 2, 4)), num_heads=1)
    assert np.isfinite(out.data).all()


def test_attention_errors_name_the_shapes():
    q = np.zeros((2, 3, 8))
    with pytest.raises(ValueError, match=r"mask has shape \(3, 4\), expected \(L, S\) = \(3, 3\)"):
        attention(q, q, q, num_heads=2, mask=np.zeros((3, 4), dtype=bool))
    with pytest.raises(TypeError, match="mask must be boolean"):
        attention(q, q, q, num_heads=2, mask=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="embed dim 8 is not divisible by num_heads=3"):
        attention(q, q, q, num_heads=3)
    with pytest.raises(ValueError, match=r"got q \(2, 3, 8\), k \(2, 3, 4\)"):
        attention(q, np.zeros((2, 3, 4)), np.zeros((2, 3, 4)))


def test_attention_matches_torch_sdpa():
    torch = pytest.importorskip("torch", reason="PyTorch is an optional reference")
    q, k, v = (rng.normal(size=(2, 5, 8)) for _ in range(3))
    mask = causal_mask(5)
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    split = lambda t: t.reshape(2, 5, 2, 4).transpose(1, 2)  # noqa: E731
    expected = torch.nn.functional.scaled_dot_product_attention(
        split(tq), split(tk), split(tv), attn_mask=~torch.tensor(mask))  # torch: True = attend
    expected = expected.transpose(1, 2).reshape(2, 5, 8)
    g = rng.normal(size=(2, 5, 8))
    expected.backward(torch.tensor(g))
    xs = [tt.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = attention(*xs, num_heads=2, mask=mask)
    out.backward(g)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    for ours, theirs in zip(xs, (tq, tk, tv)):
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_ops_are_registered_by_tt_text():
    providers = {e.name: e.provider for e in tt.plugins.listing("ops")}
    assert providers["embedding"] == "tt-text"
    assert providers["scaled_dot_product_attention"] == "tt-text"
