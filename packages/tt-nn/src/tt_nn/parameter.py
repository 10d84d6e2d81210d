"""`Parameter`: a Tensor that a Module trains.

Assigning a Parameter to a Module attribute (`self.weight = Parameter(...)`) registers it, so
`module.parameters()` finds it and an optimizer can update it.
"""

from __future__ import annotations

from typing import Any

from tt_tensor import Tensor


class Parameter(Tensor):
    """A Tensor with `requires_grad=True` that Modules collect as trainable state.

    Args:
        data: an array, Tensor or nested list (kept without copying when it is already a
            NumPy float array, so float64 stays float64).
        requires_grad: set False for a parameter that should be frozen.
    """

    __slots__ = ()  # Tensor uses __slots__; a Parameter adds no state of its own

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = []
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
