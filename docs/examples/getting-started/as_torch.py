import tempfile
from pathlib import Path

import tt as torch
import tt.nn as nn
import tt.nn.functional as F
from tt.utils.data import DataLoader, TensorDataset


class TwoMoons(nn.Module):
    """A small classifier, written exactly as for PyTorch."""

    def __init__(self, hidden=32):
        super().__init__()
        self.fc1 = nn.Linear(2, hidden)
        self.fc2 = nn.Linear(hidden, 2)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")   # "cpu" on tt

# Two interleaved half-circles with noise.
angle = torch.rand(400) * 3.14159
labels = torch.randint(0, 2, (400,))
points = torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
points = torch.where(labels[:, None] == 1, 1.0 - points - torch.tensor([0.0, 0.5]), points)
points = points + 0.1 * torch.randn(400, 2)
loader = DataLoader(TensorDataset(points, labels), batch_size=32, shuffle=True)

model = TwoMoons().to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
for epoch in range(20):
    model.train()
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    scheduler.step()

model.eval()
with torch.no_grad():
    accuracy = (model(points).argmax(dim=1) == labels).float().mean().item()
print(f"accuracy {accuracy:.1%}")
assert accuracy > 0.9

# Save and load a state dict as in torch (tt writes a NumPy .npz file, never a pickle).
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "moons.pt"
    torch.save(model.state_dict(), path)
    again = TwoMoons()
    again.load_state_dict(torch.load(path, weights_only=True))
    assert torch.equal(again(points), model(points))
