"""Devices: tt has one, the CPU, because it computes with NumPy.

PyTorch programs name a device everywhere (`tensor.to("cuda")`, `zeros(3, device=dev)`,
`torch.device("cpu")`). tt accepts every spelling of the CPU there, so such programs run
unchanged, and refuses any other device with an error that says why.

    >>> import tt_tensor as tt
    >>> tt.device("cpu")
    device(type='cpu')
    >>> tt.zeros(2).to("cpu").device
    device(type='cpu')
"""

from __future__ import annotations

from typing import Any


class device:  # noqa: N801  (PyTorch's name)
    """A device, as `torch.device`: only `device("cpu")` (or `"cpu:0"`) exists in tt."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any = "cpu", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        name = str(type)
        if ":" in name:
            name, _, number = name.partition(":")
            index = int(number) if number.isdigit() else number
        if name != "cpu" or index not in (None, 0):
            raise RuntimeError(_refusal(type if index is None else f"{name}:{index}"))
        self.type = "cpu"
        self.index = index

    def __repr__(self) -> str:
        return "device(type='cpu')" if self.index is None else f"device(type='cpu', index={self.index})"

    def __str__(self) -> str:
        return "cpu" if self.index is None else f"cpu:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return other in ("cpu", "cpu:0")
        return isinstance(other, device)

    def __hash__(self) -> int:
        return hash("cpu")

    # `with tt.device("cpu"):` is accepted (PyTorch uses it to set the default device).
    def __enter__(self) -> "device":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


CPU = device("cpu")


def _refusal(name: Any) -> str:
    return (f"device {str(name)!r} is not available: tt computes with NumPy on the CPU, so "
            "the only device is 'cpu' (use device='cpu', or leave the device out)")


def _is_device(value: Any) -> bool:
    """True for anything that names a device (`"cpu"`, `"cuda:0"`, `device(...)`)."""
    if isinstance(value, device):
        return True
    if isinstance(value, str):
        return value.partition(":")[0] in ("cpu", "cuda", "mps", "xpu", "meta", "xla", "hpu",
                                           "ipu", "vulkan", "mtia", "privateuseone")
    return False


def check_device(value: Any, where: str = "device") -> None:
    """Accept `None`, `"cpu"`, `"cpu:0"`, `device("cpu")` or an int 0 ... and refuse the rest."""
    if value is None or isinstance(value, device):
        return
    if isinstance(value, int) and not isinstance(value, bool):
        raise RuntimeError(f"{where}: " + _refusal(f"cuda:{value}"))
    try:
        device(value)
    except (RuntimeError, ValueError) as error:
        raise RuntimeError(f"{where}: {error}") from None
