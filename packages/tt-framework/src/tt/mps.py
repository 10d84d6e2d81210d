"""`tt.mps`: as on a CPU-only PyTorch, there is no Apple GPU device."""


def is_available() -> bool:
    """False: tt runs on the CPU."""
    return False


def manual_seed(seed: int) -> None:
    """Nothing to seed: tt has no MPS device."""
