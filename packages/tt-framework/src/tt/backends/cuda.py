"""`tt.backends.cuda`: CUDA switches programs set (`matmul.allow_tf32 = True`); no effect in tt."""

from types import SimpleNamespace

# nanoGPT-style programs set these before choosing a device; tt accepts and ignores them.
matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                         allow_bf16_reduced_precision_reduction=True)


def is_built() -> bool:
    """False: tt has no CUDA backend."""
    return False
