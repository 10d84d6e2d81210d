"""`Milestone`: one historical model that must really learn, and what it needs to run.

A milestone says what it trains (the model, the data, the year and the story), which pip
packages and which registered names (layers, optimizers, datasets) it needs, which data
files it needs (`DataNeed`), and how it trains (`train(run, **options)`). It is ready when
all of those are present; otherwise it is locked, and `status()` says the one command that
unlocks it (`pip install ...`, or `tt-milestones download NAME`).

The contract the command line builds on:

- `Milestone.data` is a tuple of `DataNeed` (empty for milestones that ship their data).
  A milestone with variants of its data names them in `Milestone.variants`, keyed by the
  value of its `dataset` option: `mnist` has `{"mnist": (MNIST,), "fashion-mnist":
  (FASHION_MNIST,)}`; `milestone.data_for(options)` is what a run with those options needs.
  `milestone.all_data()` is every `DataNeed` of every variant (for `list` and `download`).
- `DataNeed(name, title, source, files, size, manual)`: `source` is the dataset class
  (`"tt_vision.datasets:MNIST"`), which knows where its files are and how to fetch them.
  `need.available(data_root=None) -> bool` (with `data_root`: only there; without: the
  cache folder `$TT_DATA` or `~/.cache/tt`, then system folders such as Debian's
  `/usr/share/datasets/fashion-mnist`); `need.download(data_root=None) -> Path` fetches the
  files (network!) and returns their folder; `need.hint(data_root=None)` is the one line
  that unlocks it: `tt-milestones download mnist (11 MB), or --data DIR with a folder ...`.
  `data_need(name)` finds a registered milestone's `DataNeed` by name.
- `milestone.status(data_root=None, **options)`: locked when packages, registered names
  OR data are missing; `Status.missing_data` names the data (`("mnist",)`) and `hint`
  gives the command. Packages are reported first (without the package, nothing can read
  the data).
- `train(run, data_root=None, **options)`: every built-in milestone accepts `data_root`
  (the `--data DIR`; `None` means the cache and system folders). The runner passes
  `data_root` to `train` only when it is not `None` and the milestone has data needs
  (`all_data()` non-empty), so third-party trains without the
  argument keep working. A train function never downloads.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class DataNeed:
    """Data files a milestone needs that are not shipped with it.

    Where the files are looked for and how they are fetched is the dataset class's business
    (`source`, e.g. tt-vision's `MNIST`, with its `available(root)` and `download(root)`
    class methods); a `DataNeed` names it and says how to unlock it.

    Attributes:
        name: the name to download it by, e.g. `"mnist"` (`tt-milestones download mnist`).
        title: one line, e.g. `"MNIST: 60,000 train / 10,000 test 28×28 digits (IDX)"`.
        source: `"module:Class"` of the dataset class, e.g. `"tt_vision.datasets:MNIST"`.
        files: the file names a `--data DIR` folder must hold (for the hint).
        size: how much a download weighs, e.g. `"11 MB"`.
        manual: another way to get the files, shown in the hint (e.g. a Debian package).
    """

    name: str
    title: str
    source: str
    files: tuple[str, ...] = ()
    size: str = ""
    manual: str = ""

    def dataset_class(self) -> Any:
        """The dataset class (imported now); None when its package is not installed."""
        module_name, _, attribute = self.source.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            return None
        return getattr(module, attribute, None)

    def available(self, data_root: str | os.PathLike | None = None) -> bool:
        """True if the files are there: in `data_root` when given (only there — what the
        user pointed at is what is used), else in the cache folder (`$TT_DATA` or
        `~/.cache/tt`) or a system folder (Debian's `/usr/share/datasets/fashion-mnist`)."""
        cls = self.dataset_class()
        return bool(cls is not None and cls.available(data_root))

    def download(self, data_root: str | os.PathLike | None = None) -> Path:
        """Fetch the files (network!) into `data_root` (default: the cache folder); returns
        the folder they are in. Raises what the dataset class raises when no URL works
        (`tt_nn.download.DownloadError`, naming every URL), RuntimeError without tt-vision."""
        cls = self.dataset_class()
        if cls is None:
            raise RuntimeError(f"{self.name}: {self.source} is not installed")
        return Path(cls.download(data_root))

    def hint(self, data_root: str | os.PathLike | None = None) -> str:
        """The one line that unlocks this data."""
        files = ", ".join(self.files) or "its files"
        if data_root is not None:
            return (f"{data_root} does not hold {self.name} ({files}): "
                    f"tt-milestones download {self.name} --data {data_root}")
        size = f" ({self.size})" if self.size else ""
        manual = f", or {self.manual}" if self.manual else ""
        return (f"tt-milestones download {self.name}{size}{manual}, or --data DIR "
                f"with a folder holding {files}")


@dataclass(frozen=True)
class Milestone:
    """One learning milestone.

    Attributes:
        name: the name it is registered and run under, e.g. `"cnn"`.
        year: the year of the original work.
        title: one line, e.g. `"LeCun's convolutional network"`.
        story: a few sentences on what happened then and what this run proves.
        model: the architecture in one line, e.g. `"Linear(2,4) → Tanh → Linear(4,1) → Sigmoid"`.
        about_data: what it trains on, in words (the `list` table's data column). For
            compatibility, a string passed as `data` is taken as this.
        packages: the pip distributions it needs, e.g. `("tt-nn", "tt-vision")`.
        needs: the registered names it needs by kind, e.g. `{"layers": ("Conv2d",)}`.
        bar: the headline goal in words, e.g. `"test accuracy > 80%"`.
        train: `train(run, **options)`: builds the model from the registry, trains it while
            reporting to `run` (a `tt_milestones.training.TrainingRun`) and adds its checks.
        data: the `DataNeed`s of a default run (empty: the data ships with tt).
        variants: other data a run can use, keyed by its `dataset` option's value.
        budget: the expected wall time of a default run on a 2-core CPU, in words.
    """

    name: str
    year: int
    title: str
    story: str
    model: str
    data: tuple[DataNeed, ...] | str = ()
    packages: tuple[str, ...] = ("tt-nn",)
    needs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bar: str = ""
    train: Callable[..., None] | None = None
    about_data: str = ""
    variants: dict[str, tuple[DataNeed, ...]] = field(default_factory=dict)
    budget: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.data, str):  # the old `data="what it trains on"`
            if not self.about_data:
                object.__setattr__(self, "about_data", self.data)
            object.__setattr__(self, "data", ())
        else:
            object.__setattr__(self, "data", tuple(self.data))

    def data_for(self, options: dict[str, Any] | None = None) -> tuple[DataNeed, ...]:
        """The data a run with these options needs (the `dataset` option picks a variant)."""
        choice = (options or {}).get("dataset")
        if choice is not None and choice in self.variants:
            return self.variants[choice]
        return self.data  # an unknown choice is the train function's error to report

    def all_data(self) -> tuple[DataNeed, ...]:
        """Every `DataNeed` of the default run and of every variant, each once."""
        seen: dict[str, DataNeed] = {}
        for need in (*self.data, *(n for v in self.variants.values() for n in v)):
            seen.setdefault(need.name, need)
        return tuple(seen.values())

    def status(self, data_root: str | os.PathLike | None = None, **options: Any) -> "Status":
        """Whether this milestone can run here, and if not, what unlocks it."""
        return status(self, data_root, **options)


@dataclass(frozen=True)
class Status:
    """Ready, or locked with what is missing and the line that fixes it."""

    ready: bool
    missing_packages: tuple[str, ...] = ()
    missing_names: tuple[str, ...] = ()  # "layers:Conv2d"
    hint: str = ""
    missing_data: tuple[str, ...] = ()  # "mnist"

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


def status(milestone: Milestone, data_root: str | os.PathLike | None = None,
           **options: Any) -> Status:
    """Check a milestone's packages (installed?), names (registered, unambiguous?) and data."""
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
    absent = [n for n in milestone.data_for(options) if not n.available(data_root)]
    if missing_packages:
        hint = (f"{milestone.name} needs {', '.join(missing_packages)}: "
                f"pip install {' '.join(missing_packages)}")
    elif missing:
        hint = (f"{milestone.name} needs {', '.join(missing)}, which no installed plugin "
                f"registers (is one blocked with TT_BLOCK_PLUGINS?); "
                f"pip install {' '.join(milestone.packages)}")
    elif ambiguous:
        hint = f"{milestone.name}: " + "; ".join(ambiguous)
    elif absent:
        hint = f"{milestone.name} needs its data: " + "; ".join(
            n.hint(data_root) for n in absent)
    else:
        return Status(ready=True)
    return Status(ready=False, missing_packages=missing_packages,
                  missing_names=tuple(missing), hint=hint,
                  missing_data=tuple(n.name for n in absent))


def data_need(name: str) -> DataNeed:
    """The `DataNeed` called `name` among the registered milestones' data (for `download`).

    A milestone's name works too when it needs exactly one data set (`download cifar10`).
    Raises LookupError naming the known ones.
    """
    from tt_milestones.runner import registered

    needs: dict[str, DataNeed] = {}
    by_milestone: dict[str, tuple[DataNeed, ...]] = {}
    for milestone in registered():
        for need in milestone.all_data():
            needs.setdefault(need.name, need)
        by_milestone[milestone.name] = milestone.data
    if name in needs:
        return needs[name]
    if len(by_milestone.get(name, ())) == 1:
        return by_milestone[name][0]
    known = ", ".join(sorted(needs)) or "none"
    raise LookupError(f"no data called {name!r} (known: {known})")
