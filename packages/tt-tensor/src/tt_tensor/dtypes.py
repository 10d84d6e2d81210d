"""The dtypes tt uses, as NumPy dtypes so they compare equal to `tensor.dtype`."""

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool = np.dtype(np.bool_)  # noqa: A001  (the public name mirrors torch.bool)

DEFAULT_FLOAT = float32


def to_array(data, dtype=None) -> np.ndarray:
    """Turn user data into an array with tt's dtype rules.

    A NumPy float array keeps its dtype; Python floats and lists of floats become float32;
    integers stay integers (int64) and booleans stay booleans. An explicit `dtype` wins.
    """
    if dtype is not None:
        return np.asarray(data, dtype=np.dtype(dtype))
    if isinstance(data, np.ndarray):
        return data
    array = np.asarray(data)
    if array.dtype == np.float64 and not isinstance(data, np.floating):
        return array.astype(DEFAULT_FLOAT)
    if array.dtype.kind in "iu" and array.dtype != int64 and not isinstance(data, np.integer):
        return array.astype(int64)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} "
                        f"(NumPy dtype {array.dtype}); expected numbers, lists of numbers or an array")
    return array
