"""`tt.accelerator`: as on a CPU-only PyTorch, there is no accelerator."""


def is_available() -> bool:
    """False: tt runs on the CPU."""
    return False


def current_accelerator(check_available: bool = False):
    """None: tt runs on the CPU."""
    return None


def device_count() -> int:
    """0: tt runs on the CPU."""
    return 0
