"""One line per name of torch's tensor surface: the same expression in tt and in PyTorch gives
the same values and the same gradients (float64, rtol 1e-9).

Each case is `name: (expression, inputs)`. The expression gets the module (`tt_tensor` or
`torch`) and the inputs as tensors of that module (float arrays require grad), so one
lambda serves both. Outputs may be tensors, numbers, or tuples of them (`max(dim)`);
the backward pass sends random weights through every floating-point output.
"""

import numpy as np
import pytest
import tt_tensor as tt

torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference comparisons skipped")

r = np.random.default_rng(0)
A = r.normal(size=(3, 4))
B = r.normal(size=(3, 4))
V = r.normal(size=(4,))
P = r.uniform(0.5, 2.0, size=(3, 4))       # positive
U = r.uniform(-0.9, 0.9, size=(3, 4))      # inside (-1, 1)
G = r.uniform(1.2, 3.0, size=(3, 4))       # above 1
S = r.normal(size=(2, 3, 4))
Q = r.normal(size=(4, 4))
Z = A.copy()
Z[0, 1] = Z[2, 0] = Z[2, 3] = 0.0           # zeros, for prod and cumprod
T = np.round(A * 4) / 2                    # ties, for max/min/amax/sort
I = r.integers(0, 4, size=(3, 6))          # indices along dim 1 (with repeats)
PERM = np.argsort(r.random((3, 4)), axis=1)  # a permutation along dim 1
M = A > 0.3                                # a mask
N = r.integers(-5, 6, size=(3, 4))         # integers
D = np.where(np.abs(P) < 0.1, 1.0, P) * np.where(r.random((3, 4)) > 0.5, 1, -1)  # non-zero divisors

CASES = {
    # ----- tensor core
    "add-alpha": (lambda m, a, b: m.add(a, b, alpha=2.5), [A, B]),
    "sub-alpha": (lambda m, a, b: a.sub(b, alpha=0.5), [A, B]),
    "mul": (lambda m, a, b: m.mul(a, b), [A, B]),
    "div": (lambda m, a, b: m.div(a, b), [A, D]),
    "div-trunc": (lambda m, a, b: m.div(a * 3, b, rounding_mode="trunc"), [A, D]),
    "div-floor": (lambda m, a, b: a.div(b, rounding_mode="floor") + a, [A, D]),
    "floordiv": (lambda m, a, b: (a * 3).detach() // b.detach() + a, [A, D]),
    "mod": (lambda m, a, b: (a * 3) % b, [A, D]),
    "remainder": (lambda m, a, b: m.remainder(a * 3, b), [A, D]),
    "fmod": (lambda m, a, b: m.fmod(a * 3, b), [A, D]),
    "fmod-int": (lambda m, n: m.fmod(n, 3) + n.remainder(-4) * 10, [N]),
    "floordiv-int": (lambda m, n: (n // 3) * 100 + m.div(n, -4, rounding_mode="trunc"), [N]),
    "pow": (lambda m, a, b: m.pow(a, b), [P, A]),
    "pow-cube": (lambda m, a: a ** 3.0 + a ** 2 + a ** 4, [A]),
    "pow-half": (lambda m, a: a ** 0.5 + a ** -1 + a ** -2.5, [P]),
    "rpow": (lambda m, a: 2.0 ** a, [A]),
    "matmul": (lambda m, a, q: m.matmul(a, q) + a.matmul(q), [A, Q]),
    "matmul-vv": (lambda m, v, w: v @ w, [V, V * 2]),
    "mm-mv-dot-outer": (lambda m, a, q, v: m.mm(a, q).sum(0) + q.mv(v) + m.dot(v, v) + m.outer(v, v).sum(1), [A, Q, V]),
    "bmm": (lambda m, s, q: m.bmm(s, q.expand(2, 4, 4)), [S, Q]),
    "min": (lambda m, a: a.min(), [A]),
    "min-dim": (lambda m, a: a.min(1), [A]),
    "min-dim-ties": (lambda m, t: m.min(t, 0, keepdim=True), [T]),
    "max": (lambda m, t: m.max(t), [T]),
    "max-dim": (lambda m, a: a.max(dim=-1), [A]),
    "max-other": (lambda m, a, b: m.max(a, b), [A, B]),
    "argmin": (lambda m, a: m.argmin(a, 1), [A]),
    "argmax-keepdim": (lambda m, a: a.argmax(dim=None, keepdim=True), [A]),
    "minimum": (lambda m, a, b: m.minimum(a, b), [A, B]),
    "minimum-ties": (lambda m, a: m.minimum(a, a * 1), [A]),
    "maximum-ties": (lambda m, t, a: m.maximum(t, m.round(t)), [T, A]),
    "std": (lambda m, a: a.std(), [A]),
    "std-dim": (lambda m, a: m.std(a, 1, keepdim=True), [A]),
    "std-correction": (lambda m, a: a.std(dim=0, correction=0), [A]),
    "var": (lambda m, a: a.var(), [A]),
    "var-unbiased-false": (lambda m, a: a.var(1, unbiased=False), [A]),
    "var-correction": (lambda m, s: m.var(s, dim=(0, 2), correction=2), [S]),
    "std_mean": (lambda m, a: m.std_mean(a, dim=1), [A]),
    "var_mean": (lambda m, a: m.var_mean(a, 0, correction=0), [A]),
    "prod": (lambda m, z: z.prod(), [Z]),
    "prod-dim": (lambda m, z: m.prod(z, 1, keepdim=True), [Z]),
    "logsumexp": (lambda m, a: m.logsumexp(a * 100, 1), [A]),
    "logsumexp-dims": (lambda m, s: s.logsumexp((0, 2), keepdim=True), [S]),
    "cumsum": (lambda m, a: m.cumsum(a, 1), [A]),
    "cumsum-dtype": (lambda m, n: n.cumsum(0, dtype=m.float64), [N]),
    "cumprod": (lambda m, z: m.cumprod(z, 1) + z.cumprod(0), [Z]),
    "cummax": (lambda m, t: m.cummax(t, 1), [T]),
    "cummin": (lambda m, t: t.cummin(0), [T]),
    "sum-dtype": (lambda m, n: n.sum(dtype=m.float64) + m.sum(n > 0), [N]),
    "sum-empty-dims": (lambda m, a: a.sum(dim=()), [A]),
    "any-all": (lambda m, a: (a > 0).any(0).double() + m.all(a > -1, 0, keepdim=True).double() + (a > 2).any(), [A]),
    "clip": (lambda m, a: m.clip(a, -0.5, 0.5) + a.clamp(min=0.1), [A]),
    "clamp-max": (lambda m, a: a.clamp(max=0.2), [A]),
    "type": (lambda m, a: a.type(m.float32).double() + a.double().type(m.float64), [A]),
    "int-bool-half": (lambda m, a: a.int().double() + a.bool().double() + (a.half().float() > 0).double(), [A * 3]),
    "dim-numel-item": (lambda m, a: a * a.dim() + a.numel() + a[0, 0].item(), [A]),
    "contiguous-clone": (lambda m, a: a.t().contiguous() * 2 + a.clone().t(), [A]),
    "view_as-reshape_as-expand_as": (lambda m, a, v: a.view_as(a.t()).sum() + v.reshape_as(v) + v.expand_as(a).sum(0), [A, V]),
    "comparisons": (lambda m, a, b: a.eq(b).double() + a.ne(b).double() + a.lt(b).double() * 2
                    + a.le(b).double() + a.gt(b).double() * 3 + a.ge(b).double() + a * 0, [A, B]),
    "norm": (lambda m, a: a.norm() + m.norm(a, dim=1).sum() + a.norm(p=1, dim=0, keepdim=True).sum(), [A]),
    "norm-p": (lambda m, a: a.norm(3, 1) + a.norm(float("inf"), 1) + a.norm(0.5, dim=1), [A]),
    "norm-zero-element": (lambda m, z: z.norm(0.5, 1).sum() + z.norm(1.5) + z.norm(3, 0).sum(), [Z]),
    "norm-zero-row": (lambda m, a: (a * m.tensor([[0.0], [1.0], [1.0]], dtype=m.float64)).norm(dim=1), [A]),
    "vector_norm": (lambda m, a: (m.linalg if m is torch else m).vector_norm(a, ord=-float("inf"), dim=(0, 1)), [A]),
    "unique": (lambda m, n: m.unique(n, return_inverse=True, return_counts=True), [N]),
    "bincount-count_nonzero": (lambda m, n: (m.bincount(n.flatten() + 5, minlength=12), m.count_nonzero(n, 1),
                                            m.argwhere(n > 3)), [N]),
    # ----- shape
    "roll": (lambda m, a: m.roll(a, 1, 1) + a.roll((1, -1), (0, 1)) * 2 + a.roll(5), [A]),
    "tril-triu": (lambda m, a: m.tril(a) + a.triu(1) * 2 + a.tril(-1) * 3, [A]),
    "flip": (lambda m, a: m.flip(a, [0, 1]) + a.flip(-1) * 2, [A]),
    "repeat": (lambda m, a: a.repeat(2, 1, 3), [A]),
    "expand": (lambda m, v: v.expand(3, -1) * v.reshape(4, 1).expand(4, 4)[:3], [V]),
    "diagonal": (lambda m, s: m.diagonal(s, 0, 1, 2) + s.diagonal(offset=-1, dim1=2, dim2=1).sum(), [S]),
    "unfold": (lambda m, s: s.unfold(2, 2, 1) * 2 + s.unfold(-1, 2, 1), [S]),
    "repeat_interleave": (lambda m, a: m.repeat_interleave(a, 2, dim=1), [A]),
    "repeat_interleave-counts": (lambda m, v: v.repeat_interleave(m.tensor([1, 0, 2, 3])), [V]),
    "repeat_interleave-flat": (lambda m, a: a.repeat_interleave(2), [A]),
    "unflatten": (lambda m, a: a.unflatten(1, (2, 2)) * 2, [A]),
    "split": (lambda m, a: m.split(a, 3, 1), [A]),
    "split-sizes": (lambda m, a: a.split([1, 2], dim=0), [A]),
    "chunk": (lambda m, a: m.chunk(a, 3, 1), [A]),
    "unbind": (lambda m, s: m.unbind(s, 1), [S]),
    "narrow": (lambda m, a: m.narrow(a, 1, 1, 2) + a.narrow(-1, -2, 2), [A]),
    "meshgrid": (lambda m, v, w: m.meshgrid(v, w, indexing="ij"), [V, V[:3]]),
    "meshgrid-xy": (lambda m, v, w: m.meshgrid(v, w, indexing="xy"), [V, V[:3]]),
    "movedim": (lambda m, s: m.movedim(s, 0, -1) * 2 + s.movedim((0, 1), (2, 0)).permute(0, 2, 1).transpose(1, 2), [S]),
    "permute-negative": (lambda m, s: s.permute(0, -1, -2), [S]),
    # ----- selection
    "gather": (lambda m, a, i: m.gather(a, 1, i), [A, I]),
    "gather-smaller": (lambda m, a, i: a.gather(0, i[:2, :3] % 3), [A, I]),
    "scatter": (lambda m, a, i, b: m.scatter(a, 1, i, b), [A, PERM, B]),
    "scatter-value": (lambda m, a, i: a.scatter(1, i[:, :2], 0.5), [A, PERM]),
    "scatter_add": (lambda m, a, i, b: m.scatter_add(a, 1, i[:, :4], b), [A, I, B]),
    "scatter_reduce-sum": (lambda m, a, i, b: a.scatter_reduce(1, i[:, :4], b, "sum"), [A, I, B]),
    "scatter_reduce-mean": (lambda m, a, i, b: a.scatter_reduce(1, i[:, :4], b, "mean", include_self=False), [A, I, B]),
    "scatter_reduce-amax": (lambda m, a, i, b: m.scatter_reduce(a, 1, i[:, :4], b, reduce="amax"), [A, I, B]),
    "scatter_reduce-amin": (lambda m, a, i, b: a.scatter_reduce(1, i[:, :4], b, "amin", include_self=False), [A, I, B]),
    "scatter_reduce-prod": (lambda m, a, i, b: a.scatter_reduce(1, i[:, :4], b, "prod"), [A, I, B]),
    "index_select": (lambda m, a: m.index_select(a, 1, m.tensor([3, 0, 3])), [A]),
    "sort": (lambda m, t: m.sort(t, 1), [T]),
    "sort-stable": (lambda m, t: m.sort(t, dim=1, stable=True), [T]),
    "sort-descending": (lambda m, t: t.sort(dim=0, descending=True, stable=True), [T]),
    "argsort": (lambda m, t: m.argsort(t, 1) + t.argsort(descending=True, stable=True), [T]),
    "topk": (lambda m, a: m.topk(a, 2, 1), [A]),
    "topk-smallest": (lambda m, a: a.topk(3, dim=0, largest=False), [A]),
    "nonzero": (lambda m, a: m.nonzero(a > 0), [A]),
    "nonzero-tuple": (lambda m, a: (a > 0).nonzero(as_tuple=True), [A]),
    "masked_fill": (lambda m, a, mask: m.masked_fill(a, mask, -1e9) + a.masked_fill(mask[0], 2.0), [A, M]),
    "masked_fill-tensor": (lambda m, a, mask, b: a.masked_fill(mask, b[0, 0]), [A, M, B]),
    "masked_select": (lambda m, a, mask: m.masked_select(a, mask) * 2 + a.masked_select(mask[1]).sum(), [A, M]),
    "where-scalars": (lambda m, a, mask: m.where(mask, 1.0, 0.0) + m.where(mask, a, 0.5) + m.where(mask, 2, a), [A, M]),
    "where-method": (lambda m, a, b, mask: a.where(mask, b), [A, B, M]),
    # ----- elementwise
    "sin": (lambda m, a: m.sin(a), [A]),
    "cos": (lambda m, a: a.cos(), [A]),
    "tan": (lambda m, u: m.tan(u), [U]),
    "asin": (lambda m, u: m.asin(u) + u.arcsin(), [U]),
    "acos": (lambda m, u: m.acos(u) + m.arccos(u), [U]),
    "atan": (lambda m, a: m.atan(a) + a.arctan(), [A]),
    "sinh": (lambda m, a: m.sinh(a), [A]),
    "cosh": (lambda m, a: a.cosh(), [A]),
    "asinh": (lambda m, a: m.asinh(a), [A]),
    "acosh": (lambda m, g: m.acosh(g), [G]),
    "atanh": (lambda m, u: u.atanh(), [U]),
    "floor": (lambda m, a: m.floor(a * 3) + a, [A]),
    "ceil": (lambda m, a: m.ceil(a * 3) * a, [A]),
    "round": (lambda m, a: m.round(a * 3) * a + a.round(decimals=2), [A]),
    "trunc": (lambda m, a: m.trunc(a * 3) * a + a.fix(), [A]),
    "sign": (lambda m, a: m.sign(a) * a, [A]),
    "rsqrt": (lambda m, p: m.rsqrt(p), [P]),
    "log2": (lambda m, p: m.log2(p), [P]),
    "log10": (lambda m, p: p.log10(), [P]),
    "log1p": (lambda m, p: m.log1p(p * 1e-9) + p.log1p(), [P]),
    "expm1": (lambda m, a: m.expm1(a * 1e-9) + a.expm1(), [A]),
    "exp2": (lambda m, a: m.exp2(a), [A]),
    "erf": (lambda m, a: m.erf(a * 2), [A]),
    "isinf-isnan-isfinite": (lambda m, a: (m.isinf(a / 0) + m.isnan(a - a) * 2 + (1 / a).isfinite()).double(), [A * 0 + np.eye(3, 4)]),
    "lerp": (lambda m, a, b: m.lerp(a, b, 0.3) + a.lerp(b, b.sigmoid()), [A, B]),
    "logaddexp": (lambda m, a, b: m.logaddexp(a * 100, b), [A, B]),
    "isclose": (lambda m, a, b: m.isclose(a, a + 1e-9).double() + a.isclose(b, atol=0.5).double(), [A, B]),
    "allclose": (lambda m, a, b: a * m.allclose(a, a + 1e-9) + a * a.allclose(b), [A, B]),
    "copysign": (lambda m, a, b: m.copysign(a, b) + a.copysign(-1.0), [A, B]),
    "square": (lambda m, a: m.square(a) + a.square(), [A]),
    "reciprocal": (lambda m, d: m.reciprocal(d), [D]),
    "neg-abs": (lambda m, a: m.neg(a) * m.abs(a) + m.negative(a), [A]),
    "exp-log-sqrt-tanh-sigmoid": (lambda m, p: m.exp(p) + m.log(p) + m.sqrt(p) + m.tanh(p) + m.sigmoid(p), [P]),
    "softmax-fn": (lambda m, a: m.softmax(a, 1) + m.log_softmax(a, 0), [A]),
    "flatten-fn": (lambda m, s: m.flatten(s, 1) + m.reshape(s, (2, 12)) + m.squeeze(m.unsqueeze(s, 0), 0).flatten(1), [S]),
    "transpose-fn": (lambda m, a: m.transpose(a, 0, 1) + m.t(a) + m.permute(a, (1, 0)) + m.swapaxes(a, 0, 1), [A]),
    "amax-amin": (lambda m, t: m.amax(t, 1) + t.amin(0)[:3] + m.amax(t), [T]),
    "mean-fn": (lambda m, a: m.mean(a, 1) + m.sum(a, 1, keepdim=False), [A]),
    "einsum-matmul": (lambda m, a, q: m.einsum("ij,jk->ik", a, q), [A, Q]),
    "einsum-batch": (lambda m, s, q: m.einsum("bij,jk->bki", s, q), [S, Q]),
    "einsum-trace": (lambda m, q: m.einsum("ii", q) + m.einsum("ii->i", q).sum(), [Q]),
    "einsum-outer-implicit": (lambda m, v, w: m.einsum("i,j", v, w), [V, V[:3]]),
    "einsum-ellipsis": (lambda m, s, v: m.einsum("...j,j->...", s, v), [S, V]),
    "einsum-three": (lambda m, a, q, v: m.einsum("ab,bc,c->a", a, q, v), [A, Q, V]),
    # ----- creation
    "linspace": (lambda m, a: a * m.linspace(-1, 2, 4, dtype=m.float64), [A]),
    "eye": (lambda m, a: a * m.eye(3, 4, dtype=m.float64), [A]),
    "full-full_like": (lambda m, a: a * m.full((3, 4), 2.5, dtype=m.float64) + m.full_like(a, 7), [A]),
    "empty-like": (lambda m, a: a + m.zeros_like(a) + m.ones_like(a, dtype=m.float64) + m.empty(3, 4, dtype=m.float64) * 0, [A]),
}


def _tensors(module, arrays):
    out = []
    for x in arrays:
        x = np.asarray(x)
        t = module.tensor(x.copy())
        if x.dtype.kind == "f":
            t.requires_grad_(True)
        out.append(t)
    return out


def _flatten(out):
    if isinstance(out, (tuple, list)):
        return [y for x in out for y in _flatten(x)]
    return [out]


def _value(x):
    if isinstance(x, (bool, int, float)):
        return np.asarray(x)
    return x.detach().numpy() if isinstance(x, torch.Tensor) else x.data


def check(expression, inputs):
    """Evaluate in tt and torch; compare every output, then every input's gradient."""
    ours, theirs = _tensors(tt, inputs), _tensors(torch, inputs)
    out, ref = _flatten(expression(tt, *ours)), _flatten(expression(torch, *theirs))
    assert len(out) == len(ref)
    loss_ours, loss_theirs = 0, 0
    weights = np.random.default_rng(1)
    for mine, reference in zip(out, ref):
        got, want = _value(mine), _value(reference)
        assert got.shape == want.shape, (got.shape, want.shape)
        assert got.dtype == np.dtype(str(want.dtype).replace("torch.", "")), (got.dtype, want.dtype)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
        if isinstance(reference, torch.Tensor) and reference.requires_grad:
            w = weights.normal(size=want.shape)
            loss_ours = loss_ours + (mine * tt.tensor(w)).sum()
            loss_theirs = loss_theirs + (reference * torch.tensor(w)).sum()
    if isinstance(loss_theirs, torch.Tensor):
        loss_ours.backward()
        loss_theirs.backward()
    for mine, reference in zip(ours, theirs):
        if not reference.requires_grad:
            continue
        expected = np.zeros(reference.shape) if reference.grad is None else reference.grad.numpy()
        got = np.zeros(mine.shape) if mine.grad is None else mine.grad.data
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name):
    check(*CASES[name])
