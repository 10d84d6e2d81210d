"""`TrainingRun`: what a milestone's training loop reports to while it trains.

A milestone writes the usual loop and hands each step to the run:

    model = run.watch(build_model(), sample=x_test)
    for epoch in run.epochs(25):
        for x, y in loader:
            run.step(training_step, x, y)       # records the loss and every gradient
        run.evaluate(accuracy(model, x_test, y_test))
    run.check("test accuracy", ...)

From that the run knows the loss and accuracy per epoch, which parameters ever got a
gradient and which changed, what one step costs (counted by the ops on the first step),
and — the moment the loss or a gradient stops being finite — which op produced it.
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable, Iterator

import numpy as np

from tt_milestones.result import Check, Systems
from tt_milestones.systems import count_ops, parameter_memory


class Diverged(Exception):
    """Training stopped: the loss or a gradient became NaN or infinite."""


class TrainingRun:
    """The record of one milestone training: histories, gradients, checks and costs.

    Args:
        seed: the seed the milestone trains with (pass it to DataLoaders).
        progress: optional `progress(epoch, epochs, loss, accuracy)` called after each epoch.
    """

    def __init__(self, seed: int = 0, progress: Callable[..., None] | None = None) -> None:
        self.seed = seed
        self.progress = progress
        self.config: dict[str, Any] = {}
        self.loss_history: list[float] = []
        self.accuracy_history: list[float] = []
        self.checks: list[Check] = []
        self.extras: dict[str, Any] = {}
        self.notes: list[str] = []  # findings made during training (e.g. the op that made NaN)
        self.systems = Systems()
        self.steps = 0
        self.diverged = False
        self.models: list[tuple[str, Any]] = []
        self.samples: list[Any] = []
        # One entry per watched parameter, in order.
        self.param_names: list[str] = []
        self.params: list[Any] = []
        self.initial: list[np.ndarray] = []
        self.max_grad_norm: list[float] = []
        self.got_gradient: list[bool] = []  # ever a non-zero, finite gradient
        self._grad_abs_sum = 0.0  # sum over steps of the mean |gradient| over every value
        self._grad_steps = 0
        self._before_step: list[np.ndarray] = []
        self._epoch_loss = 0.0
        self._epoch_steps = 0
        self._accuracy: float | None = None
        self._step_seconds = 0.0
        self._timed_steps = 0

    # ----- what is trained ---------------------------------------------------------------
    def watch(self, model: Any, name: str = "", sample: Any = None) -> Any:
        """Follow `model`'s parameters (names prefixed by `name.` if given); returns `model`.

        `sample` is an input batch the diagnosis may run the model on (e.g. for dead ReLUs).
        """
        self.models.append((name, model))
        self.samples.append(sample)
        for pname, p in model.named_parameters():
            self.param_names.append(f"{name}.{pname}" if name else pname)
            self.params.append(p)
            self.initial.append(p.data.copy())
            self._before_step.append(np.empty_like(p.data))
            self.max_grad_norm.append(0.0)
            self.got_gradient.append(False)
        return model

    def describe(self, **config: Any) -> None:
        """Note the training setup (batch_size, optimizer, lr, ...) for the report."""
        self.config.update(config)

    # ----- the loop ----------------------------------------------------------------------
    def epochs(self, count: int) -> Iterator[int]:
        """`for epoch in run.epochs(n):` — closes each epoch's record when its body ends."""
        self.config.setdefault("epochs", count)
        for epoch in range(count):
            self._epoch_loss, self._epoch_steps, self._accuracy = 0.0, 0, None
            yield epoch
            loss = self._epoch_loss / max(self._epoch_steps, 1)
            self.loss_history.append(loss)
            if self._accuracy is not None:
                self.accuracy_history.append(self._accuracy)
            if self.progress is not None:
                self.progress(epoch + 1, count, loss, self._accuracy)

    def step(self, training_step: Callable[..., Any], *batch: Any) -> float:
        """Run `training_step(*batch)` (which returns the loss) and record what it did.

        The first step is run with an op counter installed: that is the systems view.
        """
        for saved, p in zip(self._before_step, self.params):
            np.copyto(saved, p.data)  # to replay this step if it goes non-finite
        if self.steps == 0:
            with count_ops(memory=True) as counter:
                loss = training_step(*batch)
            self._record_cost(counter, batch)
        else:
            start = time.perf_counter()
            loss = training_step(*batch)
            self._step_seconds += time.perf_counter() - start
            self._timed_steps += 1
        self.steps += 1
        value = float(loss.item()) if hasattr(loss, "item") else float(loss)
        finite, mean_abs = self._record_gradients()
        if not (finite and math.isfinite(value)):
            self._stop_non_finite(training_step, batch, value)
        if mean_abs is not None:
            self._grad_abs_sum += mean_abs
            self._grad_steps += 1
        self._epoch_loss += value
        self._epoch_steps += 1
        return value

    def _record_gradients(self) -> tuple[bool, float | None]:
        """Note each parameter's gradient norm (largest so far, ever non-zero); return
        whether every gradient is finite, and this step's mean |gradient| over every
        parameter value (None if there are no parameter values).

        The gradients are joined into one flat array, so the step costs a handful of NumPy
        calls however many parameters there are (with tiny models, per-call overhead is
        the cost): the squares summed per parameter (`np.add.reduceat` over each one's
        stretch of the flat array) are the squared norms.
        """
        values = 0
        which, flats, starts, start = [], [], [], 0
        for i, p in enumerate(self.params):
            values += p.data.size
            grad = p.grad
            if grad is not None and grad.data.size:  # (an empty gradient has norm 0)
                which.append(i)
                flats.append(grad.data.ravel())
                starts.append(start)
                start += grad.data.size
        if not flats:
            return True, 0.0 if values else None
        flat = np.concatenate(flats)  # in the gradients' own dtype, as each norm was
        abs_sum = float(np.add.reduce(np.abs(flat), dtype=np.float64))  # (= .sum(dtype=...))
        squares = flat * flat
        finite = True
        for i, squared in zip(which, np.add.reduceat(squares, starts).tolist()):
            norm = math.sqrt(squared)  # (math on a float: no NumPy call per parameter)
            if not math.isfinite(norm):
                finite = False
            elif norm > 0.0:
                self.got_gradient[i] = True
                if norm > self.max_grad_norm[i]:
                    self.max_grad_norm[i] = norm
        return finite, abs_sum / values if values else None

    def evaluate(self, accuracy: float) -> None:
        """Record this epoch's accuracy (a fraction in [0, 1])."""
        self._accuracy = float(accuracy)

    def check(self, name: str, value: float, bar: str, passed: bool, shown: str = "") -> None:
        """Add one verification to the table, e.g. `("test accuracy", 0.97, "> 80%", True)`."""
        self.checks.append(Check(name, float(value), bar, bool(passed), shown or f"{value:.3g}"))

    # ----- what it did --------------------------------------------------------------------
    def updated(self) -> list[bool]:
        """For each watched parameter, in order: whether its values moved from the start."""
        return [not np.array_equal(p.data, start) for p, start in zip(self.params, self.initial)]

    @property
    def mean_gradient(self) -> float:
        """Mean |gradient| over every parameter value, averaged over the steps.

        Neither vanishing (below 1e-6: nothing reaches the weights) nor exploding (above 100).
        """
        return self._grad_abs_sum / self._grad_steps if self._grad_steps else 0.0

    def mean_weight_change(self) -> float:
        """Mean |final - initial| over every parameter value (how far training moved them)."""
        total = sum(p.data.size for p in self.params)
        if not total:
            return 0.0
        moved = sum(float(np.abs(p.data.astype(np.float64) - start).sum())
                    for p, start in zip(self.params, self.initial))
        return moved / total

    # ----- bookkeeping -------------------------------------------------------------------
    @property
    def seconds_per_step(self) -> float:
        """Mean wall time of a step, the first (run with the op counter) left out."""
        return self._step_seconds / self._timed_steps if self._timed_steps else 0.0

    def _record_cost(self, counter, batch) -> None:
        values, nbytes = parameter_memory(self.params)
        inputs = next((b for b in batch if hasattr(b, "shape")), None)  # the first array
        self.systems = Systems(
            parameters=values, parameter_bytes=nbytes, forward_flops=counter.flops,
            backward_flops=counter.backward_flops, step_flops=counter.step_flops,
            activation_bytes=counter.kept_bytes, peak_bytes=counter.peak_bytes,
            ops_per_step=counter.ops, batch_size=inputs.shape[0] if inputs is not None else 0)

    def _stop_non_finite(self, training_step, batch, value) -> None:
        """Put back the parameters from before this step, replay it in anomaly mode, stop."""
        from tt_autograd import AnomalyError, detect_anomaly

        where = f"epoch {len(self.loss_history) + 1}, update {self.steps}"
        what = "the loss" if not np.isfinite(value) else "a gradient"
        for saved, p in zip(self._before_step, self.params):
            p.data = saved.copy()
            p.grad = None
        try:
            with detect_anomaly():
                training_step(*batch)
        except AnomalyError as error:
            self.notes.append(f"{what} became NaN/Inf at {where}; replaying that step in "
                              f"anomaly mode: {error}")
        else:
            self.notes.append(f"{what} became NaN/Inf at {where} (the anomaly-mode replay "
                              "did not reproduce it)")
        self.diverged = True
        raise Diverged(self.notes[-1])
