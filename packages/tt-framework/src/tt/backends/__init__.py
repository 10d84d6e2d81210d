"""`tt.backends`: the probes programs make (`tt.backends.mps.is_available()` is False)."""

from tt.backends import cudnn, mps

__all__ = ["cudnn", "mps"]
