"""`tt.nn.utils`: training utilities (`clip_grad_norm_`, ...), as `torch.nn.utils` (from tt-nn)."""

from tt import _views

_utilities = _views.view("tt.nn.utils", None, "tt_nn.utils")


def __getattr__(name: str):
    if name == "prune":
        import importlib

        return importlib.import_module("tt_nn.prune")
    return _utilities(name)
