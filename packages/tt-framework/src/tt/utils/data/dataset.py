"""`tt.utils.data.dataset`: the same names as `tt.utils.data` (PyTorch programs import from here)."""

from tt import _views

__getattr__ = _views.view("tt.utils.data.dataset", None, "tt_nn.data")
