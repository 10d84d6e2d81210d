"""`generate`: let a language model continue a prompt, one token at a time.

Each step runs the model, takes the logits of the last position, picks a token (greedily
or by sampling) and appends it. Without a cache every step recomputes all positions; with
a KV cache (`use_cache=True`) each step feeds only the new token and reuses the keys and
values the attention layers stored on earlier steps, so the cost per token stays flat as
the text grows. Both give exactly the same tokens.
"""

from __future__ import annotations

import numpy as np
import tt_tensor
from tt_autograd import no_grad
from tt_tensor import Tensor, from_numpy


def generate(model, prompt_ids, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, use_cache: bool = True):
    """Continue `prompt_ids` (N, L) by `max_new_tokens` tokens: ids (N, L + max_new_tokens).

    Returns an int64 Tensor if `prompt_ids` is a Tensor, else a NumPy array.

    Args:
        model: a `GPT` (anything with `max_len`, `new_cache()` and `forward(ids, cache=None)`
            returning logits (N, L, V)).
        prompt_ids: integer Tensor or array (N, L), L ≥ 1.
        temperature: divides the logits before sampling: < 1 sharper, > 1 more random.
            0 means greedy: always the most likely token (no randomness).
        top_k: sample only among the k most likely tokens.
        use_cache: reuse keys and values between steps (same tokens, much faster).

    Sampling draws from tt's generator, so `tt_tensor.manual_seed` makes it repeatable. The
    context is cropped to the model's last `max_len` tokens once it grows longer (the
    cache is then no longer usable and every step recomputes the window).
    The model is put in eval mode while generating and restored afterwards.
    """
    as_tensor = isinstance(prompt_ids, Tensor)
    ids = np.asarray(prompt_ids.data if as_tensor else prompt_ids)
    if ids.ndim != 2 or ids.shape[1] < 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"generate: prompt_ids must be integer ids (N, L) with L ≥ 1, got "
                         f"dtype {ids.dtype} shape {ids.shape}")
    if temperature < 0:
        raise ValueError(f"generate: temperature must be ≥ 0 (0 = greedy), got {temperature}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"generate: top_k must be a positive number of tokens, got {top_k}")
    ids = ids.astype(np.int64)
    max_len = model.max_len
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            cache = model.new_cache() if use_cache else None
            logits = model(ids[:, -max_len:], cache=cache).data[:, -1]
            for step in range(max_new_tokens):
                token = pick_token(logits, temperature, top_k)
                ids = np.concatenate([ids, token[:, None]], axis=1)
                if step == max_new_tokens - 1:
                    break
                if cache is not None and cache.length < max_len:
                    logits = model(token[:, None], cache=cache).data[:, -1]
                else:  # no cache, or the window is full: recompute the last max_len tokens
                    cache = None
                    logits = model(ids[:, -max_len:]).data[:, -1]
    finally:
        model.train(was_training)
    return from_numpy(ids) if as_tensor else ids


def pick_token(logits: np.ndarray, temperature: float = 1.0, top_k: int | None = None) -> np.ndarray:
    """One token id per row of `logits` (N, V): argmax if temperature is 0, else a sample."""
    if temperature == 0:
        return logits.argmax(axis=-1)
    logits = logits.astype(np.float64) / temperature
    if top_k is not None and top_k < logits.shape[-1]:
        kth = np.partition(logits, -top_k, axis=-1)[:, -top_k, None]
        logits = np.where(logits < kth, -np.inf, logits)
    probs = np.exp(logits - logits.max(axis=-1, keepdims=True))
    cumulative = np.cumsum(probs, axis=-1)
    # Inverse-CDF sampling for every row at once: the first token whose cumulative
    # probability passes a uniform draw (scaled by the total, so no normalising needed).
    draw = tt_tensor.generator().random((len(logits), 1)) * cumulative[:, -1:]
    return np.minimum((cumulative <= draw).sum(axis=-1), logits.shape[-1] - 1)
