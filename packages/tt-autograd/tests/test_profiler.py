"""The op profiler: forward and backward timed per op and per layer, FLOPs counted, memory measured."""

import numpy as np
import pytest
import tt_tensor as tt
from tt_tensor import Example, Function

from tt_autograd.profiler import backward_flops, profile, record_function


def _mlp():
    nn = pytest.importorskip("tt_nn")
    return nn, nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))


def test_forward_and_backward_of_every_op_are_timed_and_charged_to_layers():
    nn, model = _mlp()
    x = tt.randn(32, 64)
    with profile(modules=model) as prof:
        loss = model(x).sum()
        loss.backward()
    phases = {(e.name, e.phase) for e in prof.events}
    assert {("linear", "forward"), ("linear", "backward"), ("relu", "forward"),
            ("relu", "backward")} <= phases
    assert all(e.seconds >= 0 for e in prof.events)
    assert prof.forward_seconds > 0 and prof.backward_seconds > 0
    assert prof.op_seconds <= prof.wall_seconds
    layers = {row.key: row for row in prof.by_layer()}
    assert layers["0"].calls == {"linear": 1} and layers["1"].calls == {"relu": 1}
    assert layers["0"].backward_seconds > 0  # a layer's backward is charged to it too
    # After the block the layers are plain again.
    assert "forward" not in model[0].__dict__


def test_flops_forward_declared_backward_counted():
    nn, model = _mlp()
    x = tt.randn(32, 64)  # needs no gradient: the first layer's backward skips it
    with profile() as prof:
        model(x).sum().backward()
    first, second = 2 * 32 * 64 * 128, 2 * 32 * 128 * 10
    linear = next(r for r in prof.key_averages() if r.key == "linear")
    assert linear.forward_flops >= first + second
    # layer 0: weight gradient (one forward) + bias (one pass over the output);
    # layer 1: input and weight gradients (two forwards) + bias.
    expected = first + 32 * 128 + 2 * second + 32 * 10
    assert linear.backward_flops == expected
    assert prof.backward_flops < 2 * prof.forward_flops  # not assumed to be 2x


class SquareOp(Function):
    """x², declaring its own backward cost."""

    name = "profiled_square"

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return x * x

    @staticmethod
    def backward(ctx, grad):
        return (2 * ctx.x * grad,)

    @staticmethod
    def flops(ctx, inputs, output):
        return output.size

    @staticmethod
    def backward_flops(ctx, inputs, grads):
        return 2 * grads[0].size

    @staticmethod
    def examples():
        return [Example(np.ones(3))]


def test_an_op_may_declare_its_backward_flops():
    assert backward_flops(SquareOp, None, (np.ones(5),), (np.ones(5),), 5) == 10
    x = tt.tensor(np.ones(7, np.float32), requires_grad=True)
    with profile() as prof:
        y = SquareOp.apply(x)
        y.sum().backward()
    square = next(r for r in prof.key_averages() if r.key == "profiled_square")
    assert (square.forward_flops, square.backward_flops) == (7, 14)


def test_record_function_names_a_region():
    a = tt.randn(8, 8, requires_grad=True)
    with profile() as prof:
        with record_function("my region"):
            b = a @ a
        (b * 2).sum().backward()
    by_layer = {row.key: row for row in prof.by_layer()}
    assert by_layer["my region"].calls == {"matmul": 1}
    assert by_layer["my region"].backward_flops > 0


def test_peak_memory_is_measured_not_summed():
    big = 4_000_000  # 16 MB of float32
    with profile(profile_memory=True) as prof:
        for _ in range(5):  # five temporaries, each freed before the next: peak ~ one or two
            t = tt.ones(big) * 2.0
            del t
    assert 16e6 <= prof.peak_bytes < 3 * 16e6
    assert prof.saved_bytes == 0  # nothing recorded for backward


def test_table_sorts_and_limits():
    a = tt.randn(16, 16, requires_grad=True)
    with profile() as prof:
        ((a @ a).relu() + 1).sum().backward()
    table = prof.key_averages().table(sort_by="flops", row_limit=2)
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["op", "calls"] and len(lines) == 4
    assert "matmul" in lines[2]
    with pytest.raises(ValueError, match="sort_by must be one of"):
        prof.key_averages().table(sort_by="speed")


def test_gradients_are_unchanged_by_profiling():
    nn, model = _mlp()
    x = tt.randn(4, 64)
    model(x).sum().backward()
    plain = [p.grad.data.copy() for p in model.parameters()]
    model.zero_grad()
    with profile(modules=model, profile_memory=True):
        model(x).sum().backward()
    assert all(np.array_equal(a, p.grad.data) for a, p in zip(plain, model.parameters()))

