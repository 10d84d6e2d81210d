"""Containers: `Sequential` (a chain of layers), `ModuleList`, `ModuleDict`, and
`ParameterList`/`ParameterDict` for parameters."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterable, Iterator

from tt_nn.module import Module


class Sequential(Module):
    """Layers applied one after another: `Sequential(Linear(2, 8), ReLU(), Linear(8, 1))`.

    Accepts modules as arguments, a single list of modules, or an OrderedDict of named ones.
    Sub-modules are named "0", "1", … (so parameters are "0.weight", "2.bias", …).
    """

    def __init__(self, *modules: Any) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], (list, tuple)):
            modules = tuple(modules[0])
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, _checked(name, module))
        else:
            for index, module in enumerate(modules):
                self.add_module(str(index), _checked(str(index), module))

    def append(self, module: Module) -> Sequential:
        """Add a layer at the end, named by its position."""
        name = str(len(self._modules))
        self.add_module(name, _checked(name, module))
        return self

    def forward(self, input: Any) -> Any:
        for module in self._modules.values():
            if module is not None:
                input = module(input)
        return input

    def extend(self, modules: Iterable[Module]) -> Sequential:
        """Append each of `modules` in turn."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Put `module` at position `index`; the later layers move one place on."""
        _renumber(self, index, module)
        return self

    def pop(self, index: int = -1) -> Module:
        """Remove and return the layer at `index` (renumbering the rest)."""
        module = self[index]
        del self[index]
        return module

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        return items[index][1]

    def __setitem__(self, index: int, module: Module) -> None:
        name = list(self._modules)[index]  # IndexError past the end, as a list
        self.add_module(name, _checked(name, module))

    def __delitem__(self, index: int | slice) -> None:
        _delete(self, index)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class ModuleList(Module):
    """A list of sub-modules that registers them (a plain Python list would hide their
    parameters from `parameters()`)."""

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> ModuleList:
        """Add a module at the end, named by its position."""
        name = str(len(self._modules))
        self.add_module(name, _checked(name, module))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append each of `modules` in turn."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Put `module` at position `index`; the later ones move one place on."""
        _renumber(self, index, module)

    def pop(self, index: int = -1) -> Module:
        """Remove and return the module at `index` (renumbering the rest)."""
        module = self[index]
        del self[index]
        return module

    def __getitem__(self, index: int | slice) -> Any:
        values = list(self._modules.values())
        return ModuleList(values[index]) if isinstance(index, slice) else values[index]

    def __setitem__(self, index: int, module: Module) -> None:
        name = list(self._modules)[index]
        self.add_module(name, _checked(name, module))

    def __delitem__(self, index: int | slice) -> None:
        _delete(self, index)

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class ModuleDict(Module):
    """A dict of sub-modules that registers them under their keys."""

    def __init__(self, modules: dict[str, Module] | None = None) -> None:
        super().__init__()
        for name, module in (modules or {}).items():
            self[name] = module

    def __setitem__(self, name: str, module: Module) -> None:
        self.add_module(name, _checked(name, module))

    def __getitem__(self, name: str) -> Module:
        return self._modules[name]

    def __contains__(self, name: str) -> bool:
        return name in self._modules

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __delitem__(self, name: str) -> None:
        del self._modules[name]
        object.__delattr__(self, name)

    def update(self, modules: Any) -> None:
        """Add (or replace) modules from a dict or (name, module) pairs."""
        pairs = modules.items() if hasattr(modules, "items") else modules
        for name, module in pairs:
            self[name] = module

    def pop(self, name: str) -> Module:
        """Remove and return the module under `name`."""
        module = self[name]
        del self[name]
        return module

    def clear(self) -> None:
        """Remove every module."""
        for name in list(self._modules):
            del self[name]

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()


class ParameterList(Module):
    """A list of Parameters that registers them ("0", "1", …), so `parameters()` finds them."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        for value in values or ():
            self.append(value)

    def append(self, value: Any) -> ParameterList:
        """Add a Parameter (an array or Tensor is wrapped in one) at the end."""
        self.register_parameter(str(len(self._parameters)), _as_parameter(value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Append each of `values` in turn."""
        for value in values:
            self.append(value)
        return self

    def __getitem__(self, index: int) -> Any:
        return list(self._parameters.values())[index]

    def __setitem__(self, index: int, value: Any) -> None:
        self.register_parameter(list(self._parameters)[index], _as_parameter(value))

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._parameters.values())


class ParameterDict(Module):
    """A dict of Parameters that registers them under their keys."""

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def update(self, parameters: Any) -> None:
        """Add (or replace) Parameters from a dict or (name, value) pairs."""
        pairs = parameters.items() if hasattr(parameters, "items") else parameters
        for name, value in pairs:
            self[name] = value

    def __setitem__(self, name: str, value: Any) -> None:
        self.register_parameter(name, _as_parameter(value))

    def __getitem__(self, name: str) -> Any:
        return self._parameters[name]

    def __delitem__(self, name: str) -> None:
        del self._parameters[name]
        object.__delattr__(self, name)

    def __contains__(self, name: str) -> bool:
        return name in self._parameters

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def keys(self):
        return self._parameters.keys()

    def values(self):
        return self._parameters.values()

    def items(self):
        return self._parameters.items()


def _as_parameter(value: Any) -> Any:
    from tt_nn.parameter import Parameter

    return value if isinstance(value, Parameter) or value is None else Parameter(value)


def _checked(name: str, module: Any) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"container: item {name} is a {type(module).__name__}, not a Module "
                        f"(did you write ReLU instead of ReLU()?)")
    return module


def _renumber(container: Module, index: int, module: Module | None = None) -> None:
    """Rebuild a numbered container's registry ("0", "1", …) after inserting `module` at
    `index` (or just renumber, when module is None)."""
    modules = [m for m in container._modules.values()]
    if module is not None:
        n = len(modules)
        if not -n <= index <= n:
            raise IndexError(f"{type(container).__name__}.insert: index {index} is out of range "
                             f"for {n} modules")
        modules.insert(index % (n + 1) if index < 0 else index, _checked(str(index), module))
    for name in list(container._modules):
        container._forget(name)
        object.__delattr__(container, name)
    for i, m in enumerate(modules):
        container.add_module(str(i), m)


def _delete(container: Module, index: int | slice) -> None:
    """Remove the module(s) at `index` from a numbered container and renumber the rest."""
    names = list(container._modules)
    chosen = names[index] if isinstance(index, slice) else [names[index]]
    for name in chosen:
        container._forget(name)
        object.__delattr__(container, name)
    _renumber(container, 0)
