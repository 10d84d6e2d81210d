"""GPT and generate: causality, gradients reaching every parameter, sampling, the KV cache."""

import numpy as np
import pytest
import tt_tensor as tt
from tt_autograd import no_grad
from tt_text import GPT, generate
from tt_text.generate import pick_token


@pytest.fixture(scope="module")
def model():
    tt.manual_seed(0)
    return GPT(vocab_size=13, d_model=16, num_heads=4, num_layers=2, max_len=24)


def test_gpt_shapes_and_parameter_names(model):
    ids = np.random.default_rng(0).integers(0, 13, size=(3, 7))
    assert model(ids).shape == (3, 7, 13)
    names = [name for name, _ in model.named_parameters()]
    assert names[:2] == ["token_emb.weight", "pos_emb.weight"]
    assert "blocks.1.attn.k_proj.weight" in names and names[-1] == "head.bias"


def test_gpt_is_causal(model):
    ids = np.random.default_rng(1).integers(0, 13, size=(2, 8))
    changed = ids.copy()
    changed[:, 5] = (changed[:, 5] + 1) % 13
    a, b = model(ids).data, model(changed).data
    np.testing.assert_array_equal(a[:, :5], b[:, :5])  # earlier positions cannot see position 5
    assert not np.allclose(a[:, 5:], b[:, 5:])


def test_gpt_gradient_reaches_every_parameter(model):
    ids = np.random.default_rng(2).integers(0, 13, size=(2, 6))
    model.zero_grad()
    model(ids).sum().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and np.abs(p.grad.data).sum() > 0, name
    model.zero_grad()


def test_gpt_rejects_bad_input(model):
    with pytest.raises(ValueError, match=r"expected token ids \(N, L\), got shape \(5,\)"):
        model(np.arange(5))
    with pytest.raises(ValueError, match="30 positions but max_len=24"):
        model(np.zeros((1, 30), dtype=np.int64))
    with pytest.raises(IndexError, match="token id 13 is outside the vocabulary"):
        model(np.array([[1, 13]]))


# ----- generate ---------------------------------------------------------------------------
def test_generate_shapes_and_prompt(model):
    prompt = np.array([[1, 2, 3], [4, 5, 6]])
    out = generate(model, prompt, max_new_tokens=5, temperature=0)
    assert out.shape == (2, 8) and out.dtype == np.int64
    np.testing.assert_array_equal(out[:, :3], prompt)
    as_tensor = generate(model, tt.tensor(prompt), max_new_tokens=2, temperature=0)
    assert isinstance(as_tensor, tt.Tensor) and as_tensor.shape == (2, 5)
    assert model.training  # the mode is restored


def test_greedy_picks_the_most_likely_token(model):
    prompt = np.array([[3, 1, 4]])
    out = generate(model, prompt, max_new_tokens=1, temperature=0)
    assert out[0, -1] == model(prompt).data[0, -1].argmax()


@pytest.mark.parametrize("settings", [dict(temperature=0), dict(temperature=1.0),
                                      dict(temperature=0.7, top_k=3)])
def test_kv_cache_gives_identical_tokens(model, settings):
    prompt = np.random.default_rng(3).integers(0, 13, size=(3, 4))
    tt.manual_seed(11)
    cached = generate(model, prompt, max_new_tokens=15, use_cache=True, **settings)
    tt.manual_seed(11)
    uncached = generate(model, prompt, max_new_tokens=15, use_cache=False, **settings)
    np.testing.assert_array_equal(cached, uncached)


def test_kv_cache_matches_past_max_len(model):
    # 20 + 12 > max_len 24: the context is cropped to the last 24 tokens in both modes.
    prompt = np.random.default_rng(4).integers(0, 13, size=(2, 20))
    tt.manual_seed(5)
    cached = generate(model, prompt, max_new_tokens=12, temperature=0.9)
    tt.manual_seed(5)
    uncached = generate(model, prompt, max_new_tokens=12, temperature=0.9, use_cache=False)
    assert cached.shape == (2, 32)
    np.testing.assert_array_equal(cached, uncached)


def test_cached_logits_equal_full_forward(model):
    ids = np.random.default_rng(6).integers(0, 13, size=(2, 9))
    full = model(ids).data
    cache = model.new_cache()
    with no_grad():  # a cache is for generation
        first = model(ids[:, :5], cache=cache).data
        rest = [model(ids[:, i:i + 1], cache=cache).data for i in range(5, 9)]
    with pytest.raises(RuntimeError, match="a KV cache is for generation; run it under"):
        model(ids[:, :1], cache=model.new_cache())
    np.testing.assert_allclose(np.concatenate([first, *rest], axis=1), full, rtol=1e-4, atol=1e-5)


def test_sampling_is_seeded_and_follows_the_distribution():
    logits = np.log(np.array([[0.1, 0.6, 0.3]] * 20000))
    tt.manual_seed(0)
    a = pick_token(logits)
    tt.manual_seed(0)
    np.testing.assert_array_equal(a, pick_token(logits))
    np.testing.assert_allclose(np.bincount(a, minlength=3) / len(a), [0.1, 0.6, 0.3], atol=0.015)
    top2 = pick_token(logits, top_k=2)
    assert set(np.unique(top2)) == {1, 2}  # the 0.1 token is never drawn
    np.testing.assert_allclose((top2 == 1).mean(), 0.6 / 0.9, atol=0.015)
    cold = pick_token(logits, temperature=0.05)
    assert (cold == 1).mean() > 0.99


def test_generate_errors(model):
    with pytest.raises(ValueError, match=r"prompt_ids must be integer ids \(N, L\) with L ≥ 1"):
        generate(model, np.array([1, 2]), 3)
    with pytest.raises(ValueError, match="temperature must be ≥ 0"):
        generate(model, np.array([[1]]), 3, temperature=-1)
    with pytest.raises(ValueError, match="top_k must be a positive number"):
        generate(model, np.array([[1]]), 3, top_k=0)


def test_float32_gpt_keeps_float32_activations_and_gradients(model, monkeypatch):
    # NumPy 2 turns float32 array × np.float64 scalar into float64; one such leak makes
    # everything after it slow mixed-precision work (and hides: parameter gradients are cast
    # back to float32 at the leaves). So every op output and every intermediate gradient
    # is recorded — the latter through anomaly mode's per-gradient check.
    from tt_nn import functional as F
    from tt_tensor import observing

    outputs, grads = [], []

    class Recorder:
        @staticmethod
        def forward(op, inputs, output, ctx, seconds):
            outputs.append((op.name, output.data.dtype))

        @staticmethod
        def backward(op, inputs, input_grads, ctx, seconds):
            grads.extend((op.name, g.dtype) for g in input_grads if g is not None)

    ids = np.random.default_rng(3).integers(0, 13, size=(2, 6))
    model.zero_grad()
    with observing(Recorder):
        loss = F.cross_entropy(model(ids[:, :-1]).reshape(-1, 13), ids[:, 1:].reshape(-1))
        loss.backward()
    assert {"embedding", "layer_norm", "linear", "scaled_dot_product_attention", "gelu",
            "cross_entropy"} <= {name for name, _ in outputs}
    assert [o for o in outputs if o[1] != np.float32] == []
    assert len(grads) > 20 and [g for g in grads if g[1] != np.float32] == []
    assert all(p.grad.dtype == np.float32 for p in model.parameters())
    model.zero_grad()


# ----- sampling semantics (issue 12: float ids, NaN logits, top_k ties) ---------------------
def test_float_token_ids_are_a_type_error(model):
    with pytest.raises(TypeError, match="prompt_ids must be integer token ids, got dtype float64"):
        generate(model, np.array([[1.0, 2.0]]), 3)
    with pytest.raises(TypeError, match="token ids must be integers, got dtype float32"):
        model(np.array([[1.0, 2.0]], dtype=np.float32))


def test_nan_or_inf_logits_are_a_clear_error():
    logits = np.array([[0.0, 1.0, 2.0], [0.0, np.nan, 1.0]])
    for temperature in (0, 1.0):
        with pytest.raises(ValueError, match="logits of row 1 contain NaN or \\+inf"):
            pick_token(logits, temperature)
    with pytest.raises(ValueError, match="logits of row 0 contain NaN or \\+inf"):
        pick_token(np.array([[np.inf, 0.0]]))
    with pytest.raises(ValueError, match="every logit of row 0 is -inf"):
        pick_token(np.array([[-np.inf, -np.inf]]))
    # -inf (a banned token) is fine and never drawn.
    tt.manual_seed(0)
    assert set(pick_token(np.array([[-np.inf, 0.0, 0.0]] * 200)).tolist()) == {1, 2}


def test_top_k_keeps_every_token_tied_with_the_kth_as_torch_filter_does():
    torch = pytest.importorskip("torch", reason="PyTorch is an optional reference")
    logits = np.array([[1.0, 3.0, 2.0, 2.0, 0.5, 2.0]])
    # The usual torch filter: logits[logits < topk(logits, k).values[:, -1:]] = -inf
    t = torch.tensor(logits)
    kth = torch.topk(t, 2).values[:, -1:]
    kept_by_torch = set(np.flatnonzero((t >= kth).numpy()[0]).tolist())
    tt.manual_seed(1)
    drawn = set(pick_token(np.repeat(logits, 3000, axis=0), top_k=2).tolist())
    assert drawn == kept_by_torch == {1, 2, 3, 5}


def test_sampling_follows_softmax_of_logits_over_temperature():
    logits = np.array([[2.0, 0.0, 1.0, -1.0]])
    p = np.exp(logits[0] / 0.5)
    p /= p.sum()
    tt.manual_seed(7)
    drawn = pick_token(np.repeat(logits, 40000, axis=0), temperature=0.5)
    np.testing.assert_allclose(np.bincount(drawn, minlength=4) / 40000, p, atol=0.01)


# ----- the KV cache past max_len ------------------------------------------------------------
def test_window_start_jumps_by_half_a_window():
    from tt_text.generate import window_start
    assert window_start(0, 24, 24) == 0
    assert window_start(0, 25, 24) == 13            # keeps the last 12 tokens
    assert window_start(13, 36, 24) == 13 and window_start(13, 38, 24) == 26
    assert window_start(0, 2, 1) == 1               # max_len 1 keeps one token


def test_kv_cache_past_max_len_feeds_one_token_per_step(model):
    # Count the positions the model is given: with the cache, one per new token plus a
    # rebuild of half a window whenever the window jumps; without it, the whole window.
    seen = {True: [], False: []}
    for use_cache in (True, False):
        original = type(model).forward

        def counting(self, ids, cache=None, _seen=seen[use_cache], _f=original):
            _seen.append(np.shape(ids)[1])
            return _f(self, ids, cache=cache)
        type(model).forward = counting
        try:
            tt.manual_seed(2)
            out = generate(model, np.array([[1, 2, 3]]), 100, temperature=0.8, use_cache=use_cache)
        finally:
            type(model).forward = original
        seen[use_cache].append(out)
    cached, uncached = seen[True], seen[False]
    np.testing.assert_array_equal(cached.pop(), uncached.pop())  # the same tokens
    assert max(cached) <= 24 and sum(cached) < 0.25 * sum(uncached)
    assert cached.count(1) > 80  # most steps feed a single token


def test_sampling_draws_what_tt_multinomial_draws():
    # A nanoGPT-style loop (softmax, then multinomial) gets the same tokens from the same seed.
    from tt_nn import functional as F
    logits = np.random.default_rng(5).normal(size=(6, 13)) * 2
    tt.manual_seed(9)
    ours = pick_token(logits, temperature=0.8)
    tt.manual_seed(9)
    probs = F.softmax(tt.tensor(logits / 0.8), dim=-1)
    theirs = tt.multinomial(probs, num_samples=1).data[:, 0]
    np.testing.assert_array_equal(ours, theirs)


# ----- generation's packed q/k/v product (tt_text.attention.packed_projections) --------------
def _linear_calls(fn):
    from tt_tensor import observing

    names = []

    class Recorder:
        @staticmethod
        def forward(op, inputs, output, ctx, seconds):
            names.append(op.name)

    with observing(Recorder):
        out = fn()
    return out, names.count("linear")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_packed_projections_equal_the_three_products(dtype):
    from tt_text.attention import packed_projections

    tt.manual_seed(1)
    model = GPT(vocab_size=13, d_model=16, num_heads=4, num_layers=2, max_len=24)
    model = model.double() if dtype == "float64" else model
    for block in model.blocks:  # non-zero biases, so a misplaced bias would show
        for p in (block.attn.q_proj, block.attn.k_proj, block.attn.v_proj):
            p.bias.data[...] = np.random.default_rng(2).normal(size=p.bias.shape)
    ids = np.random.default_rng(7).integers(0, 13, size=(2, 9))
    tol = 1e-12 if dtype == "float64" else 1e-5
    with no_grad():
        plain, calls = _linear_calls(lambda: model(ids).data)
        with packed_projections(model):
            packed, packed_calls = _linear_calls(lambda: model(ids).data)
            cache = model.new_cache()
            steps = [model(ids[:, :5], cache=cache).data] + [
                model(ids[:, i:i + 1], cache=cache).data for i in range(5, 9)]
    assert packed.dtype == np.dtype(dtype)
    assert packed_calls == calls - 2 * 2  # two products fewer per block: the path is taken
    np.testing.assert_allclose(packed, plain, rtol=tol, atol=tol)
    np.testing.assert_allclose(np.concatenate(steps, axis=1), plain, rtol=10 * tol, atol=10 * tol)
    assert all("_packed" not in b.attn.__dict__ for b in model.blocks)  # removed on exit
    # generate packs inside; a plain greedy loop (three products) picks the same tokens
    tokens = generate(model, ids[:, :2], 20, temperature=0, use_cache=False)
    loop = ids[:, :2]
    with no_grad():
        for _ in range(20):
            loop = np.concatenate([loop, model(loop).data[:, -1].argmax(-1)[:, None]], axis=1)
    np.testing.assert_array_equal(tokens, loop)


def test_packed_projections_only_without_gradients_or_hooks():
    from tt_text.attention import packed_projections

    tt.manual_seed(1)
    model = GPT(vocab_size=13, d_model=16, num_heads=4, num_layers=1, max_len=24)
    ids = np.random.default_rng(7).integers(0, 13, size=(1, 6))
    with packed_projections(model):
        out, calls = _linear_calls(lambda: model(ids))  # gradients on: three products
        assert calls == 7 and out.requires_grad
        seen = []
        handle = model.blocks[0].attn.k_proj.register_forward_hook(
            lambda m, args, output: seen.append(output.shape))
        with no_grad():
            _, calls = _linear_calls(lambda: model(ids))
        handle.remove()
        assert calls == 7 and seen == [(1, 6, 16)]  # the hook still sees k_proj's call


def test_dropouts_are_skipped_only_when_they_cannot_act():
    from tt_text.transformer import _dropping

    tt.manual_seed(1)
    model = GPT(vocab_size=13, d_model=16, num_heads=4, num_layers=1, max_len=24, dropout=0.5)
    drop = model.blocks[0].dropout
    assert _dropping(drop) is drop                 # training with p > 0: it drops
    model.eval()
    assert _dropping(drop) is not drop and _dropping(drop)(ids := np.ones(3)) is ids
    seen = []
    handle = drop.register_forward_hook(lambda m, args, output: seen.append(1))
    assert _dropping(drop) is drop                 # a hook must still see the call
    model(np.zeros((1, 4), dtype=np.int64))
    handle.remove()
    assert seen == [1, 1]                          # both residual branches
    model.train()
