"""`Tensor`: a NumPy array that remembers how it was computed.

A Tensor holds its values in `.data` (a `numpy.ndarray`). Every operator and method on it
looks the op up by name in the op table that the plugin registry builds (one dict lookup)
and calls it; the op records itself on the result so that `backward()` can later apply the
chain rule. Operators broadcast exactly as NumPy does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tt_tensor.device import CPU, _is_device, check_device, device
from tt_tensor.dtypes import to_array
from tt_tensor.plugins import OPS


class Tensor:
    """An n-dimensional array with optional gradient tracking.

    Args:
        data: numbers, nested lists or a `numpy.ndarray`. A NumPy float array keeps its dtype
            (float64 stays float64); Python floats become float32; integers stay int64.
        dtype: force a dtype (`tt_tensor.float64`, ...).
        requires_grad: record operations on this tensor so `backward()` can fill `.grad`.
    """

    __slots__ = ("data", "grad", "requires_grad", "_op", "_ctx", "_inputs", "_version",
                 "__weakref__")

    def __init__(self, data: Any, *, dtype: Any = None, requires_grad: bool = False) -> None:
        if isinstance(data, Tensor):
            data = data.data
        self.data = to_array(data, dtype)
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"Tensor: only floating-point tensors can require gradients, "
                            f"got dtype {self.data.dtype}")
        self.grad: Tensor | None = None
        self.requires_grad = bool(requires_grad)
        self._op = None  # the Function that produced this tensor (None for a leaf)
        self._ctx = None  # what that op's forward saved for its backward
        self._inputs: tuple = ()  # the op's inputs, in order
        self._version = 0  # goes up at every in-place change; backward checks it

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
        return self._op is None

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
        """The same values, cut off from the graph (no gradient flows through)."""
        return from_numpy(self.data)

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
        return OPS["cast"].apply(self, dtype=np.dtype(dtype))

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

    def float(self) -> Tensor:
        return self.to(np.float32)

    def double(self) -> Tensor:
        return self.to(np.float64)

    def long(self) -> Tensor:
        return self.to(np.int64)

    # ----- gradients --------------------------------------------------------------------
    def backward(self, gradient: Any = None, retain_graph: bool | None = None) -> None:
        """Fill `.grad` of every leaf this tensor depends on (needs tt-autograd).

        `gradient` is d(something)/d(self); it may be left out only for a one-element tensor.
        The graph's saved values are freed as backward uses them, unless `retain_graph=True`
        (then a second backward through the same graph works).
        """
        from tt_tensor.plugins import engine

        engine("backward")(self, gradient, retain_graph=retain_graph)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Switch gradient tracking on (or off) for this leaf, in place."""
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"requires_grad_: only floating-point tensors can require "
                            f"gradients, got dtype {self.data.dtype}")
        self.requires_grad = requires_grad
        return self

    # ----- arithmetic (NumPy broadcasting, Tensor or number on either side) --------------
    def __add__(self, other): return OPS["add"].apply(self, other)
    def __radd__(self, other): return OPS["add"].apply(other, self)
    def __sub__(self, other): return OPS["sub"].apply(self, other)
    def __rsub__(self, other): return OPS["sub"].apply(other, self)
    def __mul__(self, other): return OPS["mul"].apply(self, other)
    def __rmul__(self, other): return OPS["mul"].apply(other, self)
    def __truediv__(self, other): return OPS["div"].apply(self, other)
    def __rtruediv__(self, other): return OPS["div"].apply(other, self)
    def __pow__(self, other): return OPS["pow"].apply(self, other)
    def __rpow__(self, other): return OPS["pow"].apply(other, self)
    def __matmul__(self, other): return OPS["matmul"].apply(self, other)
    def __rmatmul__(self, other): return OPS["matmul"].apply(other, self)
    def __neg__(self): return OPS["neg"].apply(self)
    def __abs__(self): return OPS["abs"].apply(self)

    # Comparisons give boolean tensors and carry no gradient.
    def __lt__(self, other): return from_numpy(self.data < _raw(other))
    def __le__(self, other): return from_numpy(self.data <= _raw(other))
    def __gt__(self, other): return from_numpy(self.data > _raw(other))
    def __ge__(self, other): return from_numpy(self.data >= _raw(other))
    def __eq__(self, other): return from_numpy(self.data == _raw(other))  # type: ignore[override]
    def __ne__(self, other): return from_numpy(self.data != _raw(other))  # type: ignore[override]
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(f"bool: the truth value of a tensor of shape {self.data.shape} is "
                             "ambiguous; use .any() or .all()")
        return bool(self.data)

    def any(self) -> bool:
        return bool(self.data.any())

    def all(self) -> bool:
        return bool(self.data.all())

    # ----- elementwise functions --------------------------------------------------------
    def exp(self): return OPS["exp"].apply(self)
    def log(self): return OPS["log"].apply(self)
    def sqrt(self): return OPS["sqrt"].apply(self)
    def tanh(self): return OPS["tanh"].apply(self)
    def sigmoid(self): return OPS["sigmoid"].apply(self)
    def relu(self): return OPS["relu"].apply(self)
    def abs(self): return OPS["abs"].apply(self)

    def clamp(self, min: float | None = None, max: float | None = None):  # noqa: A002
        """Limit values to [min, max]; the gradient is zero where a limit was applied."""
        return OPS["clamp"].apply(self, min=min, max=max)

    def maximum(self, other): return OPS["maximum"].apply(self, other)

    # ----- reductions -------------------------------------------------------------------
    def sum(self, dim=None, keepdim: bool = False):
        """Sum over `dim` (an int, a tuple of ints, or None for all)."""
        return OPS["sum"].apply(self, dim=dim, keepdim=keepdim)

    def mean(self, dim=None, keepdim: bool = False):
        """Mean over `dim` (an int, a tuple of ints, or None for all)."""
        return OPS["mean"].apply(self, dim=dim, keepdim=keepdim)

    def var(self, dim=None, keepdim: bool = False, unbiased: bool = False):
        """Variance over `dim` (population variance unless `unbiased`)."""
        centred = self - self.mean(dim, keepdim=True)
        n = self.data.size if dim is None else int(np.prod([self.shape[d] for d in _dims(dim)]))
        total = (centred * centred).sum(dim, keepdim=keepdim)
        return total / (n - 1 if unbiased else n)

    def max(self, dim=None, keepdim: bool = False):
        """Largest value over `dim` (values only, like `torch.amax`); ties share the gradient."""
        return OPS["max"].apply(self, dim=dim, keepdim=keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the largest value (int64, no gradient)."""
        out = np.argmax(self.data, axis=dim)
        if keepdim and dim is not None:
            out = np.expand_dims(out, dim)
        return from_numpy(np.asarray(out, dtype=np.int64))

    # ----- softmax ----------------------------------------------------------------------
    def softmax(self, dim: int = -1): return OPS["softmax"].apply(self, dim=dim)
    def log_softmax(self, dim: int = -1): return OPS["log_softmax"].apply(self, dim=dim)

    # ----- shape ------------------------------------------------------------------------
    def reshape(self, *shape):
        """Same values, new shape; one dimension may be -1."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return OPS["reshape"].apply(self, shape=shape)

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        """Merge dimensions `start_dim..end_dim` into one."""
        shape = self.shape
        start = start_dim % max(len(shape), 1)
        end = end_dim % max(len(shape), 1)
        merged = int(np.prod(shape[start:end + 1]))
        return self.reshape(*shape[:start], merged, *shape[end + 1:])

    def unsqueeze(self, dim: int):
        """Insert a dimension of size 1 at `dim`."""
        if dim < 0:
            dim += self.ndim + 1
        return self.reshape(*self.shape[:dim], 1, *self.shape[dim:])

    def squeeze(self, dim: int | None = None):
        """Remove dimensions of size 1 (only `dim` if given)."""
        if dim is None:
            return self.reshape(*[n for n in self.shape if n != 1])
        if self.shape[dim] != 1:
            return self
        dim %= self.ndim
        return self.reshape(*self.shape[:dim], *self.shape[dim + 1:])

    def transpose(self, dim0: int, dim1: int):
        """Swap two dimensions."""
        dims = list(range(self.ndim))
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return OPS["permute"].apply(self, dims=tuple(dims))

    def permute(self, *dims):
        """Reorder all dimensions."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return OPS["permute"].apply(self, dims=tuple(dims))

    @property
    def T(self):
        """The transpose of a 2-D tensor."""
        if self.ndim != 2:
            raise ValueError(f"T: expects a 2-D tensor, got shape {self.shape}; "
                             "use transpose(dim0, dim1) or permute(...)")
        return OPS["permute"].apply(self, dims=(1, 0))

    def __getitem__(self, index):
        """Slices, integers, None, Ellipsis and integer/boolean array indexing; differentiable."""
        return OPS["getitem"].apply(self, index=_raw_index(index))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares `array`'s memory: no copy, dtype kept (as `torch.from_numpy`).

    Writing into one writes into the other. `tt.tensor(array)` copies instead.
    """
    t = Tensor.__new__(Tensor)
    t.data = array
    t.grad = None
    t.requires_grad = False
    t._op = None
    t._ctx = None
    t._inputs = ()
    t._version = 0
    return t


def _raw(value):
    return value.data if isinstance(value, Tensor) else value


def _raw_index(index):
    if isinstance(index, tuple):
        return tuple(_raw(i) for i in index)
    return _raw(index)


def _dims(dim):
    return (dim,) if isinstance(dim, int) else tuple(dim)
