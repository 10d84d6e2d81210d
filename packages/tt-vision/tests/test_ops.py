"""tt-vision's ops: float64 gradchecks on their `examples()`, and the fast paths against the
simple formulas a learner would write (loops over pixels are fine in a test)."""

import numpy as np
import pytest
import tt_tensor as tt
from tt_autograd import gradcheck
from tt_vision import functional as F
from tt_vision.ops import OP_CLASSES, _buffers


@pytest.mark.parametrize("op", OP_CLASSES, ids=lambda op: op.name)
def test_gradcheck_examples(op):
    assert op.examples(), f"{op.name} has no examples()"
    for example in op.examples():
        gradcheck(lambda *xs: op.apply(*xs, **example.params), example.inputs)


def conv2d_by_loops(x, w, b, stride, padding, dilation, groups):
    """out[n, o, y, x] = b[o] + sum over c, i, j of w[o, c, i, j] * xp[n, g*C/G + c, y*s + i*d, x*s + j*d]."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    ow = (wd + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((n, o, oh, ow))
    for oc in range(o):
        g = oc // (o // groups)
        for y in range(oh):
            for xx in range(ow):
                patch = xp[:, g * cg:(g + 1) * cg,
                           y * stride:y * stride + dilation * (kh - 1) + 1:dilation,
                           xx * stride:xx * stride + dilation * (kw - 1) + 1:dilation]
                out[:, oc, y, xx] = (patch * w[oc]).sum(axis=(1, 2, 3)) + (0 if b is None else b[oc])
    return out


@pytest.mark.parametrize("kw", [dict(stride=1, padding=0, dilation=1, groups=1),
                                dict(stride=2, padding=1, dilation=1, groups=1),
                                dict(stride=1, padding=2, dilation=2, groups=2),
                                dict(stride=3, padding=1, dilation=1, groups=4)])
def test_conv2d_equals_the_formula(kw):
    r = np.random.default_rng(0)
    x, w, b = r.normal(size=(2, 4, 9, 8)), r.normal(size=(8, 4 // kw["groups"], 3, 3)), r.normal(size=8)
    out = F.conv2d(tt.tensor(x), tt.tensor(w), tt.tensor(b), **kw)
    np.testing.assert_allclose(out.data, conv2d_by_loops(x, w, b, **kw), rtol=1e-12, atol=1e-12)


def test_conv_transpose2d_is_the_adjoint_of_conv2d():
    """<conv2d(x), y> == <x, conv_transpose2d(y)> for the same weight and arguments."""
    r = np.random.default_rng(1)
    x, w = r.normal(size=(2, 4, 9, 9)), r.normal(size=(6, 2, 3, 3))
    kw = dict(stride=2, padding=1, dilation=1, groups=2)
    y = r.normal(size=F.conv2d(tt.tensor(x), tt.tensor(w), **kw).shape)
    back = F.conv_transpose2d(tt.tensor(y), tt.tensor(w), output_padding=0, **kw)
    forward = F.conv2d(tt.tensor(x), tt.tensor(w), **kw)
    assert back.shape == x.shape
    np.testing.assert_allclose((forward.data * y).sum(), (x * back.data).sum(), rtol=1e-12)


def test_max_pool_equals_the_formula_and_winner_gets_gradient():
    r = np.random.default_rng(2)
    x = r.permutation(2 * 3 * 7 * 7).reshape(2, 3, 7, 7).astype(float)
    t = tt.Tensor(x, requires_grad=True)
    out = F.max_pool2d(t, 3, stride=2, padding=1)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    expected = np.array([[[[xp[n, c, 2 * i:2 * i + 3, 2 * j:2 * j + 3].max() for j in range(4)]
                           for i in range(4)] for c in range(3)] for n in range(2)])
    np.testing.assert_array_equal(out.data, expected)
    out.sum().backward()
    # Every window's unit of gradient lands on its maximum; overlapping windows add up.
    assert t.grad.data.sum() == out.data.size
    assert set(np.unique(x[t.grad.data > 0])) <= set(np.unique(out.data))


def max_pool_by_loops(x, k):
    """k x k windows, stride k: the maximum, and the gradient of out.sum() (1 on each
    window's first maximum, row by row)."""
    n, c, h, w = x.shape
    out, grad = np.zeros((n, c, h // k, w // k), dtype=x.dtype), np.zeros_like(x)
    for a, b, y, xx in np.ndindex(out.shape):
        window = x[a, b, y * k:y * k + k, xx * k:xx * k + k]
        i, j = np.unravel_index(np.argmax(window), window.shape)   # argmax: the first maximum
        out[a, b, y, xx] = window[i, j]
        grad[a, b, y * k + i, xx * k + j] = 1
    return out, grad


@pytest.mark.parametrize("split", [True, False])   # the two ways of storing the column masks
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(3, 2, 6, 8), (2, 3, 7, 5)])   # 7, 5: a last row/column in no window
def test_max_pool_2x2_fast_path_matches_the_formula_with_ties(dtype, shape, split, monkeypatch):
    """The 2x2 stride-2 path (pairwise maxima) picks the first maximum, as the loop does;
    many ties (values 0..2, like ReLU outputs' zeros); in batch chunks of one image."""
    from tt_vision.ops import pooling

    monkeypatch.setattr(pooling, "SPLIT_MASKS_BYTES", 2**62 if split else 0)
    monkeypatch.setattr(pooling, "PAIRS_CHUNK_BYTES", 1)
    x = np.random.default_rng(5).integers(0, 3, size=shape).astype(dtype)
    t = tt.Tensor(x, requires_grad=True)
    out = F.max_pool2d(t, 2)
    assert out.grad_fn.ctx.masks[0].ndim == (5 if split else 4)
    out.sum().backward()
    expected, expected_grad = max_pool_by_loops(x, 2)
    assert out.dtype == dtype and t.grad.dtype == dtype
    np.testing.assert_array_equal(out.data, expected)
    np.testing.assert_array_equal(t.grad.data, expected_grad)


def test_max_pool_2x2_unsplit_masks_gradcheck(monkeypatch):
    """The op's 2x2 examples are small (split masks); the other layout, gradchecked too."""
    from tt_vision.ops import pooling

    monkeypatch.setattr(pooling, "SPLIT_MASKS_BYTES", 0)
    examples = [e for e in pooling.MaxPool2dOp.examples() if e.params == {"kernel_size": 2}]
    assert len(examples) == 2
    for example in examples:
        gradcheck(lambda *xs: pooling.MaxPool2dOp.apply(*xs, **example.params), example.inputs)


def test_column_buffers_are_reused_between_steps():
    _buffers.clear()
    w = tt.Tensor(np.ones((2, 1, 3, 3), dtype=np.float32), requires_grad=True)
    x = tt.zeros(64, 1, 40, 40)
    F.conv2d(x, w).sum().backward()           # the graph (and its columns) is dropped here
    pooled = _buffers._kept
    assert pooled > 0
    F.conv2d(x, w).sum().backward()
    assert _buffers._kept == pooled           # taken from the pool and given back, not grown
    with tt.no_grad():                        # nothing saved for backward: back at once
        F.conv2d(x, w)
    assert _buffers._kept == pooled


@pytest.mark.parametrize("images_per_chunk", [1, 2])   # 2: chunks of 2, 2 and 1 image
def test_conv2d_in_batch_chunks_matches_one_piece(monkeypatch, images_per_chunk):
    """Batches go through im2col chunk by chunk; the result must not depend on it."""
    from tt_vision.ops import conv

    r = np.random.default_rng(3)
    x, w, b = r.normal(size=(5, 4, 7, 6)), r.normal(size=(6, 2, 3, 3)), r.normal(size=6)
    kw = dict(stride=1, padding=1, dilation=1, groups=2)
    g = r.normal(size=(5, 6, 7, 6))

    def run():
        xs, ws, bs = (tt.Tensor(a, requires_grad=True) for a in (x, w, b))
        F.conv2d(xs, ws, bs, **kw).backward(g)
        first = [tt.Tensor(w, requires_grad=True), tt.Tensor(b, requires_grad=True)]
        F.conv2d(tt.tensor(x), *first, **kw).backward(g)   # a first layer: no input gradient
        return [t.grad.data for t in (xs, ws, bs, *first)] + \
            [F.conv2d(tt.tensor(x), tt.tensor(w), None, **kw).data]

    monkeypatch.setattr(conv, "_chunk_size", lambda n, *args: n)   # the whole batch at once
    whole = run()
    monkeypatch.undo()
    monkeypatch.setattr(conv, "SMALL_PRODUCT", 0)      # one image per chunk
    monkeypatch.setattr(conv, "CHUNK_BYTES", 1)
    assert conv._chunk_size(5, 4, (3, 3), (7, 6), 6, 2, 8) == 1
    if images_per_chunk == 2:
        monkeypatch.setattr(conv, "_chunk_size", lambda *args: 2)
    for a, c in zip(whole, run()):
        np.testing.assert_allclose(c, a, rtol=1e-12, atol=1e-12)
    example = conv.Conv2dOp.examples()[-1]
    gradcheck(lambda *xs: conv.Conv2dOp.apply(*xs, **example.params), example.inputs)


def test_conv2d_chunks_are_sized_for_the_cache():
    """Small layers take chunks whose product suits OpenBLAS's small kernels; big ones ~2 MB."""
    from tt_vision.ops import conv

    assert conv._chunk_size(256, 1, (5, 5), (28, 28), 6, 1, 4) == 8       # LeNet conv1
    assert conv._chunk_size(256, 1, (5, 5), (28, 28), 6, 1, 4, batch_last=False) == 20
    assert 16 <= conv._chunk_size(256, 6, (5, 5), (10, 10), 16, 1, 4) <= 64  # LeNet conv2
    assert conv._chunk_size(3, 6, (5, 5), (10, 10), 16, 1, 4) == 3        # never more than N
    assert conv._chunk_size(7, 64, (3, 3), (64, 64), 64, 1, 4) == 1       # at least one image
    assert conv._chunk_size(0, 1, (3, 3), (4, 4), 2, 1, 4) == 1


@pytest.mark.parametrize("first_layer", [False, True])
@pytest.mark.parametrize("kw", [dict(stride=1, padding=2, dilation=1, groups=1),
                                dict(stride=1, padding=0, dilation=1, groups=1),
                                dict(stride=2, padding=1, dilation=2, groups=2)])
def test_conv2d_float32_fast_path_matches_float64_formula(kw, first_layer, monkeypatch):
    """The float32 path (chunks, both layouts) against the loop formula in float64."""
    from tt_vision.ops import conv

    monkeypatch.setattr(conv, "_chunk_size", lambda *args: 4)   # chunks of 4, 4 and 3 images
    r = np.random.default_rng(4)
    x, w = r.normal(size=(11, 4, 9, 8)), r.normal(size=(6, 4 // kw["groups"], 3, 3))
    b = r.normal(size=6)
    g = r.normal(size=conv2d_by_loops(x, w, b, **kw).shape)
    grads = []
    for dtype in (np.float64, np.float32):
        ts = [tt.Tensor(a.astype(dtype), requires_grad=not (first_layer and a is x))
              for a in (x, w, b)]
        out = F.conv2d(*ts, **kw)
        assert out.dtype == dtype
        out.backward(tt.tensor(g.astype(dtype)))
        grads.append([out.data] + [t.grad.data for t in ts if t.requires_grad])
        assert all(a.dtype == dtype for a in grads[-1])
    np.testing.assert_allclose(grads[0][0], conv2d_by_loops(x, w, b, **kw), rtol=1e-12, atol=1e-12)
    for a64, a32 in zip(*grads):
        np.testing.assert_allclose(a32, a64, rtol=1e-4, atol=1e-4 * np.abs(a64).max())

def test_argument_checks_are_remembered_but_errors_are_not():
    """conv2d/pooling remember their checked arguments per shapes and parameters: an answer
    for stride 2 is not given to stride 2.0, and a bad argument fails every time."""
    x, w = tt.zeros(1, 1, 6, 6), tt.zeros(1, 1, 3, 3)
    assert F.conv2d(x, w, stride=2).shape == (1, 1, 2, 2)
    assert F.conv2d(x, w, stride=[2, 2]).shape == (1, 1, 2, 2)   # a list: worked out afresh
    for _ in range(2):
        with pytest.raises(TypeError, match="stride"):
            F.conv2d(x, w, stride=2.0)
        with pytest.raises(ValueError, match="groups"):
            F.conv2d(x, w, groups=0)
    assert F.max_pool2d(x, 2).shape == (1, 1, 3, 3)
    with pytest.raises(TypeError, match="kernel_size"):
        F.max_pool2d(x, 2.0)
