"""tt-vision: convolution, pooling and image data sets for tt (the 1998 era).

    >>> import tt_tensor as tt
    >>> from tt_vision import Conv2d, MaxPool2d
    >>> x = tt.randn(32, 1, 8, 8)
    >>> MaxPool2d(2)(Conv2d(1, 8, 3)(x).relu()).shape
    (32, 8, 3, 3)

Layers are also registered with tt's plugin registry (`tt_tensor.plugins.get("layers",
"Conv2d")`), and so are the ops (`conv2d`, `conv_transpose2d`, `max_pool2d`, `avg_pool2d`, `max_unpool2d`,
`batch_norm`, `pad`), the functional forms (`tt_vision.functional`, torch's names) and
the data sets. `tt_vision.datasets`, `tt_vision.transforms` and `tt_vision.utils`
(`make_grid`, `save_image`) are loaded on first use.
"""

from tt_vision import functional
from tt_vision.layers import (AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv1d,
                              Conv2d, ConvTranspose2d, Dropout2d, GroupNorm, MaxPool2d,
                              MaxUnpool2d, Upsample)

__version__ = "0.1.0"

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
           "MaxUnpool2d", "Upsample", "BatchNorm1d", "BatchNorm2d", "GroupNorm", "Dropout2d",
           "functional", "datasets", "transforms", "utils", "__version__"]


def __getattr__(name: str):
    # Data sets, transforms and utils are only imported when asked for (`import tt_vision` stays fast).
    if name in ("datasets", "transforms", "utils"):
        import importlib

        return importlib.import_module(f"tt_vision.{name}")
    raise AttributeError(f"module 'tt_vision' has no attribute {name!r}")
