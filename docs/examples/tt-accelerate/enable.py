import numpy as np
import tt_accelerate
import tt_nn
import tt_tensor as tt
from tt_nn import functional as F

x = tt.tensor(np.random.default_rng(0).normal(size=(8, 64)).astype(np.float32))
layer = tt_nn.LayerNorm(64)
numpy_result = F.gelu(layer(x)).numpy()   # installed but not chosen: the NumPy ops run

tt_accelerate.enable()                    # every op it provides
assert tt_accelerate.enabled() == ["gelu", "relu", "layer_norm", "max_pool2d", "conv2d"]
compiled_result = F.gelu(layer(x)).numpy()  # the same layer, now on the compiled kernels
assert np.allclose(compiled_result, numpy_result, atol=1e-6)

tt_accelerate.disable()                   # back to the NumPy ops
assert tt_accelerate.enabled() == []
