"""tt-autograd: reverse-mode automatic differentiation for tt tensors.

Installing it makes `Tensor.backward()` work: its plugin registers the engine (`engine.py`,
the chain rule) with tt's registry. Each op's own derivative lives beside its forward, in
the package that defines the op. Grad mode and anomaly mode live in tt_tensor (ops read
them); they are re-exported here.
"""

from tt_autograd.engine import backward, topological_order
from tt_autograd.gradcheck import GradcheckError, gradcheck
from tt_tensor.grad_mode import (AnomalyError, detect_anomaly, enable_grad, inference_mode,
                                 is_anomaly_enabled, is_grad_enabled, no_grad, set_grad_enabled)

__version__ = "0.1.0"

__all__ = ["backward", "topological_order", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "gradcheck", "GradcheckError",
           "detect_anomaly", "is_anomaly_enabled", "AnomalyError", "__version__"]
