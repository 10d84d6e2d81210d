"""A Griffe extension: tt's docstrings, written for readers of the source, render right on the site.

Loaded by mkdocstrings (mkdocs.yml, `extensions:`). It changes nothing in the code, only
what the API pages show:

- an `Example:` section holding `>>>` lines becomes an `Examples:` section, so the doctest
  renders as a code block (as `Example:` it is Markdown, where `>>>` turns into three
  nested block quotes and the lines run together);
- a `*` between letters, digits or brackets outside backticks (`C*kH*kW`, `2*padding`,
  `y*s + i`) is escaped, so Markdown does not turn the text between two of them into
  italics; so is the `[` of an index (`out[i][j]`), which Markdown reads as a link;
- in an `Args:` section, `in_channels, out_channels: ...` and a second parameter described
  inside another's text (`... stride, dilation: an int or a pair`) become one item per
  parameter, so the table has one row per parameter;
- a private base class (`_Pool2d`) is replaced by its own bases, up to public ones, so a
  page says "Bases: Module" rather than naming a class the reader cannot use.

`docs/scripts/check_site.py` checks the built pages for each of these faults.
"""

from __future__ import annotations

import re
from typing import Any

try:
    from griffe import Extension
except ImportError:  # the text fixes below are tested without the docs environment
    Extension = object  # type: ignore[misc,assignment]

EXAMPLE_HEADER = re.compile(r"^(\s*)Example:\s*$")
ARGS_HEADER = re.compile(r"^(\s*)(Args|Arguments|Parameters|Params|Attributes):\s*$")
STAR = re.compile(r"(?<=[\w)\]])\*(?=[\w(\[])|(?<=\()\*|\*(?=[),])")  # C*kH, (*), (*, d)
INDEX = re.compile(r"(?<=[\w\]])\[")  # a[i][j]: indexing, not a Markdown reference link
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def fix_examples(lines: list[str]) -> list[str]:
    """`Example:` followed by a block with `>>>` -> `Examples:` (rendered as code); a doctest
    outside any section (at the left margin) is fenced as a `pycon` code block."""
    lines = _fence_loose_doctests(lines)
    out = list(lines)
    for i, line in enumerate(lines):
        match = EXAMPLE_HEADER.match(line)
        if not match:
            continue
        body = []
        for nxt in lines[i + 1:]:
            if nxt.strip() and _indent(nxt) <= len(match.group(1)):
                break
            body.append(nxt)
        if any(b.strip().startswith(">>>") for b in body):
            out[i] = f"{match.group(1)}Examples:"
    return out


def _fence_loose_doctests(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].startswith(">>>"):
            out.append("```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(lines[i])
                i += 1
            out.append("```")
            continue
        out.append(lines[i])
        i += 1
    return out


def escape_stars(lines: list[str]) -> list[str]:
    """Escape `*` between word characters outside code (backticks, fences, doctest lines)."""
    out, fenced, in_doctest = [], False, False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("```"):
            fenced = not fenced
            out.append(line)
            continue
        if stripped.startswith((">>>", "... ")) or stripped == "...":
            in_doctest = True
        elif not stripped:
            in_doctest = False
        if fenced or in_doctest:
            out.append(line)
            continue
        parts = line.split("`")
        for k in range(0, len(parts), 2):  # even parts are outside backticks
            parts[k] = INDEX.sub(r"\\[", STAR.sub(r"\\*", parts[k]))
        out.append("`".join(parts))
    return out


def split_parameters(lines: list[str], names: list[str]) -> list[str]:
    """One `name: description` item per parameter in every Args section."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = ARGS_HEADER.match(lines[i])
        out.append(lines[i])
        i += 1
        if not match:
            continue
        header_indent = len(match.group(1))
        body = []
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > header_indent):
            if not lines[i].strip() and (i + 1 >= len(lines) or
                                         _indent(lines[i + 1]) <= header_indent):
                break
            body.append(lines[i])
            i += 1
        out.extend(_split_items(body, names))
    return out


def _split_items(body: list[str], names: list[str]) -> list[str]:
    filled = [b for b in body if b.strip()]
    if not filled:
        return body
    item_indent = _indent(filled[0])
    items: list[str] = []
    for line in body:
        if not line.strip():
            continue
        head = line.strip().partition(":")[0]
        starts = all(IDENTIFIER.match(n.strip()) for n in head.split(",")) and ":" in line
        if not items or (_indent(line) == item_indent and starts):
            items.append(line.strip())
        else:
            items[-1] += " " + line.strip()
    known = sorted(set(names), key=len, reverse=True)
    inner = None
    if known:
        one = "|".join(re.escape(n) for n in known)
        inner = re.compile(rf"(?<=[.;])\s+((?:{one})(?:\s*,\s*(?:{one}))*)\s*:\s")
    pieces: list[tuple[str, str]] = []
    for item in items:
        name, sep, text = item.partition(":")
        if not sep:
            pieces.append(("", item))
            continue
        chunks = [(name.strip(), text.strip())]
        if inner is not None:
            while True:
                head, desc = chunks[-1]
                found = inner.search(desc)
                if not found:
                    break
                chunks[-1] = (head, desc[:found.start()].strip())
                chunks.append((found.group(1), desc[found.end():].strip()))
        pieces.extend(chunks)
    pad = " " * item_indent
    result = []
    for name, text in pieces:
        if not name:
            result.append(pad + text)
            continue
        split = [n.strip() for n in name.split(",")]
        if len(split) > 1 and all(IDENTIFIER.match(n) for n in split):
            for n in split:
                result.append(f"{pad}{n}: {text}")
        else:
            result.append(f"{pad}{name}: {text}")
    return result


def parameter_names(obj: Any) -> list[str]:
    """The names of a function's parameters, or of a class's `__init__`."""
    try:
        if obj.is_class:
            init = obj.members.get("__init__")
            params = init.parameters if init is not None and not init.is_alias else obj.parameters
        elif obj.is_function:
            params = obj.parameters
        else:
            return []
        return [p.name for p in params if p.name not in ("self", "cls", "ctx")]
    except Exception:
        return []


def fix_docstring(text: str, names: list[str]) -> str:
    """All three text fixes, in order."""
    lines = text.split("\n")
    lines = fix_examples(lines)
    lines = split_parameters(lines, names)
    lines = escape_stars(lines)
    return "\n".join(lines)


def _public_bases(cls: Any, seen: set | None = None) -> list:
    seen = seen if seen is not None else set()
    bases = []
    for base in cls.bases:
        name = str(base).split(".")[-1]
        if not name.startswith("_"):
            bases.append(base)
            continue
        path = getattr(base, "canonical_path", None) or str(base)
        try:
            target = cls.modules_collection[path]
        except Exception:
            bases.append(base)
            continue
        if path in seen or not getattr(target, "is_class", False):
            bases.append(base)
            continue
        seen.add(path)
        bases.extend(_public_bases(target, seen))
    return bases


def _walk(obj: Any, seen: set):
    for member in list(obj.members.values()):
        if member.is_alias or id(member) in seen:
            continue
        seen.add(id(member))
        yield member
        if member.is_module or member.is_class:
            yield from _walk(member, seen)


class TTDocstrings(Extension):
    """Applies the fixes above to every object of every package mkdocstrings loads."""

    def on_package(self, *, pkg: Any, **kwargs: Any) -> None:
        self._fix(pkg)

    # griffe 1.x calls this one
    def on_package_loaded(self, *, pkg: Any, **kwargs: Any) -> None:
        self._fix(pkg)

    def _fix(self, pkg: Any) -> None:
        for obj in [pkg, *_walk(pkg, set())]:
            if obj.docstring is not None:
                obj.docstring.value = fix_docstring(obj.docstring.value, parameter_names(obj))
            if getattr(obj, "is_class", False) and obj.bases:
                obj.bases = _public_bases(obj)
