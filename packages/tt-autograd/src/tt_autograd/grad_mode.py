"""Grad mode, re-exported: it lives in tt_tensor (`tt_tensor.grad_mode`), one per thread.

Ops read it on every call, and ops are tt-tensor's, so the switch lives there; these names
are kept so `from tt_autograd import no_grad` keeps working.
"""

from tt_tensor.grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                                 set_grad_enabled)

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled"]
