"""The systems view: FLOPs counted by the ops themselves, memory, and time per step."""

import numpy as np
import tt_tensor as tt
from tt_tensor import Example, Function, hookimpl, plugins

import tt_milestones
from tt_milestones.systems import count_ops


def test_matmul_declares_2nkm():
    a = tt.tensor(np.ones((3, 4), np.float32), requires_grad=True)
    b = tt.tensor(np.ones((4, 5), np.float32))
    with count_ops() as counter:
        out = a @ b
    assert counter.flops == 2 * 3 * 4 * 5 and counter.ops == 1
    assert counter.kept_bytes == out.data.nbytes  # recorded for backward


class Cube(Function):
    """x³ — a plugin op declaring its own cost: 2 multiplications per element."""

    name = "cube"

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        return (3 * ctx.x * ctx.x * grad,)

    @staticmethod
    def flops(ctx, inputs, output):
        return 2 * output.size

    @staticmethod
    def examples():
        return [Example(np.random.default_rng(0).normal(size=(3,)))]


class CubePlugin:
    @hookimpl
    def register_ops(self, register):
        register("cube", Cube)


def test_a_new_op_is_counted_by_its_own_declaration():
    with plugins.plugin(CubePlugin(), "cube-plugin"):
        x = tt.tensor(np.ones(10, np.float32), requires_grad=True)
        with count_ops() as counter:
            tt.OPS["cube"].apply(x)
            with _no_grad():
                tt.OPS["cube"].apply(x)  # gradients off (evaluation, optimizer): not a step
    assert counter.by_op == {"cube": 20}


def _no_grad():
    from tt_autograd import no_grad

    return no_grad()


def test_mlp_step_costs_what_its_matmuls_say():
    if not tt_milestones.get("mlp").status().ready:
        import pytest

        pytest.skip(f"locked: {tt_milestones.get('mlp').status().hint}")
    result = tt_milestones.run("mlp", seed=0, epochs=1)
    s = result.systems
    matmuls = 2 * 32 * (64 * 128 + 128 * 64 + 64 * 10)
    assert s.batch_size == 32 and s.parameters == 17226 and s.parameter_bytes == 17226 * 4
    assert matmuls <= s.forward_flops < 1.2 * matmuls  # plus bias adds, ReLUs and the loss
    # Backward is counted per op, not assumed 2x: the first layer's input needs no gradient
    # (its backward is the weight's product and the bias sum), the other two layers' are
    # two products each, plus their bias sums; ReLUs and the loss add a little.
    linear_backward = (2 * 32 * 64 * 128 + 32 * 128) + (2 * 2 * 32 * 128 * 64 + 32 * 64) \
        + (2 * 2 * 32 * 64 * 10 + 32 * 10)
    assert linear_backward <= s.backward_flops < 1.01 * linear_backward
    assert s.step_flops == s.forward_flops + s.backward_flops < 3 * s.forward_flops
    assert s.peak_bytes > 0  # measured with tracemalloc during the first step
    # Every layer output is kept for backward: at least the three (32, width) activations.
    assert s.activation_bytes >= 32 * (128 + 64 + 10) * 4
    assert s.seconds_per_step > 0


def test_the_fast_batch_norm_is_swapped_in_through_the_registry_and_agrees():
    pytest = __import__("pytest")
    pytest.importorskip("tt_vision")
    from tt_autograd import gradcheck

    from tt_milestones.milestones._fast_ops import FastBatchNormOp, fast_batch_norm

    rng = np.random.default_rng(0)
    x = (rng.standard_normal((16, 8, 12, 12)) * 2 + 1).astype(np.float32)
    w, b = (rng.standard_normal(8).astype(np.float32) for _ in range(2))
    g = rng.standard_normal(x.shape).astype(np.float32)

    def run():
        xt, wt, bt = (tt.tensor(a, requires_grad=True) for a in (x, w, b))
        y = tt.OPS["batch_norm"].apply(xt, wt, bt, training=True)
        y.backward(tt.tensor(g))
        return y.data, xt.grad.data, wt.grad.data, bt.grad.data

    builtin = run()
    with fast_batch_norm():
        assert tt.OPS["batch_norm"] is FastBatchNormOp
        swapped = run()
        for example in FastBatchNormOp.examples():  # float64, eval mode and no-affine included
            where = [i for i, a in enumerate(example.inputs) if a is not None]

            def op(*arrays, example=example, where=where):
                full = list(example.inputs)
                for i, a in zip(where, arrays):
                    full[i] = a
                return tt.OPS["batch_norm"].apply(*full, **example.params)

            gradcheck(op, [tt.tensor(example.inputs[i], requires_grad=True) for i in where])
    assert tt.OPS["batch_norm"] is not FastBatchNormOp  # the block's end restores the built-in
    for a, b_ in zip(builtin, swapped):
        assert np.allclose(a, b_, rtol=1e-5, atol=1e-5)
