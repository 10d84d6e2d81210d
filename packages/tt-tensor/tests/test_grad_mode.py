"""Grad mode, anomaly mode and observers: one place, one copy per thread, torch's forms."""

import threading

import numpy as np
import pytest
import tt_tensor as tt
from tt_tensor import grad_mode


def test_no_grad_in_another_thread_does_not_change_recording_here():
    # The worker holds no_grad() for the whole time the main thread records a graph.
    entered, release = threading.Event(), threading.Event()

    def worker():
        with tt.no_grad():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert entered.wait(5)
        x = tt.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        assert tt.is_grad_enabled() and y.requires_grad
    finally:
        release.set()
        thread.join()
    y.backward()
    assert x.grad.tolist() == [2.0, 4.0]


def test_overlapping_blocks_in_two_threads_leave_both_threads_recording():
    barrier = threading.Barrier(2)
    results = []

    def worker(hold_first):
        with tt.no_grad():
            barrier.wait()
            if hold_first:
                barrier.wait()
        if not hold_first:
            barrier.wait()
        results.append(tt.is_grad_enabled())

    threads = [threading.Thread(target=worker, args=(flag,)) for flag in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True, True] and tt.is_grad_enabled()


def test_a_new_thread_starts_with_gradients_on_even_inside_no_grad():
    seen = []
    with tt.no_grad():
        thread = threading.Thread(target=lambda: seen.append(tt.is_grad_enabled()))
        thread.start()
        thread.join()
    assert seen == [True]


def test_no_grad_as_bare_decorator_and_with_parentheses():
    x = tt.tensor([1.0], requires_grad=True)

    @tt.no_grad
    def bare():
        return x * 2

    @tt.no_grad()
    def called():
        return x * 2

    assert not bare().requires_grad and not called().requires_grad
    assert (x * 2).requires_grad


def test_no_grad_on_a_generator_function_holds_at_every_step():
    x = tt.tensor([1.0], requires_grad=True)

    @tt.no_grad()
    def steps():
        for _ in range(3):
            yield (x * 2).requires_grad

    assert list(steps()) == [False, False, False]
    assert (x * 2).requires_grad  # and not outside, between steps


def test_enable_grad_inside_no_grad_and_set_grad_enabled():
    x = tt.tensor([1.0], requires_grad=True)
    with tt.no_grad():
        with tt.enable_grad():
            assert (x * 2).requires_grad
        with tt.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    tt.set_grad_enabled(False)
    try:
        assert not tt.is_grad_enabled()
    finally:
        tt.set_grad_enabled(True)
    with tt.inference_mode():
        assert not (x * 2).requires_grad


def test_set_grad_enabled_as_a_decorator_switches_only_inside_the_function():
    @tt.set_grad_enabled(False)
    def inside():
        return tt.is_grad_enabled()

    assert tt.is_grad_enabled()  # decorating switched nothing
    assert inside() is False
    assert tt.is_grad_enabled()


def test_inference_mode_false_records_as_in_torch():
    with tt.no_grad():
        with tt.inference_mode(False):
            assert tt.is_grad_enabled()  # PyTorch 2.13 gives True here too
        with tt.inference_mode():
            assert not tt.is_grad_enabled()


def test_a_mode_is_restored_when_the_block_raises():
    with pytest.raises(ValueError):
        with tt.no_grad():
            raise ValueError
    assert tt.is_grad_enabled()


def test_anomaly_mode_is_per_thread_too():
    seen = []
    with tt.detect_anomaly():
        assert tt.is_anomaly_enabled()
        thread = threading.Thread(target=lambda: seen.append(
            (tt.is_anomaly_enabled(), grad_mode.observers())))
        thread.start()
        thread.join()
    assert seen == [(False, ())] and not tt.is_anomaly_enabled()


def test_an_observer_object_sees_forward_and_backward_with_times():
    events = []

    class Profiler:
        def forward(self, op, inputs, output, ctx, seconds):
            events.append(("forward", op.name, seconds >= 0))

        def backward(self, op, inputs, grads, ctx, seconds):
            events.append(("backward", op.name, len(grads) == len(inputs) and seconds >= 0))

    x = tt.tensor(np.ones(3), requires_grad=True)
    with tt.observing(Profiler()):
        (x * 3).sum().backward()
    assert events == [("forward", "mul", True), ("forward", "sum", True),
                      ("backward", "sum", True), ("backward", "mul", True)]
    assert grad_mode.observers() == ()


def test_observers_in_one_thread_are_not_called_for_ops_in_another():
    calls = []
    done = threading.Event()

    def worker():
        tt.ones(2) + 1
        done.set()

    with tt.observing(lambda op, inputs, output, ctx: calls.append(op.name)):
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        assert done.is_set() and calls == []
        tt.ones(2) + 1
    assert calls == ["add"]


def test_needs_grad_has_one_entry_per_input_recorded_or_not():
    seen = []
    x = tt.tensor([1.0], requires_grad=True)
    with tt.observing(lambda op, inputs, output, ctx: seen.append(ctx.needs_grad)):
        x * 2
        with tt.no_grad():
            x * 2
        tt.ones(1) * 2
    assert seen == [(True, False), (False, False), (False, False)]
