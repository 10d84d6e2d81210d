"""The API reference's list of names is complete and current (generated from the registry)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "generated" / "tt-names.md"


def script():
    spec = importlib.util.spec_from_file_location("make_api_index",
                                                  ROOT / "docs" / "scripts" / "make_api_index.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_page_is_current():
    assert PAGE.read_text(encoding="utf-8") == script().page(), \
        "docs/generated/tt-names.md is stale: run `hatch run docs:names` and commit it"


def test_every_registered_name_and_tensor_function_is_listed():
    make = script()
    text = make.page()
    for kind, prefix in (("layers", "nn."), ("functions", "F."), ("optimizers", "")):
        for name in make.registered(kind):
            assert f"`{prefix}{name}`" in text, f"{kind} {name} is not on the page"
    for name in make.tensor_names():
        assert f"`tt.{name}`" in text


def test_the_reference_page_includes_the_list():
    assert '--8<-- "docs/generated/tt-names.md"' in (ROOT / "docs/api/names.md").read_text()
