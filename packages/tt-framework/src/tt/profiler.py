"""`tt.profiler`: time every op, forward and backward, per op and per layer (from tt-autograd)."""

from tt import _views

__getattr__ = _views.view("tt.profiler", None, "tt_autograd.profiler")
