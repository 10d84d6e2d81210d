"""`scaled_dot_product_attention`: softmax(Q Kᵀ · scale + mask) V, as torch's function of that name.

Shapes (torch's): query (…, L, E), key (…, S, E), value (…, S, Ev) -> (…, L, Ev); the
leading dimensions (batch, heads) broadcast. Each of the L query positions takes a weighted
average of the S value rows; the weights are a softmax of how well the query matches each
key. `scale` defaults to 1/√E: it keeps the dot products from growing with E, which would
saturate the softmax.

Masks follow torch's `scaled_dot_product_attention`: a boolean `attn_mask` says where a
query MAY attend (True = attend), a float one is added to the scores (-inf = never);
`is_causal=True` lets query i see keys j ≤ i (the top-left aligned lower triangle, as in
torch). A query whose every key is masked gets all-zero weights and a zero output, as in
torch 2.13 (and a zero gradient).

A tt extension for `MultiHeadAttention`: with `num_heads=H`, query/key/value are (N, L, E)
with the H heads side by side in E; the op splits and merges the heads itself with NumPy
views (one graph node per attention instead of nine, which is what makes tt fast).

Fast paths, explained (the plain formula is in the tests):
- the scores are computed transposed, key by query, into one (S, …, L) buffer, and the
  softmax runs in place down its columns: NumPy reduces across long rows several times
  faster than along a short last axis (see `_weights_columns`); the second operand of
  each stacked matmul is a contiguous copy (`_transposed_copy`), not a transposed view;
- `is_causal` adds a cached 0/-inf bias in the buffer's layout (`_causal_bias`), and a
  big causal self-attention runs in two query chunks, the first half against the first
  half of the keys only: the quarter of the scores that is always masked is never
  computed nor kept for backward (see `_query_chunks`);
- backward needs rowsum(dW ⊙ W) for the softmax; that equals rowsum(dO ⊙ O) over the
  E output features (O = W V), a pass over (L, E) instead of (L, S);
- `attention_weights` is the forward's own softmax (transposed back), so a layer that
  wants to show the weights (`MultiHeadAttention.attn_weights`) can compute exactly them
  when asked, instead of the op keeping them on the module.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from tt_tensor import Example, Function, generator, unbroadcast


@functools.cache  # every forward of a model asks for the same few masks
def causal_mask(length: int, source_length: int | None = None) -> np.ndarray:
    """Boolean (L, S) mask, True above the diagonal: position i may NOT look at j > i.

    When S > L (queries are the last L of S positions, as with a KV cache) the diagonal is
    shifted so that query i sits at position S - L + i. This is the "may not attend" form
    of `MultiHeadAttention`'s `mask`; torch's `attn_mask` for
    `scaled_dot_product_attention` is its negation. Cached, so the masks are read-only.
    """
    s = length if source_length is None else source_length
    mask = np.triu(np.ones((length, s), dtype=bool), k=s - length + 1)
    mask.flags.writeable = False
    return mask


@functools.lru_cache(maxsize=128)  # a model uses a few; long contexts make big ones
def _causal_bias(length: int, source: int, offset: int, dtype: np.dtype) -> np.ndarray:
    """0 where query i may see key j (j ≤ i + offset), -inf where not, laid out (S, 1, L)
    like the weights buffer of `_weights_columns` (key, batch, query). Cached, read-only.

    Adding it is the causal mask (x + 0 = x exactly, x + -inf = -inf) and costs about half
    of `np.copyto(scores, -inf, where=mask)`. torch's `is_causal` is offset 0 (top-left
    aligned); a chunk of queries starting at position `offset` uses the same mask shifted.
    """
    hidden = np.arange(source)[:, None] > np.arange(length)[None, :] + offset  # (S, L)
    bias = np.where(hidden, -np.inf, 0.0).astype(dtype)[:, None, :]
    bias.flags.writeable = False
    return bias


def _split_heads(x: np.ndarray, num_heads: int) -> np.ndarray:
    n, length, e = x.shape
    return x.reshape(n, length, num_heads, e // num_heads).transpose(0, 2, 1, 3)  # (N, H, L, d)


def _product(a: np.ndarray, b: np.ndarray, heads: int | None) -> np.ndarray:
    """a @ b; with heads, (N, H, R, ·) @ (N, H, ·, d) written straight into the merged
    (N, R, H·d) layout, the heads side by side again (BLAS writes each head's rows with a
    stride), which saves the copy `x.transpose(0, 2, 1, 3).reshape(N, R, H·d)` makes."""
    if heads is None:
        return a @ b
    n, h, rows, d = a.shape[0], a.shape[1], a.shape[-2], b.shape[-1]
    merged = np.empty((n, rows, h, d), dtype=np.result_type(a.dtype, b.dtype))
    np.matmul(a, b, out=merged.transpose(0, 2, 1, 3))
    return merged.reshape(n, rows, h * d)


def _broadcast(*shapes: tuple) -> tuple:
    """np.broadcast_shapes, with a fast path for the usual case of equal shapes (the NumPy
    function costs ~15 µs a call, which adds up when generating token by token)."""
    if all(shape == shapes[0] for shape in shapes[1:]):
        return tuple(shapes[0])
    return np.broadcast_shapes(*shapes)


def _check_inputs(q, k, v, num_heads) -> None:
    where = "scaled_dot_product_attention"
    if num_heads is not None:
        if q.ndim != 3 or k.ndim != 3 or v.ndim != 3 or k.shape[:2] != v.shape[:2] \
                or q.shape[0] != k.shape[0] or q.shape[2] != k.shape[2]:
            raise ValueError(f"{where}: with num_heads, expected query (N, L, E) and key, "
                             f"value (N, S, E), got query {q.shape}, key {k.shape}, value "
                             f"{v.shape}")
        if q.shape[2] % num_heads or v.shape[2] % num_heads:
            raise ValueError(f"{where}: embed dim {q.shape[2]} is not divisible by "
                             f"num_heads={num_heads}")
        return
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2 or q.shape[-1] != k.shape[-1] \
            or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"{where}: expected query (…, L, E), key (…, S, E) and value "
                         f"(…, S, Ev), got query {q.shape}, key {k.shape}, value {v.shape}")
    try:
        _broadcast(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise ValueError(f"{where}: the batch dimensions of query {q.shape}, key {k.shape} "
                         f"and value {v.shape} do not broadcast") from None


def _hidden_and_bias(attn_mask, is_causal: bool, length: int, source: int, batch_shape):
    """(hidden, bias): a boolean array of scores to hide, or a float array to add, or None."""
    where = "scaled_dot_product_attention"
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{where}: give attn_mask or is_causal=True, not both")
        return None, None  # the caller adds `_causal_bias` instead
    if attn_mask is None:
        return None, None
    mask = np.asarray(attn_mask)
    try:
        if mask.shape != (length, source):  # an (L, S) mask always fits: skip the check
            np.broadcast_shapes(mask.shape, (*batch_shape, length, source))
    except ValueError:
        raise ValueError(f"{where}: attn_mask of shape {mask.shape} does not broadcast to "
                         f"the scores' shape {(*batch_shape, length, source)} (…, L, S)") from None
    if mask.dtype == np.bool_:
        return ~mask, None  # torch: True = may attend; we hide the others
    if mask.dtype.kind != "f":
        raise TypeError(f"{where}: attn_mask must be boolean (True = may attend) or float "
                        f"(added to the scores), got dtype {mask.dtype}")
    return None, mask


def attention_weights(q: np.ndarray, k: np.ndarray, hidden=None, bias=None,
                      scale: float | None = None, is_causal: bool = False) -> np.ndarray:
    """softmax(q kᵀ · scale + bias) with `hidden` scores removed: (…, L, S) NumPy weights.

    q (…, L, E) and k (…, S, E) arrays. A row whose every score is hidden (or -inf) gets
    all-zero weights; `is_causal` hides key j > i from query i (torch's). This is the
    forward's own computation (see `_weights_columns`).
    """
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    columns = _weights_columns(q, k, hidden, bias, float(scale), 0 if is_causal else None)
    return np.ascontiguousarray(np.swapaxes(_as_key_query(columns), -1, -2))


_vecdot = getattr(np, "vecdot", None)


@functools.cache
def _ones(size: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of ones: `ones @ matrix` sums the columns in one BLAS call."""
    ones = np.ones(size, dtype=dtype)
    ones.flags.writeable = False
    return ones


def _row_dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Σ_d a[…, d]·b[…, d] (the last axis): `np.vecdot` on NumPy ≥ 2 (about twice as fast
    as the einsum), else the einsum. Broadcasts like both."""
    return _vecdot(a, b) if _vecdot is not None else np.einsum("...d,...d->...", a, b)


def _transposed(mask):
    """A mask broadcastable to (…, L, S) as one broadcastable to (…, S, L) (a view)."""
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.ndim < 2:
        mask = mask.reshape((1,) * (2 - mask.ndim) + mask.shape)
    return np.swapaxes(mask, -1, -2)


def _transposed_copy(x: np.ndarray, scale: float) -> np.ndarray:
    """scale · xᵀ over the last two axes, as a fresh C-contiguous array (…, E, L).

    NumPy's stacked matmul is ~2× slower when its second operand is a transposed view
    than when it is contiguous; the copy costs less than that (and the scale is free).
    """
    out = np.empty((*x.shape[:-2], x.shape[-1], x.shape[-2]), dtype=np.result_type(x.dtype, 1.0))
    return np.multiply(np.swapaxes(x, -1, -2), scale, out=out)


def _as_key_query(columns: np.ndarray) -> np.ndarray:
    """The (S, …, L) weights buffer seen as (…, S, L): key s, query l (a view)."""
    last = columns.ndim - 1
    return columns.transpose((*range(1, last), 0, last))  # np.moveaxis(columns, 0, -2), faster


def _weights_columns(q: np.ndarray, k: np.ndarray, hidden, bias, scale: float,
                     causal_offset: int | None = None) -> np.ndarray:
    """The attention weights as a (S, …, L) buffer: buffer[s, …, l] = weight of key s for
    query l, so each query's softmax runs down a column of the (S, B·L) matrix it reshapes to.

    Why this layout: NumPy reduces along a short last axis several times slower than
    across rows, and even a reduction across the rows of each (S, L) matrix pays per row
    of L. With all B·L queries side by side in one row of the buffer, every step of the
    softmax is a pass over long contiguous rows: the max across rows, subtracting it (a
    row vector), exp, the column sums (a vector-matrix product with ones, one BLAS call)
    and the division. The scores are written into that buffer by the matmul itself
    (`out=` a transposed view, which BLAS handles), and the matmuls that use the weights
    read the (…, S, L) view `_as_key_query(buffer)` without a copy. `causal_offset` (with
    no other mask): query i sees keys j ≤ i + offset (`_causal_bias`); every query then
    sees at least key 0, so the repairs for fully masked queries are skipped.
    """
    length, source = q.shape[-2], k.shape[-2]
    batch = _broadcast(q.shape[:-2], k.shape[:-2])
    for mask in (hidden, bias):
        if mask is not None and np.ndim(mask) > 2:
            batch = np.broadcast_shapes(batch, np.shape(mask)[:-2])
    q_t = _transposed_copy(q, scale)                                   # (…, E, L)
    columns = np.empty((source, *batch, length), dtype=np.result_type(k.dtype, q_t.dtype))
    scores = _as_key_query(columns)                                    # (…, S, L) view
    np.matmul(k, q_t, out=scores)                                      # k (q·scale)ᵀ
    if bias is not None:
        np.add(scores, _transposed(bias), out=scores)
    if causal_offset is not None:
        rows = columns.reshape(source, math.prod(batch), length)
        np.add(rows, _causal_bias(length, source, causal_offset, rows.dtype), out=rows)
    if hidden is not None:
        hidden_t = _transposed(hidden)
        if hidden_t.ndim == 2:  # one (S, L) mask for every batch item, in the buffer's layout
            rows = columns.reshape(source, math.prod(batch), length)
            np.copyto(rows, -np.inf, where=hidden_t[:, None, :])
        else:
            np.copyto(scores, -np.inf, where=hidden_t)
    if source == 0:  # no keys at all: no weights, and the output is zeros (as torch)
        return columns
    flat = columns.reshape(source, math.prod(batch) * length)
    # Stable softmax: subtract each query's largest score so exp never overflows.
    col_max = flat.max(axis=0)
    masked = hidden is not None or bias is not None
    if masked:
        col_max[np.isneginf(col_max)] = 0.0  # fully masked query: exp(-inf) = 0 everywhere
    flat -= col_max
    np.exp(flat, out=flat)
    total = _ones(source, flat.dtype) @ flat
    if masked:
        total[total == 0] = 1.0  # fully masked query: weights stay 0 instead of 0/0
    flat /= total
    return columns


# Below this many scores (batch · L · S) a causal attention runs as one piece: at
# generation sizes every extra NumPy call costs more than the work it would save.
_CHUNK_MIN_SCORES = 1 << 16


def _query_chunks(length: int, source: int, is_causal: bool, num_heads, dropout_p: float,
                  scores: int) -> list[tuple[int, int, int]]:
    """The pieces the attention is computed in: (first query, end of queries, keys seen).

    Normally one piece, every query against every key. For a big causal self-attention
    with heads (L = S, no dropout: GPT's training) the queries are split in two halves:
    the first half can only see the first half of the keys, so its scores against the
    other keys (a quarter of the (L, S) matrix, all masked) are never computed nor
    stored. That is 25% less work for both matmuls and the softmax, and 25% less memory
    for the weights backward keeps. Each piece runs the ordinary path, with the causal
    mask shifted to its first query.
    """
    if (is_causal and num_heads is not None and length == source and dropout_p == 0.0
            and length >= 2 and scores >= _CHUNK_MIN_SCORES):
        half = length // 2
        return [(0, half, half), (half, length, length)]
    return [(0, length, source)]


class ScaledDotProductAttentionOp(Function):
    """Scaled dot-product attention with torch's arguments: see the module docstring.

    Params:
        attn_mask: None, boolean (True = may attend) or float (added), broadcastable to
            (…, L, S).
        dropout_p: probability of zeroing each attention weight (the rest scaled by
            1/(1 - p)); applied whenever it is > 0, as in torch's function (the layer
            passes 0 in eval mode). The mask comes from tt's seeded generator.
        is_causal: query i sees keys j ≤ i only.
        scale: multiplies Q Kᵀ; default 1/√E.
        num_heads: tt extension, see the module docstring.
    """

    name = "scaled_dot_product_attention"
    saves_output = True  # backward reads the output (a changed output must be caught)

    @staticmethod
    def forward(ctx, query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                scale=None, num_heads=None):
        q, k, v = np.asarray(query), np.asarray(key), np.asarray(value)
        _check_inputs(q, k, v, num_heads)
        if not 0.0 <= dropout_p <= 1.0:
            raise ValueError(f"scaled_dot_product_attention: dropout_p must be in [0, 1], "
                             f"got {dropout_p}")
        if num_heads is not None:
            q, k, v = (_split_heads(a, num_heads) for a in (q, k, v))
            if attn_mask is not None and np.ndim(attn_mask) == 3:  # per sample (N, L, S):
                attn_mask = np.asarray(attn_mask)[:, None]           # the same for every head
        length, source = q.shape[-2], k.shape[-2]
        batch_shape = _broadcast(q.shape[:-2], k.shape[:-2])
        hidden, bias = _hidden_and_bias(attn_mask, is_causal, length, source, batch_shape)
        scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
        parts = _query_chunks(length, source, is_causal, num_heads, dropout_p,
                              math.prod(batch_shape) * length * source)
        if len(parts) > 1:  # causal chunks: each product writes its rows of the merged output
            n, heads, d = q.shape[0], num_heads, v.shape[-1]
            dtype = np.result_type(q.dtype, k.dtype, v.dtype)
            merged = np.empty((n, length, heads, d), dtype=dtype)
        saved = []
        for start, stop, keys in parts:
            q_c, k_c = (q, k) if len(parts) == 1 else (q[..., start:stop, :], k[..., :keys, :])
            # q · scale is a temporary: backward keeps q itself (alive in the graph anyway).
            columns = _weights_columns(q_c, k_c, hidden, bias, scale,
                                       start if is_causal else None)   # (S, …, L)
            weights_t = _as_key_query(columns)                 # (…, S, L) view
            used_t, keep_t = weights_t, None
            if dropout_p > 0.0:
                keep_t = generator().random(weights_t.shape) >= dropout_p
                used_t = weights_t * keep_t
                used_t *= 1.0 / (1.0 - dropout_p) if dropout_p < 1.0 else 0.0
            if len(parts) > 1:
                np.matmul(np.swapaxes(used_t, -1, -2), v[..., :keys, :],
                          out=merged[:, start:stop].transpose(0, 2, 1, 3))
            else:
                out = _product(np.swapaxes(used_t, -1, -2), v, num_heads)  # (…, L, Ev), merged
            saved.append((start, stop, keys, columns, used_t, keep_t))
        if len(parts) > 1:
            out = merged.reshape(n, length, heads * d)
        # Two matmuls (QKᵀ and WV) of 2·L·S·E each, plus about 5 per softmax entry.
        scores = sum(part[3].size for part in saved)
        ctx.cost = int(scores * (2 * q.shape[-1] + 2 * v.shape[-1] + 5))
        if True in ctx.needs_grad:
            ctx.q, ctx.k, ctx.v, ctx.parts = q, k, v, saved
            ctx.scale, ctx.num_heads, ctx.dropout_p, ctx.out = scale, num_heads, dropout_p, out
            ctx.shapes = (np.shape(query), np.shape(key), np.shape(value))
        return out

    @staticmethod
    def backward(ctx, grad):
        q, k, v, heads, parts = ctx.q, ctx.k, ctx.v, ctx.num_heads, ctx.parts
        need_q, need_k, need_v = ctx.needs_grad[:3]
        g = _split_heads(grad, heads) if heads is not None else grad      # (…, L, Ev)
        out = _split_heads(ctx.out, heads) if heads is not None else ctx.out
        chunked = len(parts) > 1
        if chunked and need_q:  # each chunk writes its query rows (heads merged)
            n, length, d = q.shape[0], q.shape[-2], k.shape[-1]
            merged_q = np.empty((n, length, heads, d), dtype=np.result_type(grad.dtype, k.dtype))
        grad_q = grad_k = grad_v = None
        # The last chunk sees every key: it makes grad_k and grad_v, the others add to
        # their first `keys` rows.
        for start, stop, keys, columns, used_t, keep_t in reversed(parts):
            g_c, out_c = (g, out) if not chunked else (g[..., start:stop, :],
                                                       out[..., start:stop, :])
            k_c, v_c = (k, v) if not chunked else (k[..., :keys, :], v[..., :keys, :])
            if need_v:
                part = _product(used_t, g_c, heads)
                if grad_v is None:
                    grad_v = part
                else:
                    grad_v[:, :keys] += part
            if not (need_q or need_k):
                continue
            # Softmax backward: dS = W ⊙ (dW - rowsum(dW ⊙ W)), and rowsum(dW ⊙ W) =
            # rowsum(dO ⊙ O) (both are Σ dO·W·V), the cheaper of the two. All in the
            # weights' (S, …, L) layout, where W's rows and the row sums line up; the
            # scale (scores = scale · q kᵀ) is folded into the copy of dOᵀ.
            scale = ctx.scale
            grad_columns = np.empty(columns.shape, dtype=np.result_type(columns.dtype, g.dtype))
            grad_w_t = _as_key_query(grad_columns)                        # (…, S, L) view
            g_t = _transposed_copy(g_c, scale)                            # scale · dOᵀ
            row_sums = _row_dots(g_c, out_c)                              # (…, L)
            row_sums *= scale
            if _broadcast(v_c.shape[:-2], g_t.shape[:-2]) == grad_w_t.shape[:-2]:
                np.matmul(v_c, g_t, out=grad_w_t)                         # scale · dW
            else:  # value had batch dimensions the weights did not: sum over them
                grad_w_t[...] = unbroadcast(v_c @ g_t, grad_w_t.shape)
                row_sums = unbroadcast(row_sums, (*grad_w_t.shape[:-2], row_sums.shape[-1]))
            del g_t
            if keep_t is not None:
                grad_w_t *= keep_t
                grad_w_t *= 1.0 / (1.0 - ctx.dropout_p) if ctx.dropout_p < 1.0 else 0.0
            if columns.size:
                flat = grad_columns.reshape(columns.shape[0], -1)
                flat -= np.broadcast_to(row_sums, columns.shape[1:]).reshape(-1)
                flat *= columns.reshape(flat.shape)                       # masked: W = 0
            if need_q:
                if chunked:
                    np.matmul(np.swapaxes(grad_w_t, -1, -2), k_c,
                              out=merged_q[:, start:stop].transpose(0, 2, 1, 3))
                else:
                    grad_q = _product(np.swapaxes(grad_w_t, -1, -2), k, heads)
            if need_k:
                q_c = q if not chunked else q[..., start:stop, :]
                part = _product(grad_w_t, q_c, heads)
                if grad_k is None:
                    grad_k = part
                else:
                    grad_k[:, :keys] += part
        if chunked and need_q:
            grad_q = merged_q.reshape(n, length, heads * d)
        grads = [grad_q, grad_k, grad_v]
        if heads is None:  # (with heads, `_product` already merged them)
            for i, shape in enumerate(ctx.shapes):
                if grads[i] is not None:
                    grads[i] = unbroadcast(grads[i], shape)
        return tuple(grads)

    @staticmethod
    def flops(ctx, inputs, output):
        return ctx.cost

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        q, k, v = r.normal(size=(2, 3, 4)), r.normal(size=(2, 5, 4)), r.normal(size=(2, 5, 6))
        allowed = np.ones((2, 1, 5), dtype=bool)
        allowed[1, :, 3:] = False  # the second sequence has only 3 real keys
        heads = [r.normal(size=(2, 3, 4)), r.normal(size=(2, 5, 4)), r.normal(size=(2, 5, 4))]
        return [Example(q, k, v),
                Example(q, k, v, attn_mask=allowed, scale=0.3),
                Example(q, k, v, attn_mask=r.normal(size=(3, 5))),          # additive
                Example(q, q, q, is_causal=True),
                Example(r.normal(size=(2, 2, 3, 4)), r.normal(size=(1, 2, 5, 4)),
                        r.normal(size=(2, 1, 5, 3))),                       # broadcast batch
                Example(*heads, num_heads=2),
                Example(*heads, num_heads=4, attn_mask=r.random((2, 3, 5)) < 0.6),
                Example(heads[0], heads[0], heads[0], num_heads=2,
                        attn_mask=~causal_mask(3))]
