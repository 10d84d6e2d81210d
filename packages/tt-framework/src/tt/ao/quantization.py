"""`tt.ao.quantization`: the same names as `tt.quantization` (from tt-nn)."""

from tt import _views

__getattr__ = _views.view("tt.ao.quantization", None, "tt_nn.quantization")
