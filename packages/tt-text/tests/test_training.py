"""Learning for real: the copy task reaches 100% token accuracy, and a GPT learns a text."""

import numpy as np
import pytest
import tt_nn
import tt_tensor as tt
from tt_nn import functional as F
from tt_nn.optim import Adam
from tt_text import GPT, Embedding, MultiHeadAttention, PositionalEncoding, generate, train_gpt
from tt_text.datasets import CharDataset, CopyTask


class CopyModel(tt_nn.Module):
    """Embedding → PositionalEncoding → MultiHeadAttention → Linear."""

    def __init__(self, vocab=10, d_model=32, heads=4, length=4):
        super().__init__()
        self.emb = Embedding(vocab, d_model)
        self.pos = PositionalEncoding(d_model, max_len=length)
        self.attn = MultiHeadAttention(d_model, heads)
        self.head = tt_nn.Linear(d_model, vocab)

    def forward(self, ids):
        return self.head(self.attn(self.pos(self.emb(ids))))


def test_copy_task_reaches_full_accuracy():
    tt.manual_seed(0)
    data, held_out = CopyTask(1000, seed=0), CopyTask(500, seed=1)
    model = CopyModel()
    optimizer = Adam(model.parameters(), lr=1e-2)
    for _ in range(50):
        order = tt.generator().permutation(len(data))
        for start in range(0, len(data), 32):
            x = data.inputs[order[start:start + 32]]
            loss = F.cross_entropy(model(x).reshape(-1, 10), x.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    predictions = model(held_out.inputs).data.argmax(-1)
    assert (predictions == held_out.targets).mean() == 1.0


@pytest.mark.slow  # 300 steps: ~3 s once tt-nn's linear/gelu are fast, more before
def test_gpt_learns_a_text_and_generates_it(tmp_path):
    text = "the quick brown fox jumps over the lazy dog. " * 30
    path = tmp_path / "fox.txt"
    path.write_text(text)
    data = CharDataset(path, block_size=16)
    tt.manual_seed(0)
    model = GPT(data.vocab_size, d_model=32, num_heads=4, num_layers=2, max_len=16)
    optimizer = Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(300):
        x, y = data.random_batch(16)
        loss = F.cross_entropy(model(x).reshape(-1, data.vocab_size), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[0] > 0.8 * np.log(data.vocab_size)  # starts near uniform guessing
    assert np.mean(losses[-10:]) < 0.3
    prompt = np.array([data.tokenizer.encode("the quick")])
    sample = data.tokenizer.decode(generate(model, prompt, 30, temperature=0)[0])
    assert sample == text[:39]


def test_train_gpt_saves_weights_that_tt_nn_loads(tmp_path, capsys):
    text_path, weights = tmp_path / "abc.txt", tmp_path / "weights.npz"
    text_path.write_text("abcabcabc " * 20)
    argv = [str(text_path), "--minutes", "0", "--layers", "1", "--d-model", "8",
            "--heads", "2", "--context", "8", "--sample-length", "5"]
    assert train_gpt.main(argv + ["--save", str(weights)]) == 0
    assert f"weights saved to {weights}" in capsys.readouterr().out
    model = GPT(vocab_size=4, d_model=8, num_heads=2, num_layers=1, max_len=8)
    model.load_state_dict(tt_nn.load(weights))  # strict: every name and shape must match
    tt.manual_seed(0)  # train_gpt seeds the same way before building its model
    expected = GPT(vocab_size=4, d_model=8, num_heads=2, num_layers=1, max_len=8)
    assert np.array_equal(model.token_emb.weight.data, expected.token_emb.weight.data)


def test_train_gpt_reports_a_missing_file(tmp_path, capsys):
    assert train_gpt.main([str(tmp_path / "missing.txt")]) == 2
    assert "no text file at" in capsys.readouterr().err
