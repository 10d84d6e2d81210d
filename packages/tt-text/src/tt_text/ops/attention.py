"""`scaled_dot_product_attention`: softmax(Q Kᵀ / √d) V for all heads at once.

Shapes: q (N, L, E), k and v (N, S, E) -> (N, L, E), with E split into `num_heads` heads of
d = E / num_heads features. Each of the L query positions takes a weighted average of the S
value rows; the weights are a softmax of how well the query matches each key. Dividing by
√d keeps the dot products from growing with d, which would saturate the softmax.

Splitting and merging the heads is a reshape and a transpose of NumPy views, done inside
the op: one op per attention instead of nine (fewer, bigger NumPy calls is what makes tt
fast), with batch, heads and positions all handled by batched matmuls.

Masks follow PyTorch's boolean `attn_mask`: True means "may NOT attend". Unlike PyTorch,
which returns NaN for a query whose every key is masked, such a row gets all-zero weights
and a zero output (and zero gradient): a padded query then cannot poison a loss with NaN.
"""

import functools
import math

import numpy as np
from tt_tensor import Example, Function


@functools.cache  # every forward of a model asks for the same few masks
def causal_mask(length: int, source_length: int | None = None) -> np.ndarray:
    """Boolean (L, S) mask, True above the diagonal: position i may not look at j > i.

    When S > L (queries are the last L of S positions, as with a KV cache) the diagonal is
    shifted so that query i sits at position S - L + i. Cached, so the masks are read-only.
    """
    s = length if source_length is None else source_length
    mask = np.triu(np.ones((length, s), dtype=bool), k=s - length + 1)
    mask.flags.writeable = False
    return mask


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


def _split_heads(x: np.ndarray, num_heads: int) -> np.ndarray:
    n, length, e = x.shape
    return x.reshape(n, length, num_heads, e // num_heads).transpose(0, 2, 1, 3)  # (N, H, L, d)


def _merge_heads(x: np.ndarray) -> np.ndarray:
    n, h, length, d = x.shape
    return x.transpose(0, 2, 1, 3).reshape(n, length, h * d)


class ScaledDotProductAttention(Function):
    """Multi-head scaled dot-product attention (no projections): see the module docstring.

    Params:
        num_heads: how many heads E is split into (E must be divisible by it).
        mask: optional boolean array broadcastable to (N, L, S); True = may not attend.
        store: optional object; its `.attn_weights` is set to the weights (N, H, L, S), which
            is how `MultiHeadAttention` keeps them for inspection.
    """

    name = "scaled_dot_product_attention"

    @staticmethod
    def forward(ctx, q, k, v, num_heads=1, mask=None, store=None):
        if q.ndim != 3 or k.ndim != 3 or v.ndim != 3 or k.shape != v.shape \
                or q.shape[0] != k.shape[0] or q.shape[2] != k.shape[2]:
            raise ValueError(f"scaled_dot_product_attention: expected q (N, L, E) and k, v "
                             f"(N, S, E), got q {q.shape}, k {k.shape}, v {v.shape}")
        n, length, e = q.shape
        if e % num_heads:
            raise ValueError(f"scaled_dot_product_attention: embed dim {e} is not divisible "
                             f"by num_heads={num_heads}")
        scale = 1.0 / math.sqrt(e // num_heads)  # a Python float: keeps float32 float32
        qh = _split_heads(q * scale, num_heads)
        kh, vh = _split_heads(k, num_heads), _split_heads(v, num_heads)
        scores = qh @ kh.transpose(0, 1, 3, 2)                        # (N, H, L, S)
        if mask is not None:
            check_mask("scaled_dot_product_attention", mask, n, length, k.shape[1])
            # (L, S) broadcasts as it is; (N, L, S) needs a heads axis.
            np.copyto(scores, -np.inf, where=mask if mask.ndim < 3 else mask[:, None])
        # Stable softmax in place: subtract the row max so exp never overflows.
        row_max = scores.max(axis=-1, keepdims=True)
        if mask is not None:
            row_max[np.isneginf(row_max)] = 0.0  # fully masked row: exp(-inf) = 0 everywhere
        np.subtract(scores, row_max, out=scores)
        np.exp(scores, out=scores)
        total = scores.sum(axis=-1, keepdims=True)
        if mask is not None:
            total[total == 0] = 1.0  # fully masked row: weights stay 0 instead of 0/0
        weights = np.divide(scores, total, out=scores)
        if store is not None:
            store.attn_weights = weights
        ctx.qh, ctx.kh, ctx.vh, ctx.weights, ctx.scale = qh, kh, vh, weights, scale
        return _merge_heads(weights @ vh)

    @staticmethod
    def backward(ctx, grad):
        qh, kh, vh, w = ctx.qh, ctx.kh, ctx.vh, ctx.weights
        gh = _split_heads(grad, qh.shape[1])                          # (N, H, L, d)
        need_q, need_k, need_v = ctx.needs_grad
        grad_v = _merge_heads(w.transpose(0, 1, 3, 2) @ gh) if need_v else None
        # Softmax backward: dS = W * (dW - rowsum(dW * W)); masked entries have W = 0.
        # einsum forms the row sums without a (N, H, L, S) temporary; the rest is in place.
        grad_w = gh @ vh.transpose(0, 1, 3, 2)
        grad_w -= np.einsum("nhls,nhls->nhl", grad_w, w)[..., None]
        grad_w *= w
        grad_q = None
        if need_q:  # scores = (q * scale) @ kᵀ, and qh already holds q * scale.
            grad_q = grad_w @ kh
            grad_q *= ctx.scale  # a Python float: stays float32
            grad_q = _merge_heads(grad_q)
        grad_k = _merge_heads(grad_w.transpose(0, 1, 3, 2) @ qh) if need_k else None
        return grad_q, grad_k, grad_v

    @staticmethod
    def flops(ctx, inputs, output):
        q, k = inputs[0], inputs[1]
        n, length, e = q.shape
        s = k.shape[1]
        # Two batched matmuls (QKᵀ and WV) of 2·L·S·E each, plus about 5 per softmax entry.
        return int(4 * n * length * s * e + 5 * ctx.weights.size)

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        q, k, v = r.normal(size=(2, 3, 4)), r.normal(size=(2, 5, 4)), r.normal(size=(2, 5, 4))
        padding = np.zeros((2, 1, 5), dtype=bool)
        padding[1, :, 3:] = True  # the second sequence has only 3 real keys
        return [Example(q, k, v, num_heads=2),
                Example(q, q, q, num_heads=1, mask=causal_mask(3)),
                Example(q, k, v, num_heads=2, mask=padding),
                Example(q, k, v, num_heads=4, mask=r.random((2, 3, 5)) < 0.4)]
