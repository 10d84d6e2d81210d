"""tt's random numbers: one seeded NumPy generator shared by every package.

`manual_seed(s)` makes everything that draws from it — initial weights, dropout masks,
shuffling, sampling — repeat exactly.
"""

import numpy as np

_generator = np.random.default_rng(0)


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed tt's generator (as `torch.manual_seed`) and return it."""
    global _generator
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator() -> np.random.Generator:
    """The current generator; draw from it for anything that should follow `manual_seed`."""
    return _generator
