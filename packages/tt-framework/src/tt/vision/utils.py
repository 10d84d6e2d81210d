"""`tt.vision.utils`: `tt_vision.utils` (needs tt-vision)."""

from tt import _views

__getattr__ = _views.package_view("tt.vision.utils", "tt_vision.utils", "tt-vision")
