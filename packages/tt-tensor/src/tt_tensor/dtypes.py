"""The dtypes tt uses, as NumPy dtypes so they compare equal to `tensor.dtype`, and torch's
rules for the dtype of a result (type promotion).

The names mirror torch's: `tt.float32` (alias `tt.float`), `tt.float64` (`tt.double`),
`tt.float16` (`tt.half`), `tt.int64` (`tt.long`), `tt.int32` (`tt.int`), `tt.int16`
(`tt.short`), `tt.int8`, `tt.uint8`, `tt.bool`.
"""

import builtins

import numpy as np

float16 = half = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
uint8 = np.dtype(np.uint8)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
bool = np.dtype(np.bool_)  # noqa: A001  (the public names mirror torch.bool, torch.float, torch.int)
float = float32  # noqa: A001
int = int32  # noqa: A001

_default_float = float32


def get_default_dtype() -> np.dtype:
    """The dtype Python floats become (float32 unless changed with `set_default_dtype`)."""
    return _default_float


def set_default_dtype(dtype) -> None:
    """Make Python floats (and float creation functions) use `dtype`: float32 or float64."""
    global _default_float
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: only floating-point dtypes can be the default, got {dtype}")
    _default_float = dtype


def __getattr__(name):
    # `DEFAULT_FLOAT` follows set_default_dtype (kept for code written before it existed).
    if name == "DEFAULT_FLOAT":
        return _default_float
    raise AttributeError(f"module 'tt_tensor.dtypes' has no attribute {name!r}")


def to_array(data, dtype=None, copy: builtins.bool = False) -> np.ndarray:
    """Turn user data into an array with tt's dtype rules (torch's).

    A NumPy array keeps its dtype; Python floats and lists of floats get the default dtype
    (float32); integers become int64 and booleans stay booleans. An explicit `dtype` wins.
    `copy=True` always gives a new array (what `tt.tensor` does).
    """
    if dtype is not None:
        return np.array(data, dtype=np.dtype(dtype), copy=True if copy else None)
    if isinstance(data, np.ndarray):
        if data.dtype.kind not in "fiub":
            raise TypeError(f"tensor: cannot make a tensor from a NumPy array of dtype {data.dtype}")
        return data.copy() if copy else data
    array = np.asarray(data)
    if array.dtype == np.float64 and not isinstance(data, np.floating):
        return array.astype(_default_float)
    if array.dtype.kind in "iu" and array.dtype != int64 and not isinstance(data, np.integer):
        return array.astype(int64)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} "
                        f"(NumPy dtype {array.dtype}); expected numbers, lists of numbers or an array")
    return array.copy() if copy and array is data else array


# ----- type promotion (torch's rules) -------------------------------------------------------
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}
_PY_FLOAT, _PY_INT = builtins.float, builtins.int


def _kind_of_scalar(value) -> str:
    if isinstance(value, (builtins.bool, np.bool_)):
        return "b"
    if isinstance(value, (builtins.int, np.integer)):
        return "i"
    return "f"


def promote_types(a, b) -> np.dtype:
    """torch's `promote_types`: as NumPy's, except that an integer (or bool) with a float
    gives that float (NumPy: int64 with float32 is float64; torch: float32)."""
    a, b = np.dtype(a), np.dtype(b)
    if a.kind == "f" and b.kind != "f":
        return a
    if b.kind == "f" and a.kind != "f":
        return b
    return np.promote_types(a, b)


def _combine(higher, lower):
    """torch's `combine_categories`: `higher` wins unless `lower` is of a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def result_type(*values) -> np.dtype:
    """The dtype torch gives an elementwise op on `values` (arrays or Python/NumPy numbers).

    Arrays with dimensions decide; 0-d arrays and numbers count only when they are of a
    higher category (bool < integer < floating). A Python float next to an integer tensor
    gives the default dtype: `int64 tensor + 0.5` is float32 and `float32 * 2.0` stays
    float32, unlike NumPy. NumPy scalars (`np.float64(2)`) count as numbers, as in torch.
    """
    dims = zero = wrapped = None
    for v in values:
        if isinstance(v, np.ndarray):
            if v.ndim:
                dims = v.dtype if dims is None else promote_types(dims, v.dtype)
            else:
                zero = v.dtype if zero is None else promote_types(zero, v.dtype)
        elif v is not None:
            kind = _kind_of_scalar(v)
            d = bool if kind == "b" else int64 if kind == "i" else _default_float
            if wrapped is None or _CATEGORY[d.kind] > _CATEGORY[wrapped.kind]:
                wrapped = d
    return _combine(dims, _combine(zero, wrapped))


def promote(*values):
    """`values` as arrays of their `result_type` (arrays already of that dtype are untouched)."""
    if len(values) == 2:  # the hot path (a + b): return at once when NumPy already agrees
        a, b = values
        if type(a) is np.ndarray:
            kind_of_b = type(b)
            if kind_of_b is np.ndarray:
                if a.dtype == b.dtype:
                    return values
            elif kind_of_b is _PY_FLOAT or kind_of_b is _PY_INT:
                dtype = a.dtype
                if dtype.kind == "f" or (kind_of_b is _PY_INT and dtype.kind in "iu"):
                    return a, np.asarray(b, dtype)  # a Python number keeps a float (or int) array's dtype
    elif all(type(v) is np.ndarray and v.dtype == values[0].dtype for v in values):
        return values
    dtype = result_type(*values)
    return tuple(v if isinstance(v, np.ndarray) and v.dtype == dtype else np.asarray(v, dtype=dtype)
                 for v in values)


def floating(a: np.ndarray) -> np.ndarray:
    """`a` itself if floating point, else as the default float dtype (`exp(int64)` is float32)."""
    a = np.asarray(a)
    return a if a.dtype.kind == "f" else a.astype(_default_float)
