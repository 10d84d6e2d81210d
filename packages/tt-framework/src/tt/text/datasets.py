"""`tt.text.datasets`: `tt_text.datasets` (needs tt-text)."""

from tt import _views

__getattr__ = _views.package_view("tt.text.datasets", "tt_text.datasets", "tt-text")
