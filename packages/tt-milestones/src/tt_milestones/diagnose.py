"""When a milestone fails, say why: what the run saw that explains it.

Each finding is one sentence a learner can act on — which parameters got no gradient or a
vanishing or exploding one, which ReLUs never fire, whether the loss rose (learning rate
too high) or barely moved (too low), and which op first produced NaN.

Parameters are named by the layer that owns them, its class and who provided it
(`weight of layer 0, Conv2d (my-conv)`), not only by their state-dict key. And when an op
swapped in from a learner's plugin differs from the built-in op of the same name, that is
said first: a wrong gradient explains every other symptom (dead ReLUs, a rising loss).
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
    findings = _swapped_ops()
    findings += list(run.notes)
    findings += _gradient_findings(run)
    findings += _loss_findings(run)
    findings += _dead_relus(run)
    return findings


def _names(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _swapped_ops() -> list[str]:
    """An op chosen from a learner's plugin that differs from the built-in: the first finding."""
    from tt_tensor import plugins

    from tt_milestones.check import cached_check, is_builtin

    findings = []
    try:
        registry = plugins.registry()
        names = [n for n in registry.names("ops") if len(registry.providers("ops", n)) > 1]
    except Exception:
        return []
    for name in names:
        try:
            entry = registry.resolve("ops", name)
        except plugins.RegistryError:
            continue
        provider = getattr(entry, "provider", None)
        if provider is None or is_builtin(provider):
            continue
        try:
            report = cached_check(name, provider)
        except Exception:  # the diagnosis must never hide the failure it explains
            continue
        if report.mismatches:
            first = report.mismatches[0]
            more = len(report.mismatches) - 1
            findings.append(f"your op {first.message()}" +
                            (f" (and {more} more mismatches: tt-milestones check {provider})"
                             if more else "") +
                            " — fix this first: it explains the other symptoms")
    return findings


def layer_names(run: TrainingRun) -> list[str]:
    """Each watched parameter as `weight of layer 0, Conv2d (my-conv)` (in watch order)."""
    from tt_milestones.check import is_builtin

    providers = _layer_providers()
    owners: dict[str, tuple[str, object]] = {}
    for prefix, model in run.models:
        try:
            modules = list(model.named_modules())
        except Exception:
            continue
        for mname, module in modules:
            full = ".".join(p for p in (prefix, mname) if p)
            owners[full] = (mname, module)
    labels = []
    for pname in run.param_names:
        owner, _, leaf = pname.rpartition(".")
        found = owners.get(owner)
        if found is None:
            labels.append(pname)
            continue
        mname, module = found
        cls = type(module).__name__
        provider = providers.get(type(module))
        who = f"{cls} ({provider})" if provider and not is_builtin(provider) else cls
        where = f"layer {mname}, {who}" if mname else who
        labels.append(f"{leaf} of {where} [{pname}]")
    return labels


def _layer_providers() -> dict[type, str]:
    from tt_tensor import plugins

    try:
        return {e.obj: e.provider for e in plugins.listing("layers") if isinstance(e.obj, type)}
    except Exception:
        return {}


def _tiny_by_construction(label: str) -> bool:
    """Parameters whose gradient is (near) zero whatever happens, so "vanishing" says nothing.

    An attention key projection's bias adds the same amount `q·b` to every score of a
    query, and softmax ignores such a shift: its exact gradient is zero.
    """
    return "k_proj.bias" in label


def _gradient_findings(run: TrainingRun) -> list[str]:
    findings = []
    labels = layer_names(run)
    frozen = [n for n, p in zip(labels, run.params) if not p.requires_grad]
    if frozen:
        findings.append(f"frozen parameters (requires_grad=False): {_names(frozen)} — "
                        "they can never learn")
    no_grad = [n for n, p, got in zip(labels, run.params, run.got_gradient)
               if p.requires_grad and not got]
    if no_grad and not run.diverged:
        findings.append(f"no gradient reached {_names(no_grad)}: is the layer used in "
                        "forward, and is nothing detached on the way?")
    vanishing = [f"{n} (largest norm {g:.1e})" for n, g, got in
                 zip(labels, run.max_grad_norm, run.got_gradient)
                 if got and g < VANISHING and not _tiny_by_construction(n)]
    if vanishing:
        findings.append(f"vanishing gradients: {_names(vanishing)}")
    exploding = [f"{n} (norm {g:.1e})" for n, g in zip(labels, run.max_grad_norm)
                 if g > EXPLODING]
    if exploding:
        findings.append(f"exploding gradients: {_names(exploding)} — lower the learning "
                        "rate or clip gradients")
    unchanged = [n for n, got, moved in zip(labels, run.got_gradient, run.updated())
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
