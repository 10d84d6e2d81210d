"""tt-plugin-example: the Swish activation as a tt op, layer and milestone."""

from tt_plugin_example.layers import Swish
from tt_plugin_example.ops import SwishOp

__all__ = ["Swish", "SwishOp"]
