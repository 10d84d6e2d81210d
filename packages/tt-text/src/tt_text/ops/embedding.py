"""`embedding`: pick rows of a weight table by integer id (the first layer of a language model).

Forward is fancy indexing, `weight[ids]`. Backward is the reverse: each output row's
gradient is added into the row it was read from. A token that occurs five times in the batch
collects five gradients, so the additions must accumulate (a plain `grad_w[ids] += g` would
keep only one of them): backward groups equal ids together and sums each group.

With `padding_idx`, that row gets no gradient (as in torch): a padding token's vector
stays what it was initialised to (zeros, by `Embedding`).
"""

import numpy as np
from tt_tensor import Example, Function


def check_ids(where: str, ids, num_embeddings: int) -> np.ndarray:
    """`ids` as an integer array, or a clear error if they are not valid row numbers."""
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{where}: token ids must be integers, got dtype {ids.dtype} "
                        f"(shape {ids.shape})")
    if ids.size:
        low, high = int(ids.min()), int(ids.max())
        if low < 0 or high >= num_embeddings:
            bad = low if low < 0 else high
            raise IndexError(f"{where}: token id {bad} is outside the vocabulary: ids must be "
                             f"in 0..{num_embeddings - 1} (num_embeddings={num_embeddings})")
    return ids


def check_padding_idx(where: str, padding_idx, num_embeddings: int) -> int | None:
    """`padding_idx` as a row number in 0..V-1 (negative counts from the end, as in torch)."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= int(padding_idx) < num_embeddings:
        raise ValueError(f"{where}: padding_idx={padding_idx} must be within num_embeddings"
                         f"={num_embeddings} (in -{num_embeddings}..{num_embeddings - 1})")
    return int(padding_idx) % num_embeddings


class EmbeddingOp(Function):
    """embedding(ids, weight, padding_idx=None): ids (any shape, integers) and weight (V, D)
    -> (*ids.shape, D); the `padding_idx` row gets no gradient."""

    name = "embedding"

    @staticmethod
    def forward(ctx, ids, weight, padding_idx=None):
        if np.ndim(weight) != 2:
            raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), "
                             f"got shape {np.shape(weight)}")
        ids = check_ids("embedding", ids, weight.shape[0])
        ctx.ids, ctx.weight_shape = ids, weight.shape
        ctx.padding_idx = check_padding_idx("embedding", padding_idx, weight.shape[0])
        return weight[ids]

    @staticmethod
    def backward(ctx, grad):
        grad_weight = np.zeros(ctx.weight_shape, dtype=grad.dtype)
        ids, rows = ctx.ids.reshape(-1), grad.reshape(ctx.ids.size, ctx.weight_shape[1])
        if ids.size:
            # Sort the rows by id, so each id's rows are neighbours, then add up each run
            # with one `np.add.reduceat`: the same sums as `np.add.at(grad_weight, ids,
            # rows)`, several times faster.
            order = np.argsort(ids, kind="stable")
            sorted_ids = ids[order]
            starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
            grad_weight[sorted_ids[starts]] = np.add.reduceat(rows[order], starts, axis=0)
        if ctx.padding_idx is not None:
            grad_weight[ctx.padding_idx] = 0.0
        return None, grad_weight

    @staticmethod
    def flops(ctx, inputs, output):
        return 0  # a lookup: no arithmetic

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        weight = r.normal(size=(5, 3))
        return [Example(np.array([0, 2, 2, 4]), weight),              # a repeated row
                Example(np.array([[1, 1], [1, 3], [0, 1]]), weight),  # 2-D ids, row 1 three times
                # The padding row's zero gradient is by design not its true derivative, so
                # a gradient check can only use ids without it (its own test is separate).
                Example(np.array([[1, 3], [3, 1]]), weight, padding_idx=0)]
