"""`Tensor`: a NumPy array that remembers how it was computed.

A Tensor holds its values in `.data` (a `numpy.ndarray`). Every operator and method on it
looks the op up by name in the op table that the plugin registry builds (one dict lookup)
and calls it; the op records itself on the result so that `backward()` can later apply the
chain rule. Operators broadcast exactly as NumPy does.
"""

from __future__ import annotations

import functools
import weakref
from collections import namedtuple
from typing import Any

import numpy as np

from tt_tensor import random as _random
from tt_tensor.device import CPU, _is_device, check_device, device
from tt_tensor.dtypes import to_array
from tt_tensor.plugins import OPS
from tt_tensor.plugins import engine as _engine


class Tensor:
    """An n-dimensional array with optional gradient tracking.

    Args:
        data: numbers, nested lists or a `numpy.ndarray`. A NumPy float array keeps its dtype
            (float64 stays float64); Python floats become float32; integers stay int64.
        dtype: force a dtype (`tt_tensor.float64`, ...).
        requires_grad: record operations on this tensor so `backward()` can fill `.grad`.
    """

    __slots__ = ("data", "grad", "requires_grad", "_node", "_counter", "__weakref__")

    def __init__(self, data: Any, *, dtype: Any = None, requires_grad: bool = False) -> None:
        if isinstance(data, Tensor):
            data = data.data
        self.data = to_array(data, dtype)
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"Tensor: only floating-point tensors can require gradients, "
                            f"got dtype {self.data.dtype}")
        self.grad: Tensor | None = None
        self.requires_grad = bool(requires_grad)
        self._node = None  # the recorded op that made it (`Node`; None for a leaf)
        self._counter = [0]  # the version: goes up at every in-place change; backward checks it

    # ----- what it is -------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an op (they collect `.grad`)."""
        return self._node is None

    @property
    def grad_fn(self):
        """The recorded op that made this tensor (a `tt_tensor.function.Node`), or None."""
        return self._node

    def numel(self) -> int:
        """Number of elements."""
        return int(self.data.size)

    def size(self, dim: int | None = None):
        """The shape, or one dimension of it, as in PyTorch."""
        return self.data.shape if dim is None else self.data.shape[dim]

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extras = ""
        if self.data.dtype not in (np.float32, np.int64, np.bool_):
            extras += f", dtype={self.data.dtype}"
        if self.requires_grad:
            extras += ", requires_grad=True"
        return f"tensor({body}{extras})"

    # ----- conversion -------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def item(self) -> float | int | bool:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: only one-element tensors can be converted to a Python "
                             f"number, got shape {self.data.shape}")
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def detach(self) -> Tensor:
        """The same values, cut off from the graph (no gradient flows through).

        Shares memory and the version counter with `self`, as in PyTorch: changing the
        detached tensor in place is still seen by a backward that saved `self`.
        """
        detached = from_numpy(self.data)
        detached._counter = self._counter
        return detached

    @property
    def _version(self) -> int:
        """How many times the values were changed in place through tt (shared with detach())."""
        return self._counter[0]

    @_version.setter
    def _version(self, value: int) -> None:
        self._counter[0] = value

    def to(self, *args: Any, dtype: Any = None, device: Any = None, copy: bool = False,
           non_blocking: bool = False) -> Tensor:
        """This tensor with another dtype and/or on a device, as `torch.Tensor.to`.

        `t.to(tt.float64)`, `t.to("cpu")`, `t.to("cpu", tt.float64)`, `t.to(other_tensor)`.
        The CPU is the only device; another one is a clear error. Returns `self` when
        nothing changes (unless `copy=True`). A cast between float dtypes is differentiable.
        """
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif _is_device(arg):
                device = arg
            else:
                dtype = arg
        if device is not None:
            check_device(device, "to")
        if dtype is None or np.dtype(dtype) == self.data.dtype:
            return self.clone() if copy else self
        return self._cast(dtype)

    @property
    def device(self) -> "device":
        """Where the values live: always `device("cpu")` (tt computes with NumPy)."""
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def cpu(self) -> Tensor:
        """This tensor (it already lives on the CPU)."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        """Always an error: tt runs on NumPy, on the CPU."""
        check_device("cuda", "cuda")
        return self

    # ----- gradients --------------------------------------------------------------------
    def backward(self, gradient: Any = None, retain_graph: bool | None = None) -> None:
        """Fill `.grad` of every leaf this tensor depends on (needs tt-autograd).

        `gradient` is d(something)/d(self); it may be left out only for a one-element tensor.
        The graph's saved values are freed as backward uses them, unless `retain_graph=True`
        (then a second backward through the same graph works).
        """
        _engine("backward")(self, gradient, retain_graph=retain_graph)

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in `.grad` at the next backward (as torch)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: can't retain_grad on a tensor that has "
                               "requires_grad=False")
        if self._node is not None:
            self._node.retained = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf tensor whose gradient backward keeps (see `retain_grad`)."""
        return self._node is not None and self._node.retained is not None

    def pin_memory(self, device: Any = None) -> Tensor:
        """This tensor: pinned memory is a CUDA idea, and tt has only the CPU."""
        return self

    def is_pinned(self, device: Any = None) -> bool:
        return False

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Switch gradient tracking on (or off) for this leaf, in place."""
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"requires_grad_: only floating-point tensors can require "
                            f"gradients, got dtype {self.data.dtype}")
        self.requires_grad = requires_grad
        return self

    # ----- arithmetic (torch's broadcasting and type promotion; Tensor or number either side)
    def __add__(self, other): return OPS["add"].apply(self, other)
    def __radd__(self, other): return OPS["add"].apply(other, self)
    def __sub__(self, other): return OPS["sub"].apply(self, other)
    def __rsub__(self, other): return OPS["sub"].apply(other, self)
    def __mul__(self, other): return OPS["mul"].apply(self, other)
    def __rmul__(self, other): return OPS["mul"].apply(other, self)
    def __truediv__(self, other): return OPS["div"].apply(self, other)
    def __rtruediv__(self, other): return OPS["div"].apply(other, self)
    def __floordiv__(self, other): return OPS["div"].apply(self, other, rounding_mode="floor")
    def __rfloordiv__(self, other): return OPS["div"].apply(other, self, rounding_mode="floor")
    def __mod__(self, other): return OPS["remainder"].apply(self, other)
    def __rmod__(self, other): return OPS["remainder"].apply(other, self)
    def __pow__(self, other): return OPS["pow"].apply(self, other)
    def __rpow__(self, other): return OPS["pow"].apply(other, self)
    def __matmul__(self, other): return OPS["matmul"].apply(self, other)
    def __rmatmul__(self, other): return OPS["matmul"].apply(other, self)
    def __neg__(self): return OPS["neg"].apply(self)
    def __pos__(self): return self
    def __abs__(self): return OPS["abs"].apply(self)

    # Logical/bitwise operators (masks): no gradient.
    def __invert__(self): return from_numpy(np.asarray(np.invert(self.data)))
    def __and__(self, other): return from_numpy(np.asarray(np.bitwise_and(self.data, _raw(other))))
    def __or__(self, other): return from_numpy(np.asarray(np.bitwise_or(self.data, _raw(other))))
    def __xor__(self, other): return from_numpy(np.asarray(np.bitwise_xor(self.data, _raw(other))))
    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def add(self, other, *, alpha=1):
        """`self + alpha * other`."""
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other, *, alpha=1):
        """`self - alpha * other`."""
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other): return self * other
    def matmul(self, other): return self @ other

    def mm(self, other):
        """Matrix product of two 2-D tensors."""
        _expect_dims("mm", (self, other), 2)
        return self @ other

    def bmm(self, other):
        """Batched matrix product of two 3-D tensors (b, n, k) @ (b, k, m)."""
        _expect_dims("bmm", (self, other), 3)
        if self.shape[0] != other.shape[0]:
            raise ValueError(f"bmm: batch sizes differ, shapes {self.shape} and {other.shape}")
        return self @ other

    def mv(self, vec):
        """Matrix (n, k) times vector (k,)."""
        _expect_dims("mv", (self,), 2)
        _expect_dims("mv", (vec,), 1)
        return self @ vec

    def dot(self, other):
        """Dot product of two 1-D tensors."""
        _expect_dims("dot", (self, other), 1)
        return self @ other

    def outer(self, vec2):
        """Outer product of two 1-D tensors: `out[i, j] = self[i] * vec2[j]`."""
        _expect_dims("outer", (self, vec2), 1)
        return self.reshape(-1, 1) * vec2.reshape(1, -1)
    def pow(self, exponent): return OPS["pow"].apply(self, exponent)
    def neg(self): return -self
    def square(self): return self * self
    def reciprocal(self): return 1 / self
    def rsqrt(self): return self.sqrt().reciprocal()

    def div(self, other, *, rounding_mode=None):
        """self / other; `rounding_mode` "trunc" or "floor" rounds the quotient (no gradient)."""
        return OPS["div"].apply(self, other, rounding_mode=rounding_mode)

    def true_divide(self, other): return self / other
    def floor_divide(self, other): return self // other
    def remainder(self, other): return OPS["remainder"].apply(self, other)
    def fmod(self, other): return OPS["fmod"].apply(self, other)
    multiply, divide, negative = mul, div, neg

    def lerp(self, end, weight):
        """`self + weight * (end - self)`: the point `weight` of the way from self to end."""
        return self + weight * (end - self)

    def logaddexp(self, other):
        """`log(exp(self) + exp(other))` without overflow (the larger one is taken out first)."""
        other = other if isinstance(other, Tensor) else Tensor(other)
        m = np.maximum(self.data, other.data)
        m = np.where(np.isfinite(m), m, 0)
        return ((self - m).exp() + (other - m).exp()).log() + m

    def copysign(self, other): return OPS["copysign"].apply(self, other)

    # Comparisons give boolean tensors and carry no gradient.
    def __lt__(self, other): return from_numpy(np.asarray(self.data < _raw(other)))
    def __le__(self, other): return from_numpy(np.asarray(self.data <= _raw(other)))
    def __gt__(self, other): return from_numpy(np.asarray(self.data > _raw(other)))
    def __ge__(self, other): return from_numpy(np.asarray(self.data >= _raw(other)))
    def __eq__(self, other): return from_numpy(np.asarray(self.data == _raw(other)))  # type: ignore[override]
    def __ne__(self, other): return from_numpy(np.asarray(self.data != _raw(other)))  # type: ignore[override]
    __hash__ = object.__hash__
    lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__
    less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne

    def equal(self, other) -> bool:
        """True if both have the same shape and the same values."""
        return self.shape == other.shape and bool(np.array_equal(self.data, other.data))

    def isclose(self, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
        """`|self - other| ≤ atol + rtol·|other|`, elementwise (torch's defaults)."""
        return from_numpy(np.asarray(np.isclose(self.data, _raw(other), rtol=rtol, atol=atol,
                                                equal_nan=equal_nan)))

    def allclose(self, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        """True if every element is close (see `isclose`)."""
        return bool(np.allclose(self.data, _raw(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def __format__(self, spec: str) -> str:
        """`f"{loss:.4f}"` formats a one-element tensor's value; no spec gives its repr."""
        if spec and self.data.size == 1:
            return format(self.item(), spec)
        return format(repr(self), spec)

    # ----- NumPy interoperability ----------------------------------------------------------
    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """`np.asarray(t)` is t's values."""
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """NumPy maths that meets a tensor: `array * t` and `np.exp(t)` are tt ops (so the
        result is a differentiable tensor), while `array += t` writes into the array (as
        `p.data += -lr * p.grad` does in torch programs); other ufuncs act on the values."""
        raw = [x.data if isinstance(x, Tensor) else x for x in inputs]
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(o.data if isinstance(o, Tensor) else o for o in out)
            getattr(ufunc, method)(*raw, **kwargs)
            return out[0] if len(out) == 1 else out
        name = _UFUNC_OPS.get(ufunc) if method == "__call__" and not kwargs else None
        if name is None:
            return getattr(ufunc, method)(*raw, **kwargs)
        return OPS[name].apply(*inputs)

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(f"bool: the truth value of a tensor of shape {self.data.shape} is "
                             "ambiguous; use .any() or .all()")
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iub":
            raise TypeError(f"only integer tensors of a single element can be converted to an "
                            f"index, got dtype {self.data.dtype}")
        return int(self.item())

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def any(self, dim=None, keepdim: bool = False) -> Tensor:
        """True where any element over `dim` is non-zero (a bool tensor; `if t.any():` works)."""
        return from_numpy(np.asarray(np.any(self.data, axis=_axis_arg(dim, self.ndim), keepdims=keepdim)))

    def all(self, dim=None, keepdim: bool = False) -> Tensor:
        """True where every element over `dim` is non-zero (a bool tensor)."""
        return from_numpy(np.asarray(np.all(self.data, axis=_axis_arg(dim, self.ndim), keepdims=keepdim)))

    # ----- elementwise functions --------------------------------------------------------
    def exp(self): return OPS["exp"].apply(self)
    def log(self): return OPS["log"].apply(self)
    def sqrt(self): return OPS["sqrt"].apply(self)
    def tanh(self): return OPS["tanh"].apply(self)
    def sigmoid(self): return OPS["sigmoid"].apply(self)
    def relu(self): return OPS["relu"].apply(self)
    def abs(self): return OPS["abs"].apply(self)
    def sin(self): return OPS["sin"].apply(self)
    def cos(self): return OPS["cos"].apply(self)
    def tan(self): return OPS["tan"].apply(self)
    def asin(self): return OPS["asin"].apply(self)
    def acos(self): return OPS["acos"].apply(self)
    def atan(self): return OPS["atan"].apply(self)
    def sinh(self): return OPS["sinh"].apply(self)
    def cosh(self): return OPS["cosh"].apply(self)
    def asinh(self): return OPS["asinh"].apply(self)
    def acosh(self): return OPS["acosh"].apply(self)
    def atanh(self): return OPS["atanh"].apply(self)
    def log2(self): return OPS["log2"].apply(self)
    def log10(self): return OPS["log10"].apply(self)
    def log1p(self): return OPS["log1p"].apply(self)
    def expm1(self): return OPS["expm1"].apply(self)
    def exp2(self): return OPS["exp2"].apply(self)
    def erf(self): return OPS["erf"].apply(self)
    def floor(self): return OPS["floor"].apply(self)
    def ceil(self): return OPS["ceil"].apply(self)
    def trunc(self): return OPS["trunc"].apply(self)
    def sign(self): return OPS["sign"].apply(self)
    arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
    fix, absolute = trunc, abs

    def round(self, decimals: int = 0):
        """Round to `decimals` places, halves to even (no gradient: it is a step function)."""
        return OPS["round"].apply(self, decimals=decimals)

    def isinf(self): return from_numpy(np.asarray(np.isinf(self.data)))
    def isnan(self): return from_numpy(np.asarray(np.isnan(self.data)))
    def isfinite(self): return from_numpy(np.asarray(np.isfinite(self.data)))

    def clamp(self, min=None, max=None):  # noqa: A002
        """Limit values to [min, max]; the gradient is zero where a limit was applied."""
        return OPS["clamp"].apply(self, min=_raw(min), max=_raw(max))

    clip = clamp

    def clamp_min(self, min): return self.clamp(min=min)  # noqa: A002
    def clamp_max(self, max): return self.clamp(max=max)  # noqa: A002

    def maximum(self, other): return OPS["maximum"].apply(self, other)
    def minimum(self, other): return OPS["minimum"].apply(self, other)

    # ----- reductions -------------------------------------------------------------------
    def sum(self, dim=None, keepdim: bool = False, *, dtype=None):
        """Sum over `dim` (an int, a tuple of ints, or None/() for all); ints sum to int64."""
        return OPS["sum"].apply(self, dim=dim, keepdim=keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim: bool = False, *, dtype=None):
        """Mean over `dim` (an int, a tuple of ints, or None/() for all)."""
        return OPS["mean"].apply(self, dim=dim, keepdim=keepdim, dtype=dtype)

    def prod(self, dim=None, keepdim: bool = False, *, dtype=None):
        """Product over `dim` (None for all); exact gradients even with zeros."""
        return OPS["prod"].apply(self, dim=dim, keepdim=keepdim, dtype=dtype)

    def var(self, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
        """Variance over `dim`: `Σ(x - mean)² / (n - correction)`, correction 1 by default.

        As torch: `unbiased=False` (or `correction=0`) gives the population variance, and a
        sample too small for the correction gives nan.
        """
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        centred = self - self.mean(dim, keepdim=True)
        count = int(np.prod([self.shape[d] for d in reduced_axes(dim, self.ndim)]))
        return (centred * centred).sum(dim, keepdim=keepdim) / max(count - correction, 0)

    def std(self, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
        """Standard deviation: `var(...).sqrt()` (correction 1 by default, as torch)."""
        return self.var(dim, unbiased, keepdim, correction=correction).sqrt()

    def max(self, dim=None, keepdim: bool = False):
        """The largest value; with `dim`, `(values, indices)` along it, as torch.

        `max()` shares the gradient between tied maxima (like `amax`); `max(dim).values`
        sends it to the element at `indices`. `max(other_tensor)` is `maximum`.
        """
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        if dim is None or dim == ():
            return OPS["amax"].apply(self, nan_wins=True)
        return self._values_indices("max", np.argmax, dim, keepdim)

    def min(self, dim=None, keepdim: bool = False):
        """The smallest value; with `dim`, `(values, indices)` along it (see `max`)."""
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        if dim is None or dim == ():
            return OPS["amin"].apply(self, nan_wins=True)
        return self._values_indices("min", np.argmin, dim, keepdim)

    def _values_indices(self, name, pick, dim, keepdim):
        indices = self._arg(name, pick, dim, True)
        values = self.gather(dim, indices) if self.ndim else OPS["clone"].apply(self)
        if not keepdim and self.ndim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return return_types[name](values, indices)

    def amax(self, dim=(), keepdim: bool = False):
        """Largest values over `dim` (all by default); tied maxima share the gradient."""
        return OPS["amax"].apply(self, dim=dim, keepdim=keepdim)

    def amin(self, dim=(), keepdim: bool = False):
        """Smallest values over `dim` (all by default); tied minima share the gradient."""
        return OPS["amin"].apply(self, dim=dim, keepdim=keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the largest value (int64, no gradient); of the flattened tensor if dim is None."""
        return self._arg("argmax", np.argmax, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the smallest value (int64, no gradient)."""
        return self._arg("argmin", np.argmin, dim, keepdim)

    def _arg(self, name, pick, dim, keepdim):
        if dim is None:
            if self.data.size == 0:
                raise ValueError(f"{name}: the tensor is empty (shape {self.shape}); there is no "
                                 "largest or smallest element")
            out = np.asarray(pick(self.data), dtype=np.int64)
            return from_numpy(out.reshape((1,) * self.ndim) if keepdim else out)
        axis = _check_dim(name, dim, self.ndim)
        if self.ndim == 0:
            return from_numpy(np.zeros((), np.int64))
        if self.shape[axis] == 0:
            raise ValueError(f"{name}: cannot reduce over dimension {dim} of size 0 (shape {self.shape})")
        return from_numpy(np.asarray(pick(self.data, axis=axis, keepdims=keepdim), dtype=np.int64))

    def norm(self, p="fro", dim=None, keepdim: bool = False):
        """The p-norm over `dim` (all by default): "fro" and 2 are `sqrt(Σ x²)`; also 1,
        inf, -inf, 0 and any other p (see `tt.vector_norm`). Gradient 0 at a zero norm."""
        if p in ("fro", None):
            p = 2
        if isinstance(p, str):
            raise ValueError(f"norm: p={p!r} is not supported; use 'fro' or a number")
        return OPS["norm"].apply(self, ord=p, dim=dim, keepdim=keepdim)

    def unique(self, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
               return_counts: bool = False, dim=None):
        """The distinct values (sorted), and optionally where each element went and how many
        times each value occurs (no gradient)."""
        if dim is not None:
            raise ValueError("unique: dim= is not supported; it works on the flattened tensor")
        values, inverse, counts = np.unique(self.data, return_inverse=True, return_counts=True)
        out = [from_numpy(values)]
        if return_inverse:
            out.append(from_numpy(inverse.reshape(self.shape).astype(np.int64)))
        if return_counts:
            out.append(from_numpy(counts.astype(np.int64)))
        return out[0] if len(out) == 1 else tuple(out)

    def bincount(self, weights=None, minlength: int = 0):
        """How often each value 0, 1, 2, ... occurs in a 1-D int tensor (weighted if given)."""
        if self.ndim != 1 or self.dtype.kind not in "iu":
            raise ValueError(f"bincount: expects a 1-D integer tensor, got shape {self.shape} "
                             f"and dtype {self.dtype}")
        counts = np.bincount(self.data, weights=_raw(weights), minlength=minlength)
        return from_numpy(counts if weights is not None else counts.astype(np.int64))

    def count_nonzero(self, dim=None):
        """How many elements are non-zero over `dim` (int64)."""
        return from_numpy(np.asarray(np.count_nonzero(self.data, axis=_axis_arg(dim, self.ndim)),
                                     dtype=np.int64))

    def argwhere(self):
        """Indices of the non-zero elements, (n, ndim) (as `nonzero()`)."""
        return self.nonzero()

    def logsumexp(self, dim, keepdim: bool = False):
        """`log Σ exp(x)` over `dim`, stable: the maximum is taken out before exponentiating."""
        axes = reduced_axes(dim, self.ndim)
        if self.data.size == 0:
            return self.exp().sum(dim, keepdim=keepdim).log()
        m = np.max(self.data, axis=axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        out = (self - m).exp().sum(dim, keepdim=keepdim).log()
        return out + (m if keepdim else np.squeeze(m, axes))

    def cumsum(self, dim: int, *, dtype=None):
        """Running sum along `dim`."""
        return OPS["cumsum"].apply(self, dim=dim, dtype=dtype)

    def cumprod(self, dim: int, *, dtype=None):
        """Running product along `dim` (exact gradients even with zeros)."""
        return OPS["cumprod"].apply(self, dim=dim, dtype=dtype)

    def cummax(self, dim: int):
        """Running maximum along `dim`: `(values, indices)`, indices of the latest maximum."""
        return self._running("cummax", np.maximum, dim)

    def cummin(self, dim: int):
        """Running minimum along `dim`: `(values, indices)`."""
        return self._running("cummin", np.minimum, dim)

    def _running(self, name, ufunc, dim):
        axis = _check_dim(name, dim, self.ndim)
        if self.ndim == 0:
            return return_types[name](OPS["clone"].apply(self), from_numpy(np.zeros((), np.int64)))
        best = ufunc.accumulate(self.data, axis=axis)
        shape = [1] * self.ndim
        shape[axis] = self.shape[axis]
        positions = np.arange(self.shape[axis]).reshape(shape)
        reached = self.data == best
        if self.data.dtype.kind == "f":  # a NaN is the running extreme from where it appears on
            reached |= np.isnan(self.data) & np.isnan(best)
        indices = np.maximum.accumulate(np.where(reached, positions, 0), axis=axis)
        indices = from_numpy(indices.astype(np.int64))
        return return_types[name](self.gather(axis, indices), indices)

    # ----- softmax ----------------------------------------------------------------------
    def softmax(self, dim: int = -1): return OPS["softmax"].apply(self, dim=dim)
    def log_softmax(self, dim: int = -1): return OPS["log_softmax"].apply(self, dim=dim)

    # ----- shape ------------------------------------------------------------------------
    def reshape(self, *shape):
        """Same values, new shape; one dimension may be -1."""
        return OPS["reshape"].apply(self, shape=_sizes(shape))

    view = reshape

    def view_as(self, other): return self.reshape(other.shape)
    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        """Merge dimensions `start_dim..end_dim` into one."""
        shape = self.shape
        start = start_dim % max(len(shape), 1)
        end = end_dim % max(len(shape), 1)
        merged = int(np.prod(shape[start:end + 1]))
        return self.reshape(*shape[:start], merged, *shape[end + 1:])

    def unflatten(self, dim: int, sizes):
        """Split dimension `dim` into `sizes` (one may be -1)."""
        d = _check_dim("unflatten", dim, self.ndim)
        return self.reshape(*self.shape[:d], *sizes, *self.shape[d + 1:])

    def unsqueeze(self, dim: int):
        """Insert a dimension of size 1 at `dim` (-ndim-1 ≤ dim ≤ ndim)."""
        if not -self.ndim - 1 <= dim <= self.ndim:
            raise IndexError(f"unsqueeze: dimension {dim} is out of range for a tensor with "
                             f"{self.ndim} dimensions (expected {-self.ndim - 1}..{self.ndim})")
        if dim < 0:
            dim += self.ndim + 1
        return self.reshape(*self.shape[:dim], 1, *self.shape[dim:])

    def squeeze(self, dim=None):
        """Remove dimensions of size 1 (only those in `dim`, an int or tuple, if given)."""
        if dim is None:
            return self.reshape(*[n for n in self.shape if n != 1])
        dims = {_check_dim("squeeze", d, self.ndim) for d in _dims(dim)}
        return self.reshape(*[n for i, n in enumerate(self.shape) if not (i in dims and n == 1)])

    def transpose(self, dim0: int, dim1: int):
        """Swap two dimensions."""
        dims = list(range(self.ndim))
        a, b = _check_dim("transpose", dim0, self.ndim), _check_dim("transpose", dim1, self.ndim)
        if self.ndim:
            dims[a], dims[b] = dims[b], dims[a]
        return OPS["permute"].apply(self, dims=tuple(dims))

    swapaxes = swapdims = transpose

    def t(self):
        """The transpose of a tensor of at most 2 dimensions."""
        if self.ndim > 2:
            raise ValueError(f"t: expects a tensor with at most 2 dimensions, got shape {self.shape}")
        return self if self.ndim < 2 else self.transpose(0, 1)

    def permute(self, *dims):
        """Reorder all dimensions (negative dims count from the end)."""
        return OPS["permute"].apply(self, dims=_sizes(dims))

    def movedim(self, source, destination):
        """Move dimension(s) `source` to position(s) `destination`, keeping the others' order."""
        src = [_check_dim("movedim", d, self.ndim) for d in _dims(source)]
        dst = [_check_dim("movedim", d, self.ndim) for d in _dims(destination)]
        if len(src) != len(dst):
            raise ValueError(f"movedim: source {source} and destination {destination} must have "
                             "the same number of dimensions")
        rest = iter(d for d in range(self.ndim) if d not in src)
        placed = dict(zip(dst, src))
        return self.permute(*[placed[i] if i in placed else next(rest) for i in range(self.ndim)])

    moveaxis = movedim

    @property
    def T(self):
        """The transpose of a 2-D tensor."""
        if self.ndim != 2:
            raise ValueError(f"T: expects a 2-D tensor, got shape {self.shape}; "
                             "use transpose(dim0, dim1) or permute(...)")
        return OPS["permute"].apply(self, dims=(1, 0))

    @property
    def mT(self):
        """The last two dimensions swapped (a batch of matrices transposed)."""
        return self.transpose(-2, -1)

    def expand(self, *sizes):
        """A view stretched to `sizes` (-1 keeps a dimension; size-1 dimensions repeat)."""
        return OPS["expand"].apply(self, shape=_sizes(sizes))

    def expand_as(self, other): return self.expand(*other.shape)

    def repeat(self, *sizes):
        """Tile the tensor `sizes[i]` times along each dimension (NumPy's tile)."""
        return OPS["repeat"].apply(self, repeats=_sizes(sizes))

    def roll(self, shifts, dims=None):
        """Shift values along `dims`, wrapping around (the flattened tensor if dims is None)."""
        return OPS["roll"].apply(self, shifts=shifts, dims=dims)

    def flip(self, *dims):
        """Reverse the order of values along `dims`."""
        index = [slice(None)] * max(self.ndim, 1)
        for d in _sizes(dims):
            index[_check_dim("flip", d, self.ndim)] = slice(None, None, -1)
        return self[tuple(index)] if self.ndim else self.clone()

    def tril(self, diagonal: int = 0):
        """Keep the lower triangle (on and below diagonal `diagonal`) of the last two dims."""
        rows, cols = self.shape[-2:]
        return OPS["where"].apply(np.tri(rows, cols, diagonal, dtype=bool), self, np.zeros((), self.dtype))

    def triu(self, diagonal: int = 0):
        """Keep the upper triangle (on and above diagonal `diagonal`) of the last two dims."""
        rows, cols = self.shape[-2:]
        return OPS["where"].apply(~np.tri(rows, cols, diagonal - 1, dtype=bool), self, np.zeros((), self.dtype))

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1):
        """The diagonal of the (dim1, dim2) planes, as a last dimension (offset > 0: above)."""
        moved = self.movedim((dim1, dim2), (-2, -1))
        rows, cols = moved.shape[-2:]
        start_row, start_col = max(-offset, 0), max(offset, 0)
        n = max(min(rows - start_row, cols - start_col), 0)
        return moved[..., np.arange(n) + start_row, np.arange(n) + start_col]

    def unfold(self, dimension: int, size: int, step: int):
        """Windows of `size` values every `step` along `dimension`, as a new last dimension."""
        d = _check_dim("unfold", dimension, self.ndim)
        length = self.shape[d] if self.ndim else 1
        if size > length or step <= 0:
            raise ValueError(f"unfold: windows of size {size} with step {step} do not fit "
                             f"dimension {dimension} of size {length}")
        starts = np.arange(0, length - size + 1, step)
        windows = starts[:, None] + np.arange(size)
        if self.ndim == 0:
            return self.reshape(1)
        return self.movedim(d, -1)[..., windows].movedim(-2, d)

    def repeat_interleave(self, repeats, dim: int | None = None, *, output_size=None):
        """Repeat each element `repeats` times (an int or one count per element) along `dim`."""
        source = self.flatten() if dim is None else self
        axis = 0 if dim is None else _check_dim("repeat_interleave", dim, self.ndim)
        picks = np.repeat(np.arange(source.shape[axis]), _raw(repeats))
        return source.index_select(axis, picks)

    def split(self, split_size_or_sections, dim: int = 0):
        """Pieces of `split_size` along `dim` (the last may be smaller), or of the given sizes."""
        d = _check_dim("split", dim, self.ndim)
        n = self.shape[d]
        if isinstance(split_size_or_sections, (int, np.integer)):
            step = int(split_size_or_sections)
            sizes = [min(step, n - s) for s in range(0, n, step)] or [0]
        else:
            sizes = list(split_size_or_sections)
            if sum(sizes) != n:
                raise ValueError(f"split: sizes {sizes} add up to {sum(sizes)}, but dimension {dim} "
                                 f"has size {n}")
        starts = np.cumsum([0] + sizes[:-1])
        return tuple(self.narrow(d, int(s), int(k)) for s, k in zip(starts, sizes))

    def chunk(self, chunks: int, dim: int = 0):
        """At most `chunks` pieces of equal size (the last may be smaller) along `dim`."""
        n = self.shape[_check_dim("chunk", dim, self.ndim)]
        if n == 0:  # as torch: `chunks` empty pieces
            return tuple(self.narrow(dim, 0, 0) for _ in range(chunks))
        return self.split(-(-n // chunks), dim)

    def unbind(self, dim: int = 0):
        """The slices along `dim`, each without that dimension."""
        d = _check_dim("unbind", dim, self.ndim)
        return tuple(self[(slice(None),) * d + (i,)] for i in range(self.shape[d]))

    def narrow(self, dim: int, start: int, length: int):
        """The `length` values from `start` along `dim`."""
        d = _check_dim("narrow", dim, self.ndim)
        start = start + self.shape[d] if start < 0 else start
        if not 0 <= start <= start + length <= self.shape[d]:
            raise IndexError(f"narrow: start {start} and length {length} do not fit dimension "
                             f"{dim} of size {self.shape[d]}")
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def __getitem__(self, index):
        """Slices, integers, None, Ellipsis and integer/boolean array indexing; differentiable.

        The axis order follows torch: `t[1, :, [0, 1]]` on shape (2, 3, 4) has shape (3, 2).
        """
        return OPS["getitem"].apply(self, index=_raw_index(index))

    # ----- selection ----------------------------------------------------------------------
    def gather(self, dim: int, index):
        """`out[i][j] = self[i][index[i][j]]` along `dim` (index: an int64 tensor)."""
        return OPS["gather"].apply(self, dim, _raw(index))

    def scatter(self, dim: int, index, src=None, *, value=None, reduce=None):
        """A copy with `self[index[i][j]] = src[i][j]` along `dim` (`src` a tensor or `value` a number)."""
        if reduce is not None:
            raise ValueError("scatter: reduce= is not supported; use scatter_reduce(dim, index, src, reduce)")
        return OPS["scatter"].apply(self, dim, _raw(index), value if src is None else src)

    def scatter_add(self, dim: int, index, src):
        """A copy with `self[index[i][j]] += src[i][j]` along `dim` (repeated positions add up)."""
        return OPS["scatter_add"].apply(self, dim, _raw(index), src)

    def scatter_reduce(self, dim: int, index, src, reduce: str, *, include_self: bool = True):
        """src combined into a copy of self at `index` with "sum", "prod", "mean", "amax" or "amin"."""
        return OPS["scatter_reduce"].apply(self, dim, _raw(index), src, reduce=reduce,
                                           include_self=include_self)

    def index_select(self, dim: int, index):
        """The entries at positions `index` (a 1-D int tensor) along `dim`."""
        d = _check_dim("index_select", dim, self.ndim)
        return self[(slice(None),) * d + (np.asarray(_raw(index), dtype=np.int64).reshape(-1),)]

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False):
        """`(values, indices)` sorted along `dim` (ties keep their order)."""
        indices = self.argsort(dim, descending, stable=stable)
        values = self.gather(dim, indices) if self.ndim else OPS["clone"].apply(self)
        return return_types["sort"](values, indices)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False):
        """The indices that sort along `dim` (a stable sort; ties keep their order)."""
        axis = _check_dim("argsort", dim, self.ndim)
        if self.ndim == 0:
            return from_numpy(np.zeros((), np.int64))
        data = self.data
        if descending:  # a stable descending sort: sort the reversed order, then map back
            n = self.shape[axis]
            flipped = np.flip(data, axis)
            order = np.flip(np.argsort(flipped, axis=axis, kind="stable"), axis)
            return from_numpy((n - 1 - order).astype(np.int64))
        return from_numpy(np.argsort(data, axis=axis, kind="stable").astype(np.int64))

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
        """`(values, indices)` of the k largest (or smallest) entries along `dim`."""
        axis = _check_dim("topk", dim, self.ndim)
        n = self.shape[axis] if self.ndim else 1
        if not 0 <= k <= n:
            raise ValueError(f"topk: k={k} is out of range for dimension {dim} of size {n}")
        order = self.argsort(dim, descending=largest)
        indices = order[(slice(None),) * axis + (slice(0, k),)] if self.ndim else order
        values = self.gather(axis, indices) if self.ndim else OPS["clone"].apply(self)
        return return_types["topk"](values, indices)

    def nonzero(self, *, as_tuple: bool = False):
        """Indices of the non-zero elements: an (n, ndim) int64 tensor, or one tensor per dim."""
        if as_tuple:
            return tuple(from_numpy(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(self.data)))
        return from_numpy(np.argwhere(self.data).astype(np.int64))

    def masked_fill(self, mask, value):
        """self with `value` where `mask` is true (value: a number or a 0-d tensor)."""
        value = value if isinstance(value, Tensor) else np.asarray(value, dtype=self.dtype)
        return OPS["where"].apply(_raw(mask), value, self)

    def masked_select(self, mask):
        """The elements where `mask` (broadcast with self) is true, as a 1-D tensor."""
        mask = np.asarray(_raw(mask), dtype=bool)
        shape = np.broadcast_shapes(self.shape, mask.shape)
        target = self if self.shape == shape else self.expand(*shape)
        return target[np.broadcast_to(mask, shape)]

    def where(self, condition, other):
        """self where `condition` is true, else `other`."""
        return OPS["where"].apply(_raw(condition), self, other)

    # ----- in place (each bumps `_version`; see `Function.apply_`) -------------------------
    def add_(self, other, *, alpha=1):
        """`self += alpha * other`, in place."""
        return OPS["add"].apply_(self, other if alpha == 1 else other * alpha)

    def sub_(self, other, *, alpha=1):
        """`self -= alpha * other`, in place."""
        return OPS["sub"].apply_(self, other if alpha == 1 else other * alpha)

    def mul_(self, other): return OPS["mul"].apply_(self, other)

    def div_(self, other, *, rounding_mode=None):
        return OPS["div"].apply_(self, other, rounding_mode=rounding_mode)

    def pow_(self, exponent): return OPS["pow"].apply_(self, exponent)

    def clamp_(self, min=None, max=None):  # noqa: A002
        return OPS["clamp"].apply_(self, min=_raw(min), max=_raw(max))

    clip_ = clamp_

    def fill_(self, value):
        """Every element set to `value` (a number or a 0-d tensor), in place."""
        return OPS["setitem"].apply_(self, value, index=Ellipsis)

    def zero_(self): return self.fill_(0)

    def copy_(self, src):
        """The values of `src` (broadcast, cast to self's dtype) written into self, in place."""
        return OPS["setitem"].apply_(self, src, index=Ellipsis)

    def masked_fill_(self, mask, value):
        """`value` written where `mask` is true, in place."""
        mask = np.broadcast_to(np.asarray(_raw(mask), dtype=bool), self.shape)
        return OPS["setitem"].apply_(self, value, index=mask)

    def __setitem__(self, index, value):
        OPS["setitem"].apply_(self, value, index=_raw_index(index))

    def scatter_(self, dim: int, index, src=None, *, value=None):
        """`scatter`, in place."""
        return OPS["scatter"].apply_(self, dim, _raw(index), value if src is None else src)

    def scatter_add_(self, dim: int, index, src):
        """`scatter_add`, in place."""
        return OPS["scatter_add"].apply_(self, dim, _raw(index), src)

    def index_fill_(self, dim: int, index, value):
        """`value` written at positions `index` along `dim`, in place."""
        d = _check_dim("index_fill_", dim, self.ndim)
        where = (slice(None),) * d + (np.asarray(_raw(index), dtype=np.int64).reshape(-1),)
        return OPS["setitem"].apply_(self, value, index=where)

    def exp_(self): return OPS["exp"].apply_(self)
    def log_(self): return OPS["log"].apply_(self)
    def sqrt_(self): return OPS["sqrt"].apply_(self)
    def neg_(self): return OPS["neg"].apply_(self)
    def abs_(self): return OPS["abs"].apply_(self)
    def relu_(self): return OPS["relu"].apply_(self)
    def sigmoid_(self): return OPS["sigmoid"].apply_(self)
    def tanh_(self): return OPS["tanh"].apply_(self)
    def floor_(self): return OPS["floor"].apply_(self)
    def round_(self, decimals: int = 0): return OPS["round"].apply_(self, decimals=decimals)

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator=None):
        """Fill with uniform samples from [a, b), in place (tt's seeded generator by default)."""
        return self.copy_(_random.resolve(generator).uniform(a, b, self.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None):
        """Fill with normal samples, in place."""
        return self.copy_(_random.resolve(generator).normal(mean, std, self.shape))

    def bernoulli_(self, p: float = 0.5, *, generator=None):
        """Fill with 1 (probability p) or 0, in place."""
        return self.copy_(_random.resolve(generator).random(self.shape) < p)

    def __iadd__(self, other): return OPS["add"].apply_(self, other)
    def __isub__(self, other): return OPS["sub"].apply_(self, other)
    def __imul__(self, other): return OPS["mul"].apply_(self, other)
    def __itruediv__(self, other): return OPS["div"].apply_(self, other)

    # ----- dtypes and copies --------------------------------------------------------------
    def dim(self) -> int:
        """Number of dimensions (as `ndim`)."""
        return self.data.ndim

    ndimension = dim
    nelement = numel

    def element_size(self) -> int:
        return self.data.itemsize

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    def clone(self, *, memory_format=None):
        """A copy with its own memory; gradients flow back through it."""
        return OPS["clone"].apply(self)

    def contiguous(self, memory_format=None):
        """self if its values are laid out row by row in memory, else such a copy."""
        return self if self.data.flags.c_contiguous else self.clone()

    def _cast(self, dtype):
        """self as `dtype`: differentiable between float dtypes; any other cast cuts the graph
        (as torch, `x.long()` has no gradient)."""
        dtype = np.dtype(dtype)
        if dtype == self.data.dtype:
            return self
        if dtype.kind == "f" and self.data.dtype.kind == "f":
            return OPS["cast"].apply(self, dtype=dtype)
        return from_numpy(self.data.astype(dtype))

    def type(self, dtype=None):
        """With no argument, the type name (as torch: "torch.FloatTensor"); else `to(dtype)`."""
        if dtype is None:
            return "torch." + _TYPE_NAMES.get(self.data.dtype, str(self.data.dtype)) + "Tensor"
        if isinstance(dtype, str):
            names = {f"torch.{v}Tensor": k for k, v in _TYPE_NAMES.items()}
            if dtype not in names:
                raise TypeError(f"type: unknown tensor type {dtype!r}")
            dtype = names[dtype]
        return self._cast(dtype)

    def float(self) -> Tensor: return self._cast(np.float32)
    def double(self) -> Tensor: return self._cast(np.float64)
    def half(self) -> Tensor: return self._cast(np.float16)
    def long(self) -> Tensor: return self._cast(np.int64)
    def int(self) -> Tensor: return self._cast(np.int32)
    def short(self) -> Tensor: return self._cast(np.int16)
    def char(self) -> Tensor: return self._cast(np.int8)
    def byte(self) -> Tensor: return self._cast(np.uint8)
    def bool(self) -> Tensor: return self._cast(np.bool_)

    # ----- new tensors like this one ------------------------------------------------------
    def new_tensor(self, data, dtype=None, requires_grad: bool = False) -> Tensor:
        return Tensor(to_array(data, dtype or self.dtype, copy=True), requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, requires_grad: bool = False) -> Tensor:
        return Tensor(np.full(_sizes((size,)), fill_value, dtype=dtype or self.dtype),
                      requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, requires_grad: bool = False) -> Tensor:
        return self.new_full(_sizes(size), 0, dtype=dtype, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad: bool = False) -> Tensor:
        return self.new_full(_sizes(size), 1, dtype=dtype, requires_grad=requires_grad)

    new_empty = new_zeros

def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares `array`'s memory: no copy, dtype kept (as `torch.from_numpy`).

    Writing into one writes into the other. `tt.tensor(array)` copies instead.
    """
    t = Tensor.__new__(Tensor)
    t.data = array
    t.grad = None
    t.requires_grad = False
    t._node = None
    t._counter = [0]
    return t


def _raw(value):
    return value.data if isinstance(value, Tensor) else value


def _raw_index(index):
    if isinstance(index, tuple):
        return tuple(_raw(i) for i in index)
    return _raw(index)


def _dims(dim):
    return (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)


def _sizes(sizes) -> tuple:
    """`f(2, 3)` and `f((2, 3))` (or a list, or a torch-style Size) mean the same."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        return tuple(sizes[0])
    return tuple(sizes)


def _check_dim(op: str, dim, ndim: int) -> int:
    """`dim` as a non-negative index, or an IndexError naming the op and the valid range."""
    n = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)) or not -n <= dim < n:
        raise IndexError(f"{op}: dimension {dim} is out of range for a tensor with {ndim} "
                         f"dimensions (expected {-n}..{n - 1})")
    return int(dim) % n


def reduced_axes(dim, ndim: int) -> tuple[int, ...]:
    """The dimensions a reduction over `dim` removes (None and () mean all of them)."""
    if dim is None or dim == ():
        return tuple(range(ndim))
    return tuple(sorted({_check_dim("reduce", d, ndim) for d in _dims(dim)})) if ndim else ()


def _expect_dims(op: str, tensors, ndim: int) -> None:
    for t in tensors:
        if t.ndim != ndim:
            raise ValueError(f"{op}: expects {ndim}-D tensors, got shape {t.shape}")


def _axis_arg(dim, ndim):
    """NumPy's `axis` for torch's `dim`: None and () both mean every dimension."""
    if dim is None or dim == ():
        return None
    return tuple(_check_dim("reduce", d, ndim) for d in _dims(dim)) if ndim else None


def _accepts_keepdims(method):
    """Let `keepdims=` (NumPy's spelling, which torch also accepts) stand for `keepdim=`."""
    @functools.wraps(method)
    def wrapper(self, *args, keepdims=None, **kwargs):
        if keepdims is not None:
            kwargs["keepdim"] = keepdims
        return method(self, *args, **kwargs)
    return wrapper


for _name in ("sum", "mean", "prod", "var", "std", "max", "min", "amax", "amin", "argmax",
              "argmin", "logsumexp", "any", "all", "norm"):
    setattr(Tensor, _name, _accepts_keepdims(getattr(Tensor, _name)))
del _name

_UFUNC_OPS = {np.add: "add", np.subtract: "sub", np.multiply: "mul", np.true_divide: "div",
              np.power: "pow", np.matmul: "matmul", np.maximum: "maximum", np.minimum: "minimum",
              np.negative: "neg", np.absolute: "abs", np.exp: "exp", np.log: "log", np.sqrt: "sqrt",
              np.tanh: "tanh", np.sin: "sin", np.cos: "cos", np.remainder: "remainder",
              np.fmod: "fmod", np.copysign: "copysign"}

# torch.return_types: named (values, indices) pairs, e.g. `x.max(dim=1).indices`.
return_types = {name: namedtuple(name, ("values", "indices"))
                for name in ("max", "min", "sort", "topk", "cummax", "cummin")}

_TYPE_NAMES = {np.dtype(np.float32): "Float", np.dtype(np.float64): "Double",
               np.dtype(np.float16): "Half", np.dtype(np.int64): "Long", np.dtype(np.int32): "Int",
               np.dtype(np.int16): "Short", np.dtype(np.int8): "Char", np.dtype(np.uint8): "Byte",
               np.dtype(np.bool_): "Bool"}
