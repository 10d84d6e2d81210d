"""The plugin registry: one place that knows every op, layer, optimizer, dataset and milestone.

Packages provide things through pluggy hooks (see `tt_tensor.hookspecs`), found through the
`tt` entry-point group. Built-in ops are registered by tt-tensor's own plugin
(`tt_tensor.builtin_ops`), found and called exactly like any third-party plugin.

Nothing is imported before it is asked for:

- A kind is collected the first time something of that kind is looked up: asking for a
  layer calls the plugins' `register_layers` hooks, never their `register_milestones`.
- Ops (and the autograd engine) are collected one *name* at a time. Every installed
  package lists the ops it registers in the `tt.ops` entry-point group, so `x + 1` loads
  only the plugin that declares `add`; tt-vision is imported when `conv2d` is first used.
  A plugin that registers an op it did not declare there is an error (the declaration is
  what lets tt find the op without importing every plugin).

Two providers may register the same name (a learner's own `conv2d`, say). The name then
refuses to resolve, with an error naming both, until one provider is chosen with `use()`.
A provider can instead register its version as an *alternative*
(`register(name, obj, alternative=True)`, as tt-accelerate's compiled kernels do): it is
listed and can be chosen with `use()`, but until it is chosen the name resolves as if it
were not installed, so installing it changes nothing.

Ops are looked up on every op call, so they live in `OPS`, a plain dict filled on first
use of each name: an op call costs one dict lookup. The registry is safe to use from
several threads: changes build the new table first and then replace entries one by one,
so an op call in another thread never finds its op missing.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pluggy

from tt_tensor import hookspecs
from tt_tensor.hookspecs import PROJECT

KINDS = ("ops", "functions", "layers", "optimizers", "datasets", "milestones", "engines")
# Kinds collected one name at a time, from the names packages declare in `tt.<kind>`.
INDEXED_KINDS = ("ops", "engines")
# Every package, tt-tensor's own built-in ops included, is found through this entry-point group.
ENTRY_POINT_GROUP = PROJECT
# Comma-separated provider names to leave out, e.g. TT_BLOCK_PLUGINS=tt-vision (for trying things out).
BLOCK_ENV = "TT_BLOCK_PLUGINS"


class RegistryError(LookupError):
    """A name that is missing, provided twice with no provider chosen, or a broken plugin."""


@dataclass(frozen=True)
class Entry:
    """One registered thing: its kind, its name, the object and the package that provided it.

    `alternative` marks a registration made with `register(name, obj, alternative=True)`:
    it stands for the name only once chosen with `use(name, provider)`.
    """

    kind: str
    name: str
    obj: Any
    provider: str
    alternative: bool = False


class Ambiguous:
    """Stands in the op table for an op name that two providers registered; calling it raises."""

    def __init__(self, kind: str, name: str, providers: list[str]) -> None:
        self.kind, self.name, self.providers = kind, name, providers

    def error(self) -> RegistryError:
        both = " and ".join(repr(p) for p in self.providers)
        return RegistryError(
            f"{self.kind[:-1]} {self.name!r} is registered by both {both}; choose one with "
            f"tt_tensor.plugins.use({self.name!r}, {self.providers[-1]!r})")

    def apply(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error()

    apply_ = apply


# ----- what is installed (read from package metadata; nothing is imported) -------------------
class Catalogue:
    """The installed plugins (`tt` entry points) and the names they declare per indexed kind."""

    def __init__(self) -> None:
        from importlib.metadata import entry_points

        self.plugins: dict[str, Any] = {}  # provider name -> its `tt` entry point
        by_module: dict[tuple[str, str], str] = {}
        names: dict[int, str] = {}  # id(distribution) -> its name, read once per distribution
        for entry_point in entry_points(group=ENTRY_POINT_GROUP):
            self.plugins.setdefault(entry_point.name, entry_point)
            by_module[(_distribution(entry_point, names), entry_point.value)] = entry_point.name
        self.declared: dict[str, dict[str, list[str]]] = {k: {} for k in INDEXED_KINDS}
        for kind in INDEXED_KINDS:
            for entry_point in entry_points(group=f"{ENTRY_POINT_GROUP}.{kind}"):
                provider = by_module.get((_distribution(entry_point, names), entry_point.value))
                if provider is None:  # names a module that is no `tt` plugin: nothing to load
                    continue
                providers = self.declared[kind].setdefault(entry_point.name, [])
                if provider not in providers:
                    providers.append(provider)

    def providers_of(self, kind: str, name: str) -> list[str]:
        return self.declared[kind].get(name, [])

    def declared_by(self, kind: str, provider: str) -> set[str]:
        return {name for name, who in self.declared[kind].items() if provider in who}


def _distribution(entry_point: Any, names: dict[int, str]) -> str:
    """The name of the distribution that declares `entry_point` ("" if unknown).

    Reading a name parses the distribution's whole METADATA file, and every op a package
    declares is an entry point of its own, so names are remembered per distribution
    object (the entry points of one distribution share it): the first op call stays fast.
    """
    dist = getattr(entry_point, "dist", None)
    if dist is None:
        return ""
    name = names.get(id(dist))
    if name is None:
        name = names[id(dist)] = dist.metadata["Name"]
    return name


# ----- the registry ------------------------------------------------------------------------
class Registry:
    """Everything the plugins registered, by kind and name, collected as it is asked for."""

    def __init__(self, manager: pluggy.PluginManager, catalogue: Catalogue,
                 choices: dict[tuple[str, str], str]) -> None:
        self.manager = manager
        self.catalogue = catalogue
        self.choices = choices
        self.entries: dict[str, dict[str, list[Entry]]] = {kind: {} for kind in KINDS}
        self._called: set[tuple[str, str]] = set()  # (kind, provider) hooks already called
        self._complete: set[str] = set()  # kinds for which every plugin has been asked
        self.failures: dict[tuple[str, str], RegistryError] = {}  # hooks that raised
        self._collected: set[tuple[str, str]] = set()  # (kind, name) already collected

    # -- collecting ---------------------------------------------------------------------
    def _load(self, provider: str) -> bool:
        """Import an installed plugin and add it to the manager; False if it is blocked."""
        if self.manager.is_blocked(provider):
            return False
        if self.manager.get_plugin(provider) is not None:
            return True
        entry_point = self.catalogue.plugins.get(provider)
        if entry_point is None:
            return False
        try:
            plugin_object = entry_point.load()
        except Exception as error:
            raise RegistryError(
                f"the tt plugin {provider!r} ({entry_point.value}) failed to load: "
                f"{type(error).__name__}: {error}. Fix or uninstall it, or leave it out with "
                f"the environment variable {BLOCK_ENV}={provider}") from error
        self.manager.register(plugin_object, name=provider)
        return True

    def _call(self, kind: str, provider: str) -> None:
        """Call one plugin's `register_<kind>` hook (once) and keep what it registers.

        A hook that fails registers nothing; its error is kept and raised when a name it
        may have provided is looked up and found nowhere else, so one broken plugin never
        stops the ops of the others.
        """
        if (kind, provider) in self._called:
            return
        self._called.add((kind, provider))
        hook = getattr(self.manager.hook, f"register_{kind}")
        installed = provider in self.catalogue.plugins
        for impl in hook.get_hookimpls():
            if impl.plugin_name != provider:
                continue
            registered: list[Entry] = []
            try:
                impl.function(register=self._registrar(kind, provider, registered))
                if installed and kind in INDEXED_KINDS:
                    self._check_declared(kind, provider, [e.name for e in registered])
            except Exception as error:
                if not isinstance(error, RegistryError):
                    error = RegistryError(
                        f"the tt plugin {provider!r} failed in its register_{kind} hook: "
                        f"{type(error).__name__}: {error}. Fix or uninstall it, or leave it out "
                        f"with the environment variable {BLOCK_ENV}={provider}")
                self.failures[(kind, provider)] = error
                continue
            for entry in registered:
                self.entries[kind].setdefault(entry.name, []).append(entry)

    def _check_declared(self, kind: str, provider: str, registered: list[str]) -> None:
        missing = sorted(set(registered) - self.catalogue.declared_by(kind, provider))
        if missing:
            module = self.catalogue.plugins[provider].value
            lines = "\n".join(f'{name} = "{module}"' for name in missing)
            raise RegistryError(
                f"the tt plugin {provider!r} registers the {kind} {', '.join(missing)} without "
                f"declaring them, so tt cannot find them without importing every plugin. Add "
                f"to its pyproject.toml and reinstall it:\n"
                f'[project.entry-points."{ENTRY_POINT_GROUP}.{kind}"]\n{lines}')

    def _registrar(self, kind: str, provider: str, registered: list[Entry]) -> Callable:
        def register(name: str, obj: Any, alternative: bool = False) -> None:
            if any(e.name == name for e in registered):
                raise RegistryError(f"{provider!r} registered the {kind[:-1]} {name!r} twice")
            registered.append(Entry(kind, name, obj, provider, bool(alternative)))
        register.__doc__ = (f"Register one of the {kind} provided by {provider!r}; with "
                            "`alternative=True` it is used only once chosen with `use()`.")
        return register

    def _loaded_providers(self) -> list[str]:
        return [name for name, _ in self.manager.list_name_plugin()
                if not self.manager.is_blocked(name)]

    def collect(self, kind: str, name: str | None = None) -> None:
        """Make sure every provider of `name` (or of the whole kind) has registered.

        For an indexed kind only the plugins that declare `name` are imported, plus those
        already imported (added at run time, or loaded for another kind), which cost nothing.
        """
        if kind in self._complete or (kind, name) in self._collected:
            return
        if kind in INDEXED_KINDS and name is not None:
            self._collected.add((kind, name))
            for provider in self.catalogue.providers_of(kind, name):
                if provider in self.catalogue.plugins and not self.manager.is_blocked(provider):
                    self._load_or_fail(kind, provider)
            for provider in self._loaded_providers():
                self._call(kind, provider)
            return
        for provider in self.catalogue.plugins:
            self._load_or_fail(kind, provider)
        for provider in self._loaded_providers():
            self._call(kind, provider)
        self._complete.add(kind)

    def _load_or_fail(self, kind: str, provider: str) -> None:
        """Load a plugin; if it cannot be imported, keep the error for when it matters."""
        if (kind, provider) in self.failures:
            return
        try:
            self._load(provider)
        except RegistryError as error:
            self.failures[(kind, provider)] = error

    # -- asking -----------------------------------------------------------------------
    def resolve(self, kind: str, name: str) -> Entry | Ambiguous:
        """The entry `name` stands for, or `Ambiguous` when two providers offer it unchosen.

        Alternatives (`register(..., alternative=True)`) count only when chosen: unchosen,
        the name resolves among the other providers alone, and is missing if there are none.
        """
        with _lock:
            self.collect(kind, name)
            found = self.entries[kind].get(name)
        declared = self.catalogue.providers_of(kind, name) if kind in INDEXED_KINDS else []
        for provider in declared:  # a plugin that declares the name but broke: that is the cause
            if (kind, provider) in self.failures:
                raise self.failures[(kind, provider)]
        if not found:
            raise RegistryError(self._missing_message(kind, name))
        chosen = self.choices.get((kind, name))
        if chosen is not None:
            for entry in found:
                if entry.provider == chosen:
                    return entry
            providers = ", ".join(repr(e.provider) for e in found)
            raise RegistryError(f"{kind[:-1]} {name!r}: provider {chosen!r} was chosen but "
                                f"only {providers} registered it")
        found = [e for e in found if not e.alternative]
        if not found:
            raise RegistryError(self._missing_message(kind, name))
        if len(found) > 1:
            return Ambiguous(kind, name, [e.provider for e in found])
        return found[0]

    def _missing_message(self, kind: str, name: str) -> str:
        declared = self.catalogue.providers_of(kind, name) if kind in INDEXED_KINDS else []
        blocked = [p for p in declared if self.manager.is_blocked(p)]
        if blocked:
            return (f"{kind[:-1]} {name!r} is provided by {', '.join(map(repr, blocked))}, which "
                    f"is blocked by the environment variable {BLOCK_ENV}="
                    f"{os.environ.get(BLOCK_ENV, '')!r}")
        known = set(self.entries[kind])
        if kind in INDEXED_KINDS:
            known |= set(self.catalogue.declared[kind])
        message = (f"no {kind[:-1]} named {name!r} is registered (known: "
                   f"{', '.join(sorted(known)) or 'none'}); is the package that provides it "
                   "installed?")
        broken = [str(error) for (k, _), error in self.failures.items() if k == kind]
        if broken:
            message += " Some plugins could not register: " + " | ".join(broken)
        return message

    def get(self, kind: str, name: str) -> Any:
        """The object registered as `name` (raises `RegistryError` if missing or ambiguous)."""
        entry = self.resolve(kind, name)
        if isinstance(entry, Ambiguous):
            raise entry.error()
        return entry.obj

    def names(self, kind: str) -> list[str]:
        """Every name registered in `kind` (asks every plugin)."""
        with _lock:
            self.collect(kind)
        return sorted(self.entries[kind])

    def providers(self, kind: str, name: str) -> list[str]:
        """The providers that registered `name` in `kind`, in the order they registered it
        (alternatives last)."""
        with _lock:
            self.collect(kind, name)
        return [e.provider for e in _in_order(self.entries[kind].get(name, []))]

    def listing(self, kind: str | None = None) -> list[Entry]:
        """Every registration (of one kind, or all), sorted by kind and name; alternatives
        come after the other providers of their name (`entry.alternative` tells them apart)."""
        kinds = KINDS if kind is None else (kind,)
        with _lock:
            for k in kinds:
                self.collect(k)
        return [e for k in kinds for name in sorted(self.entries[k])
                for e in _in_order(self.entries[k][name])]


def _in_order(entries: list[Entry]) -> list[Entry]:
    """The providers of one name in the order they registered, alternatives after the rest."""
    return sorted(entries, key=lambda e: e.alternative)


# ----- the op table ------------------------------------------------------------------------
class _OpTable(dict):
    """The op table: a dict from op name to op class, each filled on its first lookup."""

    def __missing__(self, name: str) -> Any:
        entry = registry().resolve("ops", name)
        op = entry if isinstance(entry, Ambiguous) else entry.obj
        self[name] = op
        return op


OPS: dict[str, Any] = _OpTable()

_lock = threading.RLock()
_manager: pluggy.PluginManager | None = None
_catalogue: Catalogue | None = None
_registry: Registry | None = None
_choices: dict[tuple[str, str], str] = {}


def plugin_manager() -> pluggy.PluginManager:
    """The one pluggy manager. Installed plugins are added to it as they are needed."""
    global _manager
    with _lock:
        if _manager is None:
            manager = pluggy.PluginManager(PROJECT)
            manager.add_hookspecs(hookspecs)
            for name in filter(None, os.environ.get(BLOCK_ENV, "").split(",")):
                manager.set_blocked(name.strip())
            _manager = manager
        return _manager


def catalogue() -> Catalogue:
    """What is installed: plugins and the op names they declare (read once from metadata)."""
    global _catalogue
    with _lock:
        if _catalogue is None:
            _catalogue = Catalogue()
        return _catalogue


def registry() -> Registry:
    """The registry (it collects from the plugins as things are asked for)."""
    global _registry
    built = _registry
    if built is None:
        with _lock:
            if _registry is None:
                _registry = Registry(plugin_manager(), catalogue(), _choices)
            built = _registry
    return built


def invalidate() -> None:
    """Forget what was collected (after plugins or choices changed) and refresh the op table.

    The new table is worked out first; then each entry is replaced in place, so an op call
    running in another thread meanwhile finds either the old or the new op, never none.
    """
    global _registry
    with _lock:
        fresh = Registry(plugin_manager(), catalogue(), _choices)
        updated, gone = {}, []
        for name in list(OPS):
            try:
                entry = fresh.resolve("ops", name)
            except RegistryError:
                gone.append(name)
                continue
            updated[name] = entry if isinstance(entry, Ambiguous) else entry.obj
        _registry = fresh
        _ENGINES.clear()
        OPS.update(updated)
        for name in gone:
            OPS.pop(name, None)


def get(kind: str, name: str) -> Any:
    """Look up a registered object, e.g. `get("layers", "Conv2d")`."""
    return registry().get(kind, name)


_ENGINES: dict[str, Callable] = {}  # looked up once (each backward() asks), cleared by invalidate


def engine(name: str) -> Callable:
    """The autograd engine's `name` function (`"backward"`), registered by tt-autograd."""
    found = _ENGINES.get(name)
    if found is not None:
        return found
    try:
        found = _ENGINES[name] = registry().get("engines", name)
        return found
    except RegistryError:
        if registry().providers("engines", name):
            raise
        raise RuntimeError(f"{name}: gradients need the tt-autograd package, which registers "
                           f"tt's autograd engine; install it: {install_hint('tt-autograd')}") from None


def listing(kind: str | None = None) -> list[Entry]:
    """What is registered (of one kind, or all) and which package provided each."""
    return registry().listing(kind)


def use(name: str, provider: str, kind: str | None = None) -> None:
    """Choose `provider`'s implementation of `name` (in every kind where it registered it).

    Example: `use("Conv2d", "my-conv")` makes models built from the registry use the
    learner's `Conv2d` instead of tt-vision's. This is also how an alternative
    (`register(..., alternative=True)`) is switched on: `use("gelu", "tt-accelerate")`.
    """
    reg = registry()
    kinds = [kind] if kind else [k for k in KINDS if provider in reg.providers(k, name)]
    if not kinds or any(provider not in reg.providers(k, name) for k in kinds):
        offered = {k: reg.providers(k, name) for k in KINDS if reg.providers(k, name)}
        raise RegistryError(f"use: {provider!r} does not provide {name!r} "
                            f"(providers: {offered or 'none'})")
    with _lock:
        for k in kinds:
            _choices[(k, name)] = provider
        invalidate()


def clear_choices(provider: str | None = None) -> None:
    """Forget every `use()` choice, or only those that chose `provider`."""
    with _lock:
        for key in [k for k, v in _choices.items() if provider is None or v == provider]:
            del _choices[key]
        invalidate()


def register_plugin(plugin: Any, name: str) -> None:
    """Add a plugin (a module or object with hook implementations) under a provider name.

    Its hooks are called as soon as anything of their kind is looked up; a plugin added
    this way need not declare its op names.
    """
    with _lock:
        plugin_manager().register(plugin, name=name)
        invalidate()


def unregister_plugin(name: str) -> None:
    """Remove a plugin added with `register_plugin` (or by entry point) by its name."""
    with _lock:
        plugin_manager().unregister(name=name)
        invalidate()


@contextmanager
def plugin(plugin_object: Any, name: str) -> Iterator[None]:
    """Register a plugin for the duration of a `with` block (handy in tests)."""
    register_plugin(plugin_object, name)
    try:
        yield
    finally:
        with _lock:
            unregister_plugin(name)
            for key in [k for k, v in _choices.items() if v == name]:
                del _choices[key]
            invalidate()


def from_clone() -> bool:
    """True when tt runs from a clone of its repository (packages installed editable)."""
    here = Path(__file__).resolve()
    return here.parents[2].name == "tt-tensor" and (here.parents[4] / "hatch.toml").is_file()


def install_hint(distribution: str) -> str:
    """The command that installs `distribution`, e.g. `"pip install tt-vision"`.

    tt's packages are not on a package index yet, so when tt runs from a clone the hint
    gives the line that works there too.
    """
    hint = f"pip install {distribution}"
    if distribution.startswith("tt") and from_clone():
        root = Path(__file__).resolve().parents[4]
        folder = root / "packages" / distribution
        if folder.is_dir():
            hint += f" (from a clone of tt: pip install -e packages/{distribution})"
    return hint


def main() -> None:
    """Print every registration and its provider (`python -m tt_tensor.plugins`)."""
    for entry in listing():
        note = "  (alternative: tt_tensor.plugins.use to choose it)" if entry.alternative else ""
        print(f"{entry.kind:<11} {entry.name:<24} {entry.provider}{note}")


if __name__ == "__main__":
    main()
