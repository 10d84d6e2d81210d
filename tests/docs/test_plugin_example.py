"""The example plugin in examples/tt-plugin-example installs like any package and works.

It is installed with pip into a temporary folder (`--target`, no dependencies, no index:
the hatch environment is left untouched and nothing is downloaded), then a fresh
interpreter with that folder on PYTHONPATH checks that tt discovered it through its entry
point and that what it registered works.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "tt-plugin-example"
PROVIDER = "tt-plugin-example"

CHECK = textwrap.dedent("""
    import sys
    import tt_milestones
    import tt_plugin_example
    from tt_autograd import gradcheck
    from tt_tensor import OPS, plugins, tensor

    target = sys.argv[1]
    assert tt_plugin_example.__file__.startswith(target), tt_plugin_example.__file__

    # 1. tt found the plugin through its entry point, and knows what it provided.
    provided = {(e.kind, e.name) for e in plugins.listing() if e.provider == "%(provider)s"}
    expected = {("ops", "swish"), ("layers", "Swish"), ("milestones", "swish-xor")}
    assert provided == expected, provided

    # 2. The op works by name and its backward agrees with finite differences.
    op = OPS["swish"]
    for example in op.examples():
        gradcheck(lambda *xs: op.apply(*xs, **example.params), example.inputs)

    # 3. The layer computes swish through the registry.
    Swish = plugins.get("layers", "Swish")
    y = Swish()(tensor([-1.0, 0.0, 2.0]))
    assert abs(y.numpy()[2] - 2.0 / (1.0 + 2.718281828459045 ** -2.0)) < 1e-6

    # 4. The milestone trains and passes its checks.
    result = tt_milestones.run("swish-xor", seed=0)
    print("swish-xor passed:", result.passed, "accuracy:", result.accuracy)
    assert result.passed, result
""") % {"provider": PROVIDER}


@pytest.mark.install
def test_example_plugin_installs_registers_and_runs(tmp_path):
    pytest.importorskip("hatchling", reason="building the example plugin needs hatchling "
                        "(its build backend) in the test environment")
    source = tmp_path / "source"
    shutil.copytree(EXAMPLE, source)  # build in a copy: the source tree stays untouched
    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, f"pip install failed:\n{install.stdout}\n{install.stderr}"
    assert list(target.glob("tt_plugin_example-*.dist-info/entry_points.txt"))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(target), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    env.pop("TT_BLOCK_PLUGINS", None)
    run = subprocess.run([sys.executable, "-c", CHECK, str(target)], capture_output=True,
                         text=True, env=env, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, f"the installed plugin failed:\n{run.stdout}\n{run.stderr}"
    assert "swish-xor passed: True" in run.stdout


def test_example_plugin_is_not_installed_in_this_environment():
    # The install test must prove discovery from its own folder, not from a leftover install.
    from importlib import metadata

    names = {d.metadata["Name"] for d in metadata.distributions()}
    assert "tt-plugin-example" not in names
