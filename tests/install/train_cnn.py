"""Run by test_install.py with the python of a fresh `pip install tt-nn tt-vision`.

Checks what that installation offers through the registry, then trains a small CNN on
TinyDigits (the data shipped inside the tt-vision wheel) and checks that the loss falls.
Prints one line per finding; exits non-zero with the reason when something is wrong.
"""

import sys

import tt_nn as nn
import tt_nn.optim as optim
import tt_tensor as tt
import tt_vision
from tt_tensor import plugins
from tt_vision.datasets import TinyDigits

TEXT_LAYERS = {"Embedding", "PositionalEncoding", "MultiHeadAttention", "TransformerBlock", "GPT"}


def check_registry() -> None:
    entries = plugins.listing()
    names = {(e.kind, e.name): e.provider for e in entries}
    if names.get(("layers", "Conv2d")) != "tt-vision":
        sys.exit(f"Conv2d is not registered by tt-vision: {sorted(names)}")
    if names.get(("datasets", "TinyDigits")) != "tt-vision":
        sys.exit(f"TinyDigits is not registered by tt-vision: {sorted(names)}")
    text = sorted(n for (kind, n) in names if kind == "layers" and n in TEXT_LAYERS)
    if text or any(e.provider == "tt-text" for e in entries):
        sys.exit(f"text layers are registered without tt-text installed: {text}")
    print(f"registry: {len(entries)} entries from {sorted({e.provider for e in entries})}")


def train_cnn() -> None:
    tt.manual_seed(0)
    data = TinyDigits("train")
    images = tt.tensor(data.images[:256])  # (256, 1, 8, 8)
    labels = tt.tensor(data.labels[:256])
    model = nn.Sequential(tt_vision.Conv2d(1, 4, 3), nn.ReLU(), tt_vision.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(4 * 3 * 3, 10))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.02)
    losses = []
    for _ in range(40):
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    print(f"cnn: loss {losses[0]:.3f} -> {losses[-1]:.3f}")
    if not losses[-1] < 0.5 * losses[0]:
        sys.exit(f"the CNN did not learn: loss {losses[0]:.3f} -> {losses[-1]:.3f}")


if __name__ == "__main__":
    check_registry()
    train_cnn()
