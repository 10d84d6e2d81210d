"""`tt.backends.cudnn`: settings programs set for CUDA; accepted and without effect in tt."""

benchmark = False
deterministic = False
enabled = False
allow_tf32 = False


def is_available() -> bool:
    """False: tt runs on the CPU."""
    return False
