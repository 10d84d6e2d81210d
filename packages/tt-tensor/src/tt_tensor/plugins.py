"""The plugin registry: one place that knows every op, layer, optimizer, dataset and milestone.

Packages provide things through pluggy hooks (see `tt_tensor.hookspecs`); the registry is
built lazily, the first time anything is looked up, by calling each plugin's hooks once
with a `register` callback that remembers which package provided what. Built-in ops are
registered by tt-tensor's own plugin (`tt_tensor.builtin_ops`), found through the same
entry-point group and calling the same hook as any third-party plugin.

Two providers may register the same name (a learner's own `conv2d`, say). The name then
refuses to resolve, with an error naming both, until one provider is chosen with `use()`.

Ops are looked up on every op call, so they live in `OPS`, a plain dict filled when the
registry is built: an op call costs one dict lookup.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import pluggy

from tt_tensor import hookspecs
from tt_tensor.hookspecs import PROJECT

KINDS = ("ops", "layers", "optimizers", "datasets", "milestones")
# Every package, tt-tensor's own built-in ops included, is found through this entry-point group.
ENTRY_POINT_GROUP = PROJECT
# Comma-separated provider names to leave out, e.g. TT_BLOCK_PLUGINS=tt-vision (for trying things out).
BLOCK_ENV = "TT_BLOCK_PLUGINS"


class RegistryError(LookupError):
    """A name that is missing, or provided twice with no provider chosen."""


@dataclass(frozen=True)
class Entry:
    """One registered thing: its kind, its name, the object and the package that provided it."""

    kind: str
    name: str
    obj: Any
    provider: str


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


class Registry:
    """Everything the installed plugins registered, by kind and name."""

    def __init__(self, manager: pluggy.PluginManager, choices: dict[tuple[str, str], str]) -> None:
        self.entries: dict[str, dict[str, list[Entry]]] = {kind: {} for kind in KINDS}
        self.choices = choices
        for kind in KINDS:
            hook = getattr(manager.hook, f"register_{kind}")
            for impl in hook.get_hookimpls():  # in registration order: built-ins first
                impl.function(register=self._registrar(kind, impl.plugin_name))

    def _registrar(self, kind: str, provider: str):
        def register(name: str, obj: Any) -> None:
            found = self.entries[kind].setdefault(name, [])
            if any(e.provider == provider for e in found):
                raise RegistryError(f"{provider!r} registered the {kind[:-1]} {name!r} twice")
            found.append(Entry(kind, name, obj, provider))
        register.__doc__ = f"Register one of the {kind} provided by {provider!r}."
        return register

    def resolve(self, kind: str, name: str) -> Entry | Ambiguous:
        """The entry `name` stands for, or `Ambiguous` when two providers offer it unchosen."""
        found = self.entries[kind].get(name)
        if not found:
            known = ", ".join(sorted(self.entries[kind])) or "none"
            raise RegistryError(f"no {kind[:-1]} named {name!r} is registered (known: {known}); "
                                "is the package that provides it installed?")
        chosen = self.choices.get((kind, name))
        if chosen is not None:
            for entry in found:
                if entry.provider == chosen:
                    return entry
            providers = ", ".join(repr(e.provider) for e in found)
            raise RegistryError(f"{kind[:-1]} {name!r}: provider {chosen!r} was chosen but "
                                f"only {providers} registered it")
        if len(found) > 1:
            return Ambiguous(kind, name, [e.provider for e in found])
        return found[0]

    def get(self, kind: str, name: str) -> Any:
        """The object registered as `name` (raises `RegistryError` if missing or ambiguous)."""
        entry = self.resolve(kind, name)
        if isinstance(entry, Ambiguous):
            raise entry.error()
        return entry.obj

    def names(self, kind: str) -> list[str]:
        return sorted(self.entries[kind])

    def providers(self, kind: str, name: str) -> list[str]:
        return [e.provider for e in self.entries[kind].get(name, [])]

    def listing(self, kind: str | None = None) -> list[Entry]:
        """Every registration (of one kind, or all), sorted by kind and name."""
        kinds = KINDS if kind is None else (kind,)
        return [e for k in kinds for name in sorted(self.entries[k]) for e in self.entries[k][name]]


class _OpTable(dict):
    """The op table: a dict from op name to op class, filled on first lookup."""

    def __missing__(self, name: str) -> Any:
        if not self:
            registry()  # builds the registry, which fills this table
            if name in self:
                return self[name]
        raise RegistryError(f"no op named {name!r} is registered; is the package that "
                            "provides it installed?")


OPS: dict[str, Any] = _OpTable()

_manager: pluggy.PluginManager | None = None
_registry: Registry | None = None
_choices: dict[tuple[str, str], str] = {}


def plugin_manager() -> pluggy.PluginManager:
    """The one pluggy manager; entry points are loaded the first time it is asked for."""
    global _manager
    if _manager is None:
        manager = pluggy.PluginManager(PROJECT)
        manager.add_hookspecs(hookspecs)
        for name in filter(None, os.environ.get(BLOCK_ENV, "").split(",")):
            manager.set_blocked(name.strip())
        _load_entry_points(manager)
        _manager = manager
    return _manager


def _load_entry_points(manager: pluggy.PluginManager) -> None:
    """Register every installed package's plugin (entry-point group `tt`), naming any that breaks."""
    from importlib.metadata import entry_points

    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if manager.is_blocked(entry_point.name) or manager.get_plugin(entry_point.name):
            continue
        try:
            plugin_object = entry_point.load()
        except Exception as error:
            raise RegistryError(f"the tt plugin {entry_point.name!r} ({entry_point.value}) failed "
                                f"to load: {type(error).__name__}: {error}") from error
        manager.register(plugin_object, name=entry_point.name)


def registry() -> Registry:
    """The registry, built from the plugins on first use."""
    global _registry
    if _registry is None:
        built = Registry(plugin_manager(), _choices)
        OPS.clear()
        for name in built.entries["ops"]:
            entry = built.resolve("ops", name)
            OPS[name] = entry if isinstance(entry, Ambiguous) else entry.obj
        _registry = built
    return _registry


def invalidate() -> None:
    """Forget the built registry; the next lookup calls the hooks again."""
    global _registry
    _registry = None
    OPS.clear()


def get(kind: str, name: str) -> Any:
    """Look up a registered object, e.g. `get("layers", "Conv2d")`."""
    return registry().get(kind, name)


def listing(kind: str | None = None) -> list[Entry]:
    """What is registered (of one kind, or all) and which package provided each."""
    return registry().listing(kind)


def use(name: str, provider: str, kind: str | None = None) -> None:
    """Choose `provider`'s implementation of `name` (in every kind where it registered it).

    Example: `use("Conv2d", "my-conv")` makes models built from the registry use the
    learner's `Conv2d` instead of tt-vision's.
    """
    reg = registry()
    kinds = [kind] if kind else [k for k in KINDS if provider in reg.providers(k, name)]
    if not kinds or any(provider not in reg.providers(k, name) for k in kinds):
        offered = {k: reg.providers(k, name) for k in KINDS if reg.providers(k, name)}
        raise RegistryError(f"use: {provider!r} does not provide {name!r} "
                            f"(providers: {offered or 'none'})")
    for k in kinds:
        _choices[(k, name)] = provider
    invalidate()


def clear_choices() -> None:
    """Forget every `use()` choice."""
    _choices.clear()
    invalidate()


def register_plugin(plugin: Any, name: str) -> None:
    """Add a plugin (a module or object with hook implementations) under a provider name."""
    plugin_manager().register(plugin, name=name)
    invalidate()


def unregister_plugin(name: str) -> None:
    """Remove a plugin added with `register_plugin` (or by entry point) by its name."""
    plugin_manager().unregister(name=name)
    invalidate()


@contextmanager
def plugin(plugin_object: Any, name: str) -> Iterator[None]:
    """Register a plugin for the duration of a `with` block (handy in tests)."""
    register_plugin(plugin_object, name)
    try:
        yield
    finally:
        unregister_plugin(name)
        for key in [k for k, v in _choices.items() if v == name]:
            del _choices[key]
        invalidate()


def main() -> None:
    """Print every registration and its provider (`python -m tt_tensor.plugins`)."""
    for entry in listing():
        print(f"{entry.kind:<11} {entry.name:<24} {entry.provider}")


if __name__ == "__main__":
    main()
