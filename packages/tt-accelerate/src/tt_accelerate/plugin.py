"""tt-accelerate's plugin: its ops, each registered as an *alternative*.

An alternative is listed by the registry and can be chosen with
`tt_tensor.plugins.use(name, "tt-accelerate")` (or all at once with
`tt_accelerate.enable()`), but until it is chosen the name resolves to the op it would
replace: installing tt-accelerate changes nothing. Every op registered here is also listed
under `[project.entry-points."tt.ops"]` in the package's pyproject.toml.
"""

from tt_tensor import hookimpl


@hookimpl
def register_ops(register):
    """Every op in `tt_accelerate.ops.OP_CLASSES`, as an alternative (used once chosen)."""
    from tt_accelerate.ops import OP_CLASSES

    for op in OP_CLASSES:
        register(op.name, op, alternative=True)
