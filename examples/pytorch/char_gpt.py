"""A small GPT trained on characters, written as a PyTorch user writes one.

Token and position embeddings, blocks of causal self-attention (scores masked with
`masked_fill` against a registered lower-triangular buffer) and a GELU MLP, each behind a
LayerNorm, with the output layer tied to the token embedding (`--flash` attends with
`F.scaled_dot_product_attention(is_causal=True)` instead, and must train identically). Training uses AdamW with two
parameter groups (matrices decay, biases and norms do not), a linear warm-up then cosine
learning rate set by hand in `param_groups`, and gradient clipping. Text is sampled with
`multinomial` from the top-k logits. A checkpoint (model, optimizer, config) is saved and
training resumes from it. Only the imports say tt.

    python examples/pytorch/char_gpt.py --data input.txt   # any text file
    python examples/pytorch/char_gpt.py --smoke            # a few steps on a built-in corpus
"""

import argparse
import math
import os
import tempfile
from contextlib import nullcontext
from dataclasses import asdict, dataclass

import tt as torch
import tt.nn as nn
import tt.nn.functional as F

CORPUS = """\
the owl sat on the old oak and watched the river run.
the river ran past the mill, the mill ground the grain,
and the grain fed the town that the river had made.
what the owl knew it kept; what the river knew it told.
"""


@dataclass
class GPTConfig:
    block_size: int = 64
    vocab_size: int = 65
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.1
    bias: bool = True
    flash: bool = False   # use F.scaled_dot_product_attention instead of the explicit mask


class CausalSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.attn_drop = nn.Dropout(config.dropout)
        self.resid_drop = nn.Dropout(config.dropout)
        self.dropout = config.dropout
        self.flash = config.flash and hasattr(F, "scaled_dot_product_attention")
        causal = torch.tril(torch.ones(config.block_size, config.block_size))
        self.register_buffer("causal", causal.view(1, 1, config.block_size, config.block_size))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.qkv(x).split(self.n_embd, dim=2)
        hs = C // self.n_head
        q = q.view(B, T, self.n_head, hs).transpose(1, 2)   # (B, nh, T, hs)
        k = k.view(B, T, self.n_head, hs).transpose(1, 2)
        v = v.view(B, T, self.n_head, hs).transpose(1, 2)
        if self.flash:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=True,
                                               dropout_p=self.dropout if self.training else 0)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
            att = att.masked_fill(self.causal[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            att = self.attn_drop(att)
            y = att @ v                                      # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_drop(self.proj(y))


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.drop = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.drop(self.proj(self.gelu(self.fc(x))))


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            wpe=nn.Embedding(config.block_size, config.n_embd),
            drop=nn.Dropout(config.dropout),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=nn.LayerNorm(config.n_embd),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight   # weight tying
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("proj.weight"):   # residual projections start smaller
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def num_params(self):
        # the tied matrix is counted once; position embeddings are not "model" parameters
        return sum(p.numel() for p in self.parameters()) - self.transformer.wpe.weight.numel()

    def forward(self, idx, targets=None):
        device = idx.device
        b, t = idx.size()
        assert t <= self.config.block_size, f"sequence of {t} > block size {self.config.block_size}"
        pos = torch.arange(0, t, dtype=torch.long, device=device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        if targets is None:
            return self.lm_head(x[:, [-1], :]), None
        logits = self.lm_head(x)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                               ignore_index=-1)
        return logits, loss

    def configure_optimizers(self, weight_decay, learning_rate, betas):
        params = {n: p for n, p in self.named_parameters() if p.requires_grad}
        decay = [p for p in params.values() if p.dim() >= 2]
        no_decay = [p for p in params.values() if p.dim() < 2]
        groups = [
            {"params": decay, "weight_decay": weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ]
        print(f"decayed tensors: {len(decay)} ({sum(p.numel() for p in decay):,} parameters), "
              f"not decayed: {len(no_decay)} ({sum(p.numel() for p in no_decay):,})")
        return torch.optim.AdamW(groups, lr=learning_rate, betas=betas)

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        for _ in range(max_new_tokens):
            idx_cond = idx if idx.size(1) <= self.config.block_size else idx[:, -self.config.block_size:]
            logits, _ = self(idx_cond)
            logits = logits[:, -1, :] / temperature
            if top_k is not None:
                v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                logits[logits < v[:, [-1]]] = -float("Inf")
            probs = F.softmax(logits, dim=-1)
            idx_next = torch.multinomial(probs, num_samples=1)
            idx = torch.cat((idx, idx_next), dim=1)
        return idx


def main(argv=None):
    parser = argparse.ArgumentParser(description="character-level GPT")
    parser.add_argument("--data", help="a text file to learn (default: a tiny built-in corpus)")
    parser.add_argument("--max-iters", type=int, default=2000)
    parser.add_argument("--eval-interval", type=int, default=250)
    parser.add_argument("--eval-iters", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--block-size", type=int, default=64)
    parser.add_argument("--n-layer", type=int, default=4)
    parser.add_argument("--n-head", type=int, default=4)
    parser.add_argument("--n-embd", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--out-dir", default="out", help="where ckpt.pt is written")
    parser.add_argument("--flash", action="store_true",
                        help="attention by F.scaled_dot_product_attention(is_causal=True)")
    parser.add_argument("--smoke", action="store_true", help="a tiny model for a few steps")
    args = parser.parse_args(argv)
    if args.smoke:
        args.max_iters, args.eval_interval, args.eval_iters = 8, 4, 2
        args.batch_size, args.block_size = 4, 16
        args.n_layer, args.n_head, args.n_embd = 2, 2, 32
        scratch = tempfile.TemporaryDirectory()   # removed when the program ends
        args.out_dir = scratch.name
    os.makedirs(args.out_dir, exist_ok=True)

    torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    device = "cuda" if torch.cuda.is_available() else "cpu"
    device_type = "cuda" if "cuda" in device else "cpu"
    dtype = "bfloat16" if device_type == "cuda" and torch.cuda.is_bf16_supported() else "float32"
    ptdtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]
    ctx = nullcontext() if device_type == "cpu" else torch.amp.autocast(device_type=device_type,
                                                                         dtype=ptdtype)
    if args.data:
        with open(args.data, encoding="utf-8") as f:
            text = f.read()
    else:
        text = CORPUS
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = {i: ch for ch, i in stoi.items()}
    encode = lambda s: [stoi[c] for c in s]            # noqa: E731
    decode = lambda ids: "".join(itos[i] for i in ids)  # noqa: E731

    data = torch.tensor(encode(text), dtype=torch.long)
    n = int(0.9 * len(data))
    splits = {"train": data[:n], "val": data[n:]}

    def get_batch(split):
        d = splits[split]
        ix = torch.randint(len(d) - args.block_size, (args.batch_size,))
        x = torch.stack([d[i:i + args.block_size] for i in ix])
        y = torch.stack([d[i + 1:i + 1 + args.block_size] for i in ix])
        return x.to(device), y.to(device)

    config = GPTConfig(block_size=args.block_size, vocab_size=len(chars), n_layer=args.n_layer,
                       n_head=args.n_head, n_embd=args.n_embd, dropout=0.0 if args.smoke else 0.1,
                       flash=args.flash)
    model = GPT(config).to(device)
    print(f"number of parameters: {model.num_params() / 1e6:.3f}M")
    optimizer = model.configure_optimizers(weight_decay=0.1, learning_rate=args.learning_rate,
                                           betas=(0.9, 0.99))

    warmup_iters = max(1, args.max_iters // 10)
    min_lr = args.learning_rate / 10

    def get_lr(it):
        if it < warmup_iters:                      # linear warm-up
            return args.learning_rate * (it + 1) / (warmup_iters + 1)
        if it > args.max_iters:
            return min_lr
        ratio = (it - warmup_iters) / (args.max_iters - warmup_iters)
        coeff = 0.5 * (1.0 + math.cos(math.pi * ratio))   # cosine from 1 down to 0
        return min_lr + coeff * (args.learning_rate - min_lr)

    @torch.no_grad()
    def estimate_loss():
        out = {}
        model.eval()
        for split in splits:
            losses = torch.zeros(args.eval_iters)
            for k in range(args.eval_iters):
                X, Y = get_batch(split)
                with ctx:
                    _, loss = model(X, Y)
                losses[k] = loss.item()
            out[split] = losses.mean()
        model.train()
        return out

    scaler = torch.amp.GradScaler(enabled=(dtype == "float16"))
    best_val_loss = 1e9
    ckpt_path = os.path.join(args.out_dir, "ckpt.pt")
    for it in range(args.max_iters + 1):
        lr = get_lr(it)
        for param_group in optimizer.param_groups:
            param_group["lr"] = lr
        if it % args.eval_interval == 0:
            losses = estimate_loss()
            print(f"step {it}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}, "
                  f"lr {lr:.2e}")
            if losses["val"] < best_val_loss:
                best_val_loss = losses["val"].item()
                checkpoint = {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "model_args": asdict(config),
                    "iter_num": it,
                    "best_val_loss": best_val_loss,
                }
                torch.save(checkpoint, ckpt_path)
        if it == args.max_iters:
            break
        X, Y = get_batch("train")
        with ctx:
            _, loss = model(X, Y)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)

    # resume from the best checkpoint, as a later run would
    checkpoint = torch.load(ckpt_path, map_location=device)
    model = GPT(GPTConfig(**checkpoint["model_args"])).to(device)
    model.load_state_dict(checkpoint["model"])
    optimizer = model.configure_optimizers(weight_decay=0.1, learning_rate=args.learning_rate,
                                           betas=(0.9, 0.99))
    optimizer.load_state_dict(checkpoint["optimizer"])
    print(f"resumed from step {checkpoint['iter_num']} "
          f"(best val loss {checkpoint['best_val_loss']:.4f})")

    model.eval()
    context = torch.zeros((1, 1), dtype=torch.long, device=device)
    sample = model.generate(context, max_new_tokens=20 if args.smoke else 300, top_k=10)
    print(decode(sample[0].tolist()))


if __name__ == "__main__":
    main()
