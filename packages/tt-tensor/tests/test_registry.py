"""The plugin registry: hooks, providers, conflicts, choices and listing.

Each hook in `tt_tensor.hookspecs` has a `test_hook_<name>` here; a meta-test fails when a
hook is added without one.
"""

import inspect
import sys
import types

import numpy as np
import pytest
import tt_tensor as tt
from tt_tensor import Function, hookimpl, hookspecs, plugins
from tt_tensor.plugins import RegistryError


class Double(Function):
    """A learner's op: 2a."""

    name = "double"

    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, grad):
        return (grad * 2,)


class MyAdd(Function):
    """A learner's own `add` that counts its calls."""

    name = "add"
    calls = 0

    @staticmethod
    def forward(ctx, a, b):
        MyAdd.calls += 1
        return np.add(a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


def make_plugin(kind, name, obj):
    hook = f"register_{kind}"
    calls = []

    @hookimpl(specname=hook)
    def impl(register):
        calls.append(1)
        register(name, obj)

    return types.SimpleNamespace(**{hook: impl}), calls


def test_hook_register_ops():
    plugin, _ = make_plugin("ops", "double", Double)
    with plugins.plugin(plugin, name="learner"):
        assert tt.OPS["double"].apply(tt.tensor([1.0, 2.0])).tolist() == [2.0, 4.0]
        assert ("ops", "double", "learner") in [(e.kind, e.name, e.provider) for e in plugins.listing()]
    with pytest.raises(RegistryError, match="no op named 'double'"):
        tt.OPS["double"]


def test_hook_register_layers():
    layer = type("MyLinear", (), {})
    plugin, _ = make_plugin("layers", "MyLinear", layer)
    with plugins.plugin(plugin, name="learner"):
        assert plugins.get("layers", "MyLinear") is layer
    with pytest.raises(RegistryError, match="no layer named 'MyLinear'"):
        plugins.get("layers", "MyLinear")


def test_hook_register_optimizers():
    optimizer = type("Lion", (), {})
    plugin, _ = make_plugin("optimizers", "Lion", optimizer)
    with plugins.plugin(plugin, name="learner"):
        assert plugins.get("optimizers", "Lion") is optimizer
        assert plugins.registry().providers("optimizers", "Lion") == ["learner"]


def test_hook_register_datasets():
    dataset = type("Spirals", (), {})
    plugin, _ = make_plugin("datasets", "Spirals", dataset)
    with plugins.plugin(plugin, name="learner"):
        assert plugins.get("datasets", "Spirals") is dataset


def test_hook_register_milestones():
    milestone = object()
    plugin, _ = make_plugin("milestones", "adaline", milestone)
    with plugins.plugin(plugin, name="learner"):
        assert plugins.get("milestones", "adaline") is milestone
        assert "adaline" in plugins.registry().names("milestones")


def test_hook_register_functions():
    def hardtanh(input, min_val=-1.0, max_val=1.0):
        return input.clamp(min_val, max_val)

    plugin, _ = make_plugin("functions", "my_hardtanh", hardtanh)
    with plugins.plugin(plugin, name="learner"):
        assert plugins.get("functions", "my_hardtanh") is hardtanh
    with pytest.raises(RegistryError, match="no function named 'my_hardtanh'"):
        plugins.get("functions", "my_hardtanh")


def test_hook_register_engines():
    seen = []
    plugin, _ = make_plugin("engines", "backward",
                            lambda tensor, gradient, retain_graph=None: seen.append(tensor))
    x = tt.tensor([1.0], requires_grad=True)
    y = x * 2
    with plugins.plugin(plugin, name="my-engine"):
        with pytest.raises(RegistryError, match="'backward' is registered by both"):
            y.backward()
        plugins.use("backward", "my-engine")
        y.backward()
    assert seen == [y] and x.grad is None
    y.backward()  # tt-autograd's engine again, once the plugin is gone
    assert x.grad.tolist() == [2.0]


def test_every_hook_has_a_test():
    hooks = [name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
             if name.startswith("register_")]
    tests = {name for name in dir(sys.modules[__name__]) if name.startswith("test_hook_")}
    missing = [h for h in hooks if f"test_hook_{h}" not in tests]
    assert len(hooks) == 7 and not missing, f"hooks without a test_hook_<name>: {missing}"


def test_builtin_ops_come_through_the_same_hook():
    providers = {e.provider for e in plugins.listing("ops") if e.name in ("add", "matmul", "softmax")}
    assert providers == {"tt-tensor"}


def test_a_name_registered_twice_names_both_providers_until_one_is_chosen():
    plugin, _ = make_plugin("ops", "add", MyAdd)
    with plugins.plugin(plugin, name="my-add"):
        with pytest.raises(RegistryError, match="'add' is registered by both 'tt-tensor' and 'my-add'"):
            tt.ones(2) + tt.ones(2)
        plugins.use("add", "my-add")
        before = MyAdd.calls
        assert (tt.ones(2) + tt.ones(2)).tolist() == [2.0, 2.0]
        assert MyAdd.calls == before + 1
        plugins.use("add", "tt-tensor")
        assert (tt.ones(2) + tt.ones(2)).tolist() == [2.0, 2.0]
        assert MyAdd.calls == before + 1
    assert (tt.ones(2) + tt.ones(2)).tolist() == [2.0, 2.0]  # the choice left with the plugin


def test_choosing_a_provider_that_does_not_offer_the_name_is_an_error():
    with pytest.raises(RegistryError, match="'nobody' does not provide 'add'"):
        plugins.use("add", "nobody")


def test_a_provider_registering_one_name_twice_is_an_error():
    @hookimpl(specname="register_ops")
    def twice(register):
        register("double", Double)
        register("double", Double)

    with pytest.raises(RegistryError, match="'twice' registered the op 'double' twice"):
        with plugins.plugin(types.SimpleNamespace(register_ops=twice), name="twice"):
            tt.OPS["double"]
    plugins.invalidate()


def test_hooks_run_when_the_registry_is_built_never_per_op():
    plugin, calls = make_plugin("ops", "double", Double)
    with plugins.plugin(plugin, name="learner"):
        x = tt.tensor([1.0])
        for _ in range(100):
            tt.OPS["double"].apply(x)
            x = x + 1
        assert len(calls) == 1


def test_blocked_plugins_are_left_out(monkeypatch):
    import subprocess

    code = ("import tt_tensor as tt\n"
            "try:\n    tt.ones(1) + 1\nexcept tt.RegistryError as e:\n    print('missing add')\n")
    env = {**__import__("os").environ, "TT_BLOCK_PLUGINS": "tt-tensor"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "missing add"


def test_listing_says_who_provided_what():
    rows = plugins.listing("ops")
    assert all(isinstance(e.provider, str) and e.provider for e in rows)
    names = [e.name for e in rows if e.provider == "tt-tensor"]
    assert {"add", "matmul", "log_softmax", "getitem"} <= set(names)


# ----- alternatives: registered, listed, choosable, but never used unless chosen ---------------
class FastAdd(MyAdd):
    """An accelerated `add` offered as an alternative (as tt-accelerate offers its kernels)."""

    calls = 0

    @staticmethod
    def forward(ctx, a, b):
        FastAdd.calls += 1
        return np.add(a, b)


def alternative_plugin(name, obj):
    @hookimpl(specname="register_ops")
    def impl(register):
        register(name, obj, alternative=True)

    return types.SimpleNamespace(register_ops=impl)


def test_an_alternative_changes_nothing_until_chosen():
    with plugins.plugin(alternative_plugin("add", FastAdd), name="fast"):
        before = FastAdd.calls
        assert (tt.ones(2) + tt.ones(2)).tolist() == [2.0, 2.0]  # not ambiguous
        assert FastAdd.calls == before and tt.OPS["add"] is not FastAdd
        assert plugins.registry().providers("ops", "add") == ["tt-tensor", "fast"]
        rows = [(e.provider, e.alternative) for e in plugins.listing("ops") if e.name == "add"]
        assert rows == [("tt-tensor", False), ("fast", True)]


def test_a_chosen_alternative_runs_and_clear_choices_switches_it_off():
    with plugins.plugin(alternative_plugin("add", FastAdd), name="fast"):
        plugins.use("add", "fast")
        before = FastAdd.calls
        assert (tt.ones(2) + tt.ones(2)).tolist() == [2.0, 2.0]
        assert FastAdd.calls == before + 1 and tt.OPS["add"] is FastAdd
        plugins.clear_choices("fast")
        assert tt.OPS["add"] is not FastAdd
        plugins.use("add", "fast")
        plugins.clear_choices()
        assert tt.OPS["add"] is not FastAdd
        (tt.ones(2) + tt.ones(2))
        assert FastAdd.calls == before + 1
    assert tt.OPS["add"] is not FastAdd


def test_clear_choices_of_one_provider_keeps_the_others():
    my_add, _ = make_plugin("ops", "add", MyAdd)
    with plugins.plugin(my_add, name="my-add"), \
            plugins.plugin(alternative_plugin("double", Double), name="fast"):
        plugins.use("add", "my-add")
        plugins.use("double", "fast")
        plugins.clear_choices("fast")
        assert tt.OPS["add"] is MyAdd
        with pytest.raises(RegistryError, match="no op named 'double'"):
            tt.OPS["double"]
        plugins.clear_choices()


def test_an_alternative_without_a_base_provider_is_missing_until_chosen():
    with plugins.plugin(alternative_plugin("double", Double), name="fast"):
        with pytest.raises(RegistryError, match="no op named 'double' is registered"):
            tt.OPS["double"]
        assert plugins.registry().providers("ops", "double") == ["fast"]
        plugins.use("double", "fast")
        assert tt.OPS["double"].apply(tt.tensor([1.0])).tolist() == [2.0]


def test_an_alternative_beside_two_providers_leaves_them_ambiguous():
    my_add, _ = make_plugin("ops", "add", MyAdd)
    with plugins.plugin(my_add, name="my-add"), \
            plugins.plugin(alternative_plugin("add", FastAdd), name="fast"):
        with pytest.raises(RegistryError, match="'add' is registered by both 'tt-tensor' and "
                                                "'my-add'; choose"):
            tt.ones(2) + tt.ones(2)
        plugins.use("add", "fast")
        assert tt.OPS["add"] is FastAdd
    assert tt.OPS["add"] is not FastAdd
