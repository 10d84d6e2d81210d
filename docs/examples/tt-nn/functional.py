import numpy as np
import tt_tensor as tt
import tt_nn.functional as F
from tt_nn import CrossEntropyLoss

logits = tt.tensor([[2.0, 0.5, -1.0], [0.0, 0.0, 3.0]], requires_grad=True)
target = tt.tensor([0, 2])

# The layer and the function compute the same thing; the layer just holds its options.
loss = CrossEntropyLoss()(logits, target)
assert np.isclose(loss.item(), F.cross_entropy(logits, target).item())

# Cross-entropy = mean of -log softmax at the true class, computed stably in one fused op.
expected = -np.mean([np.log(np.exp(2.0) / np.exp([2.0, 0.5, -1.0]).sum()),
                     np.log(np.exp(3.0) / np.exp([0.0, 0.0, 3.0]).sum())])
assert np.isclose(loss.item(), expected, atol=1e-6)

# Its gradient is (softmax - one_hot) / N: easy to check by hand.
loss.backward()
softmax = np.exp(logits.numpy()) / np.exp(logits.numpy()).sum(axis=1, keepdims=True)
one_hot = np.eye(3)[[0, 2]]
assert np.allclose(logits.grad.numpy(), (softmax - one_hot) / 2, atol=1e-6)

# Huge logits stay finite: log-sum-exp subtracts the maximum first.
assert np.isfinite(F.cross_entropy(tt.tensor([[1e4, -1e4, 0.0]]), tt.tensor([1])).item())
