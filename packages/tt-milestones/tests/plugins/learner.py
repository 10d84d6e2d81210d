"""A learner's session, for the tests: scaffold a plugin, fill in conv2d, install it.

`install(package, site)` installs a scaffolded package the way `pip install -e` would for
tt's purposes — a `.dist-info` with its METADATA and the entry points read from its own
pyproject.toml, and the source folder on PYTHONPATH — without touching the environment.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

# A correct conv2d, as a learner might write it: one product per kernel offset (kH*kW of
# them), never a loop over pixels or images.
FORWARD = '''\
        if locals().get("groups", 1) != 1 or locals().get("dilation", 1) not in (1, (1, 1)):
            raise NotImplementedError("groups and dilation are not written yet")
        sh, sw = (stride, stride) if isinstance(stride, int) else stride
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        o, c, kh, kw = weight.shape
        oh = (xp.shape[2] - kh) // sh + 1
        ow = (xp.shape[3] - kw) // sw + 1
        out = np.zeros((x.shape[0], oh, ow, o), dtype=np.result_type(x, weight))
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]  # (N, C, oH, oW)
                out += np.tensordot(patch, weight[:, :, i, j], axes=([1], [1]))
        out = out.transpose(0, 3, 1, 2)
        if bias is not None:
            out = out + bias[None, :, None, None]
        ctx.xp, ctx.weight, ctx.steps, ctx.pads = xp, weight, (sh, sw), (ph, pw)
        ctx.has_bias = bias is not None
        return np.ascontiguousarray(out)
'''

BACKWARD = '''\
        xp, weight = ctx.xp, ctx.weight
        (sh, sw), (ph, pw) = ctx.steps, ctx.pads
        o, c, kh, kw = weight.shape
        oh, ow = grad.shape[2:]
        gxp = np.zeros_like(xp)
        gw = np.zeros_like(weight)
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
                gw[:, :, i, j] = np.tensordot(grad, patch, axes=([0, 2, 3], [0, 2, 3]))
                gxp[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw] += np.tensordot(
                    grad, weight[:, :, i, j], axes=([1], [0])).transpose(0, 3, 1, 2)
        gx = gxp[:, :, ph:xp.shape[2] - ph, pw:xp.shape[3] - pw]
        gb = grad.sum(axis=(0, 2, 3)) if ctx.has_bias else None
        return RETURN
'''

CORRECT = "gx, gw, gb"
# The four bugs a learner planted in issue 15, and what the check must call each one.
BUGS = {
    "zero weight gradient": ("gx, gw * 0, gb", "input 1 (weight)", "zero"),
    "flipped sign": ("gx, -gw, gb", "input 1 (weight)", "sign"),
    "zero input gradient": ("gx * 0, gw, gb", "input 0 (x)", "zero"),
    "gradient x1e4": ("gx * 1e4, gw * 1e4, None if gb is None else gb * 1e4",
                      "input 0 (x)", "scale"),
}


def fill_in(package: Path, module: str, returned: str = CORRECT) -> Path:
    """Replace the scaffold's two TODOs in ops.py with a conv2d returning `returned`."""
    ops = package / "src" / module / "ops.py"
    lines = ops.read_text().splitlines(keepends=True)
    out, skip = [], False
    for line in lines:
        if "# TODO(forward)" in line:
            out.append(FORWARD)
            skip = True
            continue
        if "# TODO(backward)" in line:
            out.append(BACKWARD.replace("RETURN", returned))
            skip = True
            continue
        if skip and "raise NotImplementedError" in line:
            skip = False
            continue
        out.append(line)
    ops.write_text("".join(out))
    return ops


def install(package: Path, site: Path) -> dict:
    """Make `package` importable and found by tt; returns the env for a subprocess."""
    project = tomllib.loads((package / "pyproject.toml").read_text())["project"]
    name = project["name"]
    info = site / f"{name.replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\n"
                                   f"Version: {project['version']}\n")
    groups = []
    for group, entries in project.get("entry-points", {}).items():
        groups.append(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items()))
    (info / "entry_points.txt").write_text("\n".join(groups))
    return {"PYTHONPATH": f"{site}{':'}{package / 'src'}"}
