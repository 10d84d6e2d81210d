"""`MultiHeadAttention` and the `KVCache` that makes generating text fast.

Attention lets every position look at every other and take what it needs: each position
asks a question (query), offers a label (key) and a content (value); a position's output is
the average of all values, weighted by how well its query matches each key. With several
heads, the features are split into groups that each attend in their own way.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
from tt_nn import Linear, Module, init
from tt_nn import functional as nn_F
from tt_tensor import Tensor, from_numpy, is_grad_enabled

from tt_text import functional as F
from tt_text.ops.attention import causal_mask


def check_mask(where: str, mask: np.ndarray, n: int, length: int, source_length: int) -> None:
    """A clear error unless `mask` is boolean and shaped (L, S) or (N, L, S) (1s broadcast)."""
    if mask.dtype != np.bool_:
        raise TypeError(f"{where}: mask must be boolean (True = may not attend), got dtype "
                        f"{mask.dtype}")
    fits = mask.ndim in (2, 3) and all(
        m in (1, want) for m, want in zip(mask.shape[::-1], (source_length, length, n)))
    if not fits:
        raise ValueError(f"{where}: mask has shape {mask.shape}, expected (L, S) = "
                         f"({length}, {source_length}) or (N, L, S) = ({n}, {length}, "
                         f"{source_length})")


class LayerCache:
    """The keys and values one attention layer has already computed, for generation.

    Arrays (N, max_len, E) are allocated once; `append` writes the new positions after the
    ones already there, so a generation step costs the same at position 10 or 500.
    """

    def __init__(self, max_len: int) -> None:
        self.max_len = int(max_len)
        self.keys: np.ndarray | None = None
        self.values: np.ndarray | None = None
        self.length = 0

    def append(self, keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Store keys, values (N, L, E) after the cached ones; return all so far (N, S, E)."""
        n, new, e = keys.shape
        if self.keys is None:
            self.keys = np.empty((n, self.max_len, e), dtype=keys.dtype)
            self.values = np.empty((n, self.max_len, e), dtype=values.dtype)
        end = self.length + new
        if end > self.max_len:
            raise ValueError(f"KVCache: cannot hold {end} positions (max_len={self.max_len})")
        self.keys[:, self.length:end] = keys
        self.values[:, self.length:end] = values
        self.length = end
        return self.keys[:, :end], self.values[:, :end]


class KVCache:
    """One `LayerCache` per attention layer of a model, plus how many positions are filled."""

    def __init__(self, num_layers: int, max_len: int) -> None:
        self.layers = [LayerCache(max_len) for _ in range(num_layers)]
        self.max_len = int(max_len)

    @property
    def length(self) -> int:
        return self.layers[0].length


class MultiHeadAttention(Module):
    """Batch-first multi-head attention with PyTorch's maths and mask meaning.

    Args:
        embed_dim: features E of queries, keys and values.
        num_heads: heads H; E must be divisible by H (each head gets E / H features).
        bias: whether the four projections have biases.
        dropout: probability of dropping an attention weight while training (as torch's
            `MultiheadAttention(dropout=)`); nothing is dropped in eval mode.

    Projections `q_proj`, `k_proj`, `v_proj`, `out_proj` are `Linear(E, E)`. Weights are
    Xavier-uniform as in torch's `in_proj_weight` (q, k, v stacked) and biases start at 0.

    `forward(query, key=None, value=None, mask=None, key_padding_mask=None)`:
        query (N, L, E); key, value (N, S, E) (default: key = query, value = key).
        mask: boolean (L, S) or (N, L, S), True = may NOT attend (PyTorch's `attn_mask`
            of `nn.MultiheadAttention`; `F.scaled_dot_product_attention` uses the
            opposite, True = may attend).
        key_padding_mask: boolean (N, S), True = this key is padding, ignore it.
        Returns (N, L, E). A query whose keys are all masked gets zero weights and output.

    `.attn_weights`: the weights (N, H, L, S) of the last forward, as a NumPy array. The
    layer keeps that call's queries, keys and mask, and computes the weights from them
    when this is first read (the same computation as the op's forward), so training pays
    nothing for it.
    """

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True,
                 dropout: float = 0.0) -> None:
        super().__init__()
        if num_heads < 1 or embed_dim % num_heads:
            raise ValueError(f"MultiHeadAttention: embed_dim={embed_dim} must be divisible by "
                             f"num_heads={num_heads} (each head gets embed_dim / num_heads "
                             "features)")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"MultiHeadAttention: dropout must be in [0, 1), got {dropout}")
        self.embed_dim, self.num_heads, self.dropout = int(embed_dim), int(num_heads), float(dropout)
        self.q_proj = Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = Linear(embed_dim, embed_dim, bias=bias)
        self.v_proj = Linear(embed_dim, embed_dim, bias=bias)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias)
        # torch draws q, k, v as one stacked (3E, E) weight: Xavier with fan_in E, fan_out 3E.
        bound = math.sqrt(6.0 / (embed_dim + 3 * embed_dim))
        for proj in (self.q_proj, self.k_proj, self.v_proj):
            init.uniform_(proj.weight, -bound, bound)
        for proj in (self.q_proj, self.k_proj, self.v_proj, self.out_proj):
            if proj.bias is not None:
                init.zeros_(proj.bias)
        self._last = None          # (queries, keys, hidden mask) of the last forward
        self._last_weights = None  # the weights computed from them, once asked for

    @property
    def attn_weights(self) -> np.ndarray | None:
        """The attention weights (N, H, L, S) of the last forward (None before the first)."""
        if self._last_weights is None and self._last is not None:
            q, k, hidden = self._last
            allowed = None if hidden is None else ~hidden
            self._last_weights = F.attention_weights(q, k, self.num_heads, attn_mask=allowed)
        return self._last_weights

    def forward(self, query: Tensor, key: Tensor | None = None, value: Tensor | None = None,
                mask=None, key_padding_mask=None, cache: LayerCache | None = None) -> Tensor:
        """See the class docstring. `cache` (generation only): reuse and extend stored keys
        and values, so only the new positions are projected."""
        key = query if key is None else key
        value = key if value is None else value
        if query.ndim != 3 or query.shape[2] != self.embed_dim:
            raise ValueError(f"MultiHeadAttention: query must be (N, L, {self.embed_dim}), "
                             f"got shape {query.shape}")
        if key.ndim != 3 or key.shape != value.shape or key.shape[0] != query.shape[0] \
                or key.shape[2] != self.embed_dim:
            raise ValueError(f"MultiHeadAttention: key and value must be (N, S, "
                             f"{self.embed_dim}) with N = {query.shape[0]}, got key "
                             f"{key.shape} and value {value.shape}")
        packed = self.__dict__.get("_packed")
        if (packed is not None and key is query and value is query
                and query.shape[0] * query.shape[1] <= PACKED_ROWS and not is_grad_enabled()
                and not self._projections_hooked()):
            # Generation (see `packed_projections`): one product for q, k and v.
            qkv, e = nn_F.linear(query, *packed).data, self.embed_dim
            q, k, v = (from_numpy(qkv[..., i * e:(i + 1) * e]) for i in range(3))
        else:
            q, k, v = self.q_proj(query), self.k_proj(key), self.v_proj(value)
        if cache is not None:
            if k.requires_grad:
                raise RuntimeError("MultiHeadAttention: a KV cache is for generation; run it "
                                   "under tt.no_grad()")
            keys, values = cache.append(k.data, v.data)
            k, v = from_numpy(keys), from_numpy(values)
        length, source = query.shape[1], k.shape[1]
        dropout_p = self.dropout if self.training else 0.0
        if key_padding_mask is None and mask is causal_mask(length, source):
            # GPT's causal mask (the cached array): with as many queries as keys it is
            # torch's is_causal, and a single query (a KV-cache step) sees every key, so
            # the op gets no mask to build, invert or apply.
            if length == source:
                out = F.multi_head_attention(q, k, v, self.num_heads, is_causal=True,
                                             dropout_p=dropout_p)
                self._remember(q.data, k.data, mask)
                return self.out_proj(out)
            if length == 1:
                mask = None
        hidden = self._combined_mask(mask, key_padding_mask, query.shape[0], length, source)
        allowed = None if hidden is None else ~hidden  # the op takes torch's form
        out = F.multi_head_attention(q, k, v, self.num_heads, attn_mask=allowed,
                                     dropout_p=dropout_p)
        self._remember(q.data, k.data, hidden)
        return self.out_proj(out)

    def _projections_hooked(self) -> bool:
        return any(p._forward_pre_hooks or p._forward_hooks
                   for p in (self.q_proj, self.k_proj, self.v_proj))

    def _remember(self, q: np.ndarray, k: np.ndarray, hidden) -> None:
        """Keep what `attn_weights` needs. Plain values, set straight into the instance
        dict: Module.__setattr__'s registration checks cost more than the assignment,
        on every forward."""
        state = self.__dict__
        state["_last"], state["_last_weights"] = (q, k, hidden), None

    def _combined_mask(self, mask, key_padding_mask, n: int, length: int, source: int):
        if mask is not None:
            mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
            check_mask("MultiHeadAttention", mask, n, length, source)
        if key_padding_mask is not None:
            padding = np.asarray(key_padding_mask.data if isinstance(key_padding_mask, Tensor)
                                 else key_padding_mask)
            if padding.dtype != np.bool_ or padding.shape != (n, source):
                raise ValueError(f"MultiHeadAttention: key_padding_mask must be boolean "
                                 f"(N, S) = ({n}, {source}), got {padding.dtype} "
                                 f"{padding.shape}")
            padding = padding[:, None, :]  # (N, 1, S): the same keys hidden from every query
            mask = padding if mask is None else (mask | padding)
        return mask

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"


PACKED_ROWS = 64  # up to this many query rows (N·L), generation uses the packed q/k/v product


@contextlib.contextmanager
def packed_projections(model: Module):
    """While inside, every self-attention layer of `model` computes q, k and v with one
    product by a stacked (3E, E) weight instead of three (E, E) ones: for `generate`.

    Why: at generation sizes (≤ `PACKED_ROWS` rows) one (3E, E) product costs ~20% less
    than three (E, E) ones, and it is one op call and one bias add instead of three
    (together ~4% of a GPT token without a KV cache). The stacked weight is built once on
    entry, so the weights must not change inside the block: `generate` runs the model
    under `no_grad`, and the packed path is only taken with gradients off, for
    self-attention (key = value = query), without hooks on the projections. The values
    are those of the three products (the same dot products, each over E features).
    """
    layers = [m for m in model.modules() if isinstance(m, MultiHeadAttention)
              and all(type(p) is Linear for p in (m.q_proj, m.k_proj, m.v_proj))]
    for layer in layers:
        projections = (layer.q_proj, layer.k_proj, layer.v_proj)
        weight = from_numpy(np.concatenate([np.asarray(p.weight.data) for p in projections]))
        biases = [p.bias for p in projections]
        if all(b is None for b in biases):
            bias = None
        elif any(b is None for b in biases):
            continue  # mixed: leave this layer as it is
        else:
            bias = from_numpy(np.concatenate([np.asarray(b.data) for b in biases]))
        layer.__dict__["_packed"] = (weight, bias)
    try:
        yield
    finally:
        for layer in layers:
            layer.__dict__.pop("_packed", None)
