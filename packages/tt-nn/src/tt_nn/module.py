"""`Module`: the base class of every layer and model, as in PyTorch.

A Module keeps three ordered registries, filled by plain attribute assignment:
parameters (trained), buffers (state that is saved but not trained, e.g. running means)
and sub-modules. Everything else — `parameters()`, `state_dict()`, `train()`, `to()` —
walks those registries recursively, so a model built from Modules gets them for free.

Registered values are also kept as ordinary attributes, so `self.weight` in a forward is
a plain attribute lookup (no `__getattr__` detour on the hot path).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Iterator, NamedTuple

import numpy as np
from tt_tensor import Tensor

from tt_nn.parameter import Parameter


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` could not match."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class RemovableHandle:
    """What `register_forward_hook` returns: `handle.remove()` unregisters the hook (also
    usable as a `with` block)."""

    _next_id = 0

    def __init__(self, hooks: dict, hook: Callable[..., Any]) -> None:
        RemovableHandle._next_id += 1
        self.id, self._hooks = RemovableHandle._next_id, hooks
        hooks[self.id] = hook

    def remove(self) -> None:
        """Take the hook away (again is fine)."""
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


class Module:
    """Base class for layers and models: subclass it, assign layers and Parameters in
    `__init__` (after `super().__init__()`), and write `forward`.

    Example:
        >>> class TwoLayer(Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc1 = Linear(2, 8)
        ...         self.fc2 = Linear(8, 1)
        ...     def forward(self, x):
        ...         return self.fc2(self.fc1(x).relu())
    """

    training: bool

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs these registries to exist first.
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "training", True)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """What the module computes: every subclass defines it; `module(x)` calls it."""
        raise NotImplementedError(f"{type(self).__name__} has no forward(); define "
                                  "forward(self, ...) to say what the module computes")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run `forward`. A ValueError, TypeError or IndexError raised inside it comes out
        with this layer named in front (`Linear(in_features=3, ...): linear: input of shape
        ...`), same type, the original chained as its cause; only the innermost layer adds
        its name, so layers need not check what their ops already check."""
        if self._forward_pre_hooks or self._forward_hooks:
            return self._call_with_hooks(args, kwargs)
        try:
            return self.forward(*args, **kwargs)
        except (ValueError, TypeError, IndexError) as error:
            named = _in_layer(self, error)
            if named is error:
                raise
            raise named from error

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        for hook in list(self._forward_pre_hooks.values()):
            changed = hook(self, args)
            if changed is not None:
                args = changed if isinstance(changed, tuple) else (changed,)
        try:
            output = self.forward(*args, **kwargs)
        except (ValueError, TypeError, IndexError) as error:
            named = _in_layer(self, error)
            if named is error:
                raise
            raise named from error
        for hook in list(self._forward_hooks.values()):
            changed = hook(self, args, output)
            if changed is not None:
                output = changed
        return output

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call `hook(module, args)` before each forward; a non-None result replaces the
        positional arguments. Returns a handle whose `remove()` takes the hook away."""
        return RemovableHandle(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call `hook(module, args, output)` after each forward (e.g. to record activations);
        a non-None result replaces the output. Returns a handle with `remove()`."""
        return RemovableHandle(self._forward_hooks, hook)

    # ----- registration -----------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Parameter):
            self.register_parameter(name, value)
            return
        if isinstance(value, Module):
            self.add_module(name, value)
            return
        if "_parameters" in self.__dict__:  # re-assigning a registered name keeps it registered
            if name in self._parameters:
                if value is not None:
                    raise TypeError(f"{type(self).__name__}.{name} is a parameter: assign a "
                                    f"tt_nn.Parameter or None, not {type(value).__name__}")
                self._parameters[name] = None
            elif name in self._modules:
                if value is not None:
                    raise TypeError(f"{type(self).__name__}.{name} is a sub-module: assign a "
                                    f"Module or None, not {type(value).__name__}")
                self._modules[name] = None
            elif name in self._buffers:
                value = _as_buffer(type(self).__name__, name, value)
                self._buffers[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._forget(name)
        object.__delattr__(self, name)

    def _check_initialised(self, name: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {name!r} before Module.__init__() is called: "
                                 f"add super().__init__() at the top of "
                                 f"{type(self).__name__}.__init__")

    def _forget(self, name: str, keep: dict | None = None) -> None:
        """Remove `name` from every registry but `keep` (where re-assigning it keeps its
        place, so `model.fc = Linear(...)` leaves the state_dict order as in PyTorch)."""
        for registry in (self._parameters, self._buffers, self._modules):
            if registry is not keep:
                registry.pop(name, None)
        self._non_persistent.discard(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register a Parameter (or None, meaning "this layer has no such parameter")."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a tt_nn.Parameter or None, "
                            f"got {type(param).__name__}")
        self._check_initialised(name)
        self._forget(name, keep=self._parameters)
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """Register state that is saved in `state_dict` but not trained (e.g. running means).

        `tensor` may be a Tensor, a NumPy array or None; arrays are wrapped in a Tensor.
        Non-persistent buffers are converted by `to()` but left out of `state_dict`.
        """
        self._check_initialised(name)
        value = _as_buffer(type(self).__name__, name, tensor)
        self._forget(name, keep=self._buffers)
        self._buffers[name] = value
        if not persistent:
            self._non_persistent.add(name)
        object.__setattr__(self, name, value)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register a sub-module under `name` (what `self.name = module` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module or None, "
                            f"got {type(module).__name__}")
        self._check_initialised(name)
        self._forget(name, keep=self._modules)
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    # ----- walking the tree -------------------------------------------------------------
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every sub-module (each once), with dotted names."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{n}" if name else n, m)
                        for n, m in module._modules.items() if m is not None]
            stack.extend(reversed(children))  # reversed: visit in registration order

    def get_submodule(self, target: str) -> Module:
        """The sub-module at a dotted path, e.g. `"encoder.layers.0"` ("" is this module)."""
        module = self
        for part in filter(None, target.split(".")):
            child = module._modules.get(part)
            if not isinstance(child, Module):
                raise AttributeError(f"{type(module).__name__} has no sub-module {part!r} "
                                     f"(looking up {target!r})")
            module = child
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path, e.g. `"fc1.weight"`."""
        path, _, name = target.rpartition(".")
        owner = self.get_submodule(path)
        if owner._parameters.get(name) is None:
            raise AttributeError(f"{type(owner).__name__} has no parameter {name!r} "
                                 f"(looking up {target!r})")
        return owner._parameters[name]

    def modules(self) -> Iterator[Module]:
        """This module and every sub-module, each once."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules with their attribute names (not their descendants)."""
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct sub-modules."""
        for _, module in self.named_children():
            yield module

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Every Parameter with its dotted name (`0.weight`, `fc1.bias`); shared ones once."""
        yield from self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every Parameter (shared ones once): what an optimizer is given."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        """Every buffer with its dotted name (e.g. `bn.running_mean`)."""
        yield from self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer (saved, untrained state)."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def _named_members(self, registry: str, prefix: str, recurse: bool):
        seen: set[int] = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{module_name}.{name}" if module_name else name), value

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call `fn` on every sub-module and then on this one (e.g. custom initialisation)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ----- modes and gradients ----------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Training mode (Dropout drops, BatchNorm uses batch statistics), recursively."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode: `train(False)`."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of every parameter (set to None, like PyTorch's default)."""
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad.data[...] = 0

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze every parameter."""
        for param in self.parameters():
            param.requires_grad = requires_grad
        return self

    # ----- dtype ------------------------------------------------------------------------
    def to(self, *args: Any, dtype: Any = None, device: Any = None,
           non_blocking: bool = False) -> Module:
        """Convert every floating-point parameter and buffer to `dtype`, in place, as
        `torch.nn.Module.to`: `model.to(tt.float64)`, `model.to("cpu")`, `model.to(device,
        dtype)`, `model.to(tensor)` (its dtype).

        The CPU is the only device (another is a clear error). The Parameter objects stay
        the same (only their `.data` changes), so an optimizer built before the conversion
        still updates them.
        """
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif _names_device(arg):
                device = arg
            else:
                dtype = arg
        if device is not None:
            from tt_tensor.device import check_device

            check_device(device, f"{type(self).__name__}.to")
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Module.to: expected a floating-point dtype, got {dtype}")
        for tensor in [*self.parameters(), *self.buffers()]:
            if tensor.data.dtype.kind == "f":
                tensor.data = tensor.data.astype(dtype)
                if tensor.grad is not None:
                    tensor.grad.data = tensor.grad.data.astype(dtype)
        return self

    def cpu(self) -> Module:
        """Already there: tt computes on the CPU."""
        return self

    def cuda(self, device: Any = None) -> Module:
        """Always an error: tt computes with NumPy on the CPU."""
        from tt_tensor.device import check_device

        check_device("cuda" if device is None else device if isinstance(device, str) else
                     f"cuda:{device}", f"{type(self).__name__}.cuda")
        return self

    def double(self) -> Module:
        """`to(float64)`: what gradient checks need."""
        return self.to(np.float64)

    def float(self) -> Module:
        """`to(float32)`: the default dtype."""
        return self.to(np.float32)

    # ----- saving and loading -----------------------------------------------------------
    def state_dict(self, *, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, as PyTorch returns them.

        The values are detached Tensors that share memory with the module: training changes
        them, and `state_dict()[k].copy_(...)` writes into the model (copy with `.clone()` or
        `tt_nn.save` for a snapshot). A sub-module reachable under two names (`self.b =
        self.a`) appears under both, as in PyTorch. `keep_vars=True` gives the Parameters
        themselves; `prefix` goes in front of every key.
        """
        out = OrderedDict() if destination is None else destination
        for key, tensor in self._state_tensors(prefix).items():
            out[key] = tensor if keep_vars else tensor.detach()
        return out

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values into the existing parameters and buffers (which keep their dtype).

        Values may be tt Tensors, NumPy arrays or torch tensors (read with `.numpy()`,
        without importing torch).

        Raises a `RuntimeError` listing every missing, unexpected or wrongly shaped key
        (with `strict=False`, missing and unexpected keys are allowed and returned).
        """
        own = self._state_tensors()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        values, wrong_shape = {}, []
        for key, tensor in own.items():
            if key not in state_dict:
                continue
            value = _to_numpy(state_dict[key])
            if value.shape != tensor.data.shape:
                wrong_shape.append(f"{key}: checkpoint has shape {value.shape}, "
                                   f"the model has {tensor.data.shape}")
            values[key] = value
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        if wrong_shape:
            problems.append("wrong shapes: " + "; ".join(wrong_shape))
        if problems:
            raise RuntimeError(f"load_state_dict: the state dict does not fit "
                               f"{type(self).__name__}:\n  " + "\n  ".join(problems))
        for key, value in values.items():
            own[key].data[...] = value  # in place: the tensor keeps its dtype and identity
            _bump_version(own[key])
        return IncompatibleKeys(missing, unexpected)

    def _state_tensors(self, prefix: str = "") -> dict[str, Tensor]:
        """The tensors `state_dict` saves, by dotted name: parameters and persistent buffers.

        Unlike `named_modules()`, a shared sub-module is walked under each of its names.
        """
        tensors = {}
        for name, param in self._parameters.items():
            if param is not None:
                tensors[prefix + name] = param
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent:
                tensors[prefix + name] = buffer
        for name, module in self._modules.items():
            if module is not None:
                tensors.update(module._state_tensors(f"{prefix}{name}."))
        return tensors

    # ----- printing ---------------------------------------------------------------------
    def num_parameters(self, trainable_only: bool = False) -> int:
        """How many numbers the parameters hold (only those with requires_grad if asked)."""
        return sum(p.data.size for p in self.parameters()
                   if p.requires_grad or not trainable_only)

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (override in layers)."""
        return ""

    def _tree_repr(self) -> str:
        children = [f"({name}): " + module._tree_repr().replace("\n", "\n  ")
                    for name, module in self.named_children()]
        extra = self.extra_repr()
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = ([extra] if extra else []) + children
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"

    def __repr__(self) -> str:
        count = self.num_parameters()
        if count == 0:
            return self._tree_repr()
        trainable = self.num_parameters(trainable_only=True)
        frozen = f", {count - trainable:,} frozen" if trainable != count else ""
        return f"{self._tree_repr()}  # {count:,} parameters{frozen}"


def _describe(module: Module) -> str:
    """A layer as its repr's first line shows it, e.g. `Linear(in_features=2, ...)`."""
    try:
        extra = module.extra_repr()
    except Exception:  # a broken extra_repr must not hide the error being reported
        extra = ""
    return f"{type(module).__name__}({extra})"


def _in_layer(module: Module, error: Exception) -> Exception:
    """The error raised inside `module`'s forward, with the layer named in front (same type).

    Only the innermost layer adds its name: an error that already carries one passes
    through the enclosing layers (a Sequential, the model) unchanged.
    """
    if getattr(error, "_tt_layer", None) is not None or len(error.args) > 1:
        return error
    message = error.args[0] if error.args else ""
    try:
        named = type(error)(f"{_describe(module)}: {message}")
    except Exception:  # an exception type that cannot be rebuilt from a message
        return error
    named._tt_layer = module
    return named


def default_float(dtype: Any = None) -> np.dtype:
    """A layer's parameter dtype: `dtype`, or tt's default float dtype (float32)."""
    if dtype is not None:
        return np.dtype(dtype)
    import tt_tensor

    getter = getattr(tt_tensor, "get_default_dtype", None)
    return np.dtype(getter() if getter is not None else np.float32)


def _names_device(value: Any) -> bool:
    """True for `"cpu"`, `"cuda:0"`, `tt.device(...)`: what `to()` treats as a device."""
    from tt_tensor.device import device

    return isinstance(value, device) or (isinstance(value, str) and value.partition(":")[0] in (
        "cpu", "cuda", "mps", "xpu", "meta"))


def _bump_version(tensor: Tensor) -> None:
    """Record an in-place change of `tensor`'s values (backward checks the counter)."""
    tensor._version += 1


def _as_buffer(owner: str, name: str, value: Any) -> Tensor | None:
    if value is None or isinstance(value, Tensor):
        return value
    if isinstance(value, (np.ndarray, int, float, list)):
        return Tensor(np.asarray(value))
    raise TypeError(f"{owner}.{name} is a buffer: assign a Tensor, a NumPy array or None, "
                    f"not {type(value).__name__}")


def _to_numpy(value: Any) -> np.ndarray:
    """A state-dict value as a NumPy array (tt Tensors, arrays, and torch tensors via .numpy())."""
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # torch's, without importing torch
        return value.detach().cpu().numpy()
    return np.asarray(value)
