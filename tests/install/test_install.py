"""Install tt from dist/ into fresh virtual environments, exactly as a user would.

One venv goes through a user's story, step by step (each test builds on the one before,
so they run in file order): install tt-nn and tt-vision, add tt-milestones, add tt-text,
remove tt-vision. A second venv installs `tt-milestones[all]`, building every package
from its sdist; a third keeps only tt-tensor and checks that it works forward-only.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.install, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
READY = ("perceptron", "xor", "mlp", "cnn")


@pytest.fixture(scope="module")
def user(new_venv):
    """The one venv the user's story happens in."""
    return new_venv("user")


def milestone_rows(listing: str) -> dict[str, str]:
    """The line of `tt-milestones list` output that names each milestone (lower-cased)."""
    rows = {}
    for line in listing.lower().splitlines():
        for name in (*READY, "transformer"):
            if re.search(rf"\b{name}\b", line) and name not in rows:
                rows[name] = line
    return rows


def assert_ready(rows: dict[str, str], name: str) -> None:
    assert name in rows, f"{name} is not in `tt-milestones list`: {rows}"
    assert "ready" in rows[name] and "locked" not in rows[name], rows[name]


def assert_locked(rows: dict[str, str], name: str, package: str) -> None:
    assert name in rows, f"{name} is not in `tt-milestones list`: {rows}"
    assert "locked" in rows[name] and f"pip install {package}" in rows[name], rows[name]


def test_nn_and_vision_install_and_a_cnn_trains(user, version):
    user.pip("install", "tt-nn", "tt-vision")
    installed = user.installed()
    for name in ("tt-tensor", "tt-autograd", "tt-nn", "tt-vision"):
        assert installed.get(name) == version, f"{name} {version} not installed: {installed}"
    assert "tt-text" not in installed and "tt-milestones" not in installed
    assert "numpy" in installed and "pluggy" in installed
    proc = user.run(user.python, HERE / "train_cnn.py")
    assert "cnn: loss" in proc.stdout, proc.stdout
    # tt-text is not installed: importing it fails, as it should.
    assert user.run(user.python, "-c", "import tt_text", check=False).returncode != 0


def test_milestones_list_shows_what_is_installed(user):
    user.pip("install", "tt-milestones")
    proc = user.cli("list", check=True)
    rows = milestone_rows(proc.stdout)
    for name in READY:
        assert_ready(rows, name)
    assert_locked(rows, "transformer", "tt-text")


def test_locked_milestone_exits_2_with_the_install_line(user):
    proc = user.cli("run", "transformer")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "pip install tt-text" in proc.stdout + proc.stderr


def test_cnn_milestone_passes(user):
    proc = user.cli("run", "cnn", "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_text_unlocks_the_transformer(user):
    user.pip("install", "tt-text")
    assert_ready(milestone_rows(user.cli("list", check=True).stdout), "transformer")
    proc = user.cli("run", "transformer", "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr


TT_NAMES = """
import tt
tt.nn.Conv2d; tt.nn.Embedding; tt.optim.Adam; tt.nn.functional.relu
tt.utils.data.DataLoader; tt.no_grad
print("ok")
"""
CONV_WITHOUT_VISION = """
import tt
try:
    tt.nn.Conv2d
except AttributeError as error:
    print(error)
"""


def test_import_tt_shows_every_installed_package(user):
    user.pip("install", "tt-framework")
    assert user.run(user.python, "-c", TT_NAMES).stdout.strip() == "ok"


def test_uninstalling_vision_locks_cnn_again(user):
    user.pip("uninstall", "-y", "tt-vision")
    rows = milestone_rows(user.cli("list", check=True).stdout)
    assert_locked(rows, "cnn", "tt-vision")
    for name in ("perceptron", "xor", "mlp", "transformer"):
        assert_ready(rows, name)
    proc = user.cli("run", "cnn")
    assert proc.returncode == 2 and "pip install tt-vision" in proc.stdout + proc.stderr
    proc = user.cli("run", "perceptron", "mlp", "--quiet")  # the MLP carries its own digits
    assert proc.returncode == 0, proc.stdout + proc.stderr
    message = user.run(user.python, "-c", CONV_WITHOUT_VISION).stdout
    assert "tt.nn.Conv2d is provided by tt-vision" in message and "pip install tt-vision" in message


def test_milestones_all_extra_installs_everything_from_sdists(dists, new_venv, version,
                                                             tt_packages, tmp_path):
    # Only tt's sdists are offered, so pip builds each package from its sdist (numpy and
    # friends still come as wheels from the registry). They are copied to a new folder
    # because pip caches the wheels it builds by the sdist's location, and would otherwise
    # reuse a wheel built from an older sdist of the same version.
    sdists = tmp_path / "sdists"
    sdists.mkdir()
    for sdist in dists.glob(f"tt_*-{version}.tar.gz"):
        shutil.copy(sdist, sdists)
    env = new_venv("all", find_links=sdists)
    env.pip("install", "tt-milestones[all]")
    installed = env.installed()
    for name in (p for p in tt_packages if p != "tt-framework"):  # the door is not needed
        assert installed.get(name) == version, f"{name} {version} not installed: {installed}"
    assert "matplotlib" in installed and "rich" in installed
    rows = milestone_rows(env.cli("list", check=True).stdout)
    for name in (*READY, "transformer"):
        assert_ready(rows, name)


FORWARD_ONLY = """
import tt_tensor as tt
x = tt.tensor([[1.0, 2.0]], requires_grad=True)
y = (x @ x.T).sum()
print(y.item())
try:
    y.backward()
except RuntimeError as error:
    print(error)
"""


def test_tensor_alone_works_forward_only_and_names_tt_autograd(new_venv):
    venv = new_venv("tensor-only")
    venv.pip("install", "tt-tensor", "tt-autograd")
    venv.pip("uninstall", "-y", "tt-autograd")
    assert "tt-autograd" not in venv.installed()
    value, message = venv.run(venv.python, "-c", FORWARD_ONLY).stdout.strip().splitlines()
    assert float(value) == 5.0
    assert "pip install tt-autograd" in message
