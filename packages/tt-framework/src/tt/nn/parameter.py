"""`tt.nn.parameter`: `Parameter`, as `torch.nn.parameter`."""

from tt_nn import Parameter

__all__ = ["Parameter"]
