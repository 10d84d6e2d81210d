"""Property-based differential test: every op tt-nn registers, forward and backward, against
PyTorch in float64, on shapes hypothesis draws — 0-size batches, one-sample (C,) inputs,
(N, C, d…) layouts, every reduction (derandomized, a bounded number of examples per op).

Each op has a `Spec`: `draw(data, rng)` returns the inputs (float arrays are differentiated
unless listed in `fixed`) and the keyword arguments of `OPS[name].apply`; `torch(*inputs,
**params)` computes the same with torch. A meta-test fails when tt-nn registers an op that
has no spec here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pytest
import tt_tensor as tt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tt_nn.ops import OP_CLASSES

torch = pytest.importorskip("torch", reason="PyTorch is not installed: differential tests skipped")
TF = torch.nn.functional

EXAMPLES = 15
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


@dataclass
class Spec:
    draw: Callable
    torch: Callable
    fixed: tuple = field(default_factory=tuple)  # input positions that get no gradient
    rtol: float = 1e-9


def _side(data, label, low=0, high=4):
    return data.draw(st.integers(low, high), label=label)


def _batch_shape(data):
    """Leading dimensions: none, (N,) or (N, M), sides from 0."""
    return tuple(_side(data, f"batch{i}") for i in range(data.draw(st.integers(0, 2), label="ndim")))


def draw_linear(data, rng):
    lead, n_in, n_out = _batch_shape(data), _side(data, "in"), _side(data, "out")
    x, w = rng.normal(size=(*lead, n_in)), rng.normal(size=(n_out, n_in))
    b = rng.normal(size=n_out) if data.draw(st.booleans(), label="bias") else None
    return [x, w, b], {}


def draw_gelu(data, rng):
    shape = _batch_shape(data)
    return [rng.normal(size=shape) * 3], {"approximate": data.draw(st.sampled_from(["none", "tanh"]))}


def draw_layer_norm(data, rng):
    lead, feature_ndim = _batch_shape(data), data.draw(st.integers(1, 2), label="features")
    features = tuple(_side(data, f"f{i}", 1, 4) for i in range(feature_ndim))
    x = rng.normal(size=(*lead, *features)) * 2 + 1
    affine = data.draw(st.booleans(), label="affine")
    w = rng.normal(size=features) if affine else None
    b = rng.normal(size=features) if affine else None
    return [x, w, b], {"normalized_ndim": feature_ndim, "eps": 1e-5}


def torch_layer_norm(x, w, b, normalized_ndim, eps):
    return TF.layer_norm(x, x.shape[x.ndim - normalized_ndim:], w, b, eps)


def draw_pair(low=None):
    def draw(data, rng):
        shape = _batch_shape(data)
        a = rng.uniform(0.05, 0.95, shape) if low == "unit" else rng.normal(size=shape) * 2
        return [a, rng.uniform(0, 1, shape)], {"reduction": data.draw(REDUCTIONS)}
    return draw


def draw_bce_logits(data, rng):
    inputs, params = draw_pair()(data, rng)
    if data.draw(st.booleans(), label="pos_weight") and np.ndim(inputs[0]):
        params["pos_weight"] = rng.uniform(0.5, 3.0, np.shape(inputs[0])[-1])
    return inputs, params


def torch_bce_logits(x, t, reduction, pos_weight=None):
    pos_weight = None if pos_weight is None else torch.tensor(pos_weight)
    return TF.binary_cross_entropy_with_logits(x, t, reduction=reduction, pos_weight=pos_weight)


def _classification(data, rng, probabilities_allowed):
    """(scores, target, params) for cross_entropy / nll_loss in any of torch's layouts."""
    layout = data.draw(st.sampled_from(["C", "NC", "NCd"]), label="layout")
    classes = _side(data, "classes", 1, 4)
    if layout == "C":
        shape, rows = (classes,), ()
    elif layout == "NC":
        n = _side(data, "n")
        shape, rows = (n, classes), (n,)
    else:
        n, d = _side(data, "n", 1, 3), _side(data, "d", 1, 3)
        shape, rows = (n, classes, d), (n, d)
    x = rng.normal(size=shape) * 2
    params = {"reduction": data.draw(REDUCTIONS, label="reduction")}
    if data.draw(st.booleans(), label="weight"):
        params["weight"] = rng.uniform(0.5, 2.0, classes)
    if probabilities_allowed and data.draw(st.booleans(), label="probabilities"):
        target = rng.uniform(0, 1, shape)  # rows need not sum to 1
    else:
        target = rng.integers(0, classes, rows)
        if target.size and data.draw(st.booleans(), label="ignore"):
            target = np.where(rng.random(rows) < 0.3, -100, target)
    return x, target, params


def draw_cross_entropy(data, rng):
    x, target, params = _classification(data, rng, probabilities_allowed=True)
    params["label_smoothing"] = data.draw(st.sampled_from([0.0, 0.1, 0.5]), label="smoothing")
    return [x, target], params


def draw_nll_loss(data, rng):
    x, target, params = _classification(data, rng, probabilities_allowed=False)
    return [x, target], params


def with_weight(fn):
    def call(x, t, weight=None, **params):
        return fn(x, t, weight=None if weight is None else torch.tensor(weight), **params)
    return call


def draw_softplus(data, rng):
    shape = _batch_shape(data)
    beta = data.draw(st.sampled_from([1.0, 0.5, 2.0]), label="beta")
    threshold = data.draw(st.sampled_from([20.0, 1.0, 5.0]), label="threshold")
    return [rng.normal(size=shape) * 5], {"beta": beta, "threshold": threshold}


SPECS: dict[str, Spec] = {
    "linear": Spec(draw_linear, TF.linear),
    "gelu": Spec(draw_gelu, TF.gelu),
    "layer_norm": Spec(draw_layer_norm, torch_layer_norm, rtol=1e-8),
    "mse_loss": Spec(draw_pair(), TF.mse_loss),
    "binary_cross_entropy": Spec(draw_pair("unit"), TF.binary_cross_entropy),
    "binary_cross_entropy_with_logits": Spec(draw_bce_logits, torch_bce_logits),
    "cross_entropy": Spec(draw_cross_entropy, with_weight(TF.cross_entropy)),
    "nll_loss": Spec(draw_nll_loss, with_weight(TF.nll_loss)),
    "softplus": Spec(draw_softplus, TF.softplus),
}

OURS = sorted(op.name for op in OP_CLASSES)


def test_every_tt_nn_op_has_a_differential_spec():
    assert sorted(SPECS) == OURS


def _to_torch(x, differentiable):
    if isinstance(x, np.ndarray):
        return torch.tensor(x, requires_grad=differentiable and x.dtype.kind == "f")
    return x


@pytest.mark.parametrize("name", sorted(SPECS))
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_forward_and_backward_match_torch(name, data):
    spec = SPECS[name]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    inputs, params = spec.draw(data, rng)
    inputs = [np.asarray(x) if isinstance(x, (np.generic, float)) else x for x in inputs]  # 0-d
    grads = [isinstance(x, np.ndarray) and x.dtype.kind == "f" and i not in spec.fixed
             for i, x in enumerate(inputs)]
    ours = [tt.tensor(x, requires_grad=g) if isinstance(x, np.ndarray) else x
            for x, g in zip(inputs, grads)]
    theirs = [_to_torch(x, g) for x, g in zip(inputs, grads)]
    out = tt.OPS[name].apply(*ours, **params)
    ref = spec.torch(*theirs, **params)
    assert out.shape == tuple(ref.shape), (out.shape, tuple(ref.shape))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=spec.rtol, atol=1e-12,
                               equal_nan=True)
    if not ref.requires_grad:
        return
    upstream = rng.normal(size=out.shape)
    out.backward(tt.tensor(upstream))
    ref.backward(torch.tensor(upstream))
    for mine, reference in zip(ours, theirs):
        if isinstance(reference, torch.Tensor) and reference.requires_grad:
            expected = np.zeros(reference.shape) if reference.grad is None else reference.grad.numpy()
            got = np.zeros(mine.shape) if mine.grad is None else mine.grad.data
            np.testing.assert_allclose(got, expected, rtol=spec.rtol, atol=1e-12, equal_nan=True)


# ----- the functional forms composed from tensor ops: the same check on drawn shapes ----------
from tt_nn import functional as F  # noqa: E402

ELEMENTWISE = {  # name -> keyword arguments (the same for both libraries)
    "silu": {}, "mish": {}, "elu": {"alpha": 0.7}, "selu": {}, "celu": {},
    "leaky_relu": {"negative_slope": 0.05}, "relu6": {}, "hardtanh": {"min_val": -0.5},
    "hardswish": {}, "softsign": {}, "logsigmoid": {}, "tanhshrink": {},
    "softshrink": {"lambd": 0.3}, "hardshrink": {"lambd": 0.3},
    "threshold": {"threshold": 0.2, "value": -1.0}, "softplus": {"beta": 2.0},
}
ALONG_DIM = ("log_softmax", "softmin", "softmax", "normalize", "glu")


def _drawn(data, rng, min_dims=0):
    ndim = data.draw(st.integers(min_dims, 3), label="ndim")
    shape = tuple(_side(data, f"side{i}") for i in range(ndim))
    return rng.normal(size=shape) * 3, shape


# torch's celu backward with alpha != 1 is only float32-accurate in float64 (1/alpha seems
# rounded to float32: at x = -1.2, alpha = 1.3 it gives 0.39729471432 for the exact
# exp(-1.2/1.3) = 0.39729471320, which is ours), so drawn inputs use alpha = 1.
RTOL: dict[str, float] = {}


def _compare(ours, theirs, x, rng, rtol=1e-9):
    xt = tt.tensor(x, requires_grad=True)
    xr = torch.tensor(x, requires_grad=True)
    out, ref = ours(xt), theirs(xr)
    assert out.shape == tuple(ref.shape)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=rtol, atol=1e-12, equal_nan=True)
    seed = rng.normal(size=out.shape)
    out.backward(tt.tensor(seed))
    ref.backward(torch.tensor(seed))
    np.testing.assert_allclose(xt.grad.data, xr.grad.numpy(), rtol=rtol, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@settings(max_examples=10, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_elementwise_functions_match_torch_on_drawn_shapes(name, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    x, _ = _drawn(data, rng)
    kwargs = ELEMENTWISE[name]
    _compare(lambda t: getattr(F, name)(t, **kwargs), lambda t: getattr(TF, name)(t, **kwargs),
             np.asarray(x), rng, RTOL.get(name, 1e-9))


@pytest.mark.parametrize("name", ALONG_DIM)
@settings(max_examples=10, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_functions_along_a_dim_match_torch_on_drawn_shapes(name, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    x, shape = _drawn(data, rng, min_dims=1)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    if name == "glu":
        shape = tuple(2 * s if i == dim % len(shape) else s for i, s in enumerate(shape))
        x = rng.normal(size=shape)
    _compare(lambda t: getattr(F, name)(t, dim=dim), lambda t: getattr(TF, name)(t, dim=dim),
             np.asarray(x), rng)


@pytest.mark.parametrize("name", ["elu", "celu", "selu"])
def test_zero_d_compositions_keep_float64(name):
    # exp of a 0-d array once returned a NumPy scalar, which promotion took for a Python
    # number: float64 0-d elu came out float32.
    x = tt.tensor(np.asarray(-0.6), requires_grad=True)
    assert getattr(F, name)(x).dtype == np.float64
    _compare(lambda t: getattr(F, name)(t), lambda t: getattr(TF, name)(t), np.asarray(-0.6),
             np.random.default_rng(0))
