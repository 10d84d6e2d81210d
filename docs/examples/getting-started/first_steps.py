import tt

# Tensors, as in torch: creation functions, dtypes, broadcasting, methods.
x = tt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
y = (x @ x.T).sum()
y.backward()                            # reverse-mode autograd
print(x.grad)                           # d/dx sum(x x^T) = 2 * (row sums broadcast)
assert x.grad.tolist() == [[8.0, 12.0], [8.0, 12.0]]

# A model, a loss and an optimizer, under the names torch gives them.
tt.manual_seed(0)
model = tt.nn.Sequential(tt.nn.Linear(3, 16), tt.nn.Tanh(), tt.nn.Linear(16, 1))
optimizer = tt.optim.Adam(model.parameters(), lr=0.05)
inputs = tt.randn(64, 3)
targets = inputs.sum(dim=1, keepdim=True)   # learn to add three numbers

for step in range(200):
    loss = tt.nn.functional.mse_loss(model(inputs), targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with tt.no_grad():
    final = tt.nn.functional.mse_loss(model(inputs), targets).item()
print(f"mean squared error after 200 steps: {final:.4f}")
assert final < 0.05
