"""`tt.utils.data`: `Dataset`, `DataLoader`, `TensorDataset`, `random_split`, ... (from tt-nn)."""

from tt import _views

_data = _views.view("tt.utils.data", None, "tt_nn.data")


def __getattr__(name: str):
    if name in ("dataloader", "dataset", "sampler"):
        import importlib

        return importlib.import_module(f"tt.utils.data.{name}")
    return _data(name)
