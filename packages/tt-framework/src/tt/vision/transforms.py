"""`tt.vision.transforms`: `tt_vision.transforms` (needs tt-vision)."""

from tt import _views

__getattr__ = _views.package_view("tt.vision.transforms", "tt_vision.transforms", "tt-vision")
