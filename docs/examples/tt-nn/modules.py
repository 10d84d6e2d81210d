import numpy as np
import tt_tensor as tt
from tt_nn import Linear, Module


class TwoLayer(Module):
    """2 inputs -> 8 hidden (tanh) -> 1 output. Shapes: (N, 2) -> (N, 1)."""

    def __init__(self):
        super().__init__()
        self.fc1 = Linear(2, 8)   # assigning a layer registers it as a sub-module
        self.fc2 = Linear(8, 1)

    def forward(self, x):
        return self.fc2(self.fc1(x).tanh())


model = TwoLayer()
# Names and weight layouts are PyTorch's: Linear.weight is (out_features, in_features).
shapes = {name: p.shape for name, p in model.named_parameters()}
assert shapes == {"fc1.weight": (8, 2), "fc1.bias": (8,), "fc2.weight": (1, 8), "fc2.bias": (1,)}
assert model(tt.randn(5, 2)).shape == (5, 1)

# state_dict() holds Tensors sharing memory with the model (as in PyTorch); load_state_dict
# copies values into the parameters.
state = model.state_dict()
other = TwoLayer()
other.load_state_dict(state)
x = tt.randn(3, 2)
assert np.allclose(model(x).numpy(), other(x).numpy())

# train() / eval() switch layers like Dropout; float64 for gradient checks: .double().
model.eval()
assert not model.training and not model.fc1.training
assert model.double().fc1.weight.dtype == np.float64
