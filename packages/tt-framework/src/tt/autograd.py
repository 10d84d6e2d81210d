"""`tt.autograd`: backward, gradient checking and anomaly mode (from tt-autograd)."""

from tt import _views

__getattr__ = _views.view("tt.autograd", None, "tt_autograd")
