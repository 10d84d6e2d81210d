"""`Milestone`: one historical model that must really learn, and what it needs to run.

A milestone says what it trains (the model, the data, the year and the story), which pip
packages and which registered names (layers, optimizers, datasets) it needs, and how it
trains (`train(run, **options)`). It is ready when all of those are installed and
registered; otherwise it is locked, and `status()` says which `pip install` unlocks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata
from typing import Callable


@dataclass(frozen=True)
class Milestone:
    """One learning milestone.

    Attributes:
        name: the name it is registered and run under, e.g. `"cnn"`.
        year: the year of the original work.
        title: one line, e.g. `"LeCun's convolutional network"`.
        story: a few sentences on what happened then and what this run proves.
        model: the architecture in one line, e.g. `"Linear(2,4) → Tanh → Linear(4,1) → Sigmoid"`.
        data: what it trains on.
        packages: the pip distributions it needs, e.g. `("tt-nn", "tt-vision")`.
        needs: the registered names it needs by kind, e.g. `{"layers": ("Conv2d",)}`.
        bar: the headline goal in words, e.g. `"test accuracy > 80%"`.
        train: `train(run, **options)`: builds the model from the registry, trains it while
            reporting to `run` (a `tt_milestones.training.TrainingRun`) and adds its checks.
    """

    name: str
    year: int
    title: str
    story: str
    model: str
    data: str
    packages: tuple[str, ...]
    needs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bar: str = ""
    train: Callable[..., None] | None = None

    def status(self) -> "Status":
        """Whether this milestone can run here, and if not, what to install."""
        return status(self)


@dataclass(frozen=True)
class Status:
    """Ready, or locked with the missing packages/names and the line that fixes it."""

    ready: bool
    missing_packages: tuple[str, ...] = ()
    missing_names: tuple[str, ...] = ()  # "layers:Conv2d"
    hint: str = ""

    @property
    def label(self) -> str:
        """`"ready"` or `"locked"`."""
        return "ready" if self.ready else "locked"


def installed(distribution: str) -> bool:
    """True if the pip distribution (e.g. `"tt-vision"`) is installed."""
    try:
        metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


def status(milestone: Milestone) -> Status:
    """Check a milestone's packages (installed?) and names (registered, unambiguous?)."""
    from tt_tensor import plugins

    missing_packages = tuple(p for p in milestone.packages if not installed(p))
    registry = plugins.registry()
    missing, ambiguous = [], []
    for kind, names in milestone.needs.items():
        for name in names:
            try:
                found = registry.resolve(kind, name)
            except plugins.RegistryError:
                missing.append(f"{kind}:{name}")
                continue
            if isinstance(found, plugins.Ambiguous):
                providers = " and ".join(repr(p) for p in found.providers)
                ambiguous.append(f"{kind[:-1]} {name!r} is provided by both {providers}; choose "
                                 f"one with --use {name}=PROVIDER (in Python: "
                                 f"tt_tensor.plugins.use({name!r}, PROVIDER))")
    if missing_packages:
        hint = (f"{milestone.name} needs {', '.join(missing_packages)}: "
                f"pip install {' '.join(missing_packages)}")
    elif missing:
        hint = (f"{milestone.name} needs {', '.join(missing)}, which no installed plugin "
                f"registers (is one blocked with TT_BLOCK_PLUGINS?); "
                f"pip install {' '.join(milestone.packages)}")
    elif ambiguous:
        hint = f"{milestone.name}: " + "; ".join(ambiguous)
    else:
        return Status(ready=True)
    return Status(ready=False, missing_packages=missing_packages,
                  missing_names=tuple(missing), hint=hint)
