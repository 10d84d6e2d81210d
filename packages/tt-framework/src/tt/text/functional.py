"""`tt.text.functional`: `tt_text.functional` (needs tt-text)."""

from tt import _views

__getattr__ = _views.package_view("tt.text.functional", "tt_text.functional", "tt-text")
