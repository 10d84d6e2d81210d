"""The five milestone trainings in plain PyTorch: the reference `bench_milestones.py` times.

Each `train_<name>(seed)` trains what tt's milestone of that name trains (read from its
module in tt_milestones/milestones/, whose constants it uses): the same model shapes, the
same data arrays, mini-batches in the same order and sizes (the NumPy permutation that tt's
`DataLoader(shuffle=True, seed=seed)` draws each epoch), the same optimizer, learning rate
and number of updates, the same evaluation after every epoch, and the same extra trainings and read-outs
(the cnn milestone's MLP of the fair comparison, the transformer's reversed-copy ablation,
the xor milestone's linear read-out of the hidden layer).
Start weights come from torch's own initialisation (the same distributions tt uses, other
random numbers), so final accuracies should agree closely, not bit for bit.

Each returns a short text of its final results, printed beside tt's as a sanity check, and
the number of updates of its main training (tt's `Result.config["updates"]`).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from tt_milestones.milestones import cnn, mlp, perceptron, transformer, xor
from tt_milestones.milestones._digits import shipped_digits, tiny_digits


# ----- shared pieces ------------------------------------------------------------------------
def minibatch_fit(model, data, lr: float, epochs: int, batch_size: int, seed: int,
                  evaluate) -> int:
    """Adam on shuffled mini-batches, cross-entropy over the last axis; evaluate every epoch.

    data: train inputs and integer targets as tensors (first axis = samples).
    Returns the number of updates.
    """
    train_x, train_y = data
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    order_rng = np.random.default_rng(seed)  # tt's DataLoader(seed=seed) draws these orders
    n, updates = len(train_x), 0
    for _ in range(epochs):
        order = torch.from_numpy(order_rng.permutation(n))
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            logits = model(train_x[batch])
            loss_fn(logits.reshape(-1, logits.shape[-1]), train_y[batch].reshape(-1)).backward()
            optimizer.step()
            updates += 1
        evaluate()
    return updates


@torch.no_grad()
def class_accuracy(model, x, y) -> float:
    """Share of samples (or tokens) whose highest-scoring class is the target."""
    return float((model(x).argmax(dim=-1) == y).float().mean())


@torch.no_grad()
def binary_accuracy(model, x, y) -> float:
    """Share of samples whose probability is on the label's side of 0.5."""
    return float(((model(x) > 0.5) == (y > 0.5)).float().mean())


def tensors(*arrays: np.ndarray) -> list[torch.Tensor]:
    """The arrays as torch tensors, made contiguous (`from_numpy` rejects negative strides)."""
    return [torch.from_numpy(np.ascontiguousarray(a)) for a in arrays]


# ----- 1957 perceptron: three Linear(2,1) + Sigmoid, full-batch SGD ---------------------------
def train_perceptron(seed: int) -> tuple[str, int]:
    torch.manual_seed(seed)
    problems = []
    for x, y in perceptron.make_problems(seed).values():
        model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
        opt = torch.optim.SGD(model.parameters(), lr=perceptron.LR)
        problems.append((model, opt, *tensors(x, y)))
    loss_fn, updates = nn.BCELoss(), 0
    for _ in range(perceptron.EPOCHS):  # tt steps the three side by side in each epoch
        for model, opt, x, y in problems:
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
            updates += 1
        accuracy = min(binary_accuracy(m, x, y) for m, _, x, y in problems)
    return f"{accuracy:.1%}", updates


# ----- 1986 XOR: Linear(2,4) → Tanh → Linear(4,1) → Sigmoid, SGD with momentum -------------
def train_xor(seed: int) -> tuple[str, int]:
    torch.manual_seed(seed)
    x, y = tensors(*xor.xor_table())
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
    opt = torch.optim.SGD(model.parameters(), lr=xor.LR, momentum=xor.MOMENTUM)
    loss_fn, updates = nn.BCELoss(), 0
    for _ in range(xor.EPOCHS):  # full batch: one update, then one evaluation, per epoch
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        updates += 1
        binary_accuracy(model, x, y)
    accuracy = binary_accuracy(model, x, y)
    # tt's xor milestone then checks that a line separates the hidden layer's outputs (and
    # not the raw inputs), with the same NumPy probe; so does this.
    with torch.no_grad():
        hidden = model[:2](x).numpy()  # after the Tanh
    on_hidden, on_inputs = xor.linear_readouts([hidden, x.numpy()], y.numpy())
    return f"{accuracy:.1%}, read-out {on_hidden:.0%}/{on_inputs:.0%}", updates


# ----- 1989 MLP and 1998 CNN on TinyDigits, Adam, batch 32 ----------------------------------
def digits_mlp():
    """tt's `mlp.build_model()`: 64 → 128 → 64 → 10 with ReLUs."""
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 10))


def train_mlp(seed: int) -> tuple[str, int]:
    torch.manual_seed(seed)
    train_x, train_y, test_x, test_y = tensors(*shipped_digits())
    train_x, test_x = train_x.reshape(-1, 64), test_x.reshape(-1, 64)
    model = digits_mlp()
    updates = minibatch_fit(model, (train_x, train_y), mlp.LR, mlp.EPOCHS, mlp.BATCH_SIZE,
                            seed, lambda: class_accuracy(model, test_x, test_y))
    return f"{class_accuracy(model, test_x, test_y):.1%}", updates


def train_cnn(seed: int) -> tuple[str, int]:
    torch.manual_seed(seed)
    train_x, train_y, test_x, test_y = tensors(*tiny_digits())
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(72, 10))
    updates = minibatch_fit(model, (train_x, train_y), cnn.LR, cnn.EPOCHS, cnn.BATCH_SIZE,
                            seed, lambda: class_accuracy(model, test_x, test_y))
    accuracy = class_accuracy(model, test_x, test_y)
    # tt's cnn milestone then trains the 1989 MLP on the same images (flattened), batches,
    # epochs and seed, each with its own learning rate: the fair comparison. So does this.
    torch.manual_seed(seed)
    flat_train, flat_test = train_x.reshape(len(train_x), -1), test_x.reshape(len(test_x), -1)
    baseline = digits_mlp()
    minibatch_fit(baseline, (flat_train, train_y), mlp.LR, cnn.EPOCHS, cnn.BATCH_SIZE, seed,
                  lambda: class_accuracy(baseline, flat_test, test_y))
    return (f"{accuracy:.1%}, MLP {class_accuracy(baseline, flat_test, test_y):.1%}", updates)


# ----- 2017 transformer: copy task, then the reversed-copy ablation -------------------------
class CopyTransformer(nn.Module):
    """Embedding → (sinusoidal positions) → MultiheadAttention → Linear, no residual path."""

    def __init__(self, positional: bool = True) -> None:
        super().__init__()
        from tt_text.embedding import sinusoidal_encoding  # the same fixed table tt adds

        d, length = transformer.D_MODEL, transformer.LENGTH
        self.embed = nn.Embedding(transformer.VOCAB, d)
        self.pe = torch.from_numpy(sinusoidal_encoding(length, d)) if positional else None
        self.attention = nn.MultiheadAttention(d, transformer.HEADS, batch_first=True)
        self.out = nn.Linear(d, transformer.VOCAB)

    def forward(self, tokens, need_weights: bool = False):
        h = self.embed(tokens)
        if self.pe is not None:
            h = h + self.pe
        mixed, weights = self.attention(h, h, h, need_weights=need_weights,
                                        average_attn_weights=False)
        return (self.out(mixed), weights) if need_weights else self.out(mixed)


def fit_copy(seed: int, positional: bool, reverse: bool):
    """Train one copy model; return it, its test tokens and targets, and its updates."""
    torch.manual_seed(seed)
    train_x, train_y, test_x, test_y = tensors(*transformer.copy_task(seed, reverse))
    model = CopyTransformer(positional)
    updates = minibatch_fit(model, (train_x, train_y), transformer.LR, transformer.EPOCHS,
                            transformer.BATCH_SIZE, seed,
                            lambda: class_accuracy(model, test_x, test_y))
    return model, test_x, test_y, updates


def train_transformer(seed: int) -> tuple[str, int]:
    model, test_x, test_y, updates = fit_copy(seed, positional=True, reverse=False)
    accuracy = class_accuracy(model, test_x, test_y)
    with torch.no_grad():
        _, weights = model(test_x, need_weights=True)  # (N, heads, L, L)
    on_itself = float(weights.mean(dim=(0, 1)).diagonal().mean())
    reversed_accuracy = []
    for positional in (False, True):  # tt's ablation: reversed copy without, then with positions
        model, test_x, test_y, _ = fit_copy(seed, positional, reverse=True)
        reversed_accuracy.append(class_accuracy(model, test_x, test_y))
    without, with_ = reversed_accuracy
    return f"{accuracy:.1%}, self {on_itself:.2f}, rev {without:.0%}/{with_:.0%}", updates


TRAININGS = {"perceptron": train_perceptron, "xor": train_xor, "mlp": train_mlp,
             "cnn": train_cnn, "transformer": train_transformer}
