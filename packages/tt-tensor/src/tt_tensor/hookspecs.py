"""The hooks a tt plugin can implement: each one's docstring is its documentation.

A plugin is a module or object with functions marked `@tt_tensor.hookimpl` and named like
the hooks below. Each hook receives a `register` callback; call it once per thing you
provide. Plugins are found through the `tt` entry-point group, and the ops a plugin registers are
listed in the `tt.ops` group, so that tt imports a plugin only when one of its ops is
first used. In pyproject.toml:

    [project.entry-points.tt]
    my-conv = "my_conv.plugin"

    [project.entry-points."tt.ops"]
    conv2d = "my_conv.plugin"

Hooks run once, when the registry is first needed (or rebuilt after a plugin is added or
removed), never during an op call.
"""

from __future__ import annotations

import pluggy

PROJECT = "tt"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_ops(register):
    """Provide ops: `register(name, function_class)`.

    `function_class` subclasses `tt_tensor.Function` (forward and backward side by side,
    `examples()` for the gradient check, `flops()` for cost counting). Tensor methods and
    functional layers look ops up by name, so registering `"conv2d"` from your package and
    selecting it (`tt_tensor.plugins.use("conv2d", "my-package")`) swaps the implementation
    everywhere. `register(name, function_class, alternative=True)` offers a faster version
    of an op another package provides: it is used only once chosen with `use()`.
    """


@hookspec
def register_layers(register):
    """Provide layers: `register(name, module_class)`, e.g. `register("Linear", Linear)`.

    Code that builds models by name (the milestones) asks the registry for the class, so a
    learner's own `Linear` can stand in for the built-in one.
    """


@hookspec
def register_optimizers(register):
    """Provide optimizers and schedulers: `register(name, optimizer_class)`, e.g. `"Adam"`."""


@hookspec
def register_datasets(register):
    """Provide datasets: `register(name, dataset_class_or_factory)`, e.g. `"TinyDigits"`."""


@hookspec
def register_milestones(register):
    """Provide milestones: `register(name, milestone)`.

    `milestone` is a `tt_milestones.Milestone`: what it trains, the packages and registered
    names it needs, and the bars it must clear.
    """


@hookspec
def register_functions(register):
    """Provide functional forms: `register(name, function)`, e.g. `register("conv2d", conv2d)`.

    These are the stateless functions `tt.nn.functional` shows, with PyTorch's names,
    arguments and defaults (`conv2d(input, weight, bias=None, stride=1, padding=0, ...)`).
    Each one checks its arguments and calls its op from `tt_tensor.OPS`.
    """


@hookspec
def register_engines(register):
    """Provide the autograd engine: `register("backward", backward)`.

    `Tensor.backward()` calls the registered `backward(tensor, gradient, retain_graph=...)`;
    tt-autograd registers it, so tt-tensor never imports the floor above it.
    """
