"""tt-text's functional forms, with torch's names, arguments and defaults.

    >>> import tt_text.functional as F
    >>> F.scaled_dot_product_attention(q, k, v, is_causal=True)   # doctest: +SKIP

`tt.nn.functional.embedding` and `tt.nn.functional.scaled_dot_product_attention` are these
(registered through `register_functions` in `tt_text.plugin`). Each calls its op through
the op table, so an op replaced through the registry is used everywhere at once; the
layers (`Embedding`, `MultiHeadAttention`) call these functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from tt_tensor import OPS, Tensor


def _array(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of `weight` (V, D) picked by the integer ids `input` (any shape) -> (*, D).

    `padding_idx`: that row gets no gradient (negative counts from the end). The torch
    options `max_norm`, `scale_grad_by_freq` and `sparse` are not supported (a clear error).
    """
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: max_norm, scale_grad_by_freq and sparse are "
                                  "not supported by tt (dense gradients only)")
    return OPS["embedding"].apply(_array(input), weight, padding_idx=padding_idx)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Any = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(query keyᵀ · scale + mask) value, as `torch.nn.functional` has it.

    query (…, L, E), key (…, S, E), value (…, S, Ev) -> (…, L, Ev). `attn_mask`: boolean
    (True = may attend) or float (added to the scores), broadcastable to (…, L, S);
    `is_causal`: query i sees keys j ≤ i; `scale` default 1/√E; `dropout_p` drops
    attention weights (always, when > 0: pass 0 when evaluating, as with torch).
    `enable_gqa` (grouped-query attention) is not supported.
    """
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention: enable_gqa is not "
                                  "supported by tt")
    return OPS["scaled_dot_product_attention"].apply(
        query, key, value, attn_mask=_array(attn_mask), dropout_p=dropout_p,
        is_causal=is_causal, scale=scale)


def multi_head_attention(query: Tensor, key: Tensor, value: Tensor, num_heads: int,
                         attn_mask: Any = None, dropout_p: float = 0.0,
                         is_causal: bool = False) -> Tensor:
    """Attention of `num_heads` heads side by side in the features (tt, no torch twin).

    query (N, L, E), key and value (N, S, E) -> (N, L, E): the same as splitting E into
    heads, calling `scaled_dot_product_attention` on (N, H, L, E/H) and merging back, in
    one op (what `MultiHeadAttention` uses). `attn_mask`: as there, (L, S) or (N, L, S).
    """
    return OPS["scaled_dot_product_attention"].apply(
        query, key, value, attn_mask=_array(attn_mask), dropout_p=dropout_p,
        is_causal=is_causal, num_heads=int(num_heads))


def attention_weights(query: Any, key: Any, num_heads: int | None = None,
                      attn_mask: Any = None, is_causal: bool = False,
                      scale: float | None = None) -> np.ndarray:
    """The attention weights softmax(query keyᵀ · scale + mask) as a NumPy array (no graph).

    Exactly what the op computes in its forward; with `num_heads`, query (N, L, E) and key
    (N, S, E) are split into heads and the result is (N, H, L, S).
    """
    from tt_text.ops.attention import _hidden_and_bias, _split_heads
    from tt_text.ops.attention import attention_weights as weights_of

    q, k, attn_mask = np.asarray(_array(query)), np.asarray(_array(key)), _array(attn_mask)
    if num_heads is not None:
        q, k = _split_heads(q, num_heads), _split_heads(k, num_heads)
        if np.ndim(attn_mask) == 3:  # (N, L, S): the same for every head
            attn_mask = np.asarray(attn_mask)[:, None]
    hidden, bias = _hidden_and_bias(attn_mask, is_causal, q.shape[-2], k.shape[-2],
                                    np.broadcast_shapes(q.shape[:-2], k.shape[:-2]))
    return weights_of(q, k, hidden, bias, scale, is_causal=is_causal)


__all__ = ["embedding", "scaled_dot_product_attention", "multi_head_attention",
           "attention_weights"]
