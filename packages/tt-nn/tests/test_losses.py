"""Losses: float64 gradient checks, PyTorch comparisons, extreme inputs and clear errors."""

import numpy as np
import pytest
import tt_nn as nn
import tt_tensor as tt
from tt_autograd import gradcheck

rng = np.random.default_rng(0)
LOGITS = rng.normal(size=(6, 4)) * 3
CLASSES = np.array([0, 3, 1, 2, 2, 0])
PROBS = rng.uniform(0.05, 0.95, size=(6, 4))
TARGETS01 = rng.uniform(0, 1, size=(6, 4))
REDUCTIONS = ["mean", "sum", "none"]


def _cases():
    """name -> (tt loss module, torch loss factory name, kwargs, input, target)."""
    return {
        "MSELoss": (nn.MSELoss, "MSELoss", {}, LOGITS, TARGETS01),
        "BCELoss": (nn.BCELoss, "BCELoss", {}, PROBS, TARGETS01),
        "BCEWithLogitsLoss": (nn.BCEWithLogitsLoss, "BCEWithLogitsLoss", {}, LOGITS, TARGETS01),
        "CrossEntropyLoss": (nn.CrossEntropyLoss, "CrossEntropyLoss", {}, LOGITS, CLASSES),
        "CrossEntropy-smoothing": (nn.CrossEntropyLoss, "CrossEntropyLoss",
                                   {"label_smoothing": 0.15}, LOGITS, CLASSES),
        "CrossEntropy-ignore": (nn.CrossEntropyLoss, "CrossEntropyLoss", {"ignore_index": 2},
                                LOGITS, CLASSES),
        "CrossEntropy-NCd": (nn.CrossEntropyLoss, "CrossEntropyLoss", {},
                             rng.normal(size=(2, 4, 3, 2)), rng.integers(0, 4, size=(2, 3, 2))),
        "CrossEntropy-probabilities": (nn.CrossEntropyLoss, "CrossEntropyLoss",
                                       {"label_smoothing": 0.1}, LOGITS,
                                       rng.dirichlet(np.ones(4), size=6)),
    }


CASES = [(name, reduction) for name in _cases() for reduction in REDUCTIONS]


@pytest.mark.parametrize("name,reduction", CASES)
def test_loss_gradients_match_finite_differences(name, reduction):
    make, _, kwargs, x, target = _cases()[name]
    loss = make(reduction=reduction, **kwargs)
    assert gradcheck(lambda a: loss(a, target), [x])


def test_mse_gradient_flows_to_the_target_too():
    assert gradcheck(lambda a, b: nn.MSELoss()(a, b), [LOGITS, TARGETS01])


@pytest.mark.parametrize("name,reduction", CASES)
def test_loss_matches_pytorch(name, reduction, torch):
    make, torch_name, kwargs, x, target = _cases()[name]
    ours = make(reduction=reduction, **kwargs)
    theirs = getattr(torch.nn, torch_name)(reduction=reduction, **kwargs)
    xt, xr = tt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_t, out_r = ours(xt, tt.tensor(target)), theirs(xr, torch.tensor(target))
    np.testing.assert_allclose(out_t.data, out_r.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = rng.normal(size=out_t.shape)
    out_t.backward(seed)
    out_r.backward(torch.tensor(seed))
    np.testing.assert_allclose(xt.grad.data, xr.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_float32_losses_stay_float32():
    x = tt.tensor(LOGITS.astype(np.float32), requires_grad=True)
    for loss in [nn.CrossEntropyLoss()(x, tt.tensor(CLASSES)),
                 nn.MSELoss()(x, tt.tensor(TARGETS01.astype(np.float32))),
                 nn.BCEWithLogitsLoss()(x, tt.tensor(TARGETS01.astype(np.float32)))]:
        assert loss.dtype == np.float32
        loss.backward()
        assert x.grad.dtype == np.float32


def test_cross_entropy_is_stable_for_huge_logits(torch):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [5e3, 5e3, -5e3]])
    target = np.array([1, 2, 0])
    xt = tt.tensor(x, requires_grad=True)
    loss = nn.CrossEntropyLoss()(xt, tt.tensor(target))
    loss.backward()
    xr = torch.tensor(x, requires_grad=True)
    ref = torch.nn.CrossEntropyLoss()(xr, torch.tensor(target))
    ref.backward()
    assert np.isfinite(loss.item()) and np.isfinite(xt.grad.data).all()
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-12)  # (2e4 + 0 + ln 2) / 3
    np.testing.assert_allclose(xt.grad.data, xr.grad.numpy(), atol=1e-12)


def test_bce_with_logits_is_stable_for_huge_logits(torch):
    x = np.array([1e4, -1e4, 1e4, -1e4, 0.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5])
    xt = tt.tensor(x, requires_grad=True)
    loss = nn.BCEWithLogitsLoss(reduction="none")(xt, tt.tensor(y))
    loss.sum().backward()
    xr = torch.tensor(x, requires_grad=True)
    ref = torch.nn.BCEWithLogitsLoss(reduction="none")(xr, torch.tensor(y))
    ref.sum().backward()
    np.testing.assert_allclose(loss.data, ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(xt.grad.data, xr.grad.numpy(), atol=1e-12)


def test_bce_with_probabilities_exactly_zero_and_one_clamps_like_pytorch(torch):
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    pt = tt.tensor(p, requires_grad=True)
    loss = nn.BCELoss(reduction="none")(pt, tt.tensor(y))
    loss.sum().backward()
    np.testing.assert_allclose(loss.data, [0.0, 0.0, 100.0, 100.0, np.log(2)], rtol=1e-12)
    pr = torch.tensor(p, requires_grad=True)
    ref = torch.nn.BCELoss(reduction="none")(pr, torch.tensor(y))
    ref.sum().backward()
    np.testing.assert_allclose(loss.data, ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(pt.grad.data, pr.grad.numpy(), rtol=1e-12)


def test_wrong_target_shapes_and_dtypes_are_clear_errors():
    x = tt.tensor(LOGITS)
    with pytest.raises(ValueError, match=r"cross_entropy: for logits of shape \(6, 4\) the "
                                         r"target must have shape \(6,\).*got \(6, 1\)"):
        nn.CrossEntropyLoss()(x, tt.tensor(CLASSES.reshape(6, 1)))
    with pytest.raises(TypeError, match="cross_entropy: target must hold integer class indices"):
        nn.CrossEntropyLoss()(x, tt.tensor(CLASSES > 0))
    with pytest.raises(IndexError, match=r"class indices in \[0, 4\), got \[7\]"):
        nn.CrossEntropyLoss()(x, tt.tensor(np.array([0, 1, 2, 3, 7, 0])))
    with pytest.raises(ValueError, match=r"mse_loss: input shape \(6, 4\) and target shape "
                                         r"\(6,\) differ"):
        nn.MSELoss()(x, tt.tensor(np.zeros(6)))
    with pytest.raises(TypeError, match="binary_cross_entropy_with_logits: target must be a "
                                        "floating-point tensor, got dtype int64"):
        nn.BCEWithLogitsLoss()(x, tt.tensor(np.zeros((6, 4), dtype=np.int64)))
    with pytest.raises(ValueError, match="binary_cross_entropy: input must be probabilities "
                                         "in \\[0, 1\\].*use BCEWithLogitsLoss"):
        nn.BCELoss()(x, tt.tensor(TARGETS01))
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        nn.MSELoss(reduction="avg")


def test_functional_forms_match_the_modules():
    F = nn.functional
    x, t = tt.tensor(LOGITS), tt.tensor(CLASSES)
    assert F.cross_entropy(x, t).item() == nn.CrossEntropyLoss()(x, t).item()
    np.testing.assert_allclose(F.cross_entropy(x, t).item(),
                               -(x.log_softmax(1).data[np.arange(6), CLASSES]).mean(), rtol=1e-12)
    np.testing.assert_allclose(F.mse_loss(x, tt.tensor(TARGETS01), reduction="sum").item(),
                               ((LOGITS - TARGETS01) ** 2).sum(), rtol=1e-12)


@pytest.mark.parametrize("name", ["BCELoss", "BCEWithLogitsLoss", "CrossEntropy-probabilities"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_float_targets_get_gradients_too(name, reduction, torch):
    make, torch_name, kwargs, x, target = _cases()[name]
    loss = make(reduction=reduction, **kwargs)
    assert gradcheck(lambda a, b: loss(a, b), [x, target])
    ours_t = tt.tensor(target, requires_grad=True)
    theirs_t = torch.tensor(target, requires_grad=True)
    out = loss(tt.tensor(x), ours_t)
    ref = getattr(torch.nn, torch_name)(reduction=reduction, **kwargs)(torch.tensor(x), theirs_t)
    seed = rng.normal(size=out.shape)
    out.backward(seed)
    ref.backward(torch.tensor(seed))
    np.testing.assert_allclose(ours_t.grad.data, theirs_t.grad.numpy(), rtol=1e-10, atol=1e-12)
