"""tt-milestones: proof that each era's package really learns.

    >>> import tt_milestones
    >>> result = tt_milestones.run("xor", seed=0)
    >>> result.passed, result.accuracy
    (True, 1.0)

Five historical models — the 1957 perceptron, 1986 XOR, the 1989 MLP, the 1998 CNN and the
2017 transformer — each trained for real, checked against its bar, and explained when it
fails. Milestones are plugins (`register_milestones` hook); the command line is
`tt-milestones list` / `tt-milestones run NAME`.
"""

from tt_milestones.milestone import Milestone, Status
from tt_milestones.result import Check, Result, Systems
from tt_milestones.runner import MilestoneError, MilestoneLocked, get, registered, run

__version__ = "0.1.0"

__all__ = ["Milestone", "Status", "Check", "Result", "Systems", "run", "get", "registered",
           "MilestoneError", "MilestoneLocked", "__version__"]
