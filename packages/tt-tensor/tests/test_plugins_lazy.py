"""The registry collects only what is asked for, stays right under threads, and names culprits."""

import os
import subprocess
import sys
import threading
import types

import pytest
import tt_tensor as tt
from tt_tensor import Function, hookimpl, plugins
from tt_tensor.plugins import RegistryError


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_the_first_op_imports_only_the_plugin_that_declares_it():
    result = run("import sys, tt_tensor as tt\n"
                 "tt.tensor([1.0]) + 1\n"
                 "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('tt')}))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['tt_tensor']"


def test_backward_imports_the_engine_and_nothing_above_it():
    result = run("import sys, tt_tensor as tt\n"
                 "x = tt.tensor([1.0], requires_grad=True)\n"
                 "(x * x).sum().backward()\n"
                 "print(x.grad.tolist(), sorted({m.split('.')[0] for m in sys.modules "
                 "if m.startswith('tt')}))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[2.0] ['tt_autograd', 'tt_tensor']"


def test_asking_for_a_layer_imports_no_milestone():
    # Every plugin module is imported to ask for layers, but the milestones' plugin module
    # registers nothing of that kind and so imports none of them.
    result = run("import sys, tt_tensor\n"
                 "tt_tensor.plugins.get('layers', 'Linear')\n"
                 "print(sorted(m for m in sys.modules if m.startswith('tt_milestones')))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['tt_milestones', 'tt_milestones.plugin']"


def test_without_the_engine_backward_names_the_package_to_install():
    result = run("import tt_tensor as tt\n"
                 "x = tt.tensor([1.0], requires_grad=True)\n"
                 "try:\n    (x * 2).sum().backward()\n"
                 "except RuntimeError as e:\n    print(e)", TT_BLOCK_PLUGINS="tt-autograd")
    assert "backward: gradients need the tt-autograd package" in result.stdout
    assert "pip install tt-autograd" in result.stdout


def test_an_op_of_a_blocked_plugin_says_it_is_blocked():
    result = run("import tt_tensor as tt\n"
                 "try:\n    tt.OPS['conv2d']\n"
                 "except tt.RegistryError as e:\n    print(e)", TT_BLOCK_PLUGINS="tt-vision")
    assert "'conv2d' is provided by 'tt-vision', which is blocked by the environment variable " \
           "TT_BLOCK_PLUGINS" in result.stdout


class Triple(Function):
    name = "triple"

    @staticmethod
    def forward(ctx, a):
        return a * 3

    @staticmethod
    def backward(ctx, grad):
        return (grad * 3,)


def test_a_hook_that_raises_is_named_and_does_not_break_other_ops():
    @hookimpl(specname="register_ops")
    def broken(register):
        raise ValueError("oops")

    with plugins.plugin(types.SimpleNamespace(register_ops=broken), name="broken-plugin"):
        with pytest.raises(RegistryError, match=r"'broken-plugin' failed in its register_ops hook: "
                                                r"ValueError: oops.*TT_BLOCK_PLUGINS=broken-plugin"):
            tt.OPS["triple"]
    assert (tt.ones(1) + 1).tolist() == [2.0]


def test_an_installed_plugin_must_declare_its_ops():
    registry = plugins.registry()
    catalogue = registry.catalogue
    with pytest.raises(RegistryError, match=r'(?s)registers the ops triple without declaring them.*'
                                            r'\[project.entry-points."tt.ops"\]\ntriple = '):
        catalogue.plugins["pretend"] = types.SimpleNamespace(value="pretend.plugin")
        try:
            registry._check_declared("ops", "pretend", ["triple"])
        finally:
            del catalogue.plugins["pretend"]


def test_registering_in_one_thread_never_hides_ops_from_another():
    @hookimpl(specname="register_ops")
    def extra(register):
        register("triple", Triple)

    errors, stop = [], threading.Event()

    def compute():
        x = tt.ones(3)
        while not stop.is_set():
            try:
                x + 1
                x * 2
            except Exception as error:  # noqa: BLE001  (any failure is the finding)
                errors.append(error)
                return

    workers = [threading.Thread(target=compute) for _ in range(2)]
    for w in workers:
        w.start()
    try:
        for _ in range(50):
            with plugins.plugin(types.SimpleNamespace(register_ops=extra), name="extra"):
                tt.OPS["triple"]
    finally:
        stop.set()
        for w in workers:
            w.join()
    assert errors == []


def test_every_installed_plugin_declares_exactly_the_ops_it_registers():
    registry = plugins.registry()
    registry.names("ops")  # asks every installed plugin
    catalogue = registry.catalogue
    for provider in catalogue.plugins:
        if registry.manager.is_blocked(provider):
            continue
        registered = {e.name for e in registry.listing("ops") if e.provider == provider}
        assert registered == catalogue.declared_by("ops", provider), provider


def test_install_hint_names_pip_and_the_clone_form():
    hint = plugins.install_hint("tt-vision")
    assert hint.startswith("pip install tt-vision")
    if plugins.from_clone():
        assert "pip install -e packages/tt-vision" in hint
