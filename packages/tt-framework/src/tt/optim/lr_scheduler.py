"""`tt.optim.lr_scheduler`: learning-rate schedules (`StepLR`, `CosineAnnealingLR`, ...)."""

from tt import _views

__getattr__ = _views.view("tt.optim.lr_scheduler", "optimizers", "tt_nn.optim.lr_scheduler")
