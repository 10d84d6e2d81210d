"""`TransformerBlock` (attention + feed-forward, pre-norm) and `GPT`, a decoder-only language model."""

from __future__ import annotations

import numpy as np
from tt_nn import GELU, Dropout, LayerNorm, Linear, Module, ModuleList
from tt_tensor import Tensor

from tt_text.attention import KVCache, LayerCache, MultiHeadAttention
from tt_text.embedding import Embedding, PositionalEncoding
from tt_text.ops.attention import causal_mask


def _dropping(dropout: Dropout):
    """`dropout` itself, or the identity when calling it could change nothing: it drops
    only while training with p > 0, and nobody hooked it. Skipping the call then gives the
    same result without two Python calls (a module call and `F.dropout`): generation
    calls a GPT's dropouts nine times per token (~1% of a token at GPT sizes)."""
    if (dropout.training and dropout.p > 0) or dropout._forward_hooks or dropout._forward_pre_hooks:
        return dropout
    return _identity


def _identity(x: Tensor) -> Tensor:
    return x


class TransformerBlock(Module):
    """One transformer layer, pre-norm: normalise, transform, add back (twice).

        x = x + dropout(attn(ln1(x)))                  # positions exchange information
        x = x + dropout(fc2(gelu(fc1(ln2(x)))))        # each position thinks on its own

    Normalising *before* each sub-layer (GPT-2 style) leaves the residual path x untouched
    from input to output, which keeps deep stacks easy to train without warm-up tricks.

    Args:
        d_model: features per position; num_heads: attention heads; d_ff: hidden size of
        the feed-forward part (4 × d_model is usual); dropout: on both residual branches.
    Shape: x (N, L, d_model) -> (N, L, d_model). `forward(x, mask=None, cache=None)`.
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.ln1 = LayerNorm(d_model)
        self.attn = MultiHeadAttention(d_model, num_heads)
        self.ln2 = LayerNorm(d_model)
        self.fc1 = Linear(d_model, d_ff)
        self.act = GELU()
        self.fc2 = Linear(d_ff, d_model)
        self.dropout = Dropout(dropout)

    def forward(self, x: Tensor, mask=None, cache: LayerCache | None = None) -> Tensor:
        dropout = _dropping(self.dropout)
        x = x + dropout(self.attn(self.ln1(x), mask=mask, cache=cache))
        return x + dropout(self.fc2(self.act(self.fc1(self.ln2(x)))))


class GPT(Module):
    """A decoder-only transformer language model: ids (N, L) -> next-token logits (N, L, V).

    token embedding + learned position embedding -> `num_layers` TransformerBlocks with a
    causal mask (position i sees only positions ≤ i) -> final LayerNorm -> Linear head.

    Args:
        vocab_size: V; d_model, num_heads: as in `TransformerBlock`; num_layers: blocks;
        max_len: longest context; d_ff: feed-forward size (default 4 × d_model);
        dropout: dropout on the residual branches and the embeddings.

    `forward(ids, cache=None)`: with a `KVCache` (from `new_cache()`), `ids` are the next
    positions after those already cached; see `tt_text.generate`.
    """

    def __init__(self, vocab_size: int, d_model: int, num_heads: int, num_layers: int,
                 max_len: int, d_ff: int | None = None, dropout: float = 0.0) -> None:
        super().__init__()
        self.vocab_size, self.max_len, self.num_layers = int(vocab_size), int(max_len), int(num_layers)
        self.token_emb = Embedding(vocab_size, d_model)
        self.pos_emb = PositionalEncoding(d_model, max_len, kind="learned")
        self.dropout = Dropout(dropout)
        self.blocks = ModuleList(TransformerBlock(d_model, num_heads, d_ff or 4 * d_model, dropout)
                                 for _ in range(num_layers))
        self.ln_f = LayerNorm(d_model)
        self.head = Linear(d_model, vocab_size)

    def new_cache(self) -> KVCache:
        """An empty KV cache for this model (one layer cache per block)."""
        return KVCache(self.num_layers, self.max_len)

    def forward(self, ids, cache: KVCache | None = None) -> Tensor:
        ids = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
        if ids.ndim != 2:
            raise ValueError(f"GPT: expected token ids (N, L), got shape {ids.shape}")
        start = 0 if cache is None else cache.length
        length = ids.shape[1]
        if start + length > self.max_len:
            raise ValueError(f"GPT: {start + length} positions but max_len={self.max_len}; "
                             "crop the context to the last max_len tokens")
        x = _dropping(self.dropout)(self.pos_emb(self.token_emb(ids), start=start))
        mask = causal_mask(length, start + length)
        for i, block in enumerate(self.blocks):
            x = block(x, mask=mask, cache=None if cache is None else cache.layers[i])
        return self.head(self.ln_f(x))
