"""tt-autograd's plugin: registers the engine that `Tensor.backward()` runs.

tt-tensor records the graph but never imports this package: it asks the registry for the
engine named `"backward"`, which this hook provides.
"""

from tt_tensor import hookimpl


@hookimpl
def register_engines(register):
    from tt_autograd.engine import backward

    register("backward", backward)
