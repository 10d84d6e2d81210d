import tt_tensor as tt
import tt_autograd  # noqa: F401  (installing tt-autograd is what makes backward() work)

w = tt.tensor([2.0, -1.0], requires_grad=True)
x = tt.tensor([3.0, 4.0])
loss = ((w * x).sum() - 1.0) ** 2       # (2*3 - 1*4 - 1)^2 = 1

loss.backward()
# d loss / d w = 2 * (w.x - 1) * x = 2 * 1 * [3, 4]
assert w.grad.numpy().tolist() == [6.0, 8.0]
assert x.grad is None                    # x did not ask for a gradient

# Gradients add up across backward() calls until you zero them, as in PyTorch.
loss = ((w * x).sum() - 1.0) ** 2
loss.backward()
assert w.grad.numpy().tolist() == [12.0, 16.0]
w.grad = None
