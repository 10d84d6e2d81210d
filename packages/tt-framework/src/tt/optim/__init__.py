"""`tt.optim`: every registered optimizer (`SGD`, `Adam`, `AdamW`, ...) and `Optimizer`.

Learning-rate schedules are in `tt.optim.lr_scheduler`, as in PyTorch.
"""

from tt_nn.optim import Optimizer

from tt import _views

_optimizers = _views.view("tt.optim", "optimizers", "tt_nn.optim")


def __getattr__(name: str):
    if name == "lr_scheduler":
        import importlib

        return importlib.import_module("tt.optim.lr_scheduler")
    return _optimizers(name)


__all__ = ["Optimizer", "lr_scheduler"]
