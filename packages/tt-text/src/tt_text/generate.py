"""`generate`: let a language model continue a prompt, one token at a time.

Each step runs the model, takes the logits of the last position, picks a token (greedily
or by sampling) and appends it. Without a cache every step recomputes all positions; with
a KV cache (`use_cache=True`) each step feeds only the new token and reuses the keys and
values the attention layers stored on earlier steps, so the cost per token stays flat as
the text grows. Both give the same tokens.

A model sees at most `max_len` positions. When the text outgrows that, the context
window jumps forward: the model then sees only the last `max_len // 2` tokens (more and
more again as the text grows, up to `max_len`, then it jumps again; see `window_start`).
Both modes use the same windows, so they still agree token for token, and with the cache
a jump costs one forward over half a window: about two token steps per token, which keeps
the cache many times faster than recomputing up to `max_len` positions for every token.
(A window that slides by one token each step would change every position's embedding at
every step, and no cache could be reused.)
"""

from __future__ import annotations

import numpy as np
import tt_tensor
from tt_tensor import Tensor, from_numpy, no_grad

from tt_text.attention import packed_projections


def window_start(start: int, length: int, max_len: int) -> int:
    """Where the context window begins, given where it began and the text's length now.

    The window is `ids[start:]`. It stays put while it fits in `max_len` positions; once it
    would not, it jumps so that it holds the last `max(1, max_len // 2)` tokens.
    """
    if length - start <= max_len:
        return start
    return length - max(1, max_len // 2)


def generate(model, prompt_ids, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, use_cache: bool = True):
    """Continue `prompt_ids` (N, L) by `max_new_tokens` tokens: ids (N, L + max_new_tokens).

    Returns an int64 Tensor if `prompt_ids` is a Tensor, else a NumPy array.

    Args:
        model: a `GPT` (anything with `max_len`, `new_cache()` and `forward(ids, cache=None)`
            returning logits (N, L, V)).
        prompt_ids: integer Tensor or array (N, L), L ≥ 1 (float ids are a TypeError, as
            in torch's embedding).
        temperature: divides the logits before sampling: < 1 sharper, > 1 more random.
            0 means greedy: always the most likely token (no randomness).
        top_k: sample only among the k most likely tokens (every token tied with the k-th
            largest logit stays in, as with the usual `torch.topk` filter).
        use_cache: reuse keys and values between steps (same tokens, much faster).

    Sampling is `tt_tensor.multinomial(softmax(logits / temperature), 1)` (torch's
    multinomial, from tt's generator), so `tt_tensor.manual_seed` makes it repeatable and a
    hand-written nanoGPT-style loop draws the same tokens. Logits with NaN or +inf (a diverged
    model) raise a ValueError naming the row, as `torch.multinomial` refuses them.
    Texts longer than the model's `max_len`: see the module docstring.
    The model is put in eval mode while generating and restored afterwards.
    """
    as_tensor = isinstance(prompt_ids, Tensor)
    ids = np.asarray(prompt_ids.data if as_tensor else prompt_ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"generate: prompt_ids must be integer token ids, got dtype "
                        f"{ids.dtype} (convert with .long() or astype(int))")
    if ids.ndim != 2 or ids.shape[1] < 1:
        raise ValueError(f"generate: prompt_ids must be integer ids (N, L) with L ≥ 1, got "
                         f"shape {ids.shape}")
    if temperature < 0:
        raise ValueError(f"generate: temperature must be ≥ 0 (0 = greedy), got {temperature}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"generate: top_k must be a positive number of tokens, got {top_k}")
    ids = ids.astype(np.int64)
    max_len = model.max_len
    was_training = model.training
    model.eval()
    try:
        with no_grad(), packed_projections(model):
            start = window_start(0, ids.shape[1], max_len)
            cache = model.new_cache() if use_cache else None
            logits = model(ids[:, start:], cache=cache).data[:, -1]
            for step in range(max_new_tokens):
                token = pick_token(logits, temperature, top_k)
                ids = np.concatenate([ids, token[:, None]], axis=1)
                if step == max_new_tokens - 1:
                    break
                new_start = window_start(start, ids.shape[1], max_len)
                if new_start != start:  # the window jumped: (re)build it in one forward
                    start = new_start
                    cache = model.new_cache() if use_cache else None
                    logits = model(ids[:, start:], cache=cache).data[:, -1]
                elif cache is not None:
                    logits = model(token[:, None], cache=cache).data[:, -1]
                else:
                    logits = model(ids[:, start:]).data[:, -1]
    finally:
        model.train(was_training)
    return from_numpy(ids) if as_tensor else ids


def pick_token(logits: np.ndarray, temperature: float = 1.0, top_k: int | None = None) -> np.ndarray:
    """One token id per row of `logits` (N, V): argmax if temperature is 0, else a sample.

    The sample is what `torch.multinomial(softmax(logits / temperature), 1)` draws, after
    the top-k filter `logits[logits < topk(logits, k).values[:, -1:]] = -inf`.
    """
    logits = np.asarray(logits)
    bad = ~np.isfinite(logits) & ~np.isneginf(logits)  # NaN or +inf: no distribution
    if bad.any():
        row = int(np.argwhere(bad)[0, 0])
        raise ValueError(f"generate: the logits of row {row} contain NaN or +inf "
                         f"({logits[row][bad[row]][:3]}...): cannot pick a token; the model "
                         "has probably diverged")
    if temperature == 0:
        return logits.argmax(axis=-1)
    logits = logits.astype(np.float64) / temperature
    if top_k is not None and top_k < logits.shape[-1]:
        kth = np.partition(logits, -top_k, axis=-1)[:, -top_k, None]  # the k-th largest
        logits = np.where(logits < kth, -np.inf, logits)               # ties at the k-th stay
    top = logits.max(axis=-1, keepdims=True)
    if np.isneginf(top).any():
        row = int(np.flatnonzero(np.isneginf(top[:, 0]))[0])
        raise ValueError(f"generate: every logit of row {row} is -inf: no token can be drawn")
    # torch.multinomial's draw, from tt's: the same token a nanoGPT-style loop
    # `tt.multinomial(F.softmax(logits / T, -1), 1)` gets from the same seed (the weights
    # need not be normalised: scaling them does not change which index is drawn).
    weights = np.exp(logits - top)
    return tt_tensor.multinomial(from_numpy(weights), 1).data[:, 0]
