"""tt_nn.functional against torch.nn.functional: one line per function, float64 forward and
backward to 1e-9 relative; each new primitive op gradchecked on its examples(); layers
matched to torch's modules; the functional forms registered under torch's names."""

import numpy as np
import pytest
import tt_nn as nn
import tt_tensor as tt
from tt_autograd import gradcheck
from tt_nn import functional as F
from tt_nn.ops import OP_CLASSES

rng = np.random.default_rng(0)
X = rng.normal(size=(4, 6)) * 3
LOGP = np.log(rng.dirichlet(np.ones(5), size=6))
CLASSES = np.array([0, 4, 1, 2, -100, 3])
X5 = rng.normal(size=(6, 5)) * 3
WEIGHT = np.arange(1.0, 6.0)


def check(ours, theirs, *arrays, grad=True, fixed=(), **kwargs):
    """Run `ours` on tt tensors and `theirs` on torch tensors made from the same float64
    arrays (integer arrays, and those at positions `fixed`, are data without gradients);
    compare outputs and input gradients."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: comparison skipped")
    floats = [a.dtype.kind == "f" and grad and i not in fixed for i, a in enumerate(arrays)]
    xs = [tt.tensor(a, requires_grad=f) for a, f in zip(arrays, floats)]
    ts = [torch.tensor(a, requires_grad=f) for a, f in zip(arrays, floats)]
    out, ref = ours(*xs, **kwargs), theirs(*ts, **kwargs)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-9, atol=1e-12)
    if any(floats):
        seed = rng.normal(size=out.shape)
        out.backward(tt.tensor(seed))
        ref.backward(torch.tensor(seed))
        for x, t, f in zip(xs, ts, floats):
            if f:
                np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-9, atol=1e-12)


def tf(name):
    """torch.nn.functional.<name>, fetched lazily (torch may be missing)."""
    def call(*args, **kwargs):
        import torch.nn.functional as TF
        return getattr(TF, name)(*args, **kwargs)
    return call


# ----- one line per function --------------------------------------------------------------
def test_silu(): check(F.silu, tf("silu"), X)
def test_mish(): check(F.mish, tf("mish"), X)
def test_elu(): check(F.elu, tf("elu"), X, alpha=0.7)
def test_elu_large_inputs_do_not_overflow(): check(F.elu, tf("elu"), X * 300)
def test_selu(): check(F.selu, tf("selu"), X)
def test_celu(): check(F.celu, tf("celu"), X, alpha=1.5)
def test_leaky_relu(): check(F.leaky_relu, tf("leaky_relu"), X, negative_slope=0.2)
def test_relu6(): check(F.relu6, tf("relu6"), X * 3)
def test_hardtanh(): check(F.hardtanh, tf("hardtanh"), X, min_val=-2.0, max_val=1.5)
def test_hardsigmoid():
    # torch's kernel multiplies by 1/6 rounded to float32 (relative error 3e-8), even in float64.
    torch = pytest.importorskip("torch")
    x = tt.tensor(X, requires_grad=True)
    F.hardsigmoid(x).sum().backward()
    np.testing.assert_allclose(F.hardsigmoid(x).data, torch.nn.functional.hardsigmoid(torch.tensor(X)).numpy(), rtol=1e-7)
    np.testing.assert_allclose(x.grad.data, np.where(np.abs(X) < 3, 1 / 6, 0), rtol=1e-15)
def test_hardswish(): check(F.hardswish, tf("hardswish"), X)
def test_softplus(): check(F.softplus, tf("softplus"), X)
def test_softplus_beta_threshold(): check(F.softplus, tf("softplus"), X, beta=2.0, threshold=3.0)
def test_softplus_extremes(): check(F.softplus, tf("softplus"), np.array([-800.0, -40.0, 0.0, 19.0, 21.0, 800.0]))
def test_softsign(): check(F.softsign, tf("softsign"), X)
def test_logsigmoid(): check(F.logsigmoid, tf("logsigmoid"), X)
def test_logsigmoid_extremes(): check(F.logsigmoid, tf("logsigmoid"), np.array([-800.0, -30.0, 0.0, 30.0, 800.0]))
def test_log_softmax(): check(F.log_softmax, tf("log_softmax"), X, dim=0)
def test_softmin(): check(F.softmin, tf("softmin"), X, dim=1)
def test_glu(): check(F.glu, tf("glu"), X, dim=1)
def test_glu_dim0(): check(F.glu, tf("glu"), X, dim=0)
def test_normalize(): check(F.normalize, tf("normalize"), X)
def test_normalize_p1_dim0(): check(F.normalize, tf("normalize"), X, p=1.0, dim=0)
def test_normalize_p3(): check(F.normalize, tf("normalize"), X, p=3.0, dim=-1)
def test_normalize_pinf(): check(F.normalize, tf("normalize"), X, p=float("inf"))
def test_nll_loss(): check(F.nll_loss, tf("nll_loss"), LOGP, CLASSES)
def test_nll_loss_weight(): check(F.nll_loss, tf("nll_loss"), LOGP, CLASSES, WEIGHT, fixed=(2,))
def test_nll_loss_sum(): check(F.nll_loss, tf("nll_loss"), LOGP, CLASSES, reduction="sum")
def test_nll_loss_none(): check(F.nll_loss, tf("nll_loss"), LOGP, CLASSES, reduction="none")
def test_nll_loss_ignore_index(): check(F.nll_loss, tf("nll_loss"), LOGP, np.abs(CLASSES) % 5, ignore_index=1)
def test_nll_loss_nd(): check(F.nll_loss, tf("nll_loss"), rng.normal(size=(2, 3, 4)), rng.integers(0, 3, (2, 4)))
def test_cross_entropy_weight(): check(F.cross_entropy, tf("cross_entropy"), X5, CLASSES, WEIGHT, fixed=(2,))
def test_cross_entropy_weight_smoothing(): check(F.cross_entropy, tf("cross_entropy"), X5, CLASSES, WEIGHT, fixed=(2,), label_smoothing=0.3)
def test_cross_entropy_weight_probabilities(): check(F.cross_entropy, tf("cross_entropy"), X5, rng.uniform(0, 1, (6, 5)), WEIGHT, fixed=(1, 2))
def test_cross_entropy_one_sample(): check(F.cross_entropy, tf("cross_entropy"), X[0], np.array(2))
def test_one_hot(): check(F.one_hot, tf("one_hot"), np.array([[0, 3], [2, 1]]), num_classes=5)
def test_one_hot_infers_classes(): check(F.one_hot, tf("one_hot"), np.array([0, 3, 2]))
def test_dropout_eval_is_identity(): check(F.dropout, tf("dropout"), X, p=0.3, training=False)
def test_layer_norm(): check(lambda x, w, b: F.layer_norm(x, (6,), w, b), lambda x, w, b: tf("layer_norm")(x, (6,), w, b), X, rng.normal(size=6), rng.normal(size=6))


T = rng.normal(size=(4, 6)) * 3
PROBS = rng.dirichlet(np.ones(6), size=4)
PROBS[0, 2] = 0.0  # a zero probability: 0·log 0 = 0
PROB_IN = rng.uniform(0.05, 0.95, size=(4, 6))
BCE_W = rng.uniform(0.5, 2.0, size=6)
def test_bce_weight(): check(F.binary_cross_entropy, tf("binary_cross_entropy"), PROB_IN, PROBS, BCE_W, fixed=(2,))
def test_bce_weight_sum(): check(F.binary_cross_entropy, tf("binary_cross_entropy"), PROB_IN, PROBS, BCE_W, fixed=(2,), reduction="sum")
def test_bce_logits_weight(): check(F.binary_cross_entropy_with_logits, tf("binary_cross_entropy_with_logits"), X, PROBS, BCE_W, fixed=(2,))
def test_cosine_similarity(): check(F.cosine_similarity, tf("cosine_similarity"), X, T)
def test_cosine_similarity_broadcast(): check(F.cosine_similarity, tf("cosine_similarity"), X, T[:1], dim=-1)
def test_pairwise_distance(): check(F.pairwise_distance, tf("pairwise_distance"), X, T)
def test_pairwise_distance_p1_keepdim(): check(F.pairwise_distance, tf("pairwise_distance"), X, T, p=1.0, keepdim=True)
def test_pairwise_distance_pinf(): check(F.pairwise_distance, tf("pairwise_distance"), X, T, p=float("inf"))
def test_l1_loss(): check(F.l1_loss, tf("l1_loss"), X, T)
def test_l1_loss_sum(): check(F.l1_loss, tf("l1_loss"), X, T, reduction="sum")
def test_smooth_l1_loss(): check(F.smooth_l1_loss, tf("smooth_l1_loss"), X, T, beta=2.0)
def test_smooth_l1_loss_beta0(): check(F.smooth_l1_loss, tf("smooth_l1_loss"), X, T, beta=0.0, reduction="none")
def test_huber_loss(): check(F.huber_loss, tf("huber_loss"), X, T, delta=1.5)
def test_kl_div(): check(F.kl_div, tf("kl_div"), np.log(PROBS[1:] + 0.01), PROBS[1:][::-1].copy(), reduction="batchmean")
# At a zero target probability torch's target gradient is NaN (d(t log t)/dt is -inf there); ours
# is finite, so only the input's gradient is compared.
def test_kl_div_zero_probability(): check(F.kl_div, tf("kl_div"), np.log(PROBS[::-1] + 0.01), PROBS, fixed=(1,), reduction="batchmean")
def test_kl_div_log_target(): check(F.kl_div, tf("kl_div"), X, T / 10, log_target=True, reduction="sum")
def test_kl_div_none(): check(F.kl_div, tf("kl_div"), X, PROBS, fixed=(1,), reduction="none")
def test_prelu(): check(F.prelu, tf("prelu"), rng.normal(size=(2, 3, 4)), np.array([0.1, 0.2, 0.3]))
def test_prelu_one_slope(): check(F.prelu, tf("prelu"), X, np.array([0.25]))
def test_threshold(): check(F.threshold, tf("threshold"), X, threshold=0.5, value=-2.0)
def test_tanhshrink(): check(F.tanhshrink, tf("tanhshrink"), X)
def test_softshrink(): check(F.softshrink, tf("softshrink"), X, lambd=0.7)
def test_hardshrink(): check(F.hardshrink, tf("hardshrink"), X, lambd=0.7)


def test_regression_losses_refuse_different_shapes():
    with pytest.raises(ValueError, match=r"l1_loss: input shape \(4, 6\) and target shape \(6,\)"):
        F.l1_loss(tt.tensor(X), tt.tensor(T[0]))
    with pytest.raises(ValueError, match=r"^L1Loss\(\): l1_loss: input shape"):
        nn.L1Loss()(tt.tensor(X), tt.tensor(T[0]))
    with pytest.raises(ValueError, match="L1Loss: reduction must be 'mean', 'sum' or 'none'"):
        nn.L1Loss(reduction="avg")


def test_cross_entropy_probability_targets_not_summing_to_one(torch):
    # Issue 12, item 2: soft/multi-label targets gave the right loss but a wrong gradient.
    targets = rng.uniform(0, 1, size=(4, 6))  # rows sum to anything
    check(F.cross_entropy, tf("cross_entropy"), X, targets, grad=False)
    check(lambda x: F.cross_entropy(x, tt.tensor(targets)),
          lambda x: tf("cross_entropy")(x, torch.tensor(targets)), X)
    check(lambda x: F.cross_entropy(x, tt.tensor(targets), label_smoothing=0.2, reduction="sum"),
          lambda x: tf("cross_entropy")(x, torch.tensor(targets), label_smoothing=0.2,
                                        reduction="sum"), X)


def test_cross_entropy_with_every_target_ignored_has_zero_gradient(torch):
    # Issue 12, item 5: all targets = ignore_index gave an all-NaN gradient (torch: zeros).
    for fn, name, x in ((F.cross_entropy, "cross_entropy", X),
                        (F.nll_loss, "nll_loss", LOGP[:4])):
        xt = tt.tensor(x, requires_grad=True)
        loss = fn(xt, tt.tensor(np.full(4, -100)))
        loss.backward()
        xr = torch.tensor(x, requires_grad=True)
        ref = tf(name)(xr, torch.full((4,), -100))
        ref.backward()
        assert np.isnan(loss.item()) and np.isnan(ref.item())
        np.testing.assert_array_equal(xt.grad.data, xr.grad.numpy())
        np.testing.assert_array_equal(xt.grad.data, np.zeros_like(x))


def test_functional_errors_name_the_function():
    with pytest.raises(ValueError, match=r"glu: dimension 1 of shape \(4, 5\) has odd size 5"):
        F.glu(tt.tensor(X[:, :5]), dim=1)
    with pytest.raises(ValueError, match=r"one_hot: class indices must be in \[0, 3\)"):
        F.one_hot(tt.tensor([0, 3]), num_classes=3)
    with pytest.raises(TypeError, match="one_hot: expected integer class indices"):
        F.one_hot(tt.tensor([0.5]))
    with pytest.raises(ValueError, match=r"nll_loss: weight must have one entry per class, "
                                         r"shape \(5,\), got \(3,\)"):
        F.nll_loss(tt.tensor(LOGP), tt.tensor(CLASSES), weight=np.ones(3))
    with pytest.raises(TypeError, match="softplus: input must be a floating-point tensor"):
        F.softplus(tt.tensor([1, 2]))


# ----- the new primitives: gradcheck on their own examples -------------------------------------
NEW_OPS = [op for op in OP_CLASSES if op.name in ("softplus", "nll_loss", "cross_entropy")]


@pytest.mark.parametrize("op", NEW_OPS, ids=lambda op: op.name)
def test_new_primitives_match_finite_differences(op):
    for example in op.examples():
        assert gradcheck(lambda *xs: op.apply(*xs, **example.params), example.inputs), example


# ----- layers against torch's modules -----------------------------------------------------------
LAYERS = {
    "LogSoftmax": lambda m: m.LogSoftmax(dim=1), "Softmin": lambda m: m.Softmin(dim=0),
    "SiLU": lambda m: m.SiLU(), "Mish": lambda m: m.Mish(), "ReLU6": lambda m: m.ReLU6(),
    "LeakyReLU": lambda m: m.LeakyReLU(0.1), "ELU": lambda m: m.ELU(alpha=0.5),
    "CELU": lambda m: m.CELU(alpha=2.0), "SELU": lambda m: m.SELU(),
    "Softplus": lambda m: m.Softplus(beta=0.5, threshold=4.0), "Softsign": lambda m: m.Softsign(),
    "LogSigmoid": lambda m: m.LogSigmoid(), "Hardtanh": lambda m: m.Hardtanh(-0.5, 2.0),
    "Hardsigmoid": lambda m: m.Hardsigmoid(), "Hardswish": lambda m: m.Hardswish(),
    "GLU": lambda m: m.GLU(dim=1), "Identity": lambda m: m.Identity(),
    "Unflatten": lambda m: m.Unflatten(1, (2, 3)),
    "PReLU": lambda m: m.PReLU(), "Threshold": lambda m: m.Threshold(0.1, 20.0),
    "Tanhshrink": lambda m: m.Tanhshrink(), "Softshrink": lambda m: m.Softshrink(0.3),
    "Hardshrink": lambda m: m.Hardshrink(),
}


LOSSES = {"L1Loss": {}, "SmoothL1Loss": {"beta": 0.5}, "HuberLoss": {"delta": 2.0},
          "KLDivLoss": {"reduction": "batchmean"}, "MSELoss": {"reduction": "sum"}}


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_module_matches_torch(name, torch):
    ours, theirs = getattr(nn, name)(**LOSSES[name]), getattr(torch.nn, name)(**LOSSES[name])
    x, xr = tt.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    ours(x, tt.tensor(PROBS)).backward()
    theirs(xr, torch.tensor(PROBS)).backward()
    np.testing.assert_allclose(x.grad.data, xr.grad.numpy(), rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_matches_torch(name, compare_with_torch, torch):
    compare_with_torch(LAYERS[name](nn), LAYERS[name](torch.nn), X, atol=1e-12)


def test_nll_loss_module_after_log_softmax_equals_cross_entropy(torch):
    x, t = tt.tensor(X), tt.tensor(np.array([0, 1, 5, 2]))
    np.testing.assert_allclose(nn.NLLLoss()(nn.LogSoftmax(dim=1)(x), t).item(),
                               nn.CrossEntropyLoss()(x, t).item(), rtol=1e-12)
    targets = np.abs(CLASSES) % 5
    ref = torch.nn.NLLLoss(reduction="sum", ignore_index=2)(torch.tensor(LOGP), torch.tensor(targets))
    ours = nn.NLLLoss(reduction="sum", ignore_index=2)(tt.tensor(LOGP), tt.tensor(targets))
    np.testing.assert_allclose(ours.item(), ref.item(), rtol=1e-12)


def test_layer_reprs_look_like_torch():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Unflatten(1, (2, 3))) == "Unflatten(dim=1, unflattened_size=(2, 3))"
    assert repr(nn.Softplus()) == "Softplus(beta=1.0, threshold=20.0)"


def test_unflatten_errors_name_the_sizes():
    with pytest.raises(ValueError, match=r"Unflatten\(dim=1.*cannot split dimension 1 of size 6"):
        nn.Unflatten(1, (4, 2))(tt.tensor(X))


# ----- registration -------------------------------------------------------------------------
def test_every_functional_form_is_registered_under_torchs_name(torch):
    import torch.nn.functional as TF

    for name in F.FUNCTIONS:
        assert hasattr(TF, name), f"{name} is not a torch.nn.functional name"
        assert callable(getattr(F, name))
    from tt_nn import plugin

    registered = {}
    plugin.register_functions(register=lambda name, obj: registered.__setitem__(name, obj))
    assert registered == {name: getattr(F, name) for name in F.FUNCTIONS}


def test_every_registered_op_is_declared_in_the_pyproject():
    import pathlib
    import tomllib

    pyproject = pathlib.Path(__file__).parents[1] / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text())["project"]["entry-points"]["tt.ops"]
    assert set(declared) == {op.name for op in OP_CLASSES}
    assert set(declared.values()) == {"tt_nn.plugin"}


@pytest.mark.filterwarnings("ignore:Implicit dimension choice")
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (2, 3, 4, 2)])
def test_softmax_without_dim_follows_torchs_implicit_choice(shape, torch):
    x = rng.normal(size=shape)
    for ours, theirs in ((F.softmax, torch.nn.functional.softmax),
                         (F.log_softmax, torch.nn.functional.log_softmax),
                         (nn.Softmax(), torch.nn.Softmax()), (nn.LogSoftmax(), torch.nn.LogSoftmax())):
        np.testing.assert_allclose(ours(tt.tensor(x)).data, theirs(torch.tensor(x)).numpy(), rtol=1e-12)


def test_layer_norm_names_a_wrongly_shaped_weight():
    with pytest.raises(ValueError, match=r"layer_norm: weight has shape \(5,\), expected "
                                         r"normalized_shape \(6,\)"):
        F.layer_norm(tt.tensor(X), (6,), tt.ones(5))
