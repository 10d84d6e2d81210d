"""Layers: float64 gradient checks (stride/padding variants), shapes, modes and bad input."""

import numpy as np
import pytest
import tt_tensor as tt
from tt_autograd import gradcheck
from tt_tensor import plugins
from tt_vision import (AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv1d, Conv2d,
                       ConvTranspose2d, Dropout2d, GroupNorm, MaxPool2d, MaxUnpool2d, Upsample)


def normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def distinct(*shape, seed=0):
    """All different, at least 0.1 apart: max pooling has no near-ties for finite differences."""
    return np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) * 0.1


def check_layer(layer, x):
    """Gradcheck the input and every parameter of a single layer (in float64) on input x."""
    layer.double()
    named = list(layer.named_parameters())

    def fn(x, *values):
        # The layer reads self.weight etc.: point them at the tensors gradcheck nudges.
        for (name, _), value in zip(named, values):
            object.__setattr__(layer, name, value)
        return layer(x)

    try:
        gradcheck(fn, [x, *[p.data for _, p in named]])
    finally:
        for name, param in named:
            object.__setattr__(layer, name, param)


@pytest.mark.parametrize("args, kwargs, shape", [
    ((2, 3, 3), {}, (2, 2, 6, 6)),
    ((2, 3, 3), {"stride": 2, "padding": 1}, (2, 2, 5, 5)),
    ((1, 2, (2, 3)), {"stride": (1, 2), "padding": (1, 0), "bias": False}, (2, 1, 5, 6)),
])
def test_conv2d_layer_gradcheck(args, kwargs, shape):
    check_layer(Conv2d(*args, **kwargs), normal(*shape))


@pytest.mark.parametrize("layer, shape", [
    (MaxPool2d(2), (2, 2, 4, 5)), (MaxPool2d(3, stride=1), (1, 2, 5, 5)),
    (MaxPool2d((2, 3), stride=(1, 2)), (2, 1, 5, 7)),
    (AvgPool2d(2), (2, 2, 5, 4)), (AvgPool2d(3, stride=2), (1, 2, 7, 7)),
])
def test_pool_layer_gradcheck(layer, shape):
    gradcheck(layer, [distinct(*shape)])


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm2d_layer_gradcheck(training):
    layer = BatchNorm2d(3)
    layer.running_mean.data[...] = [0.2, -0.1, 0.4]
    layer.running_var.data[...] = [1.5, 0.6, 2.0]
    layer.weight.data[...] = [0.5, 2.0, -1.0]
    layer.train(training)
    check_layer(layer, normal(4, 3, 2, 3) * 2 + 1)


def test_output_shapes():
    x = tt.randn(4, 3, 28, 28)
    assert Conv2d(3, 8, 5)(x).shape == (4, 8, 24, 24)
    assert Conv2d(3, 8, 3, stride=2, padding=1)(x).shape == (4, 8, 14, 14)
    assert MaxPool2d(2)(x).shape == (4, 3, 14, 14)
    assert MaxPool2d(3, stride=2)(x).shape == (4, 3, 13, 13)
    assert AvgPool2d(5)(x).shape == (4, 3, 5, 5)
    assert BatchNorm2d(3)(x).shape == (4, 3, 28, 28)


def test_float32_in_float32_out():
    x = tt.randn(2, 1, 8, 8)
    out = AvgPool2d(2)(MaxPool2d(1)(BatchNorm2d(4)(Conv2d(1, 4, 3, padding=1)(x))))
    assert out.dtype == np.float32


def test_max_pool_gradient_goes_to_exactly_the_first_max():
    x = np.array([[[[1.0, 3.0, 2.0, 2.0],
                    [3.0, 0.0, 2.0, 2.0],
                    [5.0, 5.0, 0.0, 1.0],
                    [5.0, 5.0, 7.0, 0.0]]]])
    t = tt.Tensor(x, requires_grad=True)
    MaxPool2d(2)(t).sum().backward()
    expected = np.array([[[[0, 1, 1, 0], [0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 1, 0]]]], float)
    np.testing.assert_array_equal(t.grad.data, expected)


def test_max_pool_one_winner_per_window_when_all_equal():
    """Overlapping windows of a constant image: each window sends its whole gradient to one pixel."""
    t = tt.Tensor(np.ones((2, 3, 6, 6)), requires_grad=True)
    out = MaxPool2d(3, stride=1)(t)
    out.sum().backward()
    assert t.grad.data.sum() == out.data.size  # one unit per window, none lost or duplicated
    # With all values tied, the first element (top-left) of every window wins.
    np.testing.assert_array_equal(t.grad.data[0, 0, :4, :4], np.ones((4, 4)))
    assert t.grad.data[:, :, 4:, :].sum() == 0 and t.grad.data[:, :, :, 4:].sum() == 0


def test_avg_pool_spreads_gradient_evenly():
    t = tt.Tensor(normal(1, 1, 4, 4), requires_grad=True)
    AvgPool2d(2)(t).sum().backward()
    np.testing.assert_allclose(t.grad.data, np.full((1, 1, 4, 4), 0.25))


def test_batchnorm2d_modes_and_running_stats():
    tt.manual_seed(0)
    bn = BatchNorm2d(2, momentum=0.5)
    x = tt.Tensor(np.random.default_rng(0).normal(3.0, 2.0, size=(8, 2, 4, 4)).astype(np.float32))
    out = bn(x)
    np.testing.assert_allclose(out.data.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(out.data.var(axis=(0, 2, 3)), 1, atol=1e-3)
    batch_mean, batch_var = x.data.mean(axis=(0, 2, 3)), x.data.var(axis=(0, 2, 3), ddof=1)
    np.testing.assert_allclose(bn.running_mean.data, 0.5 * batch_mean, rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.data, 0.5 + 0.5 * batch_var, rtol=1e-5)
    assert int(bn.num_batches_tracked.data) == 1
    bn.eval()
    frozen = bn.running_mean.data.copy()
    expected = (x.data - frozen[None, :, None, None]) / np.sqrt(
        bn.running_var.data[None, :, None, None] + bn.eps)
    np.testing.assert_allclose(bn(x).data, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(bn.running_mean.data, frozen)  # eval does not update
    assert set(bn.state_dict()) == {"weight", "bias", "running_mean", "running_var",
                                    "num_batches_tracked"}


def test_batchnorm2d_without_running_stats_always_uses_the_batch():
    bn = BatchNorm2d(2, affine=False, track_running_stats=False).eval()
    out = bn(tt.Tensor(normal(4, 2, 3, 3) * 5 + 2))
    np.testing.assert_allclose(out.data.mean(axis=(0, 2, 3)), 0, atol=1e-10)
    assert list(bn.parameters()) == []


# ----- bad input: the op names itself and the shapes (the layer adds its own name) ----------
@pytest.mark.parametrize("layer, shape, pattern", [
    (Conv2d(1, 8, 3), (8, 8), r"conv2d.*\(N, C, H, W\).*\(8, 8\)"),
    (Conv2d(3, 8, 3), (2, 1, 8, 8), r"conv2d: weight of shape \(8, 3, 3, 3\) does not fit input "
                                    r"of shape \(2, 1, 8, 8\)"),
    (Conv2d(1, 8, 5), (2, 1, 4, 4), r"conv2d: kernel \(5, 5\).* is larger than the padded input "
                                    r"\(4, 4\)"),
    (Conv2d(1, 8, 5, padding=1), (2, 1, 2, 2), r"larger than the padded input \(4, 4\)"),
    (MaxPool2d(2), (8, 8), r"max_pool2d.*4-D.*\(8, 8\)"),
    (AvgPool2d(3), (1, 1, 2, 5), r"avg_pool2d: kernel \(3, 3\).* is larger.*\(2, 5\)"),
    (BatchNorm2d(4), (2, 3, 5, 5), r"batch_norm: weight of shape \(4,\) does not fit input of "
                                   r"shape \(2, 3, 5, 5\)"),
    (BatchNorm2d(4), (2, 4), r"expected a 4-D input \(N, C, H, W\), got shape \(2, 4\)"),
    (BatchNorm1d(4), (2, 4, 5, 5), r"expected a 2-D or 3-D input"),
    (GroupNorm(2, 4), (2, 3, 5), r"group_norm: .*\(2, 3, 5\).*divisible by num_groups=2"),
    (Conv1d(2, 4, 3), (2, 3, 9), r"conv2d: weight of shape \(4, 2, 1, 3\) does not fit"),
])
def test_bad_shapes_name_the_op_and_shapes(layer, shape, pattern):
    with pytest.raises(ValueError, match=pattern) as caught:
        layer(tt.zeros(*shape))
    assert str(caught.value).count("does not fit") <= 1  # validated once, not in layer and op


def test_ops_check_shapes_too():
    with pytest.raises(ValueError, match=r"conv2d: weight of shape \(4, 2, 3, 3\) does not fit "
                                         r"input of shape \(1, 3, 5, 5\)"):
        tt.OPS["conv2d"].apply(tt.zeros(1, 3, 5, 5), tt.zeros(4, 2, 3, 3))
    with pytest.raises(ValueError, match=r"conv2d: bias of shape \(3,\)"):
        tt.OPS["conv2d"].apply(tt.zeros(1, 2, 5, 5), tt.zeros(4, 2, 3, 3), tt.zeros(3))
    with pytest.raises(ValueError, match=r"conv2d: input channels 3 .* not divisible by groups=2"):
        tt.OPS["conv2d"].apply(tt.zeros(1, 3, 5, 5), tt.zeros(4, 1, 3, 3), groups=2)
    with pytest.raises(ValueError, match=r"batch_norm: training needs more than one value"):
        tt.OPS["batch_norm"].apply(tt.zeros(1, 2, 1, 1))
    with pytest.raises(ValueError, match=r"max_pool2d: padding \(2, 2\) must be at most half"):
        tt.OPS["max_pool2d"].apply(tt.zeros(1, 1, 6, 6), kernel_size=2, padding=2)
    with pytest.raises(ValueError, match=r"pad: reflect padding \(4, 0\) must be smaller"):
        tt.OPS["pad"].apply(tt.zeros(1, 1, 4, 4), pad=(4, 0), mode="reflect")
    with pytest.raises(ValueError, match=r"conv_transpose2d: output_padding \(2, 2\) must be"):
        tt.OPS["conv_transpose2d"].apply(tt.zeros(1, 2, 3, 3), tt.zeros(2, 2, 3, 3), stride=2,
                                         output_padding=2)


def test_bad_constructor_arguments():
    with pytest.raises(TypeError, match="Conv2d: kernel_size must be an int or a pair"):
        Conv2d(1, 2, "3")
    with pytest.raises(ValueError, match="Conv2d: .*must be positive"):
        Conv2d(1, 2, 3, stride=0)
    with pytest.raises(ValueError, match="MaxPool2d: kernel_size, stride and dilation must be "
                                         "positive"):
        MaxPool2d(0)
    with pytest.raises(ValueError, match=r"Conv2d: in_channels \(3\) and out_channels \(4\) "
                                         r"must be divisible by groups \(2\)"):
        Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="GroupNorm: num_channels"):
        GroupNorm(3, 4)
    with pytest.raises(ValueError, match="Dropout2d: p must be"):
        Dropout2d(1.5)


# ----- registry --------------------------------------------------------------------------
LAYER_NAMES = ["Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d",
               "AdaptiveAvgPool2d", "MaxUnpool2d", "Upsample", "BatchNorm1d", "BatchNorm2d",
               "GroupNorm", "Dropout2d"]
OP_NAMES = ["conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "max_unpool2d",
            "batch_norm", "pad"]
FUNCTION_NAMES = ["conv1d", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d",
                  "max_unpool2d", "adaptive_avg_pool2d", "interpolate", "upsample", "pad",
                  "batch_norm", "group_norm", "dropout2d"]


@pytest.mark.parametrize("kind, name", [("layers", n) for n in LAYER_NAMES] +
                         [("ops", n) for n in OP_NAMES] + [("functions", n) for n in FUNCTION_NAMES]
                         + [("datasets", "TinyDigits"), ("datasets", "MNIST"),
                            ("datasets", "CIFAR10")])
def test_registered_by_tt_vision(kind, name):
    assert "tt-vision" in plugins.registry().providers(kind, name)
    assert plugins.get(kind, name).__module__.startswith("tt_vision.")


def test_op_classes_and_entry_points_agree():
    """Every op in OP_CLASSES is declared under tt.ops in the installed metadata, and named ...Op."""
    from importlib.metadata import entry_points

    from tt_vision.ops import OP_CLASSES

    declared = {e.name for e in entry_points(group="tt.ops") if e.value == "tt_vision.plugin"}
    assert declared == {op.name for op in OP_CLASSES} == set(OP_NAMES)
    assert all(op.__name__.endswith("Op") for op in OP_CLASSES)


def test_flop_counts():
    """conv2d: 2*C*kH*kW per output element (a multiply and an add per weight)."""
    x, w = tt.randn(2, 3, 8, 8), tt.randn(4, 3, 3, 3)
    conv = tt.OPS["conv2d"]
    out = conv.apply(x, w, stride=2, padding=1)  # (2, 4, 4, 4)
    assert conv.flops(None, (x, w), out.data) == 2 * (2 * 4 * 4 * 4) * (3 * 3 * 3)
    seen = []
    with tt.observing(lambda op, inputs, output, ctx: seen.append(
            (op.name, op.flops(ctx, inputs, output.data)))):
        MaxPool2d(2)(tt.randn(1, 2, 4, 4))
    assert seen == [("max_pool2d", 2 * 2 * 2 * 3)]  # 8 outputs, 3 comparisons each


def test_import_is_quiet_and_lazy():
    """`import tt_vision` prints nothing and leaves the data sets and transforms unloaded."""
    import subprocess
    import sys

    code = ("import sys, tt_vision; "
            "print(sorted(m for m in ('tt_vision.datasets', 'tt_vision.transforms', 'tt_vision.utils', "
            "'torch', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]" and out.stderr == ""


def test_without_tt_vision_the_registry_has_none_of_it():
    """Block the tt-vision plugin (as if uninstalled): its names leave the listing."""
    import os
    import subprocess
    import sys

    code = ("from tt_tensor import plugins; "
            "print(sorted(e.name for e in plugins.listing() if e.provider == 'tt-vision'))")
    env = {**os.environ, "TT_BLOCK_PLUGINS": ",".join(
        filter(None, [os.environ.get("TT_BLOCK_PLUGINS", ""), "tt-vision"]))}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)
    assert out.stdout.strip() == "[]"


# ----- the layers added for the PyTorch surface ------------------------------------------------
@pytest.mark.parametrize("layer, shape", [
    (Conv1d(2, 3, 3, stride=2, padding=1), (2, 2, 7)),
    (Conv2d(4, 4, 3, padding="same", dilation=2, groups=2), (2, 4, 5, 5)),
    (ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1), (2, 2, 3, 3)),
    (GroupNorm(2, 4), (2, 4, 2, 3)),
    (BatchNorm1d(3), (5, 3)),
])
def test_new_layers_gradcheck(layer, shape):
    check_layer(layer, normal(*shape))


@pytest.mark.parametrize("layer, shape", [
    (AdaptiveAvgPool2d((2, 3)), (2, 2, 5, 7)), (Upsample(scale_factor=2, mode="bilinear"), (1, 2, 3, 3)),
    (Upsample(size=(5, 4)), (1, 2, 3, 3)), (MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (1, 2, 6, 6)),
])
def test_resizing_layers_gradcheck(layer, shape):
    gradcheck(layer, [distinct(*shape)])


def test_max_unpool_layer_puts_values_back():
    x = tt.tensor(distinct(1, 1, 4, 4))
    out, indices = MaxPool2d(2, return_indices=True)(x)
    restored = MaxUnpool2d(2)(out, indices)
    assert restored.shape == (1, 1, 4, 4)
    np.testing.assert_array_equal(np.sort(restored.data[restored.data != 0]),
                                  np.sort(out.data.ravel()))
    np.testing.assert_array_equal(restored.data.ravel()[indices.data.ravel()], out.data.ravel())


def test_dropout2d_drops_whole_channels_and_is_identity_in_eval():
    tt.manual_seed(0)
    layer = Dropout2d(0.5)
    x = tt.ones(8, 16, 3, 3)
    out = layer(x).data
    per_channel = out.reshape(8, 16, -1)
    assert ((per_channel == 0).all(axis=2) | (per_channel == 2).all(axis=2)).all()
    assert 0.3 < (per_channel[:, :, 0] == 0).mean() < 0.7
    assert layer.eval()(x) is x


def test_device_and_dtype_arguments():
    """`device="cpu"` is accepted (the only device there is); others are a clear error."""
    assert Conv2d(1, 2, 3, device="cpu").weight.dtype == np.float32
    assert BatchNorm1d(3, device=None, dtype=tt.float64).weight.dtype == np.float64
    for make in (lambda: Conv2d(1, 2, 3, device="cuda"), lambda: GroupNorm(1, 2, device="cuda"),
                 lambda: ConvTranspose2d(1, 2, 3, device="cuda:0")):
        with pytest.raises(RuntimeError, match="NumPy"):
            make()
