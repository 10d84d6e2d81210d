"""`tt.utils`: `tt.utils.data` (datasets and loaders), and image helpers from tt-vision."""

from tt import _views

_vision_utils = _views.package_view("tt.utils", "tt_vision.utils", "tt-vision")


def __getattr__(name: str):
    if name == "data":
        import importlib

        return importlib.import_module("tt.utils.data")
    # torch programs reach torchvision.utils' helpers here too (make_grid, save_image).
    return _vision_utils(name)
