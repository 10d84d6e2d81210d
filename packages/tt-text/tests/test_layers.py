"""Embedding, PositionalEncoding, MultiHeadAttention (against torch), LayerNorm and the block."""

import numpy as np
import pytest
import tt_nn
import tt_tensor as tt
from tt_autograd import gradcheck
from tt_tensor import plugins
from tt_text import (GPT, Embedding, MultiHeadAttention, PositionalEncoding, TransformerBlock,
                     causal_mask)

rng = np.random.default_rng(0)


# ----- Embedding --------------------------------------------------------------------------
def test_embedding_reads_rows_and_inits_like_torch():
    tt.manual_seed(0)
    emb = Embedding(1000, 16)
    assert emb.weight.shape == (1000, 16) and emb.weight.dtype == np.float32
    assert abs(emb.weight.data.mean()) < 0.02 and abs(emb.weight.data.std() - 1) < 0.02  # N(0, 1)
    ids = np.array([[3, 3, 999], [0, 1, 2]])
    out = emb(tt.tensor(ids))
    assert out.shape == (2, 3, 16)
    np.testing.assert_array_equal(out.data, emb.weight.data[ids])
    out.sum().backward()
    counts = np.bincount(ids.ravel(), minlength=1000)
    np.testing.assert_array_equal(emb.weight.grad.data, np.repeat(counts[:, None], 16, 1))


def test_embedding_layer_rejects_ids_outside_the_vocabulary():
    emb = Embedding(10, 4)
    with pytest.raises(IndexError, match=r"token id 10 is outside the vocabulary: ids must be "
                                         r"in 0..9 \(num_embeddings=10\)"):
        emb(np.array([[1, 10]]))
    with pytest.raises(IndexError, match="token id -3"):
        emb(np.array([-3]))


def test_embedding_padding_idx_starts_at_zero_and_gets_no_gradient():
    tt.manual_seed(0)
    emb = Embedding(6, 3, padding_idx=-2)  # row 4, counted from the end as in torch
    assert emb.padding_idx == 4 and repr(emb) .startswith("Embedding(6, 3, padding_idx=4)")
    np.testing.assert_array_equal(emb.weight.data[4], 0.0)
    emb(np.array([[4, 1, 4], [2, 4, 4]])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.data[:, 0], [0, 1, 1, 0, 0, 0])
    with pytest.raises(ValueError, match="padding_idx=6 must be within num_embeddings=6"):
        Embedding(6, 3, padding_idx=6)


def test_embedding_module_matches_torch_with_padding():
    torch = pytest.importorskip("torch", reason="PyTorch is an optional reference")
    ids = np.array([[0, 2, 1], [2, 2, 3]])
    weight = rng.normal(size=(4, 5))
    ours = Embedding.from_pretrained(weight, freeze=False, padding_idx=2)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(weight), freeze=False, padding_idx=2)
    g = rng.normal(size=(2, 3, 5))
    out, expected = ours(ids), theirs(torch.tensor(ids))
    out.backward(g)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-9)
    assert ours.weight.dtype == np.float64
    assert not Embedding.from_pretrained(weight).weight.requires_grad  # frozen by default


# ----- PositionalEncoding -----------------------------------------------------------------
def test_sinusoidal_encoding_values():
    pe = PositionalEncoding(6, max_len=50)
    table = pe.pe.data
    pos = np.arange(50)
    np.testing.assert_allclose(table[:, 0], np.sin(pos), atol=1e-6)
    np.testing.assert_allclose(table[:, 1], np.cos(pos), atol=1e-6)
    np.testing.assert_allclose(table[:, 4], np.sin(pos / 10000 ** (4 / 6)), atol=1e-6)
    x = tt.zeros(2, 5, 6)
    np.testing.assert_array_equal(pe(x).data[1], table[:5])
    np.testing.assert_array_equal(pe(x, start=7).data[0], table[7:12])
    assert list(dict(pe.named_parameters())) == []  # fixed: nothing to train
    assert PositionalEncoding(5, max_len=4).pe.shape == (4, 5)  # odd d_model works


def test_learned_encoding_trains_only_the_rows_used():
    pe = PositionalEncoding(4, max_len=10, kind="learned")
    assert pe.weight.shape == (10, 4)
    x = tt.tensor(rng.normal(size=(2, 3, 4)), requires_grad=True)
    out = pe(x)
    np.testing.assert_allclose(out.data, x.data + pe.weight.data[:3], rtol=1e-6)
    out.sum().backward()
    np.testing.assert_array_equal(pe.weight.grad.data[:3], 2.0)  # two sequences
    np.testing.assert_array_equal(pe.weight.grad.data[3:], 0.0)


def test_positional_encoding_errors():
    with pytest.raises(ValueError, match="positions up to 11 requested but max_len=10"):
        PositionalEncoding(4, max_len=10)(tt.zeros(1, 12, 4))
    with pytest.raises(ValueError, match=r"expected input \(N, L, 4\), got shape \(1, 3, 5\)"):
        PositionalEncoding(4)(tt.zeros(1, 3, 5))
    with pytest.raises(ValueError, match="kind must be 'sinusoidal' or 'learned'"):
        PositionalEncoding(4, kind="rotary")


# ----- MultiHeadAttention -----------------------------------------------------------------
def small_mha(e=6, heads=3):
    tt.manual_seed(1)
    mha = MultiHeadAttention(e, heads).double()
    for p in mha.parameters():  # non-zero biases so their gradients are tested too
        p.data[...] = rng.normal(size=p.shape) * 0.5
    return mha


@pytest.mark.parametrize("mask_kind", ["none", "causal", "per-sample"])
def test_attention_gradcheck_through_the_layer(mask_kind):
    mha = small_mha()
    mask = {"none": None, "causal": causal_mask(3, 4),
            "per-sample": rng.random((2, 3, 4)) < 0.4}[mask_kind]
    q, kv = rng.normal(size=(2, 3, 6)), rng.normal(size=(2, 4, 6))
    gradcheck(lambda q, kv: mha(q, kv, kv, mask=mask), [q, kv])
    gradcheck(lambda x: mha(x, mask=causal_mask(4)), [kv])  # self-attention


@pytest.mark.parametrize("length, source", [(4, 4), (1, 5)])
def test_attention_with_gpt_causal_mask_takes_the_fast_path_with_the_same_numbers(length, source):
    # GPT passes the cached causal_mask(L, S): the layer gives the op is_causal (L = S) or
    # no mask (one query, a KV-cache step). A copy of the same mask takes the general
    # path (a boolean mask inverted, applied and repaired): both must agree, forward,
    # backward and the weights the layer shows.
    mha = small_mha()
    q, kv = rng.normal(size=(2, length, 6)), rng.normal(size=(2, source, 6))
    results = []
    for mask in (causal_mask(length, source), causal_mask(length, source).copy()):
        qt, kvt = tt.tensor(q, requires_grad=True), tt.tensor(kv, requires_grad=True)
        out = mha(qt, kvt, kvt, mask=mask)
        out.backward(tt.tensor(np.cos(out.data)))
        results.append((out.data, qt.grad.data, kvt.grad.data, mha.attn_weights))
    for fast, general in zip(*results):
        np.testing.assert_allclose(fast, general, rtol=1e-12, atol=1e-14)
    gradcheck(lambda q, kv: mha(q, kv, kv, mask=causal_mask(length, source)), [q, kv])


def test_attention_weights_are_kept():
    mha = MultiHeadAttention(8, 2)
    out = mha(tt.randn(3, 5, 8), tt.randn(3, 7, 8), mask=np.zeros((5, 7), dtype=bool))
    assert out.shape == (3, 5, 8)
    assert mha.attn_weights.shape == (3, 2, 5, 7)
    np.testing.assert_allclose(mha.attn_weights.sum(-1), 1.0, rtol=1e-5)
    mha(tt.randn(3, 5, 8), mask=causal_mask(5))
    assert (mha.attn_weights[..., causal_mask(5)] == 0).all()


def test_attention_weights_are_computed_by_the_layer_not_written_by_the_op():
    # Issue 11: the op returns only its output; the layer keeps what it needs to show the
    # weights, and computes them when asked (so training does not pay for them).
    mha = MultiHeadAttention(8, 2)
    x = tt.randn(2, 4, 8)
    mha(x, mask=causal_mask(4))
    assert mha._last_weights is None
    w = mha.attn_weights
    q = mha.q_proj(x).data.reshape(2, 4, 2, 4).transpose(0, 2, 1, 3)
    k = mha.k_proj(x).data.reshape(2, 4, 2, 4).transpose(0, 2, 1, 3)
    scores = np.where(causal_mask(4), -np.inf, q @ k.transpose(0, 1, 3, 2) / 2.0)
    e = np.exp(scores - scores.max(-1, keepdims=True))
    np.testing.assert_allclose(w, e / e.sum(-1, keepdims=True), rtol=1e-5, atol=1e-7)
    assert mha.attn_weights is w  # computed once


def test_attention_dropout_only_while_training():
    mha = MultiHeadAttention(8, 2, dropout=0.5)
    x = tt.randn(2, 4, 8)
    mha.eval()
    a, b = mha(x).data, mha(x).data
    np.testing.assert_array_equal(a, b)
    mha.train()
    tt.manual_seed(0)
    c = mha(x).data
    assert not np.allclose(a, c)


def test_attention_errors():
    with pytest.raises(ValueError, match="embed_dim=10 must be divisible by num_heads=3"):
        MultiHeadAttention(10, 3)
    mha = MultiHeadAttention(8, 2)
    x = tt.randn(2, 4, 8)
    with pytest.raises(ValueError, match=r"MultiHeadAttention: mask has shape \(4, 5\), "
                                         r"expected \(L, S\) = \(4, 4\) or \(N, L, S\) = \(2, 4, 4\)"):
        mha(x, mask=np.zeros((4, 5), dtype=bool))
    with pytest.raises(ValueError, match=r"mask has shape \(3, 4, 4\)"):
        mha(x, mask=np.zeros((3, 4, 4), dtype=bool))
    with pytest.raises(ValueError, match=r"key_padding_mask must be boolean \(N, S\) = \(2, 4\)"):
        mha(x, key_padding_mask=np.zeros((2, 5), dtype=bool))
    with pytest.raises(ValueError, match=r"query must be \(N, L, 8\), got shape \(2, 4, 6\)"):
        mha(tt.randn(2, 4, 6))
    with pytest.raises(ValueError, match=r"key and value must be \(N, S, 8\)"):
        mha(x, tt.randn(2, 3, 8), tt.randn(2, 4, 8))


@pytest.mark.parametrize("case", ["none", "causal", "per-sample", "padding", "both"])
def test_attention_equals_torch(case):
    torch = pytest.importorskip("torch", reason="PyTorch is an optional reference")
    n, length, s, e, heads = 2, 4, 5, 8, 2
    mha = small_mha(e, heads)
    ref = torch.nn.MultiheadAttention(e, heads, batch_first=True, dtype=torch.float64)
    with torch.no_grad():  # torch's in_proj_weight is q, k, v stacked
        ref.in_proj_weight.copy_(torch.tensor(np.concatenate(
            [mha.q_proj.weight.data, mha.k_proj.weight.data, mha.v_proj.weight.data])))
        ref.in_proj_bias.copy_(torch.tensor(np.concatenate(
            [mha.q_proj.bias.data, mha.k_proj.bias.data, mha.v_proj.bias.data])))
        ref.out_proj.weight.copy_(torch.tensor(mha.out_proj.weight.data))
        ref.out_proj.bias.copy_(torch.tensor(mha.out_proj.bias.data))
    q, k, v = rng.normal(size=(n, length, e)), rng.normal(size=(n, s, e)), rng.normal(size=(n, s, e))
    mask = padding = None
    if case in ("causal", "both"):
        mask = causal_mask(length, s)
    if case == "per-sample":
        mask = rng.random((n, length, s)) < 0.4
        mask[:, :, 0] = False  # torch gives NaN for a fully masked row; we give 0 (documented)
    if case in ("padding", "both"):
        padding = np.array([[False] * s, [False, False, False, True, True]])
    torch_mask = None if mask is None else torch.tensor(
        np.repeat(mask, heads, axis=0) if mask.ndim == 3 else mask)  # torch: (N·H, L, S)
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    expected, weights = ref(tq, tk, tv, attn_mask=torch_mask, need_weights=True,
                            average_attn_weights=False,
                            key_padding_mask=None if padding is None else torch.tensor(padding))
    g = rng.normal(size=expected.shape)
    expected.backward(torch.tensor(g))

    xs = [tt.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = mha(*xs, mask=mask, key_padding_mask=padding)
    out.backward(g)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mha.attn_weights, weights.detach().numpy(), rtol=1e-10, atol=1e-12)
    for ours, theirs in zip(xs, (tq, tk, tv)):
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)
    w_grads = np.split(ref.in_proj_weight.grad.numpy(), 3)
    b_grads = np.split(ref.in_proj_bias.grad.numpy(), 3)
    for proj, w_grad, b_grad in zip((mha.q_proj, mha.k_proj, mha.v_proj), w_grads, b_grads):
        np.testing.assert_allclose(proj.weight.grad.data, w_grad, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(proj.bias.grad.data, b_grad, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(mha.out_proj.weight.grad.data, ref.out_proj.weight.grad.numpy(),
                               rtol=1e-9, atol=1e-12)


def test_attention_default_init_matches_torch_scale():
    tt.manual_seed(0)
    mha = MultiHeadAttention(64, 4)
    bound = np.sqrt(6 / (64 + 3 * 64))
    w = mha.q_proj.weight.data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert (mha.q_proj.bias.data == 0).all() and (mha.out_proj.bias.data == 0).all()


# ----- LayerNorm and the block ------------------------------------------------------------
def test_layer_norm_gradcheck():
    ln = tt_nn.LayerNorm(5).double()
    ln.weight.data[...] = rng.normal(size=5)
    ln.bias.data[...] = rng.normal(size=5)
    gradcheck(ln, [rng.normal(size=(2, 3, 5)) * 3 + 1])
    gradcheck(lambda x, w, b: tt_nn.functional.layer_norm(x, (5,), w, b),
              [rng.normal(size=(4, 5)), rng.normal(size=5), rng.normal(size=5)])


def test_transformer_block_gradcheck():
    tt.manual_seed(0)
    block = TransformerBlock(d_model=6, num_heads=2, d_ff=8).double()
    x = rng.normal(size=(2, 3, 6))
    gradcheck(lambda x: block(x, mask=causal_mask(3)), [x])
    gradcheck(lambda x: block(x), [x])


def test_transformer_block_is_pre_norm_residual():
    tt.manual_seed(0)
    block = TransformerBlock(d_model=8, num_heads=2, d_ff=16)
    for p in (block.attn.out_proj.weight, block.attn.out_proj.bias, block.fc2.weight, block.fc2.bias):
        p.data[...] = 0.0  # both branches now add zero
    x = tt.randn(2, 4, 8)
    np.testing.assert_array_equal(block(x).data, x.data)
    names = [name for name, _ in block.named_parameters()]
    assert names[:2] == ["ln1.weight", "ln1.bias"] and "attn.q_proj.weight" in names
    assert "fc1.weight" in names and "ln2.bias" in names


def test_layers_are_registered():
    for layer in (Embedding, PositionalEncoding, MultiHeadAttention, TransformerBlock, GPT):
        assert plugins.get("layers", layer.__name__) is layer
