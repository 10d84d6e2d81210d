"""`tt.nn.init`: weight initialisation, as `torch.nn.init` (from tt-nn)."""

from tt import _views

__getattr__ = _views.view("tt.nn.init", None, "tt_nn.init")
