"""`tt.utils.data.dataloader`: the same names as `tt.utils.data` (PyTorch programs import from here)."""

from tt import _views

__getattr__ = _views.view("tt.utils.data.dataloader", None, "tt_nn.data")
