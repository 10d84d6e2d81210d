"""tt-text: ms per training step of the copy-task model and of a 2-layer GPT, beside PyTorch
(one thread), and generation ms per token with and without the KV cache.

Targets (issue 5): copy model no slower than PyTorch (ratio ≤ 1.0), GPT at most 1.5×, and
the cache at least 5× faster per token at context 256, with time per token flat as the
context grows.
"""

import pathlib
import sys

import numpy as np
import tt_nn
import tt_tensor as tt
from tt_nn import functional as F
from tt_nn.optim import Adam
from tt_text import GPT, Embedding, MultiHeadAttention, PositionalEncoding, generate
from tt_text.embedding import sinusoidal_encoding

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from timing import best_time, ratio, torch_or_none  # noqa: E402

VOCAB_COPY, LEN_COPY, D_COPY, HEADS, BATCH_COPY = 10, 4, 32, 4, 32
VOCAB_GPT, D_GPT, LAYERS, CONTEXT, BATCH_GPT = 65, 64, 2, 64, 16


class CopyModel(tt_nn.Module):
    """Embedding → PositionalEncoding → MultiHeadAttention → Linear (the copy-task model)."""

    def __init__(self) -> None:
        super().__init__()
        self.emb = Embedding(VOCAB_COPY, D_COPY)
        self.pos = PositionalEncoding(D_COPY, max_len=LEN_COPY)
        self.attn = MultiHeadAttention(D_COPY, HEADS)
        self.head = tt_nn.Linear(D_COPY, VOCAB_COPY)

    def forward(self, ids):
        return self.head(self.attn(self.pos(self.emb(ids))))


def tt_step_fn(model, x, y, vocab):
    optimizer = Adam(model.parameters(), lr=1e-3)

    def step():
        loss = F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


# ----- the same models in PyTorch ----------------------------------------------------------
def torch_models(torch):
    nn = torch.nn

    class TorchCopy(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(VOCAB_COPY, D_COPY)
            self.register_buffer("pe", torch.tensor(sinusoidal_encoding(LEN_COPY, D_COPY)))
            self.attn = nn.MultiheadAttention(D_COPY, HEADS, batch_first=True)
            self.head = nn.Linear(D_COPY, VOCAB_COPY)

        def forward(self, ids):
            x = self.emb(ids) + self.pe[: ids.shape[1]]
            return self.head(self.attn(x, x, x, need_weights=False)[0])

    class TorchBlock(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.attn = nn.MultiheadAttention(d, HEADS, batch_first=True)
            self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

        def forward(self, x, mask):
            h = self.ln1(x)
            x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
            return x + self.ff(self.ln2(x))

    class TorchGPT(nn.Module):
        def __init__(self, max_len):
            super().__init__()
            self.tok = nn.Embedding(VOCAB_GPT, D_GPT)
            self.pos = nn.Parameter(torch.randn(max_len, D_GPT) * 0.02)
            self.blocks = nn.ModuleList(TorchBlock(D_GPT) for _ in range(LAYERS))
            self.ln_f, self.head = nn.LayerNorm(D_GPT), nn.Linear(D_GPT, VOCAB_GPT)

        def forward(self, ids):
            length = ids.shape[1]
            mask = torch.triu(torch.ones(length, length, dtype=torch.bool), 1)
            x = self.tok(ids) + self.pos[:length]
            for block in self.blocks:
                x = block(x, mask)
            return self.head(self.ln_f(x))

    return TorchCopy, TorchGPT


def torch_step_fn(torch, model, x, y, vocab):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.tensor(x), torch.tensor(y)

    def step():
        loss = torch.nn.functional.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


def per_token_ms(model, prompt_len, new_tokens, use_cache):
    """Average ms per generated token, continuing a prompt of `prompt_len` tokens."""
    prompt = np.random.default_rng(0).integers(0, VOCAB_GPT, size=(1, prompt_len))
    seconds = best_time(lambda: generate(model, prompt, new_tokens, temperature=0,
                                         use_cache=use_cache))
    return seconds / new_tokens * 1000


def main() -> None:
    torch = torch_or_none()
    rng = np.random.default_rng(0)
    tt.manual_seed(0)
    copy_x = rng.integers(0, VOCAB_COPY, size=(BATCH_COPY, LEN_COPY))
    gpt_x = rng.integers(0, VOCAB_GPT, size=(BATCH_GPT, CONTEXT))
    gpt_y = rng.integers(0, VOCAB_GPT, size=(BATCH_GPT, CONTEXT))
    cases = [("copy model (L=4, d=32, 4 heads, batch 32)", CopyModel(), copy_x, copy_x,
              VOCAB_COPY, 1.0),
             ("GPT 2 layers (d=64, 4 heads, context 64, batch 16)",
              GPT(VOCAB_GPT, D_GPT, HEADS, LAYERS, max_len=CONTEXT), gpt_x, gpt_y, VOCAB_GPT, 1.5)]
    if torch is not None:
        TorchCopy, TorchGPT = torch_models(torch)
        torch.manual_seed(0)
        torch_nets = [TorchCopy(), TorchGPT(CONTEXT)]
    print(f"{'training step (Adam)':<52} {'tt':>9} {'torch (1 thread)':>17} {'ratio':>7} {'target':>7}")
    for i, (name, model, x, y, vocab, target) in enumerate(cases):
        ours = best_time(tt_step_fn(model, x, y, vocab), min_seconds=0.3)
        theirs = None
        if torch is not None:
            theirs = best_time(torch_step_fn(torch, torch_nets[i], x, y, vocab), min_seconds=0.3)
        print(f"{name:<52} {ours * 1000:>7.2f}ms "
              f"{'—' if theirs is None else f'{theirs * 1000:.2f}ms':>17} "
              f"{ratio(ours, theirs):>7} {f'≤ {target:g}':>7}")

    tt.manual_seed(0)
    model = GPT(VOCAB_GPT, D_GPT, HEADS, LAYERS, max_len=256)
    print(f"\n{'generation, ms per token (GPT above, max_len 256)':<52} {'cache':>9} "
          f"{'no cache':>17} {'speed-up':>7}")
    for first, last in ((1, 64), (192, 256)):
        cached = per_token_ms(model, first, last - first, use_cache=True)
        full = per_token_ms(model, first, last - first, use_cache=False)
        print(f"{f'context {first}..{last}':<52} {cached:>7.2f}ms {full:>15.2f}ms "
              f"{full / cached:>6.1f}×")
    print("target: cache ≥ 5× faster at context 256, and flat: the cache column about the "
          "same in both rows")


if __name__ == "__main__":
    main()
