"""tt-text: tokenizers, embeddings, attention and transformers for tt (the 2017 era).

    >>> import tt_text
    >>> model = tt_text.GPT(vocab_size=50, d_model=32, num_heads=4, num_layers=2, max_len=64)
    >>> tt_text.generate(model, [[1, 2, 3]], max_new_tokens=5, temperature=0).shape
    (1, 8)
"""

from tt_text import functional
from tt_text.attention import KVCache, MultiHeadAttention
from tt_text.embedding import Embedding, PositionalEncoding
from tt_text.generate import generate
from tt_text.ops.attention import causal_mask
from tt_text.tokenizers import BPETokenizer, CharTokenizer
from tt_text.transformer import GPT, TransformerBlock

__version__ = "0.1.0"

__all__ = [
    "Embedding", "PositionalEncoding", "MultiHeadAttention", "KVCache", "TransformerBlock",
    "GPT", "generate", "causal_mask", "CharTokenizer", "BPETokenizer", "functional",
    "__version__",
]
