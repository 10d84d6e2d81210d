"""tt-autograd: reverse-mode automatic differentiation for tt tensors.

Installing it makes `Tensor.backward()` work. The chain rule itself is in `engine.py`;
each op's own derivative lives beside its forward, in the package that defines the op.
"""

from tt_autograd.anomaly import AnomalyError, detect_anomaly
from tt_autograd.engine import backward, topological_order
from tt_autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from tt_autograd.gradcheck import GradcheckError, gradcheck

__version__ = "0.1.0"

__all__ = ["backward", "topological_order", "no_grad", "enable_grad", "is_grad_enabled",
           "gradcheck", "GradcheckError", "detect_anomaly", "AnomalyError", "__version__"]
