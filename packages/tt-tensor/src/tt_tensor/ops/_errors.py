"""Error messages shared by the ops: name the op and the shapes involved."""

import numpy as np


def shape_of(value) -> tuple | str:
    return np.shape(value) if not isinstance(value, (int, float)) else "scalar"


def broadcast_error(op: str, a, b) -> ValueError:
    return ValueError(f"{op}: shapes {shape_of(a)} and {shape_of(b)} cannot be broadcast "
                      "together (NumPy rules: trailing dimensions must be equal or 1)")
