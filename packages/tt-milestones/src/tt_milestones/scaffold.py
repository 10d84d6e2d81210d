"""`tt-milestones new NAME --op conv2d`: a plugin package for a learner's own piece of tt.

The package it writes installs with one `pip install -e NAME` and is found by tt like any
other plugin (entry points `tt` and `tt.ops`). For an op it holds a `Function` subclass
(`Conv2dOp`) whose `forward` and `backward` are left to the learner — clear TODOs, the
shapes in the docstring — with `examples()` for the gradient check already filled in, and
a test that runs `tt-milestones check`. With `--layer Linear` it adds a layer that calls
the learner's op. The path from there:

    tt-milestones new my-conv --op conv2d
    pip install -e my-conv
    # write forward and backward in my-conv/src/my_conv/ops.py
    tt-milestones check my-conv
    tt-milestones run cnn --use conv2d=my-conv
"""

from __future__ import annotations

import inspect
import keyword
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*$")
FORWARD_TODO = "# TODO(forward)"
BACKWARD_TODO = "# TODO(backward)"


class ScaffoldError(ValueError):
    """The name, the op or the layer cannot be scaffolded; the message says why."""


@dataclass
class Scaffold:
    """What `new` wrote: the folder, the names, the files and the line that installs it."""

    path: Path
    distribution: str
    module: str
    op: str | None = None
    op_class: str | None = None
    layer: str | None = None
    files: list[Path] = field(default_factory=list)

    @property
    def install_line(self) -> str:
        """`pip install -e my-conv` (relative to where the command ran, when possible)."""
        try:
            shown = self.path.relative_to(Path.cwd())
        except ValueError:
            shown = self.path
        return f"pip install -e {shown}"


def op_class_name(op: str) -> str:
    """`conv2d` -> `Conv2dOp`, `cross_entropy` -> `CrossEntropyOp` (tt's naming)."""
    return "".join(part[:1].upper() + part[1:] for part in op.split("_")) + "Op"


def _registered(kind: str) -> dict[str, tuple[str, Any]]:
    """Built-in registrations of `kind` by name: (provider, object).

    The op a learner replaces is the one tt uses by default: a built-in alternative (a
    tt-accelerate kernel, used only once chosen) is the template only if nothing else
    provides the name.
    """
    from tt_tensor import plugins

    from tt_milestones.check import is_builtin

    def rank(entry) -> tuple[bool, bool]:  # lower is better: built in, then not an alternative
        return (not is_builtin(entry.provider), entry.alternative)

    best: dict[str, Any] = {}
    for entry in plugins.listing(kind):
        if entry.name not in best or rank(entry) < rank(best[entry.name]):
            best[entry.name] = entry
    return {name: (entry.provider, entry.obj) for name, entry in best.items()}


def _signature(op: Any) -> str:
    """forward's parameters as source, e.g. `ctx, x, weight, bias=None, *, stride=1, padding=0`."""
    try:
        signature = inspect.signature(op.forward)
    except (TypeError, ValueError):
        return "ctx, x"
    return str(signature)[1:-1]


def _positional(op: Any) -> list[str]:
    try:
        params = list(inspect.signature(op.forward).parameters.values())[1:]
    except (TypeError, ValueError):
        return ["x"]
    return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _description(op: Any) -> str:
    """The built-in op's docstring without the parts that give the backward away."""
    doc = inspect.getdoc(op) or ""
    keep = [p for p in doc.split("\n\n")
            if not re.search(r"backward|gradient|\bd[A-Za-z]+\s*=", p, re.IGNORECASE)]
    return "\n\n".join(keep).strip()


def _value_source(value: Any) -> str:
    """Python source that rebuilds one example input."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            return f"r.normal(size={tuple(value.shape)!r})"
        if value.size <= 24:
            return f"np.array({value.tolist()!r})"
        return f"r.integers(0, {int(value.max()) + 1}, size={tuple(value.shape)!r})"
    return repr(value)


def _examples_source(op: Any) -> str:
    """The body of `examples()`: the built-in op's examples, as fresh random inputs."""
    try:
        examples = list(op.examples() or [])
    except Exception:
        examples = []
    if not examples:
        return ("        r = np.random.default_rng(0)\n"
                "        return [Example(r.normal(size=(3, 4)))]  # TODO: inputs of the right shapes\n")
    lines = ["        r = np.random.default_rng(0)", "        return ["]
    for example in examples:
        parts = [_value_source(x) for x in example.inputs]
        parts += [f"{k}={v!r}" for k, v in example.params.items()]
        lines.append(f"            Example({', '.join(parts)}),")
    lines.append("        ]")
    return "\n".join(lines) + "\n"


def _op_source(op_name: str, reference: Any | None, reference_provider: str | None,
               module: str, provider: str) -> str:
    cls = op_class_name(op_name)
    if reference is not None:
        signature = _signature(reference)
        inputs = _positional(reference)
        description = _description(reference) or f"The `{op_name}` op."
        compared = (f"`tt-milestones check {provider}` compares it with {reference_provider}'s "
                    f"`{op_name}` (forward and every input's gradient) and gradchecks it on "
                    "`examples()`.")
    else:
        signature, inputs = "ctx, x", ["x"]
        description = f"The `{op_name}` op (tt has no built-in `{op_name}` to compare it with)."
        compared = (f"`tt-milestones check {provider}` gradchecks it on `examples()` "
                    "(finite differences against your forward).")
    grads = ", ".join(f"grad_{n}" for n in inputs)
    optional = [n for n in inputs if re.search(rf"\b{n}=None", signature)]
    int_or_pair = [n for n in ("kernel_size", "stride", "padding", "dilation")
                   if f"{n}=" in signature]
    notes = []
    if optional:
        notes.append(f"{', '.join(optional)} may be None (then return None in its place).")
    if int_or_pair:
        notes.append(f"{', '.join(int_or_pair)} may be an int or a pair (h, w): "
                     "`sh, sw = (s, s) if isinstance(s, int) else s`.")
    if "*," in signature or "=" in signature:
        notes.append("An option you do not support yet may raise NotImplementedError: the "
                     "check then skips those inputs and says so.")
    notes.append("Keep NumPy vectorised: no Python loops over pixels or batch items.")
    note_text = "".join(f"    - {n}\n" for n in notes)
    body = textwrap.indent(description, "    ")
    return f'''"""My own `{op_name}` op: forward and backward written by hand.

{compared}
"""

import numpy as np
from tt_tensor import Example, Function


class {cls}(Function):
    """{body.strip()}

    What to write:
        forward({signature}) -> the output, a NumPy array.
            The inputs arrive as NumPy arrays. Keep on `ctx` what backward needs
            (e.g. `ctx.x = x`).
        backward(ctx, grad) -> ({grads}{"," if len(inputs) == 1 else ""})
            `grad` is the gradient of the loss with respect to the output (the output's
            shape); return the gradient of each positional input, in order, each with the
            shape of its input. `ctx.needs_grad[i]` says whether input i needs one.
    Notes:
{note_text}    """

    name = "{op_name}"

    @staticmethod
    def forward({signature}):
        {FORWARD_TODO}: compute the output from the inputs and return it.
        raise NotImplementedError("{op_name} forward: write it in src/{module}/ops.py")

    @staticmethod
    def backward(ctx, grad):
        {BACKWARD_TODO}: return ({grads}{"," if len(inputs) == 1 else ""}).
        raise NotImplementedError("{op_name} backward: write it in src/{module}/ops.py")

    @staticmethod
    def examples():
        """Inputs the gradient check runs your op on (float64, small)."""
{_examples_source(reference) if reference is not None else _examples_source(None)}'''


# The layers a learner most often rebuilds, with the arguments their op takes.
LAYER_CALLS = {
    "Linear": "{op}.apply(x, self.weight, self.bias)",
    "Conv2d": "{op}.apply(x, self.weight, self.bias, stride=self.stride, padding=self.padding)",
}


def _layer_source(layer: str, base: Any, base_provider: str, op_name: str | None,
                  op_cls: str | None) -> str:
    call = LAYER_CALLS.get(layer)
    imports = f"from {base.__module__.split('.')[0]} import {base.__name__} as Builtin{layer}\n"
    if op_cls is not None and call is not None:
        imports += f"\nfrom {{module}}.ops import {op_cls}\n"
        forward = (f"        # Your op, called directly (`OPS[\"{op_name}\"]` would follow the "
                   "--use choice).\n"
                   f"        return {call.format(op=op_cls)}\n")
    else:
        forward = ("        # TODO(layer): your own forward; the built-in's runs until then.\n"
                   "        return super().forward(x)\n")
    return f'''"""My own `{layer}` layer.

It keeps {base_provider}'s `{layer}` constructor and parameters (so it is built and
initialised the same way) and computes its forward with my own op.
"""

{imports}

class {layer}(Builtin{layer}):
    """{layer}, as {base_provider}'s, with my forward."""

    def forward(self, x):
{forward}'''


def scaffold(name: str, op: str | None = None, layer: str | None = None,
             parent: str | Path = ".") -> Scaffold:
    """Write the plugin package `parent/NAME`; raises ScaffoldError with the reason."""
    if not NAME_PATTERN.match(name or ""):
        raise ScaffoldError(f"new: {name!r} is not a usable package name: use letters, digits "
                            "and single - or _ (e.g. my-conv)")
    module = name.replace("-", "_").lower()
    if keyword.iskeyword(module) or module in ("tt", "tt_tensor", "tt_autograd", "tt_nn",
                                                "tt_vision", "tt_text", "tt_milestones"):
        raise ScaffoldError(f"new: {name!r} would clash with the module {module!r}; pick "
                            "another name (e.g. my-conv)")
    if op is None and layer is None:
        raise ScaffoldError("new: say what to build: --op NAME (e.g. conv2d) and/or --layer "
                            "NAME (e.g. Linear)")
    from tt_milestones.check import is_builtin

    ops, layers = _registered("ops"), _registered("layers")
    base = None
    if layer is not None:
        if layer not in layers:
            known = ", ".join(sorted(n for n, (p, _) in layers.items() if is_builtin(p)))
            raise ScaffoldError(f"new: --layer {layer}: no layer of that name is registered "
                                f"(known: {known})")
        base = layers[layer]
        if op is None and layer.lower() in ops:
            op = layer.lower()  # Linear brings linear, Conv2d brings conv2d
    if op is not None and not re.match(r"^[a-z][a-z0-9_]*$", op):
        raise ScaffoldError(f"new: --op {op}: op names are lower-case torch names such as "
                            "conv2d or linear")
    target = Path(parent).expanduser().resolve() / name
    if target.exists() and any(target.iterdir()):
        raise ScaffoldError(f"new: {target} already exists and is not empty; choose another "
                            "NAME or remove it")

    result = Scaffold(target, name, module, op=op, layer=layer)
    files: dict[str, str] = {}
    reference = ops.get(op) if op is not None else None
    depends = {"tt-nn"}
    if reference is not None:
        depends.add(reference[0])
    if base is not None:
        depends.add(base[0])
    depends = {d for d in depends if d not in ("tt-tensor", "tt-autograd")} or {"tt-nn"}
    entry_ops = f'\n[project.entry-points."tt.ops"]\n{op} = "{module}.plugin"\n' if op else ""
    what = " and ".join(x for x in (f"{op} op" if op else "", f"{layer} layer"
                                    if layer else "") if x)
    files["pyproject.toml"] = f'''# {name}: my own {what} for tt.
# Install (editable, so edits take effect at once): pip install -e {name}
[build-system]
requires = ["hatchling>=1.26"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "0.1.0"
description = "My own {what} for tt."
requires-python = ">=3.10"
dependencies = [{", ".join(f'"{d}"' for d in sorted(depends))}, "tt-milestones"]

# How tt finds this plugin: provider name = the module holding the hooks.
[project.entry-points.tt]
{name} = "{module}.plugin"
{entry_ops}
[tool.hatch.build.targets.wheel]
packages = ["src/{module}"]
'''
    hooks = ['"""What ' + name + ' registers with tt (see tt_tensor.hookspecs)."""\n',
             "from tt_tensor import hookimpl\n"]
    exports = []
    if op is not None:
        cls = op_class_name(op)
        result.op_class = cls
        files[f"src/{module}/ops.py"] = _op_source(
            op, None if reference is None else reference[1],
            None if reference is None else reference[0], module, name)
        hooks.append(f'''
@hookimpl
def register_ops(register):
    from {module}.ops import {cls}

    register({cls}.name, {cls})
''')
        exports.append(("ops", cls))
    if layer is not None:
        files[f"src/{module}/layers.py"] = _layer_source(
            layer, base[1], base[0], op, result.op_class).replace("{module}", module)
        hooks.append(f'''
@hookimpl
def register_layers(register):
    from {module}.layers import {layer}

    register("{layer}", {layer})
''')
        exports.append(("layers", layer))
    files[f"src/{module}/plugin.py"] = "\n".join(hooks)
    imports = "".join(f"from {module}.{m} import {n}\n" for m, n in exports)
    names = ", ".join(repr(n) for _, n in exports)
    files[f"src/{module}/__init__.py"] = (f'"""{name}: my own {what} for tt."""\n\n{imports}\n'
                                          f"__all__ = [{names}]\n")
    use = f"{layer or op}={name}"
    files[f"tests/test_{module}.py"] = f'''"""My pieces pass the same check `tt-milestones run --use {use}` runs first."""

from tt_milestones.check import check_provider


def test_every_op_matches_the_builtin_and_its_gradients_check():
    reports = check_provider("{name}")
    problems = [m.message() for r in reports for m in r.mismatches]
    assert not problems, "\\n".join(problems)
    assert all(r.passed for r in reports), [r.summary() for r in reports]
'''
    milestone = {"conv2d": "cnn", "Conv2d": "cnn", "max_pool2d": "cnn", "linear": "mlp",
                 "Linear": "mlp"}.get(layer or op or "", "--all")
    files["README.md"] = f'''# {name}

My own {what} for tt.

    pip install -e {name}                         # once; edits take effect at once
    tt-milestones check {name}                    # gradcheck + comparison with tt's own
    tt-milestones run {milestone} --use {use}     # train a milestone with my piece
    python -m pytest {name}/tests                 # the same check as a test

Write `forward` and `backward` where the TODOs are. `--use {use}` chooses this package
for `{layer or op}`{f" and the op `{op}` it brings along" if layer and op else ""}.
'''
    target.mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        result.files.append(path)
    return result
