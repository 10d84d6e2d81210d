"""tt-text's plugin: what this package registers with tt's registry (see tt_tensor.hookspecs)."""

from tt_tensor import hookimpl

from tt_text.ops.attention import ScaledDotProductAttention
from tt_text.ops.embedding import EmbeddingLookup


@hookimpl
def register_ops(register):
    register(EmbeddingLookup.name, EmbeddingLookup)
    register(ScaledDotProductAttention.name, ScaledDotProductAttention)


@hookimpl
def register_layers(register):
    # Imported here: the layers need tt-nn, and the op table must not wait for it.
    from tt_text import GPT, Embedding, MultiHeadAttention, PositionalEncoding, TransformerBlock

    for layer in (Embedding, PositionalEncoding, MultiHeadAttention, TransformerBlock, GPT):
        register(layer.__name__, layer)


@hookimpl
def register_datasets(register):
    from tt_text.datasets import CharDataset, CopyTask, Shakespeare, TinyShakespeare

    register("CopyTask", CopyTask)
    register("CharDataset", CharDataset)
    register("Shakespeare", Shakespeare)
    register("TinyShakespeare", TinyShakespeare)
