import numpy as np
import tt_tensor as tt
from tt_nn.data import DataLoader, Dataset
from tt_tensor import hookimpl, plugins


class Spirals(Dataset):
    """Two interleaved spirals in the plane: items are (point (2,) float32, label 0 or 1).

    Generated from a seed rather than downloaded, so it works offline and is repeatable.
    """

    def __init__(self, n=200, seed=0):
        rng = np.random.default_rng(seed)
        t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
        self.labels = np.arange(n) % 2
        sign = np.where(self.labels == 0, 1.0, -1.0)
        self.points = (sign[:, None] * np.stack([t * np.cos(t), t * np.sin(t)], axis=1)
                       / (3 * np.pi)).astype(np.float32)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return tt.tensor(self.points[i]), int(self.labels[i])


class MyPlugin:
    @hookimpl
    def register_datasets(self, register):
        register("Spirals", Spirals)


with plugins.plugin(MyPlugin(), name="my-datasets"):
    data = plugins.get("datasets", "Spirals")(n=100)
    assert len(data) == 100
    points, labels = next(iter(DataLoader(data, batch_size=10)))
    assert points.shape == (10, 2) and labels.shape == (10,)
