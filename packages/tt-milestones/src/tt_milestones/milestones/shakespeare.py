"""2017 — A transformer writes Shakespeare, one character at a time.

The transformer of Vaswani et al. (2017), cut down to its decoder as in OpenAI's GPT
(2018), learns a language by predicting each next character from the ones before it.
Nothing in it knows what a word or a line is: from a megabyte of plays it must find
spelling, spacing, capitals, speaker names and common words by itself. This milestone
trains a small GPT on eight plays shipped with tt-text for a few minutes, measures how
well it predicts characters of a play it never trained on (The Tempest, the validation
split), and lets it write: most of what it writes must be words Shakespeare used.
"""

from __future__ import annotations

import re

import numpy as np

from tt_milestones.milestone import Milestone
from tt_milestones.milestones._common import dataset, layer, optimizer, predict
from tt_milestones.training import TrainingRun

CONTEXT, D_MODEL, HEADS, LAYERS = 64, 64, 4, 2
BATCH_SIZE = 32
ROUNDS, STEPS_PER_ROUND = 50, 30  # 1,500 updates: the loss history has one entry per round
LR, WARMUP = 6e-3, 100
VAL_WINDOWS = 256  # the validation loss is measured on this many fixed windows of the val split
SAMPLE_LENGTH, TEMPERATURE = 500, 0.8
VAL_BAR = 2.0  # nats per character (uniform over 76 characters: ln 76 ≈ 4.33)
WORDS_BAR = 0.60


# ----- the historical model -----------------------------------------------------------------
def build_model(vocab_size: int):
    """GPT(vocab, d_model=64, heads=4, layers=2, max_len=64): ids (N, L) → logits (N, L, vocab)."""
    return layer("GPT")(vocab_size, D_MODEL, HEADS, LAYERS, max_len=CONTEXT)


def words_of(text: str) -> list[str]:
    """The words of `text`, lower-cased: runs of letters (an apostrophe inside a word kept)."""
    return re.findall(r"[a-z]+(?:'[a-z]+)*", text.lower())


def val_windows(val, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` fixed windows spread evenly over the validation split (x, y), each (count, L)."""
    starts = np.linspace(0, len(val) - 1, count).astype(np.int64)
    return val.batch(starts)


def val_loss(model, x: np.ndarray, y: np.ndarray, chunk: int = 64) -> tuple[float, float]:
    """Mean cross-entropy (nats per character) and next-character accuracy on windows x, y."""
    losses, hits = [], 0
    for start in range(0, len(x), chunk):
        logits = predict(model, x[start:start + chunk]).astype(np.float64)
        target = y[start:start + chunk]
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        losses.append(-np.take_along_axis(log_probs, target[..., None], axis=-1).ravel())
        hits += int((logits.argmax(axis=-1) == target).sum())
    return float(np.concatenate(losses).mean()), hits / y.size


# ----- the training loop ----------------------------------------------------------------------
def train(run: TrainingRun, rounds: int = ROUNDS, steps_per_round: int = STEPS_PER_ROUND,
          lr: float = LR, batch_size: int = BATCH_SIZE, sample_length: int = SAMPLE_LENGTH,
          data_root=None) -> None:
    """AdamW with warm-up and cosine decay on random windows of the eight plays."""
    from tt_text.generate import generate

    Shakespeare = dataset("Shakespeare")
    train_set = Shakespeare("train", block_size=CONTEXT)
    val_set = Shakespeare("val", block_size=CONTEXT, tokenizer=train_set.tokenizer)
    vocab = train_set.vocab_size
    vx, vy = val_windows(val_set, VAL_WINDOWS, run.seed)
    model = run.watch(build_model(vocab), sample=vx[:16])
    loss_fn = layer("CrossEntropyLoss")()
    opt = optimizer("AdamW")(model.parameters(), lr=lr, weight_decay=0.01)
    total = rounds * steps_per_round
    run.describe(batch_size=batch_size, optimizer="AdamW, warm-up + cosine", lr=lr,
                 context=CONTEXT, steps=total, characters=len(train_set.ids))

    def training_step(x, y):
        step = run.steps
        warm = min(1.0, (step + 1) / WARMUP)
        cosine = 0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * step / max(total, 1)))
        for group in opt.param_groups:
            group["lr"] = lr * warm * cosine
        opt.zero_grad()
        logits = model(x)
        loss = loss_fn(logits.reshape(-1, vocab), y.reshape(-1))
        loss.backward()
        opt.step()
        return loss

    for _ in run.epochs(rounds):
        model.train()
        for _ in range(steps_per_round):
            x, y = train_set.random_batch(batch_size)
            run.step(training_step, x, y)
        model.eval()
        run.evaluate(val_loss(model, vx[:64], vy[:64])[1])

    # ----- the checks ------------------------------------------------------------------------
    loss, char_accuracy = val_loss(model, vx, vy)
    run.evaluate(char_accuracy)
    run.check("validation loss (nats/char)", loss, f"< {VAL_BAR}", loss < VAL_BAR, f"{loss:.3f}")
    prompt = val_set.ids[None, :8]
    ids = generate(model, prompt, sample_length, temperature=TEMPERATURE)
    sample = train_set.tokenizer.decode([int(i) for i in ids[0, 8:]])
    corpus_words = set(words_of(train_set.text)) | set(words_of(val_set.text))
    words = words_of(sample)
    share = (sum(w in corpus_words for w in words) / len(words)) if words else 0.0
    run.check("sample words that are corpus words", share, f"≥ {WORDS_BAR:.0%}",
              share >= WORDS_BAR, f"{share:.0%} of {len(words)}")
    run.extras.update(sample=sample, prompt=train_set.tokenizer.decode(
        [int(i) for i in prompt[0]]), val_loss=loss, val_char_accuracy=char_accuracy,
        words_in_corpus=share, sample_words=len(words))
    run.extras.setdefault("printout", []).append(
        (f"sample: {sample_length} characters at temperature {TEMPERATURE}, after the prompt "
         f"{run.extras['prompt']!r}", sample))


MILESTONE = Milestone(
    name="shakespeare", year=2017, title="A transformer writes Shakespeare",
    story=__doc__.split("\n\n", 1)[1].strip(),
    model=f"GPT: {LAYERS} blocks, d_model {D_MODEL}, {HEADS} heads, context {CONTEXT} characters",
    about_data=(f"eight Shakespeare plays shipped with tt-text (1.0 M characters), batch "
                f"{BATCH_SIZE}, {ROUNDS * STEPS_PER_ROUND} updates"),
    packages=("tt-nn", "tt-text"),
    needs={"layers": ("GPT", "CrossEntropyLoss"), "optimizers": ("AdamW",),
           "datasets": ("Shakespeare",)},
    bar=f"validation loss < {VAL_BAR} nats/char, ≥ {WORDS_BAR:.0%} of sampled words are corpus words",
    budget="under 3 minutes on a 2-core CPU",
    train=train)
