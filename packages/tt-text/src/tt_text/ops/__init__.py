"""tt-text's ops: embedding lookup and scaled dot-product attention, each forward beside its backward."""

from tt_text.ops.attention import ScaledDotProductAttentionOp
from tt_text.ops.embedding import EmbeddingOp

OP_CLASSES = (EmbeddingOp, ScaledDotProductAttentionOp)

__all__ = ["OP_CLASSES", "EmbeddingOp", "ScaledDotProductAttentionOp"]
