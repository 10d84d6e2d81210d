"""The embedding and attention ops: float64 gradient checks, masks, errors, and torch equality."""

import numpy as np
import pytest
import tt_tensor as tt
from tt_autograd import gradcheck
from tt_tensor import OPS
from tt_text import causal_mask
from tt_text import functional as F

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
def heads_attention(q, k, v, num_heads, mask=None, **params):
    """The op with heads side by side (N, L, E); `mask` in MultiHeadAttention's form."""
    allowed = None if mask is None else ~np.asarray(mask)
    return attention(q, k, v, num_heads=num_heads, attn_mask=allowed, **params)


@pytest.mark.parametrize("num_heads", [1, 2, 4])
def test_attention_matches_a_per_head_loop(num_heads):
    q, k, v = rng.normal(size=(2, 3, 8)), rng.normal(size=(2, 5, 8)), rng.normal(size=(2, 5, 8))
    mask = rng.random((2, 3, 5)) < 0.3
    mask[:, :, 0] = False  # keep one key per row so the reference has no 0/0
    for m in (None, mask, mask[0]):
        out = heads_attention(q, k, v, num_heads, m)
        np.testing.assert_allclose(out.data, reference_attention(q, k, v, num_heads, m),
                                   rtol=1e-12, atol=1e-12)


def test_attention_with_torch_shapes_matches_the_formula():
    # (N, H, L, E) inputs, a float additive mask, a custom scale: the plain formula.
    q, k, v = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(2, 3, 6, 2))
    bias = rng.normal(size=(4, 6))
    scores = q @ k.transpose(0, 1, 3, 2) * 0.7 + bias
    w = np.exp(scores - scores.max(-1, keepdims=True))
    expected = (w / w.sum(-1, keepdims=True)) @ v
    out = attention(q, k, v, attn_mask=bias, scale=0.7)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mask_kind", ["none", "causal", "padding", "random"])
def test_attention_gradcheck(mask_kind):
    q, k, v = rng.normal(size=(2, 4, 6)), rng.normal(size=(2, 4, 6)), rng.normal(size=(2, 4, 6))
    mask = {"none": None, "causal": causal_mask(4),
            "padding": np.array([[False] * 4, [False, False, True, True]])[:, None, :],
            "random": rng.random((2, 4, 4)) < 0.5}[mask_kind]
    gradcheck(lambda q, k, v: heads_attention(q, k, v, 3, mask), [q, k, v])


def test_attention_examples_gradcheck():
    from tt_text.ops import ScaledDotProductAttentionOp
    for example in ScaledDotProductAttentionOp.examples():
        arrays = [x for x in example.inputs]
        gradcheck(lambda *xs: attention(*xs, **example.params), arrays)


def test_causal_mask_hides_the_future():
    q = tt.tensor(rng.normal(size=(1, 4, 4)))
    v = rng.normal(size=(1, 4, 4))
    out = heads_attention(q, q, v, 2, causal_mask(4)).data
    changed = v.copy()
    changed[:, 2:] += 10.0  # change the values of positions 2 and 3
    out2 = heads_attention(q, q, changed, 2, causal_mask(4)).data
    np.testing.assert_array_equal(out[:, :2], out2[:, :2])  # 0 and 1 cannot see them
    assert not np.allclose(out[:, 2:], out2[:, 2:])
    # is_causal=True is the same mask (torch's top-left aligned triangle).
    np.testing.assert_array_equal(attention(q, q, v, num_heads=2, is_causal=True).data, out)
    # A shifted mask for queries that are the last 2 of 4 positions (as with a KV cache).
    np.testing.assert_array_equal(causal_mask(2, 4), [[0, 0, 0, 1], [0, 0, 0, 0]])


@pytest.mark.parametrize("length", [2, 5, 8])
def test_causal_attention_in_chunks_is_the_plain_formula(length, monkeypatch):
    # Big causal self-attentions run in two query chunks (the first half never meets the
    # second half's keys); force it at small sizes and compare with the one-piece path,
    # the per-head reference, and the gradient check.
    import tt_text.ops.attention as ops

    q, k, v = (rng.normal(size=(2, length, 6)) for _ in range(3))
    g = rng.normal(size=(2, length, 6))
    results = []
    for threshold in (0, 1 << 60):  # chunked, then in one piece
        monkeypatch.setattr(ops, "_CHUNK_MIN_SCORES", threshold)
        xs = [tt.tensor(a, requires_grad=True) for a in (q, k, v)]
        out = attention(*xs, num_heads=3, is_causal=True)
        out.backward(g)
        results.append([out.data] + [x.grad.data for x in xs])
    np.testing.assert_allclose(results[0][0], reference_attention(q, k, v, 3, causal_mask(length)),
                               rtol=1e-12, atol=1e-12)
    for chunked, whole in zip(*results):
        np.testing.assert_allclose(chunked, whole, rtol=1e-12, atol=1e-13)
    for wanted in ((0,), (1,), (2,), (1, 2)):  # backward skips what no input wants
        grads = []
        for threshold in (0, 1 << 60):
            monkeypatch.setattr(ops, "_CHUNK_MIN_SCORES", threshold)
            xs = [tt.tensor(a, requires_grad=i in wanted) for i, a in enumerate((q, k, v))]
            attention(*xs, num_heads=3, is_causal=True).backward(g)
            grads.append([xs[i].grad.data for i in wanted])
        for chunked, whole in zip(*grads):
            np.testing.assert_allclose(chunked, whole, rtol=1e-12, atol=1e-13)
    monkeypatch.setattr(ops, "_CHUNK_MIN_SCORES", 0)
    gradcheck(lambda q, k, v: attention(q, k, v, num_heads=3, is_causal=True), [q, k, v])
    # float32 runs the same code: close to the float64 result.
    out32 = attention(*(a.astype(np.float32) for a in (q, k, v)), num_heads=3, is_causal=True)
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32.data, results[0][0], rtol=1e-5, atol=1e-5)


def test_attention_weights_with_is_causal_are_the_masked_ones():
    from tt_text.functional import attention_weights

    q, k = rng.normal(size=(2, 5, 6)), rng.normal(size=(2, 5, 6))
    causal = attention_weights(q, k, 3, is_causal=True)  # the op's cached 0/-inf bias
    np.testing.assert_array_equal(causal, attention_weights(q, k, 3, attn_mask=~causal_mask(5)))
    assert np.all(causal[..., 0, 1:] == 0) and np.all(causal[..., 0, 0] == 1)


def test_big_causal_attention_takes_the_chunked_path():
    import tt_text.ops.attention as ops

    length = 64
    batch = -(-ops._CHUNK_MIN_SCORES // (length * length))  # enough (N·H) to reach it
    assert ops._query_chunks(length, length, True, 1, 0.0, batch * length * length) == [
        (0, 32, 32), (32, 64, 64)]
    assert len(ops._query_chunks(length, length, True, 1, 0.0, length * length)) == 1  # small
    assert len(ops._query_chunks(length, length, False, 1, 0.0, 1 << 30)) == 1  # not causal
    assert len(ops._query_chunks(length, length, True, 1, 0.1, 1 << 30)) == 1  # dropout


def test_fully_masked_row_gives_zeros_not_nan():
    from tt_text.functional import attention_weights

    q = tt.tensor(rng.normal(size=(1, 2, 4)), requires_grad=True)
    mask = np.array([[True, True, True], [False, True, True]])
    kv = tt.tensor(rng.normal(size=(1, 3, 4)), requires_grad=True)
    out = heads_attention(q, kv, kv, 2, mask)
    assert np.isfinite(out.data).all()
    np.testing.assert_array_equal(out.data[0, 0], 0.0)
    weights = attention_weights(q, kv, 2, attn_mask=~mask)
    np.testing.assert_array_equal(weights[0, :, 0], 0.0)
    np.testing.assert_allclose(weights[0, :, 1], [[1, 0, 0]] * 2)
    out.sum().backward()
    assert np.isfinite(q.grad.data).all() and np.isfinite(kv.grad.data).all()
    np.testing.assert_array_equal(q.grad.data[0, 0], 0.0)


def test_attention_is_stable_for_huge_scores():
    q = np.full((1, 2, 4), 1e4)
    out = attention(q, q, rng.normal(size=(1, 2, 4)))
    assert np.isfinite(out.data).all()


def test_attention_dropout_is_seeded_and_scales_the_rest():
    q, k, v = (rng.normal(size=(2, 4, 3)) for _ in range(3))
    tt.manual_seed(3)
    a = attention(q, k, v, dropout_p=0.5).data
    tt.manual_seed(3)
    np.testing.assert_array_equal(attention(q, k, v, dropout_p=0.5).data, a)
    assert not np.allclose(a, attention(q, k, v).data)
    np.testing.assert_array_equal(attention(q, k, v, dropout_p=1.0).data, 0.0)
    # Backward goes through the same dropped weights: check against the kept mask.
    tt.manual_seed(4)
    xs = [tt.tensor(x, requires_grad=True) for x in (q, k, v)]
    out = attention(*xs, dropout_p=0.3)
    out.backward(np.ones_like(q))
    tt.manual_seed(4)
    keep = (tt.generator().random((2, 4, 4)) >= 0.3).transpose(0, 2, 1)  # drawn as (S, L)
    from tt_text.functional import attention_weights
    used = attention_weights(q, k) * keep / 0.7
    np.testing.assert_allclose(xs[2].grad.data, used.transpose(0, 2, 1) @ np.ones_like(q),
                               rtol=1e-12)


def test_attention_errors_name_the_shapes():
    q = np.zeros((2, 3, 8))
    with pytest.raises(ValueError, match=r"attn_mask of shape \(3, 4\) does not broadcast"):
        attention(q, q, q, attn_mask=np.zeros((3, 4), dtype=bool))
    with pytest.raises(TypeError, match="attn_mask must be boolean .* or float"):
        attention(q, q, q, attn_mask=np.zeros((3, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="not both"):
        attention(q, q, q, attn_mask=np.ones((3, 3), dtype=bool), is_causal=True)
    with pytest.raises(ValueError, match="embed dim 8 is not divisible by num_heads=3"):
        attention(q, q, q, num_heads=3)
    with pytest.raises(ValueError, match=r"got query \(2, 3, 8\), key \(2, 3, 4\)"):
        attention(q, np.zeros((2, 3, 4)), np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="dropout_p must be in"):
        attention(q, q, q, dropout_p=2.0)


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
    out = heads_attention(*xs, 2, mask)
    out.backward(g)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    for ours, theirs in zip(xs, (tq, tk, tv)):
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)


# ----- one line per op against torch (float64, forward and backward, rtol 1e-9) ------------
def torch_agrees(ours, theirs, *arrays, grad_of=None):
    """Run `ours` on tt tensors and `theirs` on torch tensors; compare values and gradients."""
    torch = pytest.importorskip("torch", reason="PyTorch is an optional reference")
    grad_of = range(len(arrays)) if grad_of is None else grad_of
    xs = [tt.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    ts = [torch.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    out, expected = ours(*xs), theirs(torch, *ts)
    g = rng.normal(size=expected.shape)
    out.backward(g)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-9, atol=1e-12)
    for i in grad_of:
        np.testing.assert_allclose(xs[i].grad.data, ts[i].grad.numpy(), rtol=1e-9, atol=1e-12)


def test_torch_sdpa_plain():
    torch_agrees(F.scaled_dot_product_attention,
                 lambda torch, *t: torch.nn.functional.scaled_dot_product_attention(*t),
                 rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(2, 3, 6, 7)))


def test_torch_sdpa_causal_and_scale():
    torch_agrees(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
                 lambda torch, q, k, v: torch.nn.functional.scaled_dot_product_attention(
                     q, k, v, is_causal=True, scale=0.3),
                 *(rng.normal(size=(2, 4, 5)) for _ in range(3)))


def test_torch_sdpa_boolean_mask_true_means_attend():
    allowed = rng.random((2, 1, 4, 6)) < 0.6
    allowed[..., 0] = True
    torch_agrees(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=allowed),
                 lambda torch, q, k, v: torch.nn.functional.scaled_dot_product_attention(
                     q, k, v, attn_mask=torch.tensor(allowed)),
                 rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(2, 3, 6, 5)))


def test_torch_sdpa_float_mask_is_added():
    bias = rng.normal(size=(4, 6))
    bias[1, 2] = -np.inf
    torch_agrees(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=bias),
                 lambda torch, q, k, v: torch.nn.functional.scaled_dot_product_attention(
                     q, k, v, attn_mask=torch.tensor(bias)),
                 rng.normal(size=(3, 4, 5)), rng.normal(size=(3, 6, 5)), rng.normal(size=(3, 6, 5)))


def test_torch_embedding_with_padding_idx():
    ids = np.array([[0, 2, 2], [1, 0, 3]])
    torch_agrees(lambda w: F.embedding(ids, w, padding_idx=2),
                 lambda torch, w: torch.nn.functional.embedding(torch.tensor(ids), w, padding_idx=2),
                 rng.normal(size=(4, 3)))


def test_embedding_padding_row_gets_no_gradient():
    weight = tt.tensor(rng.normal(size=(4, 3)), requires_grad=True)
    F.embedding(np.array([0, 1, 1, 3]), weight, padding_idx=1).sum().backward()
    np.testing.assert_array_equal(weight.grad.data[:, 0], [1, 0, 0, 1])
    with pytest.raises(ValueError, match=r"padding_idx=4 must be within num_embeddings=4"):
        F.embedding(np.array([0]), weight, padding_idx=4)


def test_embedding_examples_gradcheck():
    from tt_text.ops import EmbeddingOp
    for example in EmbeddingOp.examples():
        ids, weight = example.inputs
        gradcheck(lambda w: OPS["embedding"].apply(ids, w, **example.params), [weight])


def test_ops_are_registered_by_tt_text():
    providers = {e.name: e.provider for e in tt.plugins.listing("ops")}
    assert providers["embedding"] == "tt-text"
    assert providers["scaled_dot_product_attention"] == "tt-text"
    functions = {e.name: e.obj for e in tt.plugins.listing("functions")}
    assert functions["scaled_dot_product_attention"] is F.scaled_dot_product_attention
    assert functions["embedding"] is F.embedding
