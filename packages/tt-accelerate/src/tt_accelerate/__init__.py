"""tt-accelerate: optional compiled kernels (numba) for tt's hottest ops.

Installing it changes nothing: its ops are registered as alternatives, used only once
chosen. Switch them all on, or off again:

```python
import tt_accelerate

tt_accelerate.enable()    # every op it provides: gelu, relu, layer_norm, max_pool2d, conv2d
...                       # models, layers and F.gelu now run the compiled kernels
tt_accelerate.disable()   # back to the NumPy ops (other choices are kept)
```

`tt_accelerate.enable("gelu")` chooses one op; `tt_tensor.plugins.use("gelu",
"tt-accelerate")` is the same thing through the registry. Each op computes what the NumPy
op it replaces computes (same arguments, float32 and float64), checked by the test suite
against that op, against PyTorch and by the registry's gradient check.
"""

from __future__ import annotations

__version__ = "0.1.0"

PROVIDER = "tt-accelerate"

__all__ = ["PROVIDER", "OP_NAMES", "enable", "disable", "enabled", "__version__"]

OP_NAMES = ("gelu", "relu", "layer_norm", "max_pool2d", "conv2d")  # the ops this package provides (see tt_accelerate.ops)


def enable(*names: str) -> list[str]:
    """Choose tt-accelerate's op for each of `names` (default: every op it provides).

    Returns the names switched on. An op whose NumPy original is not installed is left
    alone (it has nothing to replace), unless named explicitly.
    """
    from tt_tensor import plugins

    chosen = []
    for name in names or OP_NAMES:
        if not names and _original(name) is None:
            continue
        plugins.use(name, PROVIDER, kind="ops")
        chosen.append(name)
    return chosen


def disable() -> None:
    """Forget every choice of tt-accelerate's ops: the NumPy ops are used again."""
    from tt_tensor import plugins

    plugins.clear_choices(PROVIDER)


def enabled() -> list[str]:
    """The names whose op is tt-accelerate's right now."""
    from tt_accelerate.ops import OP_CLASSES

    return [op.name for op in OP_CLASSES if _current(op.name) is op]


def _current(name: str):
    from tt_tensor import OPS, RegistryError

    try:
        return OPS[name]
    except RegistryError:
        return None


def _original(name: str) -> str | None:
    """The provider whose op `name` stands for when nothing is chosen (None if none)."""
    from tt_tensor import plugins

    others = [p for p in plugins.registry().providers("ops", name) if p != PROVIDER]
    return others[0] if others else None
