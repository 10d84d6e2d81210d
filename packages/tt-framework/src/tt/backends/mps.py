"""`tt.backends.mps`: there is no Apple GPU backend in tt."""


def is_available() -> bool:
    """False: tt runs on the CPU."""
    return False


def is_built() -> bool:
    """False: tt runs on the CPU."""
    return False
