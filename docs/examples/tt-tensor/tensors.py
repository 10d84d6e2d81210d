import numpy as np
import tt_tensor as tt

# Python numbers become float32; a NumPy float64 array stays float64.
x = tt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
assert x.shape == (2, 3) and x.dtype == np.float32
assert tt.tensor(np.zeros(3)).dtype == np.float64

# Operators broadcast exactly as NumPy does: the row of 3 is added to both rows.
y = x + tt.tensor([10.0, 20.0, 30.0])
assert y.numpy().tolist() == [[11.0, 22.0, 33.0], [14.0, 25.0, 36.0]]

# Reductions take PyTorch's `dim` and `keepdim`; `max` returns values, like torch.amax.
assert x.sum(dim=0).numpy().tolist() == [5.0, 7.0, 9.0]
assert x.amax(dim=1, keepdim=True).shape == (2, 1)
assert (x @ x.T).shape == (2, 2)

# Softmax rows add up to one, even for huge inputs (it subtracts the row maximum first).
p = tt.tensor([[1000.0, 1001.0, 1002.0]]).softmax(dim=1)
assert np.isclose(p.sum().item(), 1.0)
print(p)
