"""Check a learner's ops before anything trains with them: `tt-milestones check PROVIDER`.

Every op a provider registers is checked two ways, in float64:

1. **gradcheck** on the op's own `examples()`: the gradient its `backward` returns for each
   input against central finite differences of its own `forward`;
2. **against the built-in op of the same name** (tt-vision's `conv2d` for your `conv2d`),
   on fresh random inputs (both ops' examples, their values shuffled): the forward output,
   and the gradient of *every* input. A zero or scaled input gradient passes many trainings (the
   first layer's input gradient is never used; Adam ignores scale) but not this.

A mismatch is reported with the worst element, both values and what kind of mistake it
looks like — a flipped sign, a scale factor, a transpose, a missing term, all zeros —
because that is what a learner needs to find the line:

    >>> from tt_milestones.check import check_provider
    >>> [report.passed for report in check_provider("tt-vision")]  # doctest: +SKIP
    [True, True, True, True]
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# The distributions that make up tt: an op from one of these is a built-in (a reference);
# anything else is somebody's own.
TT_DISTRIBUTIONS = ("tt-tensor", "tt-autograd", "tt-nn", "tt-vision", "tt-text",
                    "tt-accelerate", "tt-milestones", "tt")
EPS = 1e-6  # finite-difference step
FD_ATOL, FD_RTOL = 1e-5, 1e-4  # backprop vs finite differences (as tt_autograd.gradcheck)
REF_RTOL = 1e-6  # against the built-in op: both compute the same maths in float64


def is_builtin(provider: str) -> bool:
    """True for tt's own distributions (tt-vision, tt-nn, ...)."""
    return provider in TT_DISTRIBUTIONS


@dataclass
class Mismatch:
    """One thing that came out wrong: where, against what, the worst element and the kind."""

    op: str
    provider: str
    what: str  # "forward" or "gradient of input 1 (weight)"
    against: str  # "tt-vision's conv2d" or "finite differences"
    example: str  # the inputs' shapes and the keyword arguments
    kind: str  # sign, scale, transposed, missing term, zero, offset, shape, not finite, error
    hint: str  # one line on what kind of mistake it looks like
    index: tuple = ()
    got: float | None = None
    expected: float | None = None

    def message(self) -> str:
        """One line naming the op, the input, the kind of mistake and the worst element."""
        where = ""
        if self.got is not None:
            where = (f"; worst element {self.index}: yours {self.got:.6g}, "
                     f"expected {self.expected:.6g}")
        return (f"{self.op} ({self.provider}): {self.what} differs from {self.against} — "
                f"{self.kind}: {self.hint}{where} (example: {self.example})")


@dataclass
class OpReport:
    """What checking one op found."""

    op: str
    provider: str
    reference: str | None = None  # the built-in provider compared with, if any
    gradchecked: int = 0  # examples gradchecked
    compared: int = 0  # random inputs compared with the reference
    skipped: int = 0  # examples the op declined with NotImplementedError
    mismatches: list[Mismatch] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """No mismatch, and at least one example checked."""
        return not self.mismatches and (self.gradchecked + self.compared) > 0

    def summary(self) -> str:
        """One line: passed, with what was checked, or how many mismatches."""
        checked = f"gradcheck on {self.gradchecked} example(s)"
        if self.reference:
            checked += (f"; forward and gradients against {self.reference}'s {self.op} on "
                        f"{self.compared} random input(s)")
        if self.skipped:
            checked += f"; {self.skipped} input(s) it does not accept (notes: tt-milestones " \
                       f"check {self.provider})"
        if self.passed:
            return f"{self.op} ({self.provider}): ok — {checked}"
        if not self.mismatches:
            return f"{self.op} ({self.provider}): nothing to check it on — " + "; ".join(self.notes)
        return f"{self.op} ({self.provider}): FAILED — {len(self.mismatches)} mismatch(es); {checked}"


# ----- what kind of mistake ---------------------------------------------------------------
def classify(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> tuple[str, str]:
    """Name the kind of difference between `got` and `expected` (same shape), with a hint."""

    def close(a, b):
        return np.allclose(a, b, rtol=rtol, atol=atol)

    if not np.isfinite(got).all():
        return "not finite", "it contains NaN or Inf (a division by zero, a log of 0?)"
    if not got.any() and expected.any():
        return "zero", ("it is all zeros: is this gradient computed and returned at all (in "
                        "the right position of backward's tuple)?")
    if close(got, -expected):
        return "sign", "it has the opposite sign everywhere: a flipped sign (a - that should be +?)"
    denominator = float(np.vdot(expected, expected))
    if denominator > 0:
        scale = float(np.vdot(got, expected)) / denominator
        if scale != 0 and close(got, scale * expected):
            return "scale", (f"it is {scale:.4g} times the right value everywhere: a scale "
                             "factor (an extra or missing multiplication or division)")
    if got.ndim >= 2 and got.shape[-1] == got.shape[-2] and close(got, np.swapaxes(expected, -1, -2)):
        return "transposed", "it is the transpose of the right value: swapped axes (a missing .T?)"
    if got.ndim >= 2 and close(got, expected[..., ::-1, ::-1]):
        return "flipped", ("it is the right value rotated by 180° over the last two axes: a "
                           "flipped kernel (convolution instead of cross-correlation?)")
    difference = got - expected
    if close(difference, np.full_like(difference, difference.mean())):
        return "offset", (f"it is off by the same {difference.mean():.4g} everywhere: a missing "
                          "or extra constant term (the bias?)")
    right = np.isclose(got, expected, rtol=rtol, atol=atol).mean()
    if right >= 0.5:
        return "missing term", (f"{right:.0%} of the elements are right, the rest wrong: a "
                                "missing or extra term somewhere (edges, padding, stride?)")
    if close(got, expected + expected):  # pragma: no cover - caught as scale above
        return "scale", "it is twice the right value"
    return "missing term", ("the values differ with no simple pattern: a wrong or missing "
                            "term, or wrong indices — recheck the formula")


def _compare(got: Any, expected: Any, rtol: float, atol_scale: float) -> tuple | None:
    """None if `got` matches `expected`; else (kind, hint, index, got value, expected value)."""
    expected = np.asarray(expected, dtype=np.float64)
    if got is None:
        got = np.zeros_like(expected)
    got = np.asarray(got, dtype=np.float64)
    if got.shape != expected.shape:
        kind = "shape"
        hint = f"shape {got.shape}, expected {expected.shape}"
        if got.shape == expected.shape[::-1] and got.ndim >= 2:
            kind, hint = "transposed", f"shape {got.shape}, expected {expected.shape}: a missing .T?"
        return kind, hint, (), None, None
    finite = np.isfinite(expected)
    atol = atol_scale * max(1.0, float(np.abs(expected[finite]).max(initial=0.0)))
    if np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True) and \
            np.array_equal(np.isfinite(got), finite):
        return None
    if not finite.all():  # where the reference is NaN/Inf too, there is nothing to compare
        got, expected = np.where(finite, got, 0.0), np.where(finite, expected, 0.0)
    kind, hint = classify(got, expected, rtol, atol)
    error = np.abs(got - expected)
    error = np.where(np.isfinite(error), error, np.inf)
    worst = np.unravel_index(int(np.argmax(error)), got.shape) if got.size else ()
    index = tuple(int(i) for i in worst)
    return kind, hint, index, float(got[worst]) + 0.0, float(expected[worst]) + 0.0


# ----- running an op ------------------------------------------------------------------------
def input_names(op: Any, count: int) -> list[str]:
    """The names of forward's positional inputs after `ctx` (`x`, `weight`, `bias`)."""
    try:
        params = list(inspect.signature(op.forward).parameters.values())[1:]
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    if params and params[0].kind == params[0].VAR_POSITIONAL or len(names) < count:
        names = [f"input {i}" for i in range(count)]
    return names[:count]


def describe(inputs: tuple, params: dict, names: list[str] | None = None) -> str:
    """`x (2, 3, 5, 5), weight (4, 3, 3, 3), bias None, stride=2`."""
    names = names or [""] * len(inputs)
    shown = [(f"{n} " if n and not n.startswith("input") else "") +
             (str(tuple(np.shape(x))) if isinstance(x, np.ndarray) else repr(x))
             for n, x in zip(names, inputs)]
    shown += [f"{k}={v!r}" for k, v in params.items()]
    return ", ".join(shown)


def _run(op: Any, inputs: tuple, params: dict, upstream: np.ndarray | None):
    """Forward (and backward with `upstream`) in float64: (output, gradients, upstream)."""
    from tt_autograd import enable_grad
    from tt_tensor import Tensor

    tensors = [Tensor(x, requires_grad=True) if _differentiable(x) else x for x in inputs]
    with enable_grad():
        out = op.apply(*tensors, **params)
    if not isinstance(out, Tensor):
        raise _Unsupported("it returns several outputs (only one-output ops are compared)")
    data = np.asarray(out.data, dtype=np.float64)
    grads: list[Any] = []
    if getattr(op, "differentiable", True) and out.requires_grad:
        if upstream is None or upstream.shape != data.shape:
            upstream = np.random.default_rng(7).normal(size=data.shape)
        out.backward(upstream)
        for x, t in zip(inputs, tensors):
            if _differentiable(x):
                grads.append(None if t.grad is None else np.asarray(t.grad.data, np.float64))
            else:
                grads.append(None)
    return data, grads, upstream


class _Unsupported(Exception):
    pass


def _differentiable(x: Any) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.kind == "f"


def _float64(example) -> tuple[tuple, dict]:
    inputs = tuple(np.asarray(x, np.float64) if _differentiable(np.asarray(x)) and
                   isinstance(x, np.ndarray) else x for x in example.inputs)
    return inputs, dict(example.params)


def _redraw(inputs: tuple, rng: np.random.Generator) -> tuple:
    """The same values in a random order, for each float input (integers and others kept).

    Shuffling keeps every value inside the op's domain (positive for `log`, within [-1, 1]
    for `acos`), which fresh normal draws would not, and still moves every element: a
    transposed or misindexed result cannot match by accident.
    """
    return tuple(rng.permutation(x.reshape(-1)).reshape(x.shape) if _differentiable(x) else x
                 for x in inputs)


def _examples(op: Any) -> list:
    try:
        return list(op.examples() or [])
    except Exception:  # a broken examples() is reported by the gradcheck step
        return []


# ----- the two checks -----------------------------------------------------------------------
def gradcheck_op(op: Any, report: OpReport) -> None:
    """Finite differences of the op's own forward against its backward, on its examples."""
    if not getattr(op, "differentiable", True):
        return
    examples = _examples(op)
    if not examples:
        report.notes.append(f"{report.op} has no examples() to gradcheck on")
        return
    for example in examples:
        inputs, params = _float64(example)
        shown = describe(inputs, params, input_names(op, len(inputs)))
        try:
            _, grads, upstream = _run(op, inputs, params, None)
        except NotImplementedError as error:
            report.skipped += 1
            report.notes.append(f"not gradchecked ({shown}): NotImplementedError: {error}")
            continue
        except _Unsupported as reason:
            report.notes.append(f"not gradchecked: {reason}")
            return
        except Exception as error:
            report.mismatches.append(_error(report, "forward or backward", "finite differences",
                                            shown, error))
            continue
        names = input_names(op, len(inputs))
        report.gradchecked += 1
        for i, x in enumerate(inputs):
            if not _differentiable(x):
                continue
            numeric = _numeric_gradient(op, inputs, params, i, upstream)
            found = _compare(grads[i], numeric, FD_RTOL, FD_ATOL)
            if found is not None:
                report.mismatches.append(_mismatch(report, f"gradient of input {i} ({names[i]})",
                                                   "finite differences of its own forward",
                                                   shown, found))


def _numeric_gradient(op, inputs, params, i, upstream) -> np.ndarray:
    from tt_autograd import no_grad

    x = inputs[i].copy()
    numeric = np.zeros_like(x)
    flat = x.reshape(-1)
    others = list(inputs)
    others[i] = x

    def value() -> float:
        with no_grad():
            out = op.apply(*others, **params)
        return float((np.asarray(out.data, np.float64) * upstream).sum())

    for j in range(flat.size):
        original = flat[j]
        flat[j] = original + EPS
        plus = value()
        flat[j] = original - EPS
        minus = value()
        flat[j] = original
        numeric.reshape(-1)[j] = (plus - minus) / (2 * EPS)
    return numeric


def compare_with(op: Any, reference: Any, reference_provider: str, report: OpReport,
                 seed: int = 0) -> None:
    """Forward and every input's gradient against the reference op, on random inputs."""
    rng = np.random.default_rng(seed)
    against = f"{reference_provider}'s {report.op}"
    seen = set()
    for example in _examples(reference) + _examples(op):
        inputs, params = _float64(example)
        key = describe(inputs, params)
        if key in seen:
            continue
        seen.add(key)
        inputs = _redraw(inputs, rng)
        try:
            expected, ref_grads, upstream = _run(reference, inputs, params, None)
        except Exception:
            continue  # an example of yours the built-in does not accept: nothing to compare
        shown = describe(inputs, params, input_names(op, len(inputs)))
        try:
            got, grads, _ = _run(op, inputs, params, upstream)
        except _Unsupported as reason:
            report.notes.append(f"not compared: {reason}")
            return
        except Exception as error:
            # Inputs the built-in accepts but yours does not (broadcasting, groups, ...): not
            # a wrong answer, a feature left out. Errors on your own examples() are reported
            # by the gradient check.
            report.skipped += 1
            report.notes.append(f"not compared ({shown}): {type(error).__name__}: "
                                f"{' '.join(str(error).split())[:160]}")
            continue
        report.compared += 1
        found = _compare(got, expected, REF_RTOL, 1e-9)
        if found is not None:
            report.mismatches.append(_mismatch(report, "forward output", against, shown, found))
            continue  # the gradients of a wrong forward say little more
        names = input_names(op, len(inputs))
        for i, x in enumerate(inputs):
            if not _differentiable(x) or i >= len(ref_grads) or ref_grads[i] is None:
                continue
            found = _compare(grads[i] if i < len(grads) else None, ref_grads[i], REF_RTOL, 1e-9)
            if found is not None:
                report.mismatches.append(_mismatch(report, f"gradient of input {i} ({names[i]})",
                                                   against, shown, found))


def _mismatch(report: OpReport, what: str, against: str, shown: str, found: tuple) -> Mismatch:
    kind, hint, index, got, expected = found
    return Mismatch(report.op, report.provider, what, against, shown, kind, hint, index, got,
                    expected)


def _error(report: OpReport, what: str, against: str, shown: str, error: Exception) -> Mismatch:
    return Mismatch(report.op, report.provider, what, against, shown, "error",
                    f"it raised {type(error).__name__}: {error}")


# ----- what a provider registers ------------------------------------------------------------
def provider_ops(provider: str) -> dict[str, Any]:
    """The ops `provider` registers, by name."""
    from tt_tensor import plugins

    return {e.name: e.obj for e in plugins.listing("ops") if e.provider == provider}


def reference_for(name: str, provider: str) -> tuple[str, Any] | None:
    """The built-in op of the same name (or another provider's, if no built-in has it)."""
    from tt_tensor import plugins

    others = [e for e in plugins.listing("ops") if e.name == name and e.provider != provider]
    # tt's default op first: built in, and not an alternative (a kernel used only once chosen)
    others.sort(key=lambda e: (not is_builtin(e.provider), e.alternative))
    return (others[0].provider, others[0].obj) if others else None


def check_op(name: str, provider: str, op: Any | None = None) -> OpReport:
    """Gradcheck `provider`'s op `name` and compare it with the built-in one."""
    op = op if op is not None else provider_ops(provider)[name]
    report = OpReport(name, provider)
    import warnings

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradcheck_op(op, report)
        found = reference_for(name, provider)
        if found is not None:
            report.reference = found[0]
            compare_with(op, found[1], found[0], report)
    return report


def check_provider(provider: str) -> list[OpReport]:
    """Check every op `provider` registers (an empty list if it registers none)."""
    return [check_op(name, provider, op) for name, op in sorted(provider_ops(provider).items())]


_cache: dict[tuple[str, str, int], OpReport] = {}


def cached_check(name: str, provider: str) -> OpReport:
    """`check_op`, remembered per op class (the diagnosis asks again after training)."""
    op = provider_ops(provider)[name]
    key = (name, provider, id(op))
    if key not in _cache:
        _cache[key] = check_op(name, provider, op)
    return _cache[key]
