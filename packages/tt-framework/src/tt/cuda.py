"""`tt.cuda`: the answers a CPU-only PyTorch gives, so device probes in programs work.

tt computes with NumPy on the CPU: there is no CUDA device, `is_available()` is False, and
seeding CUDA does nothing.
"""


def is_available() -> bool:
    """False: tt has no CUDA device."""
    return False


def device_count() -> int:
    """0: tt has no CUDA device."""
    return 0


def manual_seed(seed: int) -> None:
    """Nothing to seed: tt has no CUDA device (seed tt itself with `tt.manual_seed`)."""


def manual_seed_all(seed: int) -> None:
    """Nothing to seed: tt has no CUDA device (seed tt itself with `tt.manual_seed`)."""


def synchronize(device=None) -> None:
    """Nothing to wait for: NumPy runs synchronously."""


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: tt has no CUDA device."""
    return False


def empty_cache() -> None:
    """Nothing to free: tt has no CUDA device."""


def __getattr__(name: str):
    # `torch.cuda.amp.GradScaler` / `autocast`: the older spelling of tt.amp's pass-throughs.
    if name == "amp":
        import tt.amp

        return tt.amp
    raise AttributeError(f"module 'tt.cuda' has no attribute {name!r}")
