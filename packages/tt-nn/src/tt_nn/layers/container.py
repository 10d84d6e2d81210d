"""Containers: `Sequential` (a chain of layers), `ModuleList` and `ModuleDict`."""

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

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        return items[index][1]

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

    def __getitem__(self, index: int | slice) -> Any:
        values = list(self._modules.values())
        return ModuleList(values[index]) if isinstance(index, slice) else values[index]

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

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()


def _checked(name: str, module: Any) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"container: item {name} is a {type(module).__name__}, not a Module "
                        f"(did you write ReLU instead of ReLU()?)")
    return module
