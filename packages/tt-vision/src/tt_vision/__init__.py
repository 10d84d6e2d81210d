"""tt-vision: convolution, pooling and image data sets for tt (the 1998 era).

    >>> import tt_tensor as tt
    >>> from tt_vision import Conv2d, MaxPool2d
    >>> x = tt.randn(32, 1, 8, 8)
    >>> MaxPool2d(2)(Conv2d(1, 8, 3)(x).relu()).shape
    (32, 8, 3, 3)

Layers are also registered with tt's plugin registry (`tt_tensor.plugins.get("layers",
"Conv2d")`), and so are the ops (`conv2d`, `max_pool2d`, `avg_pool2d`, `batch_norm2d`) and
the data sets. `tt_vision.datasets` and `tt_vision.transforms` are loaded on first use.
"""

from tt_vision import functional
from tt_vision.layers import AvgPool2d, BatchNorm2d, Conv2d, MaxPool2d

__version__ = "0.1.0"

__all__ = ["Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm2d", "functional", "datasets",
           "transforms", "__version__"]


def __getattr__(name: str):
    # Data sets and transforms are only imported when asked for, keeping `import tt_vision` fast.
    if name in ("datasets", "transforms"):
        import importlib

        return importlib.import_module(f"tt_vision.{name}")
    raise AttributeError(f"module 'tt_vision' has no attribute {name!r}")
