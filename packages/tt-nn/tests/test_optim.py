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
    "RMSprop": ("RMSprop", dict()),
    "RMSprop-centered-momentum": ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.8,
                                                  centered=True, weight_decay=0.01)),
    "RMSprop-maximize": ("RMSprop", dict(lr=0.003, eps=1e-4, maximize=True)),
    "Adagrad": ("Adagrad", dict()),
    "Adagrad-decay": ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1,
                                      initial_accumulator_value=0.5, eps=1e-6)),
    "Adadelta": ("Adadelta", dict()),
    "Adadelta-options": ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.05,
                                          maximize=True)),
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
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-9, atol=1e-12)
    assert not np.allclose(ours[0].data, START[0])  # it did move


def _textbook_adam(params, grads_per_step, lr, betas, eps, weight_decay, amsgrad, maximize,
                   decoupled):
    """Adam/AdamW written the simple way (a fresh array per operation), float64."""
    beta1, beta2 = betas
    params = [p.astype(np.float64) for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    v_max = [np.zeros_like(p) for p in params]
    for t, grads in enumerate(grads_per_step, start=1):
        for i, g in enumerate(grads):
            g = -g if maximize else g
            if decoupled:
                params[i] = params[i] * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * params[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            v_max[i] = np.maximum(v_max[i], v[i])
            second = v_max[i] if amsgrad else v[i]
            denom = np.sqrt(second) / math.sqrt(1 - beta2 ** t) + eps
            params[i] = params[i] - lr / (1 - beta1 ** t) * m[i] / denom
    return params


ADAM_CASES = {
    "Adam": ("Adam", dict(lr=0.01)),
    "Adam-decay-maximize": ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6,
                                         weight_decay=0.1, maximize=True)),
    "Adam-amsgrad": ("Adam", dict(lr=0.01, amsgrad=True)),
    "AdamW-decay-amsgrad": ("AdamW", dict(lr=0.02, weight_decay=0.3, amsgrad=True)),
    "AdamW-maximize": ("AdamW", dict(lr=0.02, maximize=True)),
}


@pytest.mark.parametrize("name", list(ADAM_CASES))
@pytest.mark.parametrize("layout", ["blocks", "transposed"])
def test_adam_in_blocks_equals_the_textbook_formula_and_pytorch(name, layout, torch, monkeypatch):
    # The fast path walks contiguous arrays in blocks of BLOCK elements with in-place passes;
    # a block of 7 makes these small parameters span several blocks and end on a short one.
    # Non-contiguous arrays (a transposed parameter) take the whole-array route.
    from tt_nn.optim import adam

    monkeypatch.setattr(adam, "BLOCK", 7)
    cls, kwargs = ADAM_CASES[name]
    r = np.random.default_rng(1)
    start = [r.normal(size=(5, 6)), r.normal(size=6), r.normal(size=(3,))]
    grads = [[r.normal(size=a.shape) for a in start] for _ in range(8)]
    ours = [nn.Parameter(a.copy()) for a in start]
    if layout == "transposed":  # a column-major weight, with column-major gradients
        ours[0].data = start[0].copy(order="F")
        grads = [[np.asfortranarray(g[0]), *g[1:]] for g in grads]
        assert not ours[0].data.flags.c_contiguous
    theirs = [torch.nn.Parameter(torch.tensor(a.copy())) for a in start]
    opt, ref = getattr(optim, cls)(ours, **kwargs), getattr(torch.optim, cls)(theirs, **kwargs)
    for step_grads in grads:
        for p, q, g in zip(ours, theirs, step_grads):
            p.grad, q.grad = tt.tensor(g.copy()), torch.tensor(g.copy())
        opt.step()
        ref.step()
    full = dict(dict(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01 if cls == "AdamW" else 0.0,
                     amsgrad=False, maximize=False), **kwargs)
    expected = _textbook_adam(start, grads, decoupled=cls == "AdamW", **full)
    for a, b, c in zip(ours, theirs, expected):
        np.testing.assert_allclose(a.data, c, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", list(ADAM_CASES))
def test_adam_float32_stays_close_to_the_float64_formula(name, monkeypatch):
    from tt_nn.optim import adam

    monkeypatch.setattr(adam, "BLOCK", 16)
    cls, kwargs = ADAM_CASES[name]
    r = np.random.default_rng(2)
    start = [r.normal(size=(9, 7)), r.normal(size=7)]
    grads = [[r.normal(size=a.shape) for a in start] for _ in range(8)]
    ours = [nn.Parameter(a.astype(np.float32)) for a in start]
    opt = getattr(optim, cls)(ours, **kwargs)
    for step_grads in grads:
        for p, g in zip(ours, step_grads):
            p.grad = tt.tensor(g.astype(np.float32))
        opt.step()
    full = dict(dict(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01 if cls == "AdamW" else 0.0,
                     amsgrad=False, maximize=False), **kwargs)
    expected = _textbook_adam([a.astype(np.float32) for a in start],
                              [[g.astype(np.float32) for g in gs] for gs in grads],
                              decoupled=cls == "AdamW", **full)
    for a, c in zip(ours, expected):
        assert a.dtype == np.float32 and opt.state[a]["exp_avg"].dtype == np.float32
        np.testing.assert_allclose(a.data, c, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "Adadelta"])
def test_defaults_are_pytorchs(name, torch):
    ours = getattr(optim, name)([nn.Parameter(np.ones(1))]).defaults
    theirs = getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(1))]).defaults
    assert ours == {k: v for k, v in theirs.items() if k in ours}, name
    assert ours["lr"] == theirs["lr"]


def test_param_groups_added_later_get_the_defaults_and_their_own_lr(torch):
    ours = [nn.Parameter(a.copy()) for a in START]
    theirs = [torch.nn.Parameter(torch.tensor(a.copy())) for a in START]
    runs = []
    for lib, params, wrap in ((optim, ours, tt.tensor), (torch.optim, theirs, torch.tensor)):
        opt = lib.RMSprop([params[0]], lr=0.01, momentum=0.5)
        opt.add_param_group({"params": params[1], "lr": 0.1})
        runs.append(opt)
        for step_grads in GRADS[:4]:
            for p, g in zip(params, step_grads):
                p.grad = wrap(g.copy())
            opt.step()
    assert runs[0].param_groups[1]["momentum"] == 0.5 and runs[0].param_groups[1]["lr"] == 0.1
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-9)


def test_state_is_keyed_by_the_parameter_and_steps_count_versions():
    p = nn.Parameter(np.ones(3))
    opt = optim.Adam([p], lr=0.1)
    p.grad = tt.tensor(np.ones(3))
    array, version = p.data, p._version
    opt.step()
    assert p in opt.state and opt.state[p]["step"] == 1
    assert p.data is array  # updated in place, never rebound
    assert p._version == version + 1
    loaded = optim.Adam([p], lr=0.1)
    loaded.load_state_dict(opt.state_dict())
    assert loaded.state[p]["step"] == 1


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_every_optimizer_steps_in_place_and_bumps_the_version(name):
    p = nn.Parameter(np.ones(3))
    opt = getattr(optim, name)([p], **({"lr": 0.1} if name == "SGD" else {}))
    p.grad = tt.tensor(np.full(3, 0.5))
    array, version = p.data, p._version
    opt.step()
    assert p.data is array and p._version == version + 1 and (p.data != 1).all()


def test_a_step_after_forward_makes_that_backward_an_error():
    # Issue 12, item 4 from the optimizer's side: the step changed a weight the graph saved.
    layer = nn.Linear(2, 1)
    loss = layer(tt.randn(3, 2)).sum()
    layer.weight.grad = tt.zeros(1, 2)
    optim.SGD(layer.parameters(), lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation|version"):
        loss.backward()


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


SCHEDULERS = {
    "StepLR": dict(step_size=3, gamma=0.5),
    "CosineAnnealingLR": dict(T_max=7, eta_min=0.01),
    "MultiStepLR": dict(milestones=[2, 5, 5, 9], gamma=0.3),
    "ExponentialLR": dict(gamma=0.8),
    "LinearLR": dict(start_factor=0.1, end_factor=0.9, total_iters=6),
    "LinearLR-defaults": dict(),
    "LambdaLR": dict(lr_lambda=lambda t: 1 / (1 + t) ** 0.5),
    "ConstantLR": dict(factor=0.25, total_iters=4),
    "PolynomialLR": dict(total_iters=9, power=2.0),
    "CosineAnnealingWarmRestarts": dict(T_0=3, eta_min=0.01),
    "CosineAnnealingWarmRestarts-mult": dict(T_0=2, T_mult=3),
    "OneCycleLR": dict(max_lr=[1.0, 2.0], total_steps=20),
    "OneCycleLR-linear-three-phase": dict(max_lr=0.5, epochs=4, steps_per_epoch=5, pct_start=0.4,
                                          anneal_strategy="linear", three_phase=True),
}


def _two_group_optimizers(torch, cls="SGD", **kwargs):
    ours = getattr(optim, cls)([{"params": [nn.Parameter(np.ones(1))]},
                                {"params": [nn.Parameter(np.ones(1))], "lr": 0.05}], lr=0.3, **kwargs)
    theirs = getattr(torch.optim, cls)([{"params": [torch.nn.Parameter(torch.ones(1))]},
                                        {"params": [torch.nn.Parameter(torch.ones(1))], "lr": 0.05}],
                                       lr=0.3, **kwargs)
    return ours, theirs


def _same_schedule(ours_opt, theirs_opt, ours, theirs, steps, keys=("lr",)):
    for _ in range(steps):
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-9)
        for a, b in zip(ours_opt.param_groups, theirs_opt.param_groups):
            for key in keys:
                np.testing.assert_allclose(a[key], b[key], rtol=1e-9, err_msg=key)
        ours_opt.step()
        theirs_opt.step()
        ours.step()
        theirs.step()


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_schedulers_match_pytorch(name, torch):
    cls = name.split("-")[0]
    ours_opt, theirs_opt = _two_group_optimizers(torch, momentum=0.9)
    ours = getattr(optim, cls)(ours_opt, **SCHEDULERS[name])
    theirs = getattr(torch.optim.lr_scheduler, cls)(theirs_opt, **SCHEDULERS[name])
    keys = ("lr", "momentum") if cls == "OneCycleLR" else ("lr",)
    _same_schedule(ours_opt, theirs_opt, ours, theirs, 20 if cls == "OneCycleLR" else 14, keys)


def test_one_cycle_cycles_adams_beta1(torch):
    ours_opt, theirs_opt = _two_group_optimizers(torch, "Adam")
    ours = optim.OneCycleLR(ours_opt, max_lr=0.1, total_steps=12, base_momentum=0.8)
    theirs = torch.optim.lr_scheduler.OneCycleLR(theirs_opt, max_lr=0.1, total_steps=12,
                                                 base_momentum=0.8)
    _same_schedule(ours_opt, theirs_opt, ours, theirs, 12, ("lr", "betas"))


def test_sequential_lr_warm_up_then_decay_matches_pytorch(torch):
    # nanoGPT-style: a linear warm-up, then a cosine decay.
    ours_opt, theirs_opt = _two_group_optimizers(torch, "AdamW")
    ours = optim.SequentialLR(ours_opt, [optim.LinearLR(ours_opt, 0.01, total_iters=4),
                                         optim.CosineAnnealingLR(ours_opt, T_max=10),
                                         optim.ExponentialLR(ours_opt, gamma=0.9)],
                              milestones=[4, 9])
    tls = torch.optim.lr_scheduler
    theirs = tls.SequentialLR(theirs_opt, [tls.LinearLR(theirs_opt, 0.01, total_iters=4),
                                           tls.CosineAnnealingLR(theirs_opt, T_max=10),
                                           tls.ExponentialLR(theirs_opt, gamma=0.9)],
                              milestones=[4, 9])
    _same_schedule(ours_opt, theirs_opt, ours, theirs, 16)


def test_reduce_lr_on_plateau_matches_pytorch(torch):
    metrics = [5.0, 4.0, 4.0, 3.9999, 4.1, 4.2, 3.0, 3.0, 3.0, 3.0, 3.0, 2.0, 2.5, 2.5, 2.5, 2.5]
    for kwargs in (dict(patience=1, factor=0.5, cooldown=1, min_lr=[0.01, 0.02]),
                   dict(mode="max", patience=0, threshold=0.5, threshold_mode="abs"),
                   dict(patience=2, eps=0.1)):
        ours_opt, theirs_opt = _two_group_optimizers(torch)
        ours = optim.ReduceLROnPlateau(ours_opt, **kwargs)
        theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, **kwargs)
        for value in metrics:
            ours.step(value)
            theirs.step(value)
            np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
            assert [g["lr"] for g in ours_opt.param_groups] == pytest.approx(
                [g["lr"] for g in theirs_opt.param_groups], rel=1e-12)


def test_step_takes_a_closure_and_returns_its_loss(torch):
    results = []
    for lib, wrap in ((optim, tt.tensor), (torch.optim, torch.tensor)):
        p = (nn.Parameter if lib is optim else torch.nn.Parameter)(wrap(np.array([1.0, -2.0])))
        opt = lib.SGD([p], lr=0.1, momentum=0.5)

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        losses = [opt.step(closure).item() for _ in range(3)]
        results.append((losses, p.detach().numpy().tolist()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_scheduler_errors_are_clear():
    opt = optim.SGD([nn.Parameter(np.ones(1))], lr=0.1)
    with pytest.raises(ValueError, match="OneCycleLR: give total_steps"):
        optim.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError, match="ReduceLROnPlateau: factor must be < 1"):
        optim.ReduceLROnPlateau(opt, factor=2.0)
    with pytest.raises(ValueError, match="SequentialLR: expected one milestone fewer"):
        optim.SequentialLR(opt, [optim.ExponentialLR(opt, 0.9)], milestones=[3])
    cycle = optim.OneCycleLR(opt, max_lr=1.0, total_steps=2)
    cycle.step()
    cycle.step()
    with pytest.raises(ValueError, match="more than total_steps = 2"):
        cycle.step()


def test_schedulers_are_registered():
    for name in ("RMSprop", "Adagrad", "Adadelta", "LambdaLR", "MultiStepLR", "ExponentialLR",
                 "OneCycleLR", "ReduceLROnPlateau", "LinearLR", "SequentialLR"):
        assert tt.plugins.get("optimizers", name) is getattr(optim, name)


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


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_clip_grad_norm_with_a_non_finite_gradient_is_pytorchs(bad, torch):
    # Issue 12, item 14: a NaN gradient left the others unclipped (torch: all NaN).
    grads = [np.array([bad, 1.0]), np.array([3.0, 4.0])]
    ours = [nn.Parameter(np.zeros(2)) for _ in grads]
    theirs = [torch.nn.Parameter(torch.zeros(2, dtype=torch.float64)) for _ in grads]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = tt.tensor(g.copy()), torch.tensor(g.copy())
    total = nn.utils.clip_grad_norm_(ours, 1.0)
    ref = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    np.testing.assert_array_equal(total.data, ref.numpy())
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.data, q.grad.numpy())


def test_clip_grad_value_and_vectors_match_pytorch(torch):
    ours = [nn.Parameter(a.copy()) for a in START]
    theirs = [torch.nn.Parameter(torch.tensor(a.copy())) for a in START]
    for p, q, g in zip(ours, theirs, GRADS[0]):
        p.grad, q.grad = tt.tensor(g.copy()), torch.tensor(g.copy())
    nn.utils.clip_grad_value_(ours, 0.5)
    torch.nn.utils.clip_grad_value_(theirs, 0.5)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.data, q.grad.numpy())
    vector = nn.utils.parameters_to_vector(ours)
    np.testing.assert_array_equal(vector.data, torch.nn.utils.parameters_to_vector(theirs).detach().numpy())
    nn.utils.vector_to_parameters(vector * 2, ours)
    np.testing.assert_array_equal(ours[1].data, START[1] * 2)
    with pytest.raises(ValueError, match="expected a 1-D vector of 15 numbers"):
        nn.utils.vector_to_parameters(tt.zeros(3), ours)


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "SGD"])
def test_an_optimizer_state_saved_by_torch_resumes_in_tt(name, torch):
    kwargs = {"SGD": dict(lr=0.1, momentum=0.9), "RMSprop": dict(momentum=0.5, centered=True)}.get(
        name, dict(lr=0.01))
    theirs = [torch.nn.Parameter(torch.tensor(a.copy())) for a in START]
    opt_r = getattr(torch.optim, name)(theirs, **kwargs)
    _run(lambda ps: opt_r, theirs, lambda p, g: setattr(p, "grad", torch.tensor(g.copy())))
    ours = [nn.Parameter(p.detach().numpy().copy()) for p in theirs]
    opt_t = getattr(optim, name)(ours, **kwargs)
    opt_t.load_state_dict(opt_r.state_dict())
    for step_grads in GRADS[:3]:
        for p, q, g in zip(ours, theirs, step_grads):
            p.grad, q.grad = tt.tensor(g.copy()), torch.tensor(g.copy())
        opt_t.step()
        opt_r.step()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-9, atol=1e-12)
