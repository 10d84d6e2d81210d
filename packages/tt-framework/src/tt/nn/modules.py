"""`tt.nn.modules`: the layers, as `torch.nn.modules` (the same names as `tt.nn`)."""

from tt.nn import __getattr__  # noqa: F401
from tt_nn import Module  # noqa: F401
