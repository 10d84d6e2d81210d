"""What tt-plugin-example registers: tt calls these hooks once, when it builds its registry.

The entry point in pyproject.toml names this module. Each function is marked with
`@hookimpl` and named after a hook in `tt_tensor.hookspecs`; it receives a `register`
callback and calls it once per thing it provides. Each hook imports what it registers,
so this module reads as the list of what the plugin provides.
"""

from tt_tensor import hookimpl


@hookimpl
def register_ops(register):
    from tt_plugin_example.ops import SwishOp

    register(SwishOp.name, SwishOp)  # now OPS["swish"] works everywhere


@hookimpl
def register_layers(register):
    from tt_plugin_example.layers import Swish

    register("Swish", Swish)


@hookimpl
def register_milestones(register):
    from tt_plugin_example.milestone import SWISH_XOR

    register(SWISH_XOR.name, SWISH_XOR)
