"""2017 — Attention is all you need: each position looks up what it needs.

Vaswani and colleagues (2017) dropped recurrence: every position of a sequence asks every
other position a question (query · key) and takes a weighted mix of their answers
(values). Attention alone cannot tell positions apart — it sees a set, not a sequence —
so a positional encoding is added to each token's embedding. This milestone trains the
smallest such model to copy sequences of 4 tokens, with no residual path, so that only
attention can carry a token to the output. Then it looks inside: each position must
attend mostly to itself. And it shows what positions are for: without the positional
encoding, the same model cannot learn to put tokens in a different order.
"""

from __future__ import annotations

import numpy as np
import tt_tensor as tt
from tt_nn import Module

from tt_milestones.milestone import Milestone
from tt_milestones.milestones._common import class_accuracy, dataset, layer, optimizer, percent
from tt_milestones.training import TrainingRun

VOCAB, LENGTH, D_MODEL, HEADS = 10, 4, 32, 4
TRAIN_SEQUENCES, TEST_SEQUENCES = 256, 500
EPOCHS = 50
BATCH_SIZE = 32
LR = 1e-2
SELF_ATTENTION_BAR = 0.5
ABLATION_BAR = 0.5


# ----- the historical model -----------------------------------------------------------------
class CopyTransformer(Module):
    """Embedding → PositionalEncoding → MultiHeadAttention → Linear, with no residual path.

    tokens (N, L) int64 → logits (N, L, vocab). With `positional=False` the encoding is left
    out (the ablation): then nothing tells the attention where a token stands.
    """

    def __init__(self, vocab: int = VOCAB, d_model: int = D_MODEL, heads: int = HEADS,
                 length: int = LENGTH, positional: bool = True) -> None:
        super().__init__()
        self.embed = layer("Embedding")(vocab, d_model)
        self.position = (layer("PositionalEncoding")(d_model, max_len=length) if positional
                         else layer("Identity")())
        self.attention = layer("MultiHeadAttention")(d_model, heads)
        self.out = layer("Linear")(d_model, vocab)

    def forward(self, tokens):
        h = self.position(self.embed(tokens))
        return self.out(self.attention(h))  # no `h +` here: only attention moves tokens


def copy_task(seed: int, reverse: bool = False):
    """Train and test sequences (N, L) with their targets: the same tokens, or reversed."""
    CopyTask = dataset("CopyTask")
    train = CopyTask(num_samples=TRAIN_SEQUENCES, seq_len=LENGTH, vocab_size=VOCAB, seed=seed)
    test = CopyTask(num_samples=TEST_SEQUENCES, seq_len=LENGTH, vocab_size=VOCAB,
                    seed=10**6 + seed)
    order = (lambda t: t[:, ::-1].copy()) if reverse else (lambda t: t)
    return train.inputs, order(train.targets), test.inputs, order(test.targets)


# ----- the training loop ----------------------------------------------------------------------
def fit(run: TrainingRun, model, data, lr: float, epochs: int, batch_size: int) -> None:
    """Adam on mini-batches, cross-entropy over every token."""
    from tt_nn.data import DataLoader, TensorDataset

    train_x, train_y, test_x, test_y = data
    test_x = tt.tensor(test_x)
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=batch_size, shuffle=True,
                        seed=run.seed)
    loss_fn = layer("CrossEntropyLoss")()
    opt = optimizer("Adam")(model.parameters(), lr=lr)

    def training_step(x, y):
        opt.zero_grad()
        logits = model(x)
        loss = loss_fn(logits.reshape(-1, VOCAB), y.reshape(-1))
        loss.backward()
        opt.step()
        return loss

    for _ in run.epochs(epochs):
        for x, y in loader:
            run.step(training_step, x, y)
        run.evaluate(class_accuracy(model, test_x, test_y))


def train(run, lr: float = LR, epochs: int = EPOCHS, batch_size: int = BATCH_SIZE,
          ablation: bool = True, positional: bool = True, reverse: bool = False,
          data_root=None) -> None:
    """Train the copy model; look at its attention; train the ablation without positions.

    `positional=False` or `reverse=True` train the main model without the encoding or on
    the reversed copy instead (to explore); `ablation=False` skips the two extra trainings.
    """
    run.describe(batch_size=batch_size, optimizer="Adam", lr=lr)
    data = copy_task(run.seed, reverse)
    test_x, test_y = tt.tensor(data[2]), data[3]
    model = run.watch(CopyTransformer(positional=positional), sample=test_x)
    fit(run, model, data, lr, epochs, batch_size)

    # ----- the checks ------------------------------------------------------------------------
    accuracy = class_accuracy(model, test_x, test_y)
    run.check("token accuracy", accuracy, "= 100%", accuracy == 1.0, percent(accuracy))
    weights = model.attention.attn_weights  # (N, heads, L, L) from the evaluation just run
    attention = weights.mean(axis=(0, 1))
    on_itself = float(np.trace(attention) / LENGTH)
    run.check("attention a position puts on itself", on_itself, f"≥ {SELF_ATTENTION_BAR}",
              on_itself >= SELF_ATTENTION_BAR, f"{on_itself:.2f}")
    run.extras["attention"] = attention.tolist()
    run.extras["self_attention"] = on_itself
    if ablation:
        without, with_ = reversed_copy_ablation(run.seed, lr, epochs, batch_size)
        run.check("reversed copy without positional encoding", without, f"≤ {ABLATION_BAR:.0%}",
                  without <= ABLATION_BAR, f"{percent(without)} (with it: {percent(with_)})")
        run.extras["reversed_copy_accuracy"] = {"without_positions": without,
                                                "with_positions": with_}


def reversed_copy_ablation(seed: int, lr: float, epochs: int, batch_size: int):
    """Token accuracy on the reversed copy, trained without and with positional encoding.

    Why reversed: to copy a token to its own place, a query can simply look for a key with
    the same content — that works without positions (both tt and PyTorch reach 100% on the
    plain copy without an encoding). To copy it to the mirrored place the model must know
    where each token stands: without the encoding attention sees only a bag of tokens.
    The run with the encoding is the control: the same model can learn the task.
    """
    accuracies = []
    for positional in (False, True):
        tt.manual_seed(seed)
        side = TrainingRun(seed)
        model = side.watch(CopyTransformer(positional=positional))
        data = copy_task(seed, reverse=True)
        fit(side, model, data, lr, epochs, batch_size)
        accuracies.append(class_accuracy(model, tt.tensor(data[2]), data[3]))
    return tuple(accuracies)


MILESTONE = Milestone(
    name="transformer", year=2017, title="Attention is all you need",
    story=__doc__.split("\n\n", 1)[1].strip(),
    model="Embedding → PositionalEncoding → MultiHeadAttention → Linear",
    data="copy task: vocabulary 10, length 4, batch 32, 50 epochs",
    packages=("tt-nn", "tt-text"),
    needs={"layers": ("Embedding", "PositionalEncoding", "MultiHeadAttention", "Linear",
                      "Identity", "CrossEntropyLoss"),
           "optimizers": ("Adam",), "datasets": ("CopyTask",)},
    bar="token accuracy 100%",
    train=train)
