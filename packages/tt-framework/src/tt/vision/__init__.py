"""`tt.vision`: tt-vision's layers, datasets and transforms (torchvision's place in tt)."""

from tt import _views

_SUBMODULES = ("datasets", "transforms", "utils", "functional")
_vision = _views.package_view("tt.vision", "tt_vision", "tt-vision")


def __getattr__(name: str):
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"tt.vision.{name}")
    return _vision(name)
