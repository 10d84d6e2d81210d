"""`tt.nn`: `Module`, `Parameter` and every layer and loss an installed package registers.

`tt.nn.Linear` is tt-nn's, `tt.nn.Conv2d` tt-vision's, `tt.nn.Embedding` tt-text's; each is
looked up in the registry, so a learner's own layer chosen with `use()` appears here too.
"""

from tt_nn import Module, Parameter

from tt import _views

_SUBMODULES = ("functional", "init", "utils", "parameter", "modules")
_layers = _views.view("tt.nn", "layers", "tt_nn")


def __getattr__(name: str):
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"tt.nn.{name}")
    return _layers(name)


__all__ = ["Module", "Parameter", "functional", "init", "utils"]
