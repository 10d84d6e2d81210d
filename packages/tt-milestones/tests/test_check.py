"""`tt_milestones.check`: no false alarms on tt's own ops, and each kind of mistake named."""

import numpy as np
import pytest
from tt_tensor import hookimpl, plugins

from tt_milestones.check import OpReport, check_provider, classify, compare_with


def test_every_registered_op_matches_itself():
    """Comparing an op with itself finds nothing: the check raises no false alarms."""
    noisy = []
    for entry in plugins.listing("ops"):
        report = OpReport(entry.name, "self")
        compare_with(entry.obj, entry.obj, entry.provider, report)
        noisy += [m.message() for m in report.mismatches]
    assert not noisy, noisy[:3]


def _conv2d():
    return next(e.obj for e in plugins.listing("ops") if e.name == "conv2d"
                and e.provider == "tt-vision")


MISTAKES = {
    "zero weight gradient": (lambda x, w, b: (x, w * 0, b), "gradient of input 1 (weight)", "zero"),
    "flipped sign": (lambda x, w, b: (x, -w, b), "gradient of input 1 (weight)", "sign"),
    "zero input gradient": (lambda x, w, b: (x * 0, w, b), "gradient of input 0 (x)", "zero"),
    "gradient x1e4": (lambda x, w, b: (x * 1e4, w, b), "gradient of input 0 (x)", "scale"),
    "flipped kernel": (lambda x, w, b: (x, w[..., ::-1, ::-1], b), "gradient of input 1 (weight)",
                       "flipped"),
    "bias forgotten": (lambda x, w, b: (x, w, None), "gradient of input 2 (bias)", "zero"),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_each_kind_of_mistake_is_named(mistake):
    pytest.importorskip("tt_vision")
    reference = _conv2d()
    fix, what, kind = MISTAKES[mistake]

    class Wrong(reference):
        @staticmethod
        def backward(ctx, grad):
            x, w, b = reference.backward(ctx, grad)
            if w is None:  # an example without bias or weight gradient: leave it be
                return x, w, b
            return fix(x, w, b if b is not None else None)

    class Plugin:
        @hookimpl
        def register_ops(self, register):
            register("conv2d", Wrong)

    with plugins.plugin(Plugin(), "wrong"):
        (report,) = check_provider("wrong")
    assert not report.passed
    assert {(m.what, m.kind) for m in report.mismatches} == {(what, kind)}
    first = report.mismatches[0]
    assert first.got is not None and first.expected is not None and first.index


@pytest.mark.parametrize("got, kind", [
    (lambda e: np.zeros_like(e), "zero"),
    (lambda e: -e, "sign"),
    (lambda e: 0.5 * e, "scale"),
    (lambda e: e.T, "transposed"),
    (lambda e: e + 0.3, "offset"),
    (lambda e: np.where(np.arange(e.size).reshape(e.shape) < 4, e + 1, e), "missing term"),
    (lambda e: np.full_like(e, np.nan), "not finite"),
])
def test_classify(got, kind):
    expected = np.random.default_rng(0).normal(size=(4, 4))
    assert classify(got(expected), expected, 1e-6, 1e-9)[0] == kind
