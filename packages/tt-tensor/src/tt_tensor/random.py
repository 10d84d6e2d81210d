"""tt's random numbers: one seeded default generator shared by every package, and
`Generator` objects for programs that keep their own (as `torch.Generator`).

`manual_seed(s)` makes everything that draws from the default generator — initial weights,
dropout masks, shuffling, sampling — repeat exactly. A `Generator` passed as `generator=`
to `randn`, `rand`, `randint`, `randperm`, `normal`, `bernoulli` or `multinomial` is used
instead, and is not affected by `manual_seed`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# torch.Generator's initial seed, so a fresh Generator starts from a known state.
DEFAULT_SEED = 67280421310721


class Generator:
    """A random number generator of its own, seeded with `manual_seed` (as torch.Generator).

        >>> g = Generator().manual_seed(2147483647)
        >>> a = randn(3, generator=g)  # doctest: +SKIP

    `numpy` is the underlying `numpy.random.Generator`. `device` may only be the CPU.
    """

    def __init__(self, device: Any = None) -> None:
        if device is not None:
            from tt_tensor.device import check_device

            check_device(device, "Generator")
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Reseed, and return this generator (so `Generator().manual_seed(s)` works)."""
        self._seed = int(seed)
        self.numpy = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Reseed from fresh entropy and return the new seed."""
        seed = int(np.random.SeedSequence().entropy % (2**63))
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self) -> dict:
        """A copy of the generator's state (restore it with `set_state`)."""
        return self.numpy.bit_generator.state

    def set_state(self, state: dict) -> Generator:
        self.numpy.bit_generator.state = state
        return self

    @property
    def device(self):
        from tt_tensor.device import CPU

        return CPU

    def __repr__(self) -> str:
        return f"Generator(seed={self._seed})"


default_generator = Generator().manual_seed(0)


def manual_seed(seed: int) -> Generator:
    """Reseed tt's default generator (as `torch.manual_seed`) and return it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Reseed the default generator from fresh entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def generator() -> np.random.Generator:
    """The default NumPy generator; draw from it for anything that should follow `manual_seed`."""
    return default_generator.numpy


def resolve(generator: Any = None) -> np.random.Generator:
    """The NumPy generator behind a `generator=` argument: a tt `Generator`, a NumPy
    `Generator`, or None for the default one."""
    if generator is None:
        return default_generator.numpy
    if isinstance(generator, Generator):
        return generator.numpy
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"generator must be a tt Generator (or None), got {type(generator).__name__}")
