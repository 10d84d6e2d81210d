"""`tt.backends`: the probes programs make (`tt.backends.mps.is_available()` is False)."""

from tt.backends import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
