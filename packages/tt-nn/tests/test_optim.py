"""Optimizers, schedulers and clip_grad_norm_: update rules equal to PyTorch's, step for step."""

import math

import numpy as np
import pytest
import tt_nn as nn
import tt_tensor as tt
from tt_nn import optim

rng = np.random.default_rng(0)
START = [rng.normal(size=(4, 3)), rng.normal(size=3)]
GRADS = [[rng.normal(size=(4, 3)), rng.normal(size=3)] for _ in range(10)]

CONFIGS = {
    "SGD": ("SGD", dict(lr=0.1)),
    "SGD-momentum": ("SGD", dict(lr=0.1, momentum=0.9)),
    "SGD-dampening-decay": ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01)),
    "SGD-nesterov": ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    "SGD-maximize": ("SGD", dict(lr=0.1, momentum=0.5, maximize=True)),
    "Adam": ("Adam", dict(lr=0.01)),
    "Adam-decay": ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    "Adam-amsgrad": ("Adam", dict(lr=0.01, amsgrad=True)),
    "AdamW": ("AdamW", dict(lr=0.01)),
    "AdamW-decay": ("AdamW", dict(lr=0.02, weight_decay=0.3, amsgrad=True)),
}


def _run(make, params, set_grad):
    opt = make(params)
    for step_grads in GRADS:
        opt.zero_grad()
        for p, g in zip(params, step_grads):
            set_grad(p, g)
        opt.step()


@pytest.mark.parametrize("name", list(CONFIGS))
def test_ten_steps_equal_pytorch(name, torch):
    cls, kwargs = CONFIGS[name]
    ours = [nn.Parameter(a.copy()) for a in START]
    theirs = [torch.nn.Parameter(torch.tensor(a.copy())) for a in START]
    _run(lambda ps: getattr(optim, cls)(ps, **kwargs), ours,
         lambda p, g: setattr(p, "grad", tt.tensor(g.copy())))
    _run(lambda ps: getattr(torch.optim, cls)(ps, **kwargs), theirs,
         lambda p, g: setattr(p, "grad", torch.tensor(g.copy())))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-6, atol=1e-6)
    assert not np.allclose(ours[0].data, START[0])  # it did move


def test_float32_parameters_stay_float32_and_in_place():
    p = nn.Parameter(START[0].astype(np.float32))
    array = p.data
    opt = optim.Adam([p], lr=0.1)
    p.grad = tt.tensor(GRADS[0][0].astype(np.float32))
    opt.step()
    assert p.data is array and p.dtype == np.float32


def test_sgd_step_is_p_minus_lr_grad():
    p = nn.Parameter(np.array([1.0, 2.0]))
    p.grad = tt.tensor(np.array([0.5, -1.0]))
    optim.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [0.95, 2.1])


def test_parameters_without_gradients_are_skipped():
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    a.grad = tt.tensor(np.ones(2))
    optim.Adam([a, b], lr=0.1).step()
    assert (a.data != 1).all() and (b.data == 1).all()


def test_parameter_groups_have_their_own_lr():
    a, b = nn.Parameter(np.zeros(1)), nn.Parameter(np.zeros(1))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    a.grad, b.grad = tt.tensor(np.ones(1)), tt.tensor(np.ones(1))
    opt.step()
    assert a.data[0] == pytest.approx(-0.1) and b.data[0] == pytest.approx(-1.0)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Nesterov momentum needs momentum > 0"):
        optim.SGD([nn.Parameter(np.ones(1))], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"betas must be in \[0, 1\)"):
        optim.Adam([nn.Parameter(np.ones(1))], betas=(0.9, 1.0))


def test_frozen_parameters_are_accepted_and_left_alone():
    frozen = nn.Parameter(np.ones(2), requires_grad=False)
    trained = nn.Parameter(np.ones(2))
    opt = optim.Adam([frozen, trained], lr=0.1)
    (trained * 3).sum().backward()
    opt.step()
    np.testing.assert_array_equal(frozen.data, [1.0, 1.0])
    assert (trained.data < 1).all()


def test_optimizer_state_dict_resumes_exactly():
    def train(opt, p, grads):
        for g in grads:
            p.grad = tt.tensor(g)
            opt.step()

    p1 = nn.Parameter(START[1].copy())
    opt1 = optim.Adam([p1], lr=0.05)
    train(opt1, p1, [g[1] for g in GRADS])
    p2 = nn.Parameter(START[1].copy())
    opt2 = optim.Adam([p2], lr=0.05)
    train(opt2, p2, [g[1] for g in GRADS[:5]])
    saved, saved_p = opt2.state_dict(), p2.data.copy()
    p3 = nn.Parameter(saved_p)
    opt3 = optim.Adam([p3], lr=0.05)
    opt3.load_state_dict(saved)
    train(opt3, p3, [g[1] for g in GRADS[5:]])
    np.testing.assert_allclose(p3.data, p1.data, rtol=1e-12)


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR"])
def test_schedulers_match_pytorch(name, torch):
    kwargs = {"StepLR": dict(step_size=3, gamma=0.5), "CosineAnnealingLR": dict(T_max=7, eta_min=0.01)}[name]
    ours_opt = optim.SGD([nn.Parameter(np.ones(1))], lr=0.3)
    theirs_opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.3)
    ours = getattr(optim, name)(ours_opt, **kwargs)
    theirs = getattr(torch.optim.lr_scheduler, name)(theirs_opt, **kwargs)
    for _ in range(14):
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-9)
        assert ours_opt.param_groups[0]["lr"] == pytest.approx(theirs_opt.param_groups[0]["lr"])
        ours_opt.step()
        theirs_opt.step()
        ours.step()
        theirs.step()


def test_schedulers_follow_their_formulas():
    opt = optim.SGD([nn.Parameter(np.ones(1))], lr=1.0)
    step = optim.StepLR(opt, step_size=2, gamma=0.1)
    lrs = []
    for _ in range(5):
        lrs.append(step.get_last_lr()[0])
        step.step()
    np.testing.assert_allclose(lrs, [1.0, 1.0, 0.1, 0.1, 0.01])
    opt = optim.SGD([nn.Parameter(np.ones(1))], lr=1.0)
    cosine = optim.CosineAnnealingLR(opt, T_max=4)
    for _ in range(2):
        cosine.step()
    assert cosine.get_last_lr()[0] == pytest.approx(0.5)  # halfway down the half cosine


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_pytorch(norm_type, max_norm, torch):
    ours = [nn.Parameter(a.copy()) for a in START]
    theirs = [torch.nn.Parameter(torch.tensor(a.copy())) for a in START]
    for p, q, g in zip(ours, theirs, GRADS[0]):
        p.grad, q.grad = tt.tensor(g.copy()), torch.tensor(g.copy())
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    ref = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert total.item() == pytest.approx(ref.item(), rel=1e-12)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_scales_to_max_norm():
    p = nn.Parameter(np.zeros(2))
    p.grad = tt.tensor(np.array([3.0, 4.0]))
    assert nn.clip_grad_norm_([p], 1.0).item() == pytest.approx(5.0)
    assert np.linalg.norm(p.grad.data) == pytest.approx(1.0, rel=1e-5)
    p.grad = tt.tensor(np.array([np.nan, 1.0]))
    with pytest.raises(RuntimeError, match="total norm of order 2.0 of the gradients is nan"):
        nn.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
