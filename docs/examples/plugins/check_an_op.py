import numpy as np
import tt_tensor as tt
from tt_tensor import hookimpl, plugins

from tt_milestones.check import check_provider


class MyMatmulOp(tt.Function):
    """A learner's matmul, (n, k) @ (k, m) -> (n, m), with one slip in backward."""

    name = "matmul"

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        grad_a = grad @ ctx.b.T
        grad_b = -(ctx.a.T @ grad)  # the slip: a minus sign that should not be there
        return grad_a, grad_b

    @staticmethod
    def examples():
        r = np.random.default_rng(0)
        return [tt.Example(r.normal(size=(3, 4)), r.normal(size=(4, 2)))]


class MyMatmul:
    @hookimpl
    def register_ops(self, register):
        register("matmul", MyMatmulOp)


# What `tt-milestones check my-matmul` runs, and `run --use matmul=my-matmul` runs first.
with plugins.plugin(MyMatmul(), name="my-matmul"):
    (report,) = check_provider("my-matmul")
    for mismatch in report.mismatches:
        print(mismatch.message())

    for note in report.notes[:2]:
        print("note:", note)  # tt's matmul also broadcasts; this one need not

assert not report.passed
# The gradient of a is right; the gradient of b is caught twice — by finite differences of
# the op's own forward, and against tt-tensor's matmul — and named as a flipped sign.
assert {m.what for m in report.mismatches} == {"gradient of input 1 (b)"}
assert {m.kind for m in report.mismatches} == {"sign"}
assert {m.against for m in report.mismatches} == {"finite differences of its own forward",
                                                  "tt-tensor's matmul"}
