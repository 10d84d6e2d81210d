"""The API pages render docstrings right: the Griffe extension's fixes, and the site check
that finds the faults they fix (in a real headless Chromium, when one is installed)."""

from __future__ import annotations

import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs" / "scripts"))

import griffe_tt  # noqa: E402


def test_example_section_with_a_doctest_becomes_examples():
    text = "A layer.\n\nExample:\n    >>> conv = Conv2d(1, 8, 3)\n    >>> conv.weight.shape\n    (8, 1, 3, 3)"
    assert "\nExamples:\n    >>> conv" in griffe_tt.fix_docstring(text, [])


def test_a_loose_doctest_is_fenced():
    fixed = griffe_tt.fix_docstring("What it is.\n\n>>> import tt_text\n>>> 1 + 1\n2", [])
    assert "```pycon\n>>> import tt_text\n>>> 1 + 1\n2\n```" in fixed


def test_stars_in_maths_are_escaped_but_not_in_code_or_emphasis():
    fixed = griffe_tt.fix_docstring(
        "oH = (H + 2*padding - kH), C*kH*kW rows, shape (*), `a*b` and *really* so", [])
    assert r"2\*padding" in fixed and r"C\*kH\*kW" in fixed and r"(\*)" in fixed
    assert "`a*b`" in fixed and "*really*" in fixed
    assert r"out\[i]\[j]" in griffe_tt.fix_docstring("out[i][j] = x", [])


def test_parameters_get_one_item_each():
    text = ("Args:\n    in_channels, out_channels: channels C and O.\n"
            "    kernel_size: an int or (kH, kW). stride, dilation: an int or a pair.\n"
            "    padding: zero padding. groups: split the channels into that many\n"
            "    independent convolutions. bias: learn an offset.\n\nShape: (N, C, H, W).")
    fixed = griffe_tt.fix_docstring(text, ["in_channels", "out_channels", "kernel_size",
                                           "stride", "dilation", "padding", "groups", "bias"])
    lines = fixed.split("\n")
    for name in ("in_channels", "out_channels", "kernel_size", "stride", "dilation", "padding",
                 "groups", "bias"):
        assert any(line.startswith(f"    {name}: ") for line in lines), (name, fixed)
    assert "    groups: split the channels into that many independent convolutions." in lines
    assert fixed.endswith("\n\nShape: (N, C, H, W).")


def test_mkdocs_loads_the_extension():
    config = (ROOT / "mkdocs.yml").read_text()
    assert "docs/scripts/griffe_tt.py:TTDocstrings" in config


FAULTY = """<!doctype html><html><body><article>
<p class="doc doc-class-bases">Bases: <code>_Pool2d</code></p>
<p>uniform in ±1/sqrt(C<em>kH</em>kW), fine <em>emphasis</em> here</p>
<blockquote><blockquote><blockquote><p>conv = Conv2d(1, 8, 3)</p></blockquote></blockquote></blockquote>
<table><thead><tr><th>Name</th><th>Type</th><th>Description</th><th>Default</th></tr></thead>
<tbody><tr><td><code>in_channels, out_channels</code></td><td></td><td>x</td><td><em>required</em></td></tr>
</tbody></table></article></body></html>"""


def test_the_site_check_finds_each_fault(tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("no Chromium installed (Debian: apt-get install chromium)")
    from cdp import Browser
    from check_site import api_faults

    (tmp_path / "index.html").write_text(FAULTY, encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with Browser.launch(chromium) as browser:
            page = browser.page()
            page.call("Page.enable")
            faults = api_faults(page, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
    assert faults["bases"] == ["_Pool2d"]
    assert faults["parameters"] == ["in_channels, out_channels"]
    assert len(faults["italics"]) == 1 and "kH" in faults["italics"][0]
    assert faults["doctest"]
