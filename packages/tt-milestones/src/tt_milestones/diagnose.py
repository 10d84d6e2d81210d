"""When a milestone fails, say why: what the run saw that explains it.

Each finding is one sentence a learner can act on — which parameters got no gradient or a
vanishing or exploding one, which ReLUs never fire, whether the loss rose (learning rate
too high) or barely moved (too low), and which op first produced NaN.
"""

from __future__ import annotations

import numpy as np
from tt_autograd import no_grad
from tt_tensor import observing

from tt_milestones.checks import loss_decrease
from tt_milestones.training import TrainingRun

VANISHING = 1e-6  # largest gradient norm seen below this: the signal never arrived
EXPLODING = 1e3  # a gradient norm above this: steps are far too large for these models
DEAD_FRACTION = 0.5  # report a ReLU layer when at least this share of its units never fire


def diagnose(run: TrainingRun) -> list[str]:
    """Findings from the run, most telling first (empty when nothing looks wrong)."""
    findings = list(run.notes)
    findings += _gradient_findings(run)
    findings += _loss_findings(run)
    findings += _dead_relus(run)
    return findings


def _names(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _gradient_findings(run: TrainingRun) -> list[str]:
    findings = []
    frozen = [n for n, p in zip(run.param_names, run.params) if not p.requires_grad]
    if frozen:
        findings.append(f"frozen parameters (requires_grad=False): {_names(frozen)} — "
                        "they can never learn")
    no_grad = [n for n, p, got in zip(run.param_names, run.params, run.got_gradient)
               if p.requires_grad and not got]
    if no_grad and not run.diverged:
        findings.append(f"no gradient reached {_names(no_grad)}: is the layer used in "
                        "forward, and is nothing detached on the way?")
    vanishing = [f"{n} (largest norm {g:.1e})" for n, g, got in
                 zip(run.param_names, run.max_grad_norm, run.got_gradient)
                 if got and g < VANISHING]
    if vanishing:
        findings.append(f"vanishing gradients: {_names(vanishing)}")
    exploding = [f"{n} (norm {g:.1e})" for n, g in zip(run.param_names, run.max_grad_norm)
                 if g > EXPLODING]
    if exploding:
        findings.append(f"exploding gradients: {_names(exploding)} — lower the learning "
                        "rate or clip gradients")
    unchanged = [n for n, got, moved in zip(run.param_names, run.got_gradient, run.updated())
                 if got and not moved]
    if unchanged:
        findings.append(f"{_names(unchanged)} had gradients but never changed: is the "
                        "learning rate 0, or were they left out of the optimizer?")
    return findings


def _loss_findings(run: TrainingRun) -> list[str]:
    history = [h for h in run.loss_history if np.isfinite(h)]
    if len(history) < 2:
        return []
    first, last = history[0], history[-1]
    if last > first * 1.05 or (max(history) > 2 * first and last > first / 2):
        return [f"the loss rose or swung (first epoch {first:.4g}, highest {max(history):.4g}, "
                f"last {last:.4g}): the learning rate is probably too high"]
    if loss_decrease(run) < 0.05:
        return [f"the loss barely moved ({first:.4g} → {last:.4g}): the learning rate is "
                "probably too low (or zero), or the model cannot fit the data"]
    return []


def _dead_relus(run: TrainingRun) -> list[str]:
    """Run each model once on its sample batch and find ReLU units that never fire."""
    outputs: list[np.ndarray] = []

    def catch_relu(op, inputs, output, ctx):
        if op.name == "relu":
            outputs.append(output.data)

    findings = []
    for (name, model), sample in zip(run.models, run.samples):
        if sample is None:
            continue
        outputs.clear()
        try:
            with observing(catch_relu), no_grad():
                model(sample)
        except Exception:  # the diagnosis must never hide the failure it explains
            continue
        for i, out in enumerate(outputs):
            units = out.reshape(out.shape[0], -1)
            dead = float(np.mean(units.max(axis=0) <= 0))
            if dead >= DEAD_FRACTION:
                where = f"{name} " if name else ""
                findings.append(f"dead ReLUs: {dead:.0%} of the {units.shape[1]} units after "
                                f"{where}ReLU #{i + 1} never fire on a batch of "
                                f"{units.shape[0]} inputs (learning rate too high, or a bad "
                                "initialisation?)")
    return findings
