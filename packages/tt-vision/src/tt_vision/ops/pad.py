"""Padding the last dimensions of a tensor, as `torch.nn.functional.pad`.

`pad` lists (before, after) amounts from the LAST dimension backwards:
`(left, right)` pads the last axis, `(left, right, top, bottom)` the last two. Modes:
- "constant": fill with `value`;
- "reflect": mirror without repeating the edge (`[1, 2, 3]` padded by 2 -> `[3, 2, 1, 2, 3, 2, 1]`);
- "replicate": repeat the edge value;
- "circular": wrap around.

Backward: for "constant" the gradient is the middle slice. For the others every output
element is a copy of one input element, and the gradient adds up the copies: per padded
axis, `np.add.at` with the index map `np.pad(arange(n), ..., mode)` (one vectorised call).
"""

from __future__ import annotations

import numpy as np
from tt_tensor import Example, Function

_NUMPY_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
               "circular": "wrap"}


def _widths(who: str, shape, pad) -> list[tuple[int, int]]:
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > len(shape):
        raise ValueError(f"{who}: pad {pad} must have an even length of at most "
                         f"2 * {len(shape)} for input of shape {tuple(shape)}")
    widths = [(0, 0)] * len(shape)
    for k in range(len(pad) // 2):
        widths[len(shape) - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    return widths


class PadOp(Function):
    """Pad with a constant, a reflection, a copy of the edge or a wrap-around (see the module)."""

    name = "pad"

    @staticmethod
    def forward(ctx, x, *, pad, mode="constant", value=0.0):
        x = np.asarray(x)
        if mode not in _NUMPY_MODE:
            raise ValueError(f"pad: mode must be one of {', '.join(map(repr, _NUMPY_MODE))}, "
                             f"got {mode!r}")
        widths = _widths("pad", x.shape, pad)
        if any(a < 0 or b < 0 for a, b in widths):
            raise ValueError(f"pad: negative padding {tuple(pad)} is not supported")
        for axis, (a, b) in enumerate(widths):
            if mode == "reflect" and max(a, b) >= x.shape[axis] and (a or b):
                raise ValueError(f"pad: reflect padding {(a, b)} must be smaller than the "
                                 f"dimension {axis} of size {x.shape[axis]} (input {x.shape})")
            if mode in ("replicate", "circular") and x.shape[axis] == 0 and (a or b):
                raise ValueError(f"pad: cannot {mode} an empty dimension {axis} of {x.shape}")
            if mode == "circular" and max(a, b) > x.shape[axis]:
                raise ValueError(f"pad: circular padding {(a, b)} must be at most the size "
                                 f"{x.shape[axis]} of dimension {axis} (input {x.shape})")
        ctx.widths, ctx.mode, ctx.shape = widths, mode, x.shape
        if mode == "constant":
            return np.pad(x, widths, mode="constant", constant_values=value)
        return np.pad(x, widths, mode=_NUMPY_MODE[mode])

    @staticmethod
    def backward(ctx, grad):
        if ctx.mode == "constant":
            return (grad[tuple(slice(a, a + n) for (a, _), n in zip(ctx.widths, ctx.shape))],)
        g = grad
        for axis, ((a, b), n) in enumerate(zip(ctx.widths, ctx.shape)):
            if a == b == 0:
                continue
            source = np.pad(np.arange(n), (a, b), mode=_NUMPY_MODE[ctx.mode])
            moved = np.moveaxis(g, axis, -1)
            summed = np.zeros(moved.shape[:-1] + (n,), dtype=grad.dtype)
            np.add.at(summed, (Ellipsis, source), moved)
            g = np.moveaxis(summed, -1, axis)
        return (g,)

    @staticmethod
    def flops(ctx, inputs, output):
        return 0

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        x = r.normal(size=(2, 3, 4, 5))
        return [Example(x, pad=(1, 2), value=0.5),
                Example(x, pad=(1, 2, 0, 3)),
                Example(x, pad=(3, 1, 2, 2), mode="reflect"),
                Example(x, pad=(2, 0, 1, 4), mode="replicate"),
                Example(x, pad=(4, 1, 3, 2), mode="circular"),
                Example(r.normal(size=(2, 3, 6)), pad=(2, 3), mode="reflect")]
