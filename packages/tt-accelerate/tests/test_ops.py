"""tt-accelerate's ops against the NumPy ops they replace, against PyTorch, and the switch.

Each accelerated op must compute what the NumPy op computes: forward and every gradient,
tight in float64 (the kernels do the same maths, rounded differently) and close in float32
(the float32 GELU kernel uses the same Hastings formula as tt-nn's float32 path, and both
are compared with the float64 formula). The registry's own meta-tests gradcheck every op's
examples(), these included. Compiled paths run a modest number of times: the first call
of each kernel and dtype compiles it (then numba's cache keeps it).
"""

import numpy as np
import pytest
import tt_accelerate
import tt_tensor as tt
from tt_accelerate import ops
from tt_tensor import OPS, plugins

ACCELERATED = {op.name: op for op in ops.OP_CLASSES}


@pytest.fixture(autouse=True)
def nothing_chosen():
    """Every test starts and ends with tt-accelerate switched off."""
    tt_accelerate.disable()
    yield
    tt_accelerate.disable()


def run(op, inputs, params, upstream_seed=1):
    """Output and gradients of `op` on `inputs` (float arrays get gradients)."""
    tensors = [tt.tensor(x, requires_grad=True) if isinstance(x, np.ndarray) else x
               for x in inputs]
    out = op.apply(*tensors, **params)
    upstream = np.random.default_rng(upstream_seed).normal(size=out.shape).astype(out.dtype)
    out.backward(upstream)
    grads = [t.grad.data if isinstance(t, tt.Tensor) and t.grad is not None else None
             for t in tensors]
    return out.data, grads


def assert_same(ours, theirs, rtol, atol):
    (out_a, grads_a), (out_b, grads_b) = ours, theirs
    assert out_a.dtype == out_b.dtype and out_a.shape == out_b.shape
    np.testing.assert_allclose(out_a, out_b, rtol=rtol, atol=atol)
    for i, (a, b) in enumerate(zip(grads_a, grads_b)):
        assert (a is None) == (b is None), f"input {i}: one op gives a gradient, the other not"
        if a is not None:
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"gradient {i}")


# ----- the cases: (op name, inputs, params), float64; float32 tests cast them -----------------
def cases():
    r = np.random.default_rng(7)
    x3 = r.normal(size=(4, 6, 32)) * 3
    w, b = 1 + 0.1 * r.normal(size=32), r.normal(size=32)
    return [
        ("gelu", (x3,), {}),
        ("gelu", (np.linspace(-15, 15, 301),), {}),  # both tails of the formula
        ("gelu", (x3[:, ::2, 1::3],), {}),  # a non-contiguous input
        ("gelu", (x3,), {"approximate": "tanh"}),  # runs tt-nn's op: must be the same
        ("layer_norm", (x3, w, b), {}),
        ("layer_norm", (x3 * 50 + 200, w, b), {"eps": 1e-3}),  # a large mean
        ("layer_norm", (x3, None, None), {}),
        ("layer_norm", (x3, w, None), {}),
        ("layer_norm", (x3, r.normal(size=(6, 32)), r.normal(size=(6, 32))),
         {"normalized_ndim": 2}),
        ("layer_norm", (x3.transpose(1, 0, 2), w, b), {}),  # non-contiguous
        ("relu", (x3,), {}),
        ("relu", (x3[:, ::2, 1::3],), {}),
        ("max_pool2d", (x3.reshape(4, 3, 8, 8),), {"kernel_size": 2}),
        ("max_pool2d", (x3.reshape(4, 3, 8, 8)[:, :, 1:, ::-1],), {"kernel_size": (2, 2)}),  # odd
        ("max_pool2d", (x3.reshape(4, 3, 8, 8),), {"kernel_size": 3, "stride": 2, "padding": 1}),
        # conv2d: LeNet's two layers (small), 5 + 1 kernel columns, 1x1, no bias, a
        # non-contiguous input, and cases that run tt-vision's op (stride 2, many weights)
        ("conv2d", (r.normal(size=(3, 1, 12, 12)), r.normal(size=(6, 1, 5, 5)), r.normal(size=6)),
         {"padding": 2}),
        ("conv2d", (r.normal(size=(3, 6, 9, 9)), r.normal(size=(16, 6, 5, 5)), r.normal(size=16)),
         {}),
        ("conv2d", (r.normal(size=(2, 2, 7, 9)), r.normal(size=(3, 2, 4, 6)), None),
         {"padding": (1, 3)}),
        ("conv2d", (r.normal(size=(2, 3, 4, 5)), r.normal(size=(4, 3, 1, 1)), r.normal(size=4)),
         {}),
        ("conv2d", (x3.reshape(4, 3, 8, 8)[:, ::-1, 1:, ::2], r.normal(size=(2, 3, 3, 2)),
                    r.normal(size=2)), {"padding": 1}),
        ("conv2d", (r.normal(size=(2, 3, 7, 7)), r.normal(size=(2, 3, 3, 3)), None),
         {"stride": 2, "padding": 1}),
        ("conv2d", (r.normal(size=(2, 8, 5, 5)), r.normal(size=(4, 8, 5, 5)), r.normal(size=4)),
         {"padding": 2}),  # 200 weights per output: tt-vision's op
    ]


IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(cases())]


@pytest.mark.parametrize("case", range(len(IDS)), ids=IDS)
def test_float64_matches_the_numpy_op(case):
    name, inputs, params = cases()[case]
    assert_same(run(ACCELERATED[name], inputs, params), run(ops.base(name), inputs, params),
                rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", range(len(IDS)), ids=IDS)
def test_float32_is_close_to_the_float64_formula(case):
    """Both float32 ops against the float64 result: the accelerated one is no further off
    than float32 rounding (and the Hastings formula's 1e-7) allow."""
    name, inputs, params = cases()[case]
    as32 = [x.astype(np.float32) if isinstance(x, np.ndarray) else x for x in inputs]
    ours = run(ACCELERATED[name], as32, params)
    reference = run(ops.base(name), inputs, params)
    assert ours[0].dtype == np.float32 and all(g is None or g.dtype == np.float32 for g in ours[1])
    scale = max(1.0, float(np.abs(reference[0]).max()))
    np.testing.assert_allclose(ours[0], reference[0], rtol=2e-6, atol=2e-6 * scale)
    for a, b in zip(ours[1], reference[1]):
        if b is not None:
            big = max(1.0, float(np.abs(b).max()))
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5 * big)
    numpy32 = run(ops.base(name), as32, params)  # and against tt-nn's own float32 path
    np.testing.assert_allclose(ours[0], numpy32[0], rtol=2e-6, atol=2e-6 * scale)


def test_gelu_special_values_match_the_numpy_op():
    x = np.array([np.inf, -np.inf, np.nan, -0.0, 0.0, -30, 30, -14.5, -13.9, 1e-30])
    with np.errstate(invalid="ignore"):
        for dtype in (np.float32, np.float64):
            ours = run(ACCELERATED["gelu"], [x.astype(dtype)], {})
            theirs = run(ops.base("gelu"), [x.astype(dtype)], {})
            np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6, atol=1e-40)
            np.testing.assert_allclose(ours[1][0], theirs[1][0], rtol=1e-6, atol=1e-38)


def test_relu_special_values_match_the_numpy_op_bit_for_bit():
    x = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, -1.0, 2.0, 1e-40])
    grad = np.array([1.0, np.nan, -2.0, -3.0, 4.0, -5.0, np.nan, -1.0])
    for dtype in (np.float32, np.float64):
        outs = []
        for op in (ACCELERATED["relu"], ops.base("relu")):
            t = tt.tensor(x.astype(dtype), requires_grad=True)
            y = op.apply(t)
            y.backward(grad.astype(dtype))
            outs.append((y.data, t.grad.data))
        for a, b in zip(*outs):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
            np.testing.assert_array_equal(np.signbit(a), np.signbit(b))
    ints = np.array([-2, 0, 3])
    assert ACCELERATED["relu"].apply(tt.tensor(ints)).tolist() == [0, 0, 3]


@pytest.mark.parametrize("name", ["gelu", "relu"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_elementwise_kernels_keep_a_column_major_layout(name, dtype):
    """linear's output for few rows is column-major: the kernel runs on it as it lies (no
    transposing copy), its output and saved array keep that layout, and the values are the
    NumPy op's, for an upstream gradient in either layout."""
    from tt_tensor.function import Context

    r = np.random.default_rng(3)
    x = np.asfortranarray(r.normal(size=(6, 10)).astype(dtype))
    for grad in (np.asfortranarray(r.normal(size=x.shape).astype(dtype)),
                 np.ascontiguousarray(r.normal(size=x.shape).astype(dtype))):
        results = []
        for op in (ACCELERATED[name], ops.base(name)):
            ctx = Context()
            ctx.needs_grad = (True,)
            out = op.forward(ctx, x)
            (grad_x,) = op.backward(ctx, grad)
            results.append((out, grad_x))
        (out, grad_x), (want_out, want_grad) = results
        assert out.flags.f_contiguous and not out.flags.c_contiguous
        rtol = 1e-6 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(out, want_out, rtol=rtol, atol=1e-7)
        np.testing.assert_allclose(grad_x, want_grad, rtol=rtol, atol=1e-7)


def test_max_pool_ties_and_nan_pick_the_numpy_ops_winner():
    r = np.random.default_rng(5)
    ties = r.integers(0, 3, size=(2, 3, 6, 8)).astype(np.float64)  # many equal maxima
    nan = r.normal(size=(2, 3, 6, 8))
    nan[r.random(nan.shape) < 0.2] = np.nan
    nan[0, 0, :2, :2] = np.nan  # a window of NaN only
    for x in (ties, nan, np.full((1, 1, 4, 4), -np.inf)):
        for dtype in (np.float32, np.float64):
            ours = run(ACCELERATED["max_pool2d"], [x.astype(dtype)], {"kernel_size": 2})
            theirs = run(ops.base("max_pool2d"), [x.astype(dtype)], {"kernel_size": 2})
            np.testing.assert_array_equal(ours[0], theirs[0])
            np.testing.assert_array_equal(ours[1][0], theirs[1][0])


def test_other_dtypes_run_the_numpy_op():
    x = np.random.default_rng(2).normal(size=(2, 3, 4, 4))
    for name, params in (("gelu", {}), ("relu", {}), ("layer_norm", {}),
                         ("max_pool2d", {"kernel_size": 2})):
        for dtype in (">f8", np.float16):  # big-endian, half: not what the kernels take
            ours = run(ACCELERATED[name], [x.astype(dtype)], params)
            theirs = run(ops.base(name), [x.astype(dtype)], params)
            assert_same(ours, theirs, rtol=0, atol=0)


def conv_by_loops(x, weight, bias, padding):
    """The convolution's definition, one output number at a time (float64, stride 1)."""
    (n, c, h, w), (o, _, kh, kw), (ph, pw) = x.shape, weight.shape, padding
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((n, o, h + 2 * ph - kh + 1, w + 2 * pw - kw + 1))
    for y in range(out.shape[2]):
        for x_ in range(out.shape[3]):
            window = xp[:, :, y:y + kh, x_:x_ + kw]  # (n, c, kh, kw)
            out[:, :, y, x_] = np.einsum("nchw,ochw->no", window, weight)
    return out + (0 if bias is None else bias[:, None, None])


def test_conv2d_chunks_and_layers_against_the_formula(monkeypatch):
    """The batch in uneven chunks (runs of 27 numbers: chunks of 3, 3, 1 images) and in
    one, float64 tight and float32 close to the loop formula; every gradient against
    tt-vision's op, and the gradient of a sum against its definition."""
    r = np.random.default_rng(4)
    x, w, b = r.normal(size=(7, 2, 6, 9)), r.normal(size=(3, 2, 5, 3)), r.normal(size=3)
    expected = conv_by_loops(x, w, b, (2, 1))
    reference = run(ops.base("conv2d"), [x, w, b], {"padding": (2, 1)})
    for run_length in (27, ops.CONV_RUN):
        monkeypatch.setattr(ops, "CONV_RUN", run_length)
        assert len(ops._conv_chunks(7, 9)) == (3 if run_length == 27 else 1)
        ours = run(ACCELERATED["conv2d"], [x, w, b], {"padding": (2, 1)})
        np.testing.assert_allclose(ours[0], expected, rtol=1e-12, atol=1e-12)
        assert_same(ours, reference, rtol=1e-10, atol=1e-12)
        ours32 = run(ACCELERATED["conv2d"], [a.astype(np.float32) for a in (x, w, b)],
                     {"padding": (2, 1)})
        assert ours32[0].dtype == np.float32
        np.testing.assert_allclose(ours32[0], expected, rtol=1e-5, atol=1e-5)
        for a, e in zip(ours32[1], reference[1]):
            assert a.dtype == np.float32
            np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-5 * np.abs(e).max())
    # d(sum of out)/d weight[o, c, i, j] is the sum of the input pixels weight[o, c, i, j] meets
    xt, wt = tt.tensor(x, requires_grad=True), tt.tensor(w, requires_grad=True)
    ACCELERATED["conv2d"].apply(xt, wt, None, padding=(2, 1)).sum().backward()
    xp = np.pad(x, ((0, 0), (0, 0), (2, 2), (1, 1)))
    for i in range(5):
        for j in range(3):
            np.testing.assert_allclose(wt.grad.data[:, :, i, j],
                                       np.broadcast_to(xp[:, :, i:i + 6, j:j + 9].sum(axis=(0, 2, 3)),
                                                       (3, 2)), rtol=1e-12)


def test_conv2d_scratch_arrays_are_per_thread_and_bounded():
    import threading

    mine = ops._scratch("x", (2, 3), np.float32)
    assert ops._scratch("x", (2, 3), np.float32) is mine  # kept between calls
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(ops._scratch("x", (2, 3), np.float32)))
    thread.start()
    thread.join()
    assert theirs[0] is not mine  # another thread never writes into this thread's array
    for k in range(ops.SCRATCH_KEPT + 2):
        ops._scratch("x", (k + 1,), np.float64)
    assert len(ops._scratch_arrays.__dict__) == ops.SCRATCH_KEPT


def test_conv2d_other_dtypes_and_arguments_run_the_numpy_op():
    r = np.random.default_rng(5)
    x, w, b = r.normal(size=(2, 2, 6, 6)), r.normal(size=(3, 2, 3, 3)), r.normal(size=3)
    for dtype in (">f8", np.float16):
        inputs = [a.astype(dtype) for a in (x, w, b)]
        assert_same(run(ACCELERATED["conv2d"], inputs, {}), run(ops.base("conv2d"), inputs, {}),
                    rtol=0, atol=0)
    mixed = [x.astype(np.float32), w, b]  # a float64 weight with a float32 input
    assert_same(run(ACCELERATED["conv2d"], mixed, {}), run(ops.base("conv2d"), mixed, {}),
                rtol=0, atol=0)
    for params in ({"dilation": 2}, {"groups": 2, "padding": 1}):
        weight = w[:, :1] if "groups" in params else w
        inputs = [x, r.normal(size=(4, 1, 3, 3)) if "groups" in params else weight,
                  r.normal(size=4) if "groups" in params else b]
        assert_same(run(ACCELERATED["conv2d"], inputs, params),
                    run(ops.base("conv2d"), inputs, params), rtol=0, atol=0)
    for op in (ACCELERATED["conv2d"], ops.base("conv2d")):  # the same checks, the same errors
        with pytest.raises(ValueError, match="does not fit"):
            op.apply(tt.tensor(x), tt.tensor(r.normal(size=(3, 4, 3, 3))), None)
        with pytest.raises(ValueError, match="bias"):
            op.apply(tt.tensor(x), tt.tensor(w), tt.tensor(np.ones(2)))


def test_only_the_wanted_gradients_are_computed():
    r = np.random.default_rng(3)
    x, w, b = r.normal(size=(5, 8)), r.normal(size=8), r.normal(size=8)
    xt, wt, bt = tt.tensor(x), tt.tensor(w, requires_grad=True), tt.tensor(b)
    ACCELERATED["layer_norm"].apply(xt, wt, bt).sum().backward()
    reference = tt.tensor(w, requires_grad=True)
    ops.base("layer_norm").apply(tt.tensor(x), reference, tt.tensor(b)).sum().backward()
    assert xt.grad is None and bt.grad is None
    np.testing.assert_allclose(wt.grad.data, reference.grad.data, rtol=1e-10, atol=1e-12)
    with tt.no_grad():
        out = ACCELERATED["gelu"].apply(tt.tensor(x))
    np.testing.assert_allclose(out.data, ops.base("gelu").apply(tt.tensor(x)).data, rtol=1e-12)
    # conv2d as a first layer (its input needs no gradient) and without a bias gradient
    image, kernel = r.normal(size=(4, 1, 8, 8)), r.normal(size=(2, 1, 5, 5))
    for with_bias in (True, False):
        results = []
        for op in (ACCELERATED["conv2d"], ops.base("conv2d")):
            xt, wt = tt.tensor(image), tt.tensor(kernel, requires_grad=True)
            bt = tt.tensor(np.ones(2), requires_grad=with_bias)
            op.apply(xt, wt, bt, padding=2).sum().backward()
            assert xt.grad is None and (bt.grad is None) != with_bias
            results.append(wt.grad.data)
        np.testing.assert_allclose(*results, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(ACCELERATED))
def test_same_flags_as_the_numpy_op(name):
    ours, theirs = ACCELERATED[name], ops.base(name)
    assert (ours.saves_inputs, ours.saves_output, ours.differentiable) == (
        theirs.saves_inputs, theirs.saves_output, theirs.differentiable)


# ----- against PyTorch (float64, rtol 1e-9), skipped without it -------------------------------
def test_forward_and_backward_match_torch():
    torch = pytest.importorskip("torch")
    r = np.random.default_rng(11)
    x, w, b = r.normal(size=(3, 7, 16)) * 2, r.normal(size=16), r.normal(size=16)
    tt_accelerate.enable()
    ours = [tt.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    Ft = torch.nn.functional
    import tt_nn.functional as F
    out = F.gelu(F.layer_norm(ours[0], (16,), ours[1], ours[2]))
    ref = Ft.gelu(Ft.layer_norm(theirs[0], (16,), theirs[1], theirs[2]))
    upstream = r.normal(size=x.shape)
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-9, atol=1e-12)
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-9, atol=1e-12)
    # float32: close to torch's float32 (both within float32 rounding of the exact values)
    ours32 = [tt.tensor(a.astype(np.float32), requires_grad=True) for a in (x, w, b)]
    theirs32 = [torch.tensor(a.astype(np.float32), requires_grad=True) for a in (x, w, b)]
    out = F.gelu(F.layer_norm(ours32[0], (16,), ours32[1], ours32[2]))
    ref = Ft.gelu(Ft.layer_norm(theirs32[0], (16,), theirs32[1], theirs32[2]))
    out.backward(upstream.astype(np.float32))
    ref.backward(torch.tensor(upstream.astype(np.float32)))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-5, atol=1e-5)
    for a, t in zip(ours32, theirs32):
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-4, atol=1e-4)
    # max_pool2d, float64, through the functional form
    import tt_vision.functional as FV
    image = r.normal(size=(2, 3, 8, 6))
    ours_x, theirs_x = tt.tensor(image, requires_grad=True), torch.tensor(image, requires_grad=True)
    out, ref = FV.max_pool2d(ours_x, 2), Ft.max_pool2d(theirs_x, 2)
    upstream = r.normal(size=out.shape)
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    np.testing.assert_array_equal(ours_x.grad.data, theirs_x.grad.numpy())
    # conv2d at LeNet's second layer, float64 (rtol 1e-9) and float32 (close)
    arrays = (r.normal(size=(5, 6, 14, 14)), r.normal(size=(16, 6, 5, 5)), r.normal(size=16))
    upstream = r.normal(size=(5, 16, 12, 12))
    for dtype, tol in ((np.float64, 1e-9), (np.float32, 1e-4)):
        ours = [tt.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
        out = FV.conv2d(*ours, padding=1)
        ref = Ft.conv2d(*theirs, padding=1)
        out.backward(upstream.astype(dtype))
        ref.backward(torch.tensor(upstream.astype(dtype)))
        scale = float(np.abs(ref.detach().numpy()).max())
        np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=tol, atol=tol * scale)
        for a, t in zip(ours, theirs):
            np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=tol,
                                       atol=tol * float(np.abs(t.grad.numpy()).max()))


# ----- the switch ------------------------------------------------------------------------------
def test_installed_but_not_chosen_changes_nothing():
    assert tt_accelerate.enabled() == []
    for name, op in ACCELERATED.items():
        assert OPS[name] is ops.base(name)
        assert plugins.registry().providers("ops", name)[-1] == tt_accelerate.PROVIDER
        entry = next(e for e in plugins.listing("ops")
                     if e.name == name and e.provider == tt_accelerate.PROVIDER)
        assert entry.alternative and entry.obj is op


def test_enable_and_disable_switch_every_op():
    assert tt_accelerate.enable() == list(tt_accelerate.OP_NAMES)
    assert sorted(tt_accelerate.enabled()) == sorted(ACCELERATED)
    assert all(OPS[name] is op for name, op in ACCELERATED.items())
    import tt_nn
    layer = tt_nn.LayerNorm(8)
    x = tt.randn(2, 8, requires_grad=True)
    layer(x).sum().backward()  # layers look the op up by name: they run the kernel
    tt_accelerate.disable()
    assert tt_accelerate.enabled() == [] and OPS["gelu"] is ops.base("gelu")


def test_enable_one_op_and_keep_other_choices():
    tt_accelerate.enable("gelu")
    assert tt_accelerate.enabled() == ["gelu"] and OPS["layer_norm"] is ops.base("layer_norm")
    plugins.use("layer_norm", "tt-nn")
    tt_accelerate.disable()
    assert OPS["gelu"] is ops.base("gelu")
    assert plugins._choices.get(("ops", "layer_norm")) == "tt-nn"  # not ours: kept
    plugins.clear_choices("tt-nn")


def test_the_op_names_are_those_of_the_ops():
    assert sorted(tt_accelerate.OP_NAMES) == sorted(ACCELERATED)


def test_importing_the_plugin_does_not_import_numba():
    import subprocess
    import sys

    code = ("import sys, numpy as np, tt_tensor as tt, tt_nn.functional as F\n"
            "F.gelu(tt.tensor(np.ones(3))); F.layer_norm(tt.tensor(np.ones((2, 3))), (3,))\n"
            "from tt_tensor import plugins\n"
            "assert 'tt-accelerate' in plugins.registry().providers('ops', 'gelu')\n"
            "print('numba' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bad_layer_norm_arguments_get_the_numpy_ops_error():
    x, wrong = np.ones((2, 4)), np.ones(3)
    for op in (ACCELERATED["layer_norm"], ops.base("layer_norm")):
        with pytest.raises(ValueError):
            op.apply(tt.tensor(x), tt.tensor(wrong), None)
    with pytest.raises(ValueError, match="approximate"):
        ACCELERATED["gelu"].apply(tt.tensor(x), approximate="fast")
    with pytest.raises(TypeError, match="floating-point"):
        ACCELERATED["gelu"].apply(tt.tensor(np.ones(3, dtype=np.int64)))


def test_without_numba_the_chosen_op_says_how_to_fix_it():
    import subprocess
    import sys

    code = ("import sys; sys.modules['numba'] = None\n"
            "import numpy as np, tt_tensor as tt, tt_accelerate\n"
            "from tt_tensor import OPS\n"
            "tt_accelerate.enable('gelu')\n"
            "try:\n    OPS['gelu'].apply(tt.tensor(np.ones(3)))\n"
            "except ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "need numba" in out.stdout and "tt_accelerate.disable()" in out.stdout


# ----- the replaced ops' own differential tests, run on the accelerated ops --------------------
def _differential_tests(package):
    """A package's property-based differential module (it tests the op the registry
    resolves, through `tt.OPS` or the functional form, against torch)."""
    import importlib.util
    from pathlib import Path

    pytest.importorskip("hypothesis")
    pytest.importorskip("torch")
    path = Path(__file__).resolve().parents[2] / package / "tests" / "test_differential.py"
    if not path.is_file():
        pytest.skip(f"{package}'s tests are not beside this package (not a clone of tt)")
    import sys

    name = f"{package.replace('-', '_')}_differential_for_accelerate"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # its dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.mark.parametrize("name", sorted(ACCELERATED))
def test_the_replaced_ops_differential_test_passes_with_the_accelerator(name):
    """The very test the replaced op passes (hypothesis-drawn shapes and arguments, 0-size
    batches included, forward and backward against torch in float64), with tt-accelerate's
    op chosen."""
    package = {"max_pool2d": "tt-vision", "conv2d": "tt-vision", "relu": "tt-tensor"}.get(
        name, "tt-nn")
    module = _differential_tests(package)
    tt_accelerate.enable(name)
    assert OPS[name] is ACCELERATED[name]
    module.test_forward_and_backward_match_torch(name)
