"""Check the built site as a person would see it, in a real headless Chromium.

Run after `hatch run docs:build`:

    hatch run docs:check            # python docs/scripts/check_site.py [--site site]

It serves the built site on 127.0.0.1, opens pages in headless Chromium and checks that:
- the home page, a milestone page and an API page render their headings, and every image
  on them has loaded (a broken image has a natural width of 0);
- typing "Conv2d" into the site search lists a result that links to it;
- the browser asked no other host for anything (no remote fonts, scripts or images);
- every API page renders its docstrings right (`api_faults`): no stray italics (`2*padding`
  or `C*kH*kW` read by Markdown as emphasis), doctest examples as code blocks (not as
  nested block quotes with the lines run together), one table row per parameter (not
  `in_channels, out_channels` in one row), and public base classes (not "Bases: _Pool2d").
A screenshot of the home page is kept in `<site>/check/home.png` (and one of the search
results beside it). Exit status 0 when every check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

from cdp import Browser, Page

ROOT = Path(__file__).resolve().parents[2]

# What each page must show: its path in the site, a piece of its first heading, and a CSS
# selector for the content that makes the page worth having.
PAGES = [
    ("home", "", "tt", "#package-map"),
    ("milestone", "milestones/cnn/", "1998", "article table"),    # the verification table
    ("api", "api/tt-vision/", "tt_vision", "[id='tt_vision.Conv2d']"),
]
# Pages whose content has pictures (the package map; the loss curve).
PAGES_WITH_IMAGES = {"home", "milestone"}
SEARCH_TERM = "Conv2d"
API_PAGES = ("tt-tensor", "tt-autograd", "tt-nn", "tt-vision", "tt-text", "tt-milestones")

# Run in the page: every rendering fault of the docstrings on it, as {kind: [examples]}.
API_FAULTS_JS = r"""
(() => {
  const faults = {italics: [], doctest: [], parameters: [], bases: []};
  const root = document.querySelector('article') || document.body;
  const around = (node, before) => {
    let sib = before ? node.previousSibling : node.nextSibling;
    const text = sib ? (sib.textContent || '') : '';
    return before ? text.slice(-1) : text.slice(0, 1);
  };
  for (const em of root.querySelectorAll('em')) {
    if (em.closest('pre, code, td:last-child')) continue;   // 'required' defaults
    const text = em.textContent;
    // Markdown pairs two `*` of `C*kH*kW` or `(*, d)`: the italics touch a letter, a digit
    // or a bracket on the outside, which intended emphasis (` *so* `) never does.
    const glued = /[A-Za-z0-9(]/.test(around(em, true)) || /[A-Za-z0-9)]/.test(around(em, false));
    if (glued) faults.italics.push(around(em, true) + '*' + text + '*' + around(em, false));
  }
  if (root.querySelector('blockquote blockquote')) {
    faults.doctest.push((root.querySelector('blockquote blockquote').textContent || '').trim().slice(0, 60));
  }
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.textContent.includes('>>>') && !n.parentElement.closest('pre, code')) {
      faults.doctest.push(n.textContent.trim().slice(0, 60));
    }
  }
  for (const table of root.querySelectorAll('table')) {
    const first = table.querySelector('thead th');   // mkdocstrings' name/type/description tables
    if (!first || first.textContent.trim() !== 'Name') continue;
    for (const row of table.querySelectorAll('tbody tr')) {
      const name = row.querySelector('td code');
      if (name && /[,\s]/.test(name.textContent.trim())) faults.parameters.push(name.textContent.trim());
    }
  }
  for (const bases of root.querySelectorAll('.doc-class-bases code')) {
    const name = bases.textContent.trim();
    if (/(^|\.)_[A-Za-z]/.test(name)) faults.bases.push(name);
  }
  return faults;
})()
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the check's output to its own report
        pass


def serve(site: Path) -> http.server.ThreadingHTTPServer:
    """Serve `site` on 127.0.0.1 at a free port, in a background thread."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Report:
    """Collects pass/fail lines and prints them as they come."""

    def __init__(self) -> None:
        self.failures = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        print(f"{'PASS' if ok else 'FAIL'}  {what}" + (f"  ({detail})" if detail else ""))
        self.failures += not ok
        return ok


def open_page(page: Page, url: str) -> bool:
    """Navigate and wait until the document and its images have finished loading."""
    page.call("Page.navigate", url=url)
    return bool(page.wait_for(
        f"location.href.startsWith({json.dumps(url)}) && document.readyState === 'complete'"
        " && [...document.images].every(img => img.complete)"))


def check_page(page: Page, report: Report, base: str, label: str, path: str,
               heading: str, content: str) -> None:
    url = base + path
    report.check(open_page(page, url), f"{label} page loads", url)
    h1 = page.evaluate("(document.querySelector('article h1') || {}).textContent || ''")
    report.check(heading in h1, f"{label} page heading", repr(h1.strip().rstrip("¶")))
    headings = page.evaluate("document.querySelectorAll('article h2').length")
    report.check(headings > 0, f"{label} page has section headings", f"{headings} h2")
    shown = page.evaluate(f"!!document.querySelector({json.dumps(content)})")
    report.check(shown, f"{label} page shows its content", content)
    images = page.evaluate(
        "[...document.querySelectorAll('article img')].map(img => "
        "({src: img.getAttribute('src'), width: img.naturalWidth}))")
    broken = [img["src"] for img in images if img["width"] == 0]
    if label in PAGES_WITH_IMAGES:
        report.check(len(images) > 0, f"{label} page shows images", f"{len(images)} found")
    report.check(not broken, f"{label} page images all load", ", ".join(broken) or "none broken")


def api_faults(page: Page, url: str) -> dict[str, list[str]]:
    """Open `url` and return every docstring rendering fault on it, by kind."""
    open_page(page, url)
    return page.evaluate(API_FAULTS_JS)


FAULT_NAMES = {"italics": "no stray italics", "doctest": "examples render as code blocks",
               "parameters": "one table row per parameter", "bases": "public base classes"}


def check_api_pages(page: Page, report: Report, base: str) -> None:
    for name in API_PAGES:
        url = f"{base}api/{name}/"
        faults = api_faults(page, url)
        for kind, label in FAULT_NAMES.items():
            found = faults.get(kind, [])
            report.check(not found, f"api/{name}: {label}",
                         f"{len(found)} found: {found[:3]}" if found else "")


def check_search(page: Page, report: Report, base: str, shots: Path) -> None:
    """Type the term into the search box like a person, and look for a matching result."""
    open_page(page, base)
    page.evaluate("document.querySelector('.md-search__input').focus()")
    page.call("Input.insertText", text=SEARCH_TERM)
    results = page.wait_for(
        "[...document.querySelectorAll('.md-search-result__item a')]"
        f".filter(a => a.textContent.includes({json.dumps(SEARCH_TERM)}))"
        ".map(a => a.getAttribute('href'))", timeout=20)
    report.check(bool(results), f"search for {SEARCH_TERM!r} finds it",
                 f"{len(results or [])} matching results, first: {(results or ['none'])[0]}")
    page.screenshot(shots / "search.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM")
                        or shutil.which("chromium") or shutil.which("chromium-browser"),
                        help="the Chromium executable (default: chromium on PATH)")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        print(f"check_site: no built site at {args.site}; run `hatch run docs:build` first")
        return 1
    if not args.chromium:
        print("check_site: Chromium not found; install it (Debian: apt-get install chromium) "
              "or pass --chromium PATH")
        return 1

    server = serve(args.site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    shots = args.site / "check"
    report = Report()
    try:
        with Browser.launch(args.chromium) as browser:
            page = browser.page()
            page.call("Page.enable")
            page.call("Network.enable")  # so every request the page makes is reported
            page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                      deviceScaleFactor=1, mobile=False)
            for label, path, heading, content in PAGES:
                check_page(page, report, base, label, path, heading, content)
                if label == "home":
                    page.screenshot(shots / "home.png", full_page=True)
            check_search(page, report, base, shots)
            check_api_pages(page, report, base)

            requested = {e["params"]["request"]["url"] for e in page.events
                         if e["method"] == "Network.requestWillBeSent"}
            remote = sorted(u for u in requested if urlparse(u).scheme in ("http", "https")
                            and urlparse(u).hostname != "127.0.0.1")
            report.check(not remote, "no request left 127.0.0.1",
                         f"{len(requested)} requests" + (f"; remote: {remote[:5]}" if remote else ""))
    finally:
        server.shutdown()
    report.check((shots / "home.png").stat().st_size > 0 if (shots / "home.png").exists()
                 else False, "home page screenshot saved", str(shots / "home.png"))
    print(f"{report.failures} failed" if report.failures else "all site checks passed")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
