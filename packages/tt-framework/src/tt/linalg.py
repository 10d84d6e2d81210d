"""`tt.linalg`: norms, as `torch.linalg` (from tt-tensor)."""

from tt import _views

_NAMES = {"vector_norm": "vector_norm", "norm": "norm"}
_tensor = _views.view("tt.linalg", None, "tt_tensor")


def __getattr__(name: str):
    if name in _NAMES:
        return _tensor(_NAMES[name])
    raise AttributeError(f"module 'tt.linalg' has no attribute {name!r}: tt has "
                         f"{', '.join(sorted(_NAMES))}")
