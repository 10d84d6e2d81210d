"""tt-text's plugin: what this package registers with tt's registry (see tt_tensor.hookspecs).

Each hook imports only what it registers: the op table does not wait for the layers.
The ops registered here are listed under `[project.entry-points."tt.ops"]` in pyproject.
"""

from tt_tensor import hookimpl


@hookimpl
def register_ops(register):
    from tt_text.ops import OP_CLASSES

    for op in OP_CLASSES:
        register(op.name, op)


@hookimpl
def register_functions(register):
    from tt_text import functional

    register("embedding", functional.embedding)
    register("scaled_dot_product_attention", functional.scaled_dot_product_attention)


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
