"""`tt.quantization`: int8 post-training quantization (from tt-nn), as `torch.ao.quantization`."""

from tt import _views

__getattr__ = _views.view("tt.quantization", None, "tt_nn.quantization")
