"""`tt.vision.datasets`: `tt_vision.datasets` (needs tt-vision)."""

from tt import _views

__getattr__ = _views.package_view("tt.vision.datasets", "tt_vision.datasets", "tt-vision")
