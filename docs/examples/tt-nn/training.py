import numpy as np
import tt_tensor as tt
from tt_nn import CrossEntropyLoss, Linear, ReLU, Sequential
from tt_nn.data import DataLoader, TensorDataset
from tt_nn.optim import Adam

tt.manual_seed(0)
# Three classes of points around three centres.
rng = tt.generator()
centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
labels = rng.integers(0, 3, size=300)
points = centres[labels] + rng.normal(size=(300, 2))

data = TensorDataset(tt.tensor(points.astype(np.float32)), tt.tensor(labels))
loader = DataLoader(data, batch_size=32, shuffle=True, seed=0)

model = Sequential(Linear(2, 16), ReLU(), Linear(16, 3))
loss_fn = CrossEntropyLoss()            # logits and integer class targets, like PyTorch
optimizer = Adam(model.parameters(), lr=0.05)

for epoch in range(10):
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

logits = model(tt.tensor(points.astype(np.float32)))
accuracy = (logits.argmax(dim=1).numpy() == labels).mean()
print(f"final loss {loss.item():.3f}, accuracy {accuracy:.1%}")
assert accuracy > 0.9
