"""Property-based differential test: every op tt-text registers, forward and backward, against
PyTorch in float64, on shapes and arguments hypothesis draws — 0-size batches, sequences and
features, broadcast batch dimensions, boolean and float masks (rows with every key masked
included), is_causal with L != S, padding_idx (derandomized, a bounded number of examples per
op, a few seconds).

Each op has a `Spec` (or several, keyed "op:case", each drawn on its own): `draw(data, rng)`
returns the inputs (float arrays are differentiated unless listed in `fixed`; int arrays and
None pass through) and the keyword arguments, the same for `ours` (tt_text.functional's form:
torch's signature, calling `OPS[name]`) and `theirs` (torch.nn.functional's). A meta-test fails
when tt-text registers an op that has no spec here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pytest
import tt_tensor as tt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from tt_tensor import plugins
from tt_text import functional as F

torch = pytest.importorskip("torch", reason="PyTorch is not installed: differential tests skipped")
TF = torch.nn.functional

EXAMPLES = 15


@dataclass
class Spec:
    draw: Callable
    ours: Callable
    theirs: Callable
    fixed: tuple = field(default_factory=tuple)  # input positions that get no gradient
    rtol: float = 1e-9
    atol: float = 1e-12


def _side(data, label, low=0, high=4):
    return data.draw(st.integers(low, high), label=label)


def draw_embedding(data, rng):
    vocab, dim = _side(data, "V", 1, 5), _side(data, "D", 1, 4)  # D = 0: see test_zero_size
    shape = tuple(_side(data, f"ids{i}") for i in range(data.draw(st.integers(0, 3), label="ndim")))
    dtype = data.draw(st.sampled_from([np.int64, np.int64, np.int32]), label="dtype")
    ids = rng.integers(0, vocab, size=shape).astype(dtype)
    padding_idx = data.draw(st.one_of(st.none(), st.integers(-vocab, vocab - 1)),
                            label="padding_idx")
    return [ids, rng.normal(size=(vocab, dim))], dict(padding_idx=padding_idx)


def _mask_shape(data, full):
    """A shape broadcastable to `full` (…, L, S): some sides 1, some leading dims dropped."""
    keep = data.draw(st.integers(min(2, len(full)), len(full)), label="mask ndim")
    return tuple(1 if data.draw(st.integers(0, 2), label=f"mask{i} is 1") == 0 else n
                 for i, n in enumerate(full[len(full) - keep:]))


def draw_attention(kind):
    return lambda data, rng: _draw_attention(data, rng, kind)


def _draw_attention(data, rng, kind):
    batches = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=2,
                                                          min_side=0, max_side=3),
                        label="batch shapes").input_shapes
    length, source = _side(data, "L"), _side(data, "S", 1)  # S = 0: see test_zero_size
    e, ev = _side(data, "E", 1, 4), _side(data, "Ev")
    if 0 in (length, ev) or 0 in sum(batches, ()):
        # torch returns zeros of shape (*query.shape[:-1], Ev) for empty inputs, without
        # broadcasting the batch dimensions: give all three the broadcast batch shape.
        batches = (np.broadcast_shapes(*batches),) * 3
    q = rng.normal(size=(*batches[0], length, e)) * 2
    k = rng.normal(size=(*batches[1], source, e)) * 2
    v = rng.normal(size=(*batches[2], source, ev))
    full = (*np.broadcast_shapes(batches[0], batches[1]), length, source)
    mask, is_causal = None, kind == "causal"
    if kind == "bool":  # True = may attend; some rows end up with every key masked
        mask = rng.random(_mask_shape(data, full)) < 0.7
    elif kind == "float":
        mask = rng.normal(size=_mask_shape(data, full))
        if data.draw(st.booleans(), label="-inf"):
            mask[rng.random(mask.shape) < 0.3] = -np.inf
    scale = data.draw(st.sampled_from([None, None, 0.3, 1.0, 2.5]), label="scale")
    return [q, k, v, mask], dict(dropout_p=0.0, is_causal=is_causal, scale=scale)


SPECS: dict[str, Spec] = {
    "embedding": Spec(draw_embedding, F.embedding, TF.embedding),
    **{f"scaled_dot_product_attention:{kind}":
       Spec(draw_attention(kind), F.scaled_dot_product_attention, TF.scaled_dot_product_attention,
            fixed=(3,), atol=1e-10)
       for kind in ("none", "bool", "float", "causal")},
}  # "op:case" keys: one op's cases drawn separately, so each gets its own examples

OURS = sorted(e.name for e in plugins.listing("ops") if e.provider == "tt-text")


def test_every_tt_text_op_has_a_differential_spec():
    covered = {key.split(":")[0] for key in SPECS}
    missing = [name for name in OURS if name not in covered]
    assert not missing, f"ops without a differential spec against torch: {missing}"


def _is_float(x):
    return isinstance(x, np.ndarray) and x.dtype.kind == "f"


def _check(spec, inputs, params, ours_fn, theirs_fn, rng):
    grads = [_is_float(x) and i not in spec.fixed for i, x in enumerate(inputs)]
    ours = [tt.tensor(x, requires_grad=True) if g else x for x, g in zip(inputs, grads)]
    theirs = [torch.tensor(x, requires_grad=g) if isinstance(x, np.ndarray) else x
              for x, g in zip(inputs, grads)]
    out = ours_fn(*ours, **params)
    ref = theirs_fn(*theirs, **params)
    assert out.shape == tuple(ref.shape), (out.shape, tuple(ref.shape))
    assert out.dtype == np.float64
    tol = dict(rtol=spec.rtol, atol=spec.atol)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **tol, err_msg="forward")
    upstream = rng.normal(size=out.shape)
    out.backward(tt.tensor(upstream))
    ref.backward(torch.tensor(upstream))
    for i, (mine, reference, g) in enumerate(zip(ours, theirs, grads)):
        if g:
            expected = (np.zeros(reference.shape) if reference.grad is None
                        else reference.grad.numpy())
            got = np.zeros(mine.shape) if mine.grad is None else mine.grad.data
            np.testing.assert_allclose(got, expected, **tol, err_msg=f"gradient of input {i}")


@pytest.mark.parametrize("name", sorted(SPECS))
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_forward_and_backward_match_torch(name, data):
    spec = SPECS[name]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    inputs, params = spec.draw(data, rng)
    _check(spec, inputs, params, spec.ours, spec.theirs, rng)


# ----- the op's num_heads extension (multi_head_attention) against torch on split heads -------
def _torch_heads(q, k, v, mask, num_heads, is_causal):
    def split(x):
        n, length, e = x.shape
        return x.reshape(n, length, num_heads, e // num_heads).transpose(1, 2)

    if mask is not None and mask.ndim == 3:  # (N, L, S): the same for every head
        mask = mask[:, None]
    out = TF.scaled_dot_product_attention(split(q), split(k), split(v), attn_mask=mask,
                                          is_causal=is_causal)
    n, h, length, d = out.shape
    return out.transpose(1, 2).reshape(n, length, h * d)


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_multi_head_attention_matches_torch_on_split_heads(data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    heads = data.draw(st.integers(1, 3), label="heads")
    n, length, source = _side(data, "N"), _side(data, "L"), _side(data, "S", 1)
    e = heads * _side(data, "E/H", 1, 3)
    q, k, v = (rng.normal(size=(n, size, e)) for size in (length, source, source))
    kind = data.draw(st.sampled_from(["none", "bool", "float", "causal"]), label="mask")
    mask = None
    if kind in ("bool", "float"):
        two_d = data.draw(st.booleans(), label="2-D mask")
        shape = (length, source) if two_d else (n, length, source)
        mask = rng.random(shape) < 0.7 if kind == "bool" else rng.normal(size=shape)
    params = dict(num_heads=heads, is_causal=kind == "causal")
    _check(Spec(None, None, None, fixed=(3,), atol=1e-10), [q, k, v, mask], params,
           lambda q, k, v, m, **p: F.multi_head_attention(q, k, v, attn_mask=m, **p),
           _torch_heads, rng)


# ----- zero-size cases where tt and torch differ (recorded; the drawn cases above avoid them) --
def _zero_size_embedding():
    return [np.array([[0, 2], [1, 1]]), np.zeros((3, 0))], {}


def _zero_size_attention():  # no keys at all: S = 0
    rng = np.random.default_rng(0)
    return [rng.normal(size=(2, 3, 4)), np.zeros((2, 0, 4)), np.zeros((2, 0, 5)), None], {}


@pytest.mark.parametrize("name, make", [
    # embedding_dim 0: the weight gradient is zeros (3, 0), as torch's (a -1 in a reshape
    # once made backward raise)
    pytest.param("embedding", _zero_size_embedding),
    # no keys (S = 0): zeros (2, 3, 5) and zero gradients, as torch (the softmax's max over
    # no keys once raised)
    pytest.param("scaled_dot_product_attention", _zero_size_attention),
])
def test_zero_size(name, make):
    inputs, params = make()
    spec = SPECS[name if name in SPECS else f"{name}:none"]
    _check(spec, inputs, params, spec.ours, spec.theirs, np.random.default_rng(1))
