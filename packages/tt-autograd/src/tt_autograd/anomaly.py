"""Anomaly mode, re-exported: it lives in tt_tensor (`tt_tensor.grad_mode`), one per thread.

    with tt_autograd.detect_anomaly():
        loss = model(x)          # raises here if any op's output is not finite
        loss.backward()          # or here, if any op's backward produces NaN/Inf

The forward check is an op observer; the engine calls the same observer after every op's
backward, so both halves are checked by one object.
"""

from tt_tensor.grad_mode import AnomalyError, detect_anomaly, is_anomaly_enabled

__all__ = ["detect_anomaly", "AnomalyError", "is_anomaly_enabled"]
