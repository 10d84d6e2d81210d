"""`einsum`: sums of products named by index letters, e.g. "bij,bjk->bik" (batched matmul).

Forward is `np.einsum`. The gradient of operand k is again an einsum: the output's
gradient times every other operand, summed down to operand k's letters. Two details:
letters that appear only in operand k (summed away inside it, like j in "ij->i") are
broadcast back, and a letter repeated inside operand k (a diagonal, like "ii->i") puts
the gradient on that diagonal.
"""

import string

import numpy as np

from tt_tensor.dtypes import promote
from tt_tensor.function import Example, Function


def parse(equation: str, shapes) -> tuple[list[str], str]:
    """The equation with "..." spelled out as letters, and the output made explicit."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: the equation {equation!r} names {len(terms)} operands but "
                         f"{len(shapes)} were given")
    spare = [c for c in string.ascii_letters if c not in equation]
    widths = [len(shape) - (len(t) - 3) for t, shape in zip(terms, shapes) if "..." in t]
    ellipsis = "".join(spare[:max(widths, default=0)])
    spelled = []
    for t, shape in zip(terms, shapes):
        if "..." in t:
            width = len(shape) - (len(t) - 3)
            t = t.replace("...", ellipsis[len(ellipsis) - width:] if width else "")
        if len(t) != len(shape):
            raise ValueError(f"einsum: the subscripts {t!r} do not fit an operand of shape {tuple(shape)}")
        spelled.append(t)
    if arrow:
        out = rhs.replace("...", ellipsis)
    else:  # implicit output: the ellipsis, then every letter used once, in alphabetical order
        letters = "".join(spelled)
        out = ellipsis + "".join(sorted(c for c in set(letters) if letters.count(c) == 1
                                        and c not in ellipsis))
    return spelled, out


class EinsumOp(Function):
    """`torch.einsum(equation, *operands)`. Derivative of operand k: einsum of the gradient
    with the other operands, onto operand k's subscripts."""

    name = "einsum"

    @staticmethod
    def forward(ctx, *operands, equation):
        operands = promote(*[np.asarray(x) for x in operands])
        ctx.terms, ctx.out_term = parse(equation, [x.shape for x in operands])
        ctx.operands = operands
        spelled = ",".join(ctx.terms) + "->" + ctx.out_term
        try:
            return np.asarray(np.einsum(spelled, *operands, optimize=len(operands) > 2))
        except ValueError as error:
            shapes = ", ".join(str(x.shape) for x in operands)
            raise ValueError(f"einsum: {equation!r} does not fit operands of shapes {shapes}: {error}") from None

    @staticmethod
    def backward(ctx, grad):
        terms, operands = ctx.terms, ctx.operands
        grads = []
        for k, (term, x) in enumerate(zip(terms, operands)):
            if not ctx.needs_grad[k]:
                grads.append(None)
                continue
            sizes = dict(zip(term, x.shape))
            unique = "".join(dict.fromkeys(term))
            others = [(t, o) for j, (t, o) in enumerate(zip(terms, operands)) if j != k]
            available = set(ctx.out_term).union(*[set(t) for t, _ in others])
            reachable = "".join(c for c in unique if c in available)
            spec = ",".join([ctx.out_term] + [t for t, _ in others]) + "->" + reachable
            g = np.einsum(spec, grad, *[o for _, o in others], optimize=len(others) > 1)
            # Letters summed away inside operand k alone: each of their values got the same gradient.
            for axis, c in enumerate(unique):
                if c not in available:
                    g = np.expand_dims(g, axis)
            g = np.broadcast_to(g, tuple(sizes[c] for c in unique))
            if len(unique) == len(term):
                grads.append(np.array(g))
                continue
            full = np.zeros(x.shape, grad.dtype)  # repeated letters: write onto the diagonal
            grids = np.ix_(*[np.arange(sizes[c]) for c in unique])
            full[tuple(grids[unique.index(c)] for c in term)] = g
            grads.append(full)
        return tuple(grads)

    @staticmethod
    def flops(ctx, inputs, output):
        sizes = {}
        for term, x in zip(ctx.terms, ctx.operands):
            sizes.update(zip(term, x.shape))
        return int(2 * np.prod(list(sizes.values())))

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        return [Example(r.normal(size=(3, 4)), r.normal(size=(4, 5)), equation="ij,jk->ik"),
                Example(r.normal(size=(2, 3, 4)), r.normal(size=(2, 4, 5)), equation="bij,bjk->bik"),
                Example(r.normal(size=(3, 4)), equation="ij->i"),
                Example(r.normal(size=(3, 3)), equation="ii->i"),
                Example(r.normal(size=(3, 3)), equation="ii"),
                Example(r.normal(size=(4,)), r.normal(size=(5,)), equation="i,j->ij"),
                Example(r.normal(size=(2, 3, 4)), r.normal(size=(4,)), equation="...j,j->..."),
                Example(r.normal(size=(2, 3)), r.normal(size=(3, 4)), r.normal(size=(4,)), equation="ab,bc,c->a")]
