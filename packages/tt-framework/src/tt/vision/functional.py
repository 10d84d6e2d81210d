"""`tt.vision.functional`: `tt_vision.functional` (needs tt-vision)."""

from tt import _views

__getattr__ = _views.package_view("tt.vision.functional", "tt_vision.functional", "tt-vision")
