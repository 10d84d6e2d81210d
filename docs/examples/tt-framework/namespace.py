import tt
import tt.nn as nn
import tt.nn.functional as F
from tt.utils.data import DataLoader, TensorDataset

tt.manual_seed(0)
x, y = tt.randn(256, 2), tt.randint(0, 2, (256,))
loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
opt = tt.optim.Adam(model.parameters(), lr=1e-2)
for xb, yb in loader:
    loss = F.cross_entropy(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(f"loss after one epoch: {loss.item():.3f}")
assert all(p.grad is not None for p in model.parameters())
