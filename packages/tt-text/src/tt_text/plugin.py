"""tt-text's plugin: what this package registers with tt's registry (see tt_tensor.hookspecs)."""

from tt_tensor import hookimpl  # noqa: F401
