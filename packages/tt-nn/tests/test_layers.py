"""Every layer: a float64 gradient check, a PyTorch comparison, and its error messages."""

import math

import numpy as np
import pytest
import tt_nn as nn
import tt_tensor as tt
from tt_nn.ops.erf import erf, normal_cdf

rng = np.random.default_rng(0)
X = rng.normal(size=(4, 5)) * 2


def _torch_layers(torch):
    """(tt layer, torch layer, input) triples for the comparisons."""
    tnn = torch.nn
    return {
        "Linear": (nn.Linear(5, 3), tnn.Linear(5, 3), X),
        "Linear-3d-input": (nn.Linear(5, 2), tnn.Linear(5, 2), rng.normal(size=(2, 3, 5))),
        "Linear-no-bias": (nn.Linear(5, 3, bias=False), tnn.Linear(5, 3, bias=False), X),
        "ReLU": (nn.ReLU(), tnn.ReLU(), X),
        "Tanh": (nn.Tanh(), tnn.Tanh(), X),
        "Sigmoid": (nn.Sigmoid(), tnn.Sigmoid(), X * 10),
        "GELU": (nn.GELU(), tnn.GELU(), X * 2),
        "GELU-tanh": (nn.GELU("tanh"), tnn.GELU(approximate="tanh"), X * 2),
        "Softmax": (nn.Softmax(dim=1), tnn.Softmax(dim=1), X),
        "Softmax-dim0": (nn.Softmax(dim=0), tnn.Softmax(dim=0), X),
        "Flatten": (nn.Flatten(), tnn.Flatten(), rng.normal(size=(2, 3, 4))),
        "Flatten-1-2": (nn.Flatten(0, 1), tnn.Flatten(0, 1), rng.normal(size=(2, 3, 4))),
        "LayerNorm": (nn.LayerNorm(5), tnn.LayerNorm(5), X),
        "LayerNorm-2d": (nn.LayerNorm((3, 4)), tnn.LayerNorm((3, 4)), rng.normal(size=(2, 3, 4))),
        "Sequential": (nn.Sequential(nn.Linear(5, 6), nn.Tanh(), nn.Linear(6, 2)),
                       tnn.Sequential(tnn.Linear(5, 6), tnn.Tanh(), tnn.Linear(6, 2)), X),
    }


NAMES = ["Linear", "Linear-3d-input", "Linear-no-bias", "ReLU", "Tanh", "Sigmoid", "GELU",
         "GELU-tanh", "Softmax", "Softmax-dim0", "Flatten", "Flatten-1-2", "LayerNorm",
         "LayerNorm-2d", "Sequential"]


@pytest.mark.parametrize("name", NAMES)
def test_layer_matches_pytorch(name, torch, compare_with_torch):
    tt.manual_seed(0)
    ours, theirs, x = _torch_layers(torch)[name]
    if name.startswith("LayerNorm"):  # make the affine parameters non-trivial
        ours.weight.data[...] = rng.normal(size=ours.weight.shape)
        ours.bias.data[...] = rng.normal(size=ours.bias.shape)
    if name == "ReLU":
        x = np.where(np.abs(x) < 1e-3, 0.5, x)
    compare_with_torch(ours, theirs, x)


GRADCHECK_CASES = {
    "Linear": (lambda: nn.Linear(5, 3), X),
    "Linear-3d-input": (lambda: nn.Linear(5, 2), rng.normal(size=(2, 3, 5))),
    "Linear-no-bias": (lambda: nn.Linear(5, 3, bias=False), X),
    "ReLU": (nn.ReLU, np.where(np.abs(X) < 0.1, 0.5, X)),
    "Tanh": (nn.Tanh, X),
    "Sigmoid": (nn.Sigmoid, X),
    "GELU": (nn.GELU, X),
    "GELU-tanh": (lambda: nn.GELU("tanh"), X),
    "Softmax": (lambda: nn.Softmax(dim=-1), X),
    "Flatten": (nn.Flatten, rng.normal(size=(2, 3, 4))),
    "LayerNorm": (lambda: nn.LayerNorm(5), X),
    "LayerNorm-2d-no-affine": (lambda: nn.LayerNorm((3, 4), elementwise_affine=False),
                               rng.normal(size=(2, 3, 4))),
    "Dropout-eval": (lambda: nn.Dropout(0.5).eval(), X),
    "Sequential": (lambda: nn.Sequential(nn.Linear(5, 4), nn.GELU(), nn.LayerNorm(4),
                                         nn.Linear(4, 2)), X),
}


@pytest.mark.parametrize("name", list(GRADCHECK_CASES))
def test_layer_gradients_match_finite_differences(name, check_layer):
    make, x = GRADCHECK_CASES[name]
    tt.manual_seed(0)
    layer = make()
    if isinstance(layer, nn.LayerNorm) and layer.weight is not None:
        layer.weight.data[...] = 1 + rng.normal(size=layer.weight.shape) * 0.3
    check_layer(layer, x)


def test_dropout_in_training_gradcheck_with_a_fixed_mask(check_layer):
    layer = nn.Dropout(0.3)

    class SameMask(nn.Module):  # reseed before each call: the checker sees one fixed mask
        def forward(self, x):
            tt.manual_seed(11)
            return layer(x)

    check_layer(SameMask(), X)


def test_dropout_zeroes_about_p_and_scales_the_rest():
    tt.manual_seed(0)
    x = tt.ones(200, 500)
    out = nn.Dropout(0.3)(x).data
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.01  # 100,000 draws: std of the mean is 0.0015
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    assert out.dtype == np.float32
    assert nn.Dropout(1.0)(x).data.max() == 0
    layer = nn.Dropout(0.3).eval()
    assert layer(x) is x


def test_dropout_masks_follow_manual_seed():
    x = tt.ones(10, 10)
    tt.manual_seed(7)
    a = nn.Dropout(0.5)(x).data
    tt.manual_seed(7)
    b = nn.Dropout(0.5)(x).data
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"Dropout: p must be a probability in \[0, 1\], got 1.5"):
        nn.Dropout(1.5)


def test_linear_keeps_float32_and_gives_a_clear_shape_error():
    layer = nn.Linear(3, 2)
    assert layer(tt.randn(4, 3)).dtype == np.float32
    with pytest.raises(ValueError, match=r"linear: input of shape \(4, 5\) does not fit weight "
                                         r"of shape \(2, 3\)"):
        layer(tt.randn(4, 5))


def test_layer_norm_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"input of shape \(2, 3\) does not end with "
                                         r"normalized_shape \(4,\)"):
        nn.LayerNorm(4)(tt.randn(2, 3))


def test_gelu_rejects_an_unknown_approximation():
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        nn.GELU("fast")


def test_erf_matches_the_standard_library_to_float64_precision():
    x = np.concatenate([np.linspace(-7, 7, 20001), [0.0, 1e-300, -1e-12, 6.0, 40.0, -np.inf, np.inf]])
    expected = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(erf(x), expected, rtol=0, atol=2e-15)
    assert erf(np.array([-0.0]))[0] == 0.0
    assert np.isnan(erf(np.array([np.nan]))[0])
    tiny = np.array([1e-300, 3e-9])  # the first interval keeps relative precision near 0
    np.testing.assert_allclose(erf(tiny), 2 / math.sqrt(math.pi) * tiny, rtol=1e-15)


def test_erf_in_float32_is_computed_and_returned_in_float32():
    x = np.linspace(-7, 7, 20001).astype(np.float32)
    expected = np.array([math.erf(v) for v in x.astype(np.float64)])
    result = erf(x)
    assert result.dtype == np.float32
    # A float32 near 1 is spaced 6e-8 apart: this is within a few rounding steps.
    np.testing.assert_allclose(result, expected, rtol=0, atol=2e-7)


@pytest.mark.parametrize("dtype, atol", [(np.float64, 1e-15), (np.float32, 2e-7)])
def test_normal_cdf_and_density(dtype, atol):
    x = np.concatenate([np.linspace(-12, 12, 4001), [0.0, -40.0, 40.0]]).astype(dtype)
    cdf, pdf = normal_cdf(x)
    assert cdf.dtype == pdf.dtype == dtype
    exact = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x.astype(np.float64)])
    np.testing.assert_allclose(cdf, exact, rtol=0, atol=atol)
    if dtype == np.float32:  # its one formula keeps relative precision in the lower tail
        tail = (x > -12) & (x < -3)
        np.testing.assert_allclose(cdf[tail], exact[tail], rtol=1e-5)
    density = np.exp(-0.5 * x.astype(np.float64) ** 2) / math.sqrt(2 * math.pi)
    # float32 rounds x² before the exp: about x²/2 float32 steps of relative error.
    np.testing.assert_allclose(pdf, density, rtol=1e-5 if dtype == np.float32 else 1e-14,
                               atol=1e-30)


def test_gelu_in_float32_matches_float64_value_and_slope():
    # float32 takes its own faster path (see normal_cdf); it must agree with float64's.
    x = np.linspace(-9, 9, 3001)
    results = {}
    for dtype in (np.float32, np.float64):
        t = tt.tensor(x.astype(dtype), requires_grad=True)
        out = nn.GELU()(t)
        out.sum().backward()
        assert out.dtype == t.grad.dtype == dtype
        results[dtype] = (out.data, t.grad.data)
    out32, slope32 = results[np.float32]
    out64, slope64 = results[np.float64]
    np.testing.assert_allclose(out32, out64, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(slope32, slope64, rtol=1e-6, atol=1e-6)
    scalars = []  # 0-d inputs work too
    for dtype in (np.float32, np.float64):
        scalar = tt.tensor(np.array(-0.7, dtype=dtype), requires_grad=True)
        out = nn.GELU()(scalar)
        out.backward()
        scalars.append([out.item(), scalar.grad.item()])
    np.testing.assert_allclose(scalars[0], scalars[1], rtol=1e-6, atol=1e-7)  # as torch: |error| < 1e-7


def test_gelu_is_stable_for_extreme_inputs():
    x = tt.tensor([-1e4, -50.0, 0.0, 50.0, 1e4], requires_grad=True)
    out = nn.GELU()(x)
    np.testing.assert_allclose(out.data, [0.0, 0.0, 0.0, 50.0, 1e4], atol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.0, 0.0, 0.5, 1.0, 1.0], atol=1e-6)


def test_layers_are_registered_and_can_be_looked_up():
    from tt_tensor import plugins

    for name in ["Linear", "Sequential", "ReLU", "Tanh", "Sigmoid", "GELU", "Softmax",
                 "Flatten", "Dropout", "LayerNorm", "CrossEntropyLoss"]:
        assert plugins.get("layers", name) is getattr(nn, name)
        assert "tt-nn" in [e.provider for e in plugins.listing("layers") if e.name == name]
    for name in ["SGD", "Adam", "AdamW", "StepLR", "CosineAnnealingLR"]:
        assert plugins.get("optimizers", name) is getattr(nn.optim, name)
    assert plugins.get("datasets", "TensorDataset") is nn.data.TensorDataset
    for op in ["linear", "gelu", "layer_norm", "cross_entropy", "mse_loss",
               "binary_cross_entropy", "binary_cross_entropy_with_logits"]:
        assert tt.OPS[op].examples(), op


def test_a_learners_linear_op_replaces_ours_everywhere():
    from tt_tensor import plugins

    calls = []

    class MyLinear(tt.OPS["linear"]):
        @staticmethod
        def forward(ctx, x, weight, bias=None):
            calls.append(x.shape)
            return tt.OPS["linear"].__mro__[1].forward(ctx, x, weight, bias)

    class MyPlugin:
        @tt.hookimpl
        def register_ops(self, register):
            register("linear", MyLinear)

    with plugins.plugin(MyPlugin(), "my-linear"):
        plugins.use("linear", "my-linear")
        nn.Linear(3, 2)(tt.randn(4, 3))
    assert calls == [(4, 3)]
    nn.Linear(3, 2)(tt.randn(4, 3))
    assert calls == [(4, 3)]  # back to tt-nn's op after the block


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")  # torch's, not ours
def test_linear_with_zero_features_gives_empty_results(torch):
    # Issue 12, item 19: nn.Linear(0, 3) raised ZeroDivisionError.
    ours, theirs = nn.Linear(0, 3), torch.nn.Linear(0, 3)
    assert ours.weight.shape == tuple(theirs.weight.shape) == (3, 0)
    x = tt.zeros(4, 0, requires_grad=True)
    out = ours(x)
    assert out.shape == (4, 3)
    np.testing.assert_array_equal(out.data, np.broadcast_to(ours.bias.data, (4, 3)))
    out.sum().backward()
    assert x.grad.shape == (4, 0) and ours.weight.grad.shape == (3, 0)
    assert nn.functional.linear(tt.zeros(2, 5), tt.zeros(0, 5)).shape == (2, 0)


def test_init_functions_count_an_in_place_change():
    for fill in (nn.init.zeros_, nn.init.ones_, nn.init.normal_, nn.init.xavier_uniform_,
                 nn.init.kaiming_normal_, lambda t: nn.init.constant_(t, 3.0)):
        p = nn.Parameter(np.zeros((3, 2)))
        array, version = p.data, p._version
        fill(p)
        assert p.data is array and p._version == version + 1
