"""Forward values and gradients equal PyTorch's, op by op and layer by layer (float64, rtol 1e-9).

`compare(tt_fn, torch_fn, *arrays)` runs the same function on the same float64 inputs in
both libraries and checks the output and the gradient of every input (tinygrad's
helper_test_op idea): each case below is one line.
"""

import numpy as np
import pytest
import tt_tensor as tt
import tt_vision
from tt_vision import functional as F

torch = pytest.importorskip("torch", reason="PyTorch is the optional reference for these tests")
TF = torch.nn.functional
RTOL, ATOL = 1e-9, 1e-11


def compare(tt_fn, torch_fn, *arrays):
    """Same inputs (float64; None and int arrays passed through) -> same output and input gradients."""
    def grad_input(a):
        return a is not None and np.asarray(a).dtype.kind == "f"

    ours = [tt.Tensor(a, requires_grad=True) if grad_input(a) else a for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) if grad_input(a) else
              (None if a is None else torch.tensor(a)) for a in arrays]
    out, ref = tt_fn(*ours), torch_fn(*theirs)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=RTOL, atol=ATOL)
    weights = np.random.default_rng(7).normal(size=out.shape)
    out.backward(weights)
    ref.backward(torch.tensor(weights))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if isinstance(a, tt.Tensor):
            np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=RTOL, atol=ATOL,
                                       err_msg=f"gradient of input {i}")


def normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def distinct(*shape, seed=0):
    """All different: max pooling has one clear winner per window."""
    return np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 3


# ----- convolution ----------------------------------------------------------------------------
CONV_CASES = [  # x shape, weight shape, bias?, keyword arguments
    ((2, 3, 7, 7), (4, 3, 3, 3), True, {}),
    ((2, 3, 7, 7), (4, 3, 3, 3), True, {"stride": 2, "padding": 1}),
    ((1, 2, 8, 5), (3, 2, 2, 3), False, {"stride": (2, 1), "padding": (0, 2)}),
    ((3, 1, 6, 6), (2, 1, 5, 5), True, {"stride": 3, "padding": 2}),
    ((2, 4, 5, 5), (6, 4, 1, 1), True, {}),
    ((2, 2, 4, 4), (2, 2, 4, 4), True, {}),                                  # kernel = image
    ((2, 4, 7, 6), (6, 2, 3, 3), True, {"groups": 2, "padding": 1}),
    ((2, 6, 6, 6), (6, 1, 3, 3), False, {"groups": 6}),                      # depthwise
    ((2, 3, 9, 8), (4, 3, 3, 2), True, {"dilation": (2, 3), "padding": (2, 1)}),
    ((1, 4, 9, 9), (4, 2, 3, 3), True, {"dilation": 2, "stride": 2, "groups": 2}),
    ((2, 3, 6, 7), (4, 3, 3, 4), True, {"padding": "same"}),                 # uneven 'same'
    ((2, 3, 6, 7), (4, 3, 3, 3), True, {"padding": "valid"}),
]


@pytest.mark.parametrize("xs, ws, bias, kw", CONV_CASES)
def test_conv2d(xs, ws, bias, kw):
    b = normal(ws[0], seed=2) if bias else None
    compare(lambda x, w, b: F.conv2d(x, w, b, **kw), lambda x, w, b: TF.conv2d(x, w, b, **kw),
            normal(*xs, seed=1), normal(*ws, seed=3), b)


def test_conv2d_unbatched():
    compare(lambda x, w: F.conv2d(x, w, padding=1), lambda x, w: TF.conv2d(x, w, padding=1),
            normal(3, 5, 5), normal(2, 3, 3, 3, seed=1))


@pytest.mark.parametrize("xs, ws, kw", [
    ((2, 3, 10), (4, 3, 3), {}), ((2, 4, 11), (6, 2, 3), {"stride": 2, "padding": 2, "groups": 2}),
    ((1, 2, 12), (3, 2, 4), {"dilation": 3, "padding": "same"}), ((3, 9), (2, 3, 2), {})])
def test_conv1d(xs, ws, kw):
    compare(lambda x, w, b: F.conv1d(x, w, b, **kw), lambda x, w, b: TF.conv1d(x, w, b, **kw),
            normal(*xs), normal(*ws, seed=1), normal(ws[0], seed=2))


@pytest.mark.parametrize("xs, ws, kw", [
    ((2, 3, 4, 4), (3, 2, 3, 3), {}),
    ((2, 2, 3, 4), (2, 3, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    ((1, 4, 3, 3), (4, 1, 3, 2), {"stride": (1, 2), "groups": 2, "dilation": 2}),
    ((2, 3, 5, 5), (3, 4, 4, 4), {"stride": 2, "padding": 1}),               # DCGAN-style 2x
])
def test_conv_transpose2d(xs, ws, kw):
    compare(lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
            lambda x, w, b: TF.conv_transpose2d(x, w, b, **kw),
            normal(*xs), normal(*ws, seed=1), normal(ws[1] * kw.get("groups", 1), seed=2))


# ----- pooling --------------------------------------------------------------------------------
POOL_CASES = [  # shape, keyword arguments
    ((2, 3, 8, 8), {"kernel_size": 2}), ((2, 3, 7, 9), {"kernel_size": 2}),
    ((2, 2, 7, 7), {"kernel_size": 3, "stride": 1}),
    ((1, 2, 9, 8), {"kernel_size": (3, 2), "stride": (2, 1)}),
    ((2, 1, 6, 6), {"kernel_size": 3, "stride": 2}),
    ((2, 2, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ((2, 2, 7, 8), {"kernel_size": 2, "stride": 2, "ceil_mode": True}),
    ((1, 3, 8, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
]


@pytest.mark.parametrize("shape, kw", POOL_CASES + [
    ((1, 2, 9, 9), {"kernel_size": 2, "stride": 1, "dilation": 2}),
    ((2, 2, 10, 9), {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": (2, 1)})])
def test_max_pool2d(shape, kw):
    compare(lambda x: F.max_pool2d(x, **kw), lambda x: TF.max_pool2d(x, **kw), distinct(*shape))


@pytest.mark.parametrize("shape, kw", POOL_CASES + [
    ((2, 2, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}),
    ((1, 3, 8, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
                    "count_include_pad": False}),
    ((2, 2, 6, 6), {"kernel_size": 2, "divisor_override": 3})])
def test_avg_pool2d(shape, kw):
    compare(lambda x: F.avg_pool2d(x, **kw), lambda x: TF.avg_pool2d(x, **kw), normal(*shape))


def test_max_pool_ties_match_torch():
    """Equal values in a window: both libraries send the gradient to the first one."""
    x = np.random.default_rng(0).integers(0, 3, size=(2, 2, 6, 6)).astype(np.float64)
    compare(lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2), x)
    compare(lambda x: F.max_pool2d(x, 3, 1), lambda x: TF.max_pool2d(x, 3, 1), x)
    compare(lambda x: F.max_pool2d(x, 3, 2, 1), lambda x: TF.max_pool2d(x, 3, 2, 1), x)


@pytest.mark.parametrize("shape, kw", [((2, 3, 8, 8), {"kernel_size": 2}),
                                       ((1, 2, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1}),
                                       ((1, 2, 9, 9), {"kernel_size": 2, "dilation": 2,
                                                       "ceil_mode": True})])
def test_max_pool_indices_and_unpool(shape, kw):
    x = distinct(*shape)
    out, indices = F.max_pool2d(tt.tensor(x), return_indices=True, **kw)
    ref, ref_indices = TF.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    np.testing.assert_array_equal(indices.data, ref_indices.numpy())
    assert indices.dtype == np.int64
    unpool_kw = {k: v for k, v in kw.items() if k in ("kernel_size", "stride", "padding")}
    size = shape[-2:]
    compare(lambda v: F.max_unpool2d(v, indices, output_size=size, **unpool_kw),
            lambda v: TF.max_unpool2d(v, ref_indices, output_size=size, **unpool_kw), out.data)


def test_max_unpool_default_size():
    x = distinct(2, 3, 8, 8)
    out, idx = TF.max_pool2d(torch.tensor(x), 2, return_indices=True)
    compare(lambda v: F.max_unpool2d(v, idx.numpy(), 2), lambda v: TF.max_unpool2d(v, idx, 2),
            out.numpy())


@pytest.mark.parametrize("shape, size", [((2, 3, 8, 8), 1), ((2, 3, 7, 9), (3, 4)),
                                         ((1, 2, 5, 6), (None, 2)), ((3, 5, 5), (7, 2))])
def test_adaptive_avg_pool2d(shape, size):
    compare(lambda x: F.adaptive_avg_pool2d(x, size), lambda x: TF.adaptive_avg_pool2d(x, size),
            normal(*shape))


# ----- resizing and padding -------------------------------------------------------------------
@pytest.mark.parametrize("shape, kw", [
    ((2, 3, 4, 5), {"scale_factor": 2}), ((2, 3, 4, 5), {"size": (7, 3)}),
    ((1, 2, 5, 5), {"scale_factor": 1.5}), ((1, 2, 6, 4), {"size": 9, "mode": "nearest-exact"}),
    ((2, 3, 4, 5), {"scale_factor": 2, "mode": "bilinear"}),
    ((2, 3, 4, 5), {"size": (7, 3), "mode": "bilinear", "align_corners": True}),
    ((1, 2, 5, 6), {"size": (3, 11), "mode": "bilinear", "align_corners": False}),
    ((1, 2, 5, 5), {"scale_factor": 1.7, "mode": "bilinear"}),
    ((2, 3, 6), {"scale_factor": 3, "mode": "linear"}), ((2, 3, 6), {"size": 4})])
def test_interpolate(shape, kw):
    compare(lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw), normal(*shape))


@pytest.mark.parametrize("shape, pad, mode", [
    ((2, 3, 4, 5), (1, 2), "constant"), ((2, 3, 4, 5), (1, 2, 0, 3), "constant"),
    ((2, 3, 4, 5), (3, 1, 2, 2), "reflect"), ((2, 3, 4, 5), (2, 0, 1, 4), "replicate"),
    ((2, 3, 4, 5), (4, 1, 3, 2), "circular"), ((2, 3, 6), (2, 3), "reflect"),
    ((2, 3, 6), (5, 1), "replicate"), ((2, 3, 4, 5, 3), (1, 1, 2, 0, 1, 2), "constant")])
def test_pad(shape, pad, mode):
    compare(lambda x: F.pad(x, pad, mode), lambda x: TF.pad(x, pad, mode), normal(*shape))
    if mode == "constant":
        compare(lambda x: F.pad(x, pad, value=2.5), lambda x: TF.pad(x, pad, value=2.5),
                normal(*shape))


# ----- normalisation --------------------------------------------------------------------------
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(4, 3, 5, 5), (6, 3), (4, 3, 7)])
def test_batch_norm_function(training, shape):
    rm, rv = np.array([0.1, -0.3, 0.5]), np.array([0.8, 1.2, 2.0])
    ours_rm, ours_rv = tt.tensor(rm), tt.tensor(rv)
    theirs_rm, theirs_rv = torch.tensor(rm), torch.tensor(rv)
    compare(lambda x, w, b: F.batch_norm(x, ours_rm, ours_rv, w, b, training, 0.2, 1e-3),
            lambda x, w, b: TF.batch_norm(x, theirs_rm, theirs_rv, w, b, training, 0.2, 1e-3),
            normal(*shape) * 3 + 1, normal(3, seed=1), normal(3, seed=2))
    np.testing.assert_allclose(ours_rm.data, theirs_rm.numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours_rv.data, theirs_rv.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("shape, groups", [((2, 6, 4, 4), 3), ((3, 4, 5), 2), ((2, 4, 3, 3), 4)])
def test_group_norm(shape, groups):
    c = shape[1]
    compare(lambda x, w, b: F.group_norm(x, groups, w, b, 1e-4),
            lambda x, w, b: TF.group_norm(x, groups, w, b, 1e-4),
            normal(*shape) * 2 + 1, normal(c, seed=1), normal(c, seed=2))


# ----- layers ---------------------------------------------------------------------------------
def _twins(ours, theirs):
    """Give the torch layer our layer's (float64) parameters and buffers."""
    ours.double()
    theirs.double()
    with torch.no_grad():
        state = dict(theirs.state_dict())
        for name, value in ours.state_dict().items():
            state[name].copy_(torch.tensor(np.asarray(getattr(value, "data", value))))
    return ours, theirs


@pytest.mark.parametrize("make, shape", [
    (lambda nn: nn.Conv2d(3, 5, 3, stride=2, padding=1), (2, 3, 9, 9)),
    (lambda nn: nn.Conv2d(4, 6, 3, padding="same", dilation=2, groups=2, bias=False), (2, 4, 7, 7)),
    (lambda nn: nn.Conv1d(3, 4, 5, stride=2, padding=1), (2, 3, 12)),
    (lambda nn: nn.Conv2d(3, 4, 3, padding=(1, 2), padding_mode="reflect"), (2, 3, 6, 7)),
    (lambda nn: nn.Conv2d(3, 4, 3, stride=2, padding=1, padding_mode="replicate"), (2, 3, 7, 7)),
    (lambda nn: nn.Conv1d(2, 3, 3, padding=2, padding_mode="circular"), (2, 2, 9)),
    (lambda nn: nn.ConvTranspose2d(3, 4, 4, stride=2, padding=1), (2, 3, 5, 5)),
    (lambda nn: nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1, groups=2), (1, 4, 3, 3)),
    (lambda nn: nn.AdaptiveAvgPool2d((2, 3)), (2, 3, 7, 8)),
    (lambda nn: nn.Upsample(scale_factor=2, mode="bilinear"), (2, 3, 4, 4)),
    (lambda nn: nn.GroupNorm(2, 4), (2, 4, 3, 3)),
    (lambda nn: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 8, 8)),
    (lambda nn: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), (2, 3, 8, 8)),
])
def test_layers_match_torch_layers(make, shape):
    ours, theirs = _twins(make(tt_vision), make(torch.nn))
    compare(ours, theirs, distinct(*shape) if "Pool" in type(ours).__name__ else normal(*shape))
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=name)


def test_conv_transpose_layer_output_size_matches_torch():
    ours, theirs = _twins(tt_vision.ConvTranspose2d(2, 3, 3, stride=2, padding=1),
                          torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1))
    x = normal(1, 2, 4, 4)
    compare(lambda v: ours(v, output_size=(8, 8)), lambda v: theirs(v, output_size=(8, 8)), x)


@pytest.mark.parametrize("layer, shape", [("BatchNorm2d", (4, 3, 3, 3)), ("BatchNorm1d", (5, 3)),
                                          ("BatchNorm1d", (4, 3, 6))])
def test_batchnorm_layers_train_then_eval_match_torch(layer, shape):
    ours, theirs = _twins(getattr(tt_vision, layer)(3, momentum=0.3),
                          getattr(torch.nn, layer)(3, momentum=0.3))
    for step in range(3):  # running statistics follow torch's step by step
        compare(ours, theirs, normal(*shape, seed=step) * 2 + step)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(np.asarray(getattr(ours.state_dict()[name], "data",
                                                      ours.state_dict()[name])),
                                   value.numpy(), rtol=RTOL, atol=ATOL, err_msg=name)
    ours.eval()
    theirs.eval()
    compare(ours, theirs, normal(*shape, seed=9))


def test_batchnorm2d_cumulative_average_matches_torch():
    ours, theirs = _twins(tt_vision.BatchNorm2d(2, momentum=None),
                          torch.nn.BatchNorm2d(2, momentum=None))
    for step in range(3):
        compare(ours, theirs, normal(3, 2, 2, 2, seed=step) + step)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=RTOL)


def test_conv2d_default_init_has_torchs_spread():
    """Weights and bias uniform in +-1/sqrt(fan_in), like torch's kaiming_uniform_(a=sqrt(5))."""
    tt.manual_seed(0)
    ours, theirs = tt_vision.Conv2d(4, 64, 3), torch.nn.Conv2d(4, 64, 3)
    bound = 1 / np.sqrt(4 * 9)
    assert np.abs(ours.weight.data).max() <= bound
    assert np.abs(ours.bias.data).max() <= bound
    np.testing.assert_allclose(ours.weight.data.std(), theirs.weight.detach().numpy().std(), rtol=0.1)
    assert ours.weight.dtype == np.float32
    transposed = tt_vision.ConvTranspose2d(4, 6, 3, groups=2)
    assert transposed.weight.shape == tuple(torch.nn.ConvTranspose2d(4, 6, 3, groups=2).weight.shape)
    assert np.abs(transposed.weight.data).max() <= 1 / np.sqrt(3 * 9)
