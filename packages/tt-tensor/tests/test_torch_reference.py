"""The same expressions in tt and in PyTorch give the same values and gradients."""

import numpy as np
import pytest
import tt_tensor as tt

torch = pytest.importorskip("torch", reason="PyTorch is not installed: reference comparisons skipped")

rng = np.random.default_rng(0)
A = rng.normal(size=(3, 4))
B = rng.normal(size=(4, 5))
C = rng.uniform(0.5, 2.0, size=(3, 4))
IDX = np.array([2, 0, 2])

EXPRESSIONS = {
    "mlp-ish": lambda m, a, b, c: (m.tanh(a @ b) * 2 + 1).sum(),
    "residual": lambda m, a, b, c: ((a + (m.tanh(a @ b) @ b.T) * a) * c).sum(),
    "softmax": lambda m, a, b, c: (m.softmax(a, 1) * c).sum(),
    "log_softmax": lambda m, a, b, c: (m.log_softmax(a, 0) * c).sum(),
    "sigmoid-relu": lambda m, a, b, c: (m.sigmoid(a) + m.relu(a - 0.2) ** 2).mean(),
    "div-log-sqrt-exp": lambda m, a, b, c: (m.log(c) / m.sqrt(c) + m.exp(a / 3)).sum(),
    "reductions": lambda m, a, b, c: m.amax(a * c, 1).sum() + m.mean(a, 0).sum() + m.sum(b, 1).sum(),
    "indexing": lambda m, a, b, c: (m.index(a, IDX) * c).sum() + a[1:, ::2].sum(),
    "shapes": lambda m, a, b, c: (m.t(a).reshape(2, 6) * 3).sum() + (m.cat([a, c], 1) ** 2).sum(),
    "where": lambda m, a, b, c: m.where(a > 0, a * c, -c).sum(),
    "abs-pow": lambda m, a, b, c: (abs(a) ** 1.5 + c ** a).sum(),
}


class TT:
    tanh, sigmoid, relu, exp, log, sqrt = (staticmethod(lambda x, n=n: getattr(x, n)())
                                            for n in ["tanh", "sigmoid", "relu", "exp", "log", "sqrt"])
    softmax = staticmethod(lambda x, d: x.softmax(d))
    log_softmax = staticmethod(lambda x, d: x.log_softmax(d))
    amax = staticmethod(lambda x, d: x.amax(d))
    mean = staticmethod(lambda x, d: x.mean(d))
    sum = staticmethod(lambda x, d: x.sum(d))
    index = staticmethod(lambda x, i: x[i])
    t = staticmethod(lambda x: x.T)
    cat = staticmethod(tt.cat)
    where = staticmethod(tt.where)


class Torch:
    tanh, sigmoid, relu, exp, log, sqrt = (staticmethod(getattr(torch, n))
                                            for n in ["tanh", "sigmoid", "relu", "exp", "log", "sqrt"])
    softmax = staticmethod(torch.softmax)
    log_softmax = staticmethod(torch.log_softmax)
    amax = staticmethod(torch.amax)
    mean = staticmethod(torch.mean)
    sum = staticmethod(torch.sum)
    index = staticmethod(lambda x, i: x[torch.as_tensor(i)])
    t = staticmethod(lambda x: x.T)
    cat = staticmethod(torch.cat)
    where = staticmethod(torch.where)


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_values_and_gradients_match_pytorch(name):
    expression = EXPRESSIONS[name]
    ours = [tt.tensor(x, requires_grad=True) for x in (A, B, C)]
    theirs = [torch.tensor(x, requires_grad=True) for x in (A, B, C)]
    out, ref = expression(TT, *ours), expression(Torch, *theirs)
    out.backward()
    ref.backward()
    np.testing.assert_allclose(out.item(), ref.item(), rtol=1e-10)
    for mine, reference in zip(ours, theirs):
        expected = np.zeros_like(mine.data) if reference.grad is None else reference.grad.numpy()
        got = np.zeros_like(mine.data) if mine.grad is None else mine.grad.data
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
