"""Character models that make up new names, written as a PyTorch user writes them.

Three models in the order one learns them:
1. bigram counts: a 27x27 table of next-letter counts, normalised and sampled with
   `multinomial` from a seeded `Generator`;
2. the same bigram as a one-layer net on one-hot letters, trained by hand with
   `W -= lr * W.grad` under `no_grad`;
3. an MLP over the previous three letters: an embedding table looked up as `C[X]`, a
   tanh hidden layer, `F.cross_entropy`, and manual SGD with `p.data += -lr * p.grad`;
4. a deeper MLP from hand-written `Linear`, `BatchNorm1d` and `Tanh` classes (batch
   statistics in training, running ones in evaluation), with the diagnostics one prints
   while tuning it: saturation of each tanh, the gradient of each layer's output
   (`retain_grad`), and the update-to-data ratio of each parameter.
Only the imports say tt.

    python examples/pytorch/makemore_names.py --data names.txt   # one name per line
    python examples/pytorch/makemore_names.py --smoke            # built-in names, few steps
"""

import argparse
import random

import tt as torch
import tt.nn.functional as F

NAMES = """\
ada alba alma amos anja arlo aurel bea bodil bram cato cleo dara dov edda elin emrys
enzo fenna fleur gaia gert hanne idris ilse ines jora juno kai kasper lale lenna liv
lotte mabel mira nell nico odile olaf pia quin rafe rosa rune sable selma tarik tess
ulla uma vera vito wren xena yara ysolde zeno zora
"""


def build_vocabulary(words):
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0                                   # start and end of a name
    itos = {i: s for s, i in stoi.items()}
    return stoi, itos


def bigram_counts(words, stoi, itos, samples, g):
    V = len(stoi)
    N = torch.zeros((V, V), dtype=torch.int32)
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            N[stoi[ch1], stoi[ch2]] += 1
    P = (N + 1).float()                             # add-one smoothing
    P /= P.sum(1, keepdim=True)

    for _ in range(samples):
        out, ix = [], 0
        while True:
            ix = torch.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()
            if ix == 0:
                break
            out.append(itos[ix])
        print("bigram sample:", "".join(out))

    log_likelihood, n = 0.0, 0
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            log_likelihood += torch.log(P[stoi[ch1], stoi[ch2]])
            n += 1
    nll = -log_likelihood / n
    print(f"bigram counts: average negative log likelihood {nll.item():.4f}")
    return nll.item()


def bigram_net(words, stoi, steps, g):
    xs, ys = [], []
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    xs, ys = torch.tensor(xs), torch.tensor(ys)
    num, V = xs.nelement(), len(stoi)
    W = torch.randn((V, V), generator=g, requires_grad=True)
    for k in range(steps):
        xenc = F.one_hot(xs, num_classes=V).float()
        logits = xenc @ W                           # log-counts
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W ** 2).mean()
        W.grad = None
        loss.backward()
        with torch.no_grad():
            W -= 50 * W.grad
    print(f"bigram net: loss {loss.item():.4f} after {steps} steps")
    return loss.item()


def build_dataset(words, stoi, block_size):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


def mlp(words, stoi, itos, steps, samples, g, block_size=3, n_embd=10, n_hidden=200):
    random.seed(42)
    random.shuffle(words)
    n1 = int(0.8 * len(words))
    Xtr, Ytr = build_dataset(words[:n1], stoi, block_size)
    Xdev, Ydev = build_dataset(words[n1:], stoi, block_size)

    V = len(stoi)
    C = torch.randn((V, n_embd), generator=g)
    W1 = torch.randn((block_size * n_embd, n_hidden), generator=g) * (5 / 3) / (block_size * n_embd) ** 0.5
    b1 = torch.randn(n_hidden, generator=g) * 0.01
    W2 = torch.randn((n_hidden, V), generator=g) * 0.01
    b2 = torch.randn(V, generator=g) * 0
    parameters = [C, W1, b1, W2, b2]
    print("MLP parameters:", sum(p.nelement() for p in parameters))
    for p in parameters:
        p.requires_grad = True

    for i in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        emb = C[Xtr[ix]]                            # (32, block_size, n_embd)
        h = torch.tanh(emb.view(-1, block_size * n_embd) @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Ytr[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < steps * 3 // 4 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        if i % max(1, steps // 5) == 0:
            print(f"{i:7d}/{steps:7d}: {loss.item():.4f}")

    with torch.no_grad():
        for name, (X, Y) in {"train": (Xtr, Ytr), "dev": (Xdev, Ydev)}.items():
            emb = C[X]
            h = torch.tanh(emb.view(emb.shape[0], -1) @ W1 + b1)
            print(f"MLP {name} loss {F.cross_entropy(h @ W2 + b2, Y).item():.4f}")

    for _ in range(samples):
        out, context = [], [0] * block_size
        while True:
            emb = C[torch.tensor([context])]
            h = torch.tanh(emb.view(1, -1) @ W1 + b1)
            probs = F.softmax(h @ W2 + b2, dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            if ix == 0 or len(out) > 20:
                break
            out.append(itos[ix])
        print("MLP sample:", "".join(out))
    return loss.item()


class Linear:
    def __init__(self, fan_in, fan_out, generator, bias=True):
        self.weight = torch.randn((fan_in, fan_out), generator=generator) / fan_in ** 0.5
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out += self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class BatchNorm1d:
    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps, self.momentum, self.training = eps, momentum, True
        self.gamma, self.beta = torch.ones(dim), torch.zeros(dim)
        self.running_mean, self.running_var = torch.zeros(dim), torch.ones(dim)

    def __call__(self, x):
        if self.training:
            xmean, xvar = x.mean(0, keepdim=True), x.var(0, keepdim=True)
        else:
            xmean, xvar = self.running_mean, self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
        self.out = self.gamma * xhat + self.beta
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]


class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out

    def parameters(self):
        return []


def batchnorm_mlp(words, stoi, steps, g, block_size=3, n_embd=10, n_hidden=64):
    n1 = int(0.8 * len(words))
    Xtr, Ytr = build_dataset(words[:n1], stoi, block_size)
    Xdev, Ydev = build_dataset(words[n1:], stoi, block_size)
    V = len(stoi)
    C = torch.randn((V, n_embd), generator=g)
    layers = [
        Linear(n_embd * block_size, n_hidden, g, bias=False), BatchNorm1d(n_hidden), Tanh(),
        Linear(n_hidden, n_hidden, g, bias=False), BatchNorm1d(n_hidden), Tanh(),
        Linear(n_hidden, V, g),
    ]
    with torch.no_grad():
        layers[-1].weight *= 0.1                   # start unsure of the next letter
        for layer in layers[:-1]:
            if isinstance(layer, Linear):
                layer.weight *= 5 / 3              # the gain that suits tanh
    parameters = [C] + [p for layer in layers for p in layer.parameters()]
    for p in parameters:
        p.requires_grad = True

    ud = []
    for i in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        x = C[Xtr[ix]].view(-1, n_embd * block_size)
        for layer in layers:
            x = layer(x)
        loss = F.cross_entropy(x, Ytr[ix])
        for layer in layers:
            layer.out.retain_grad()                # to look at the gradients below
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < steps * 3 // 4 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        with torch.no_grad():
            ud.append([((lr * p.grad).std() / p.data.std()).log10().item() for p in parameters])

    for i, layer in enumerate(layers[:-1]):
        if isinstance(layer, Tanh):
            t = layer.out
            saturated = (t.abs() > 0.97).float().mean()
            print(f"layer {i} (Tanh): mean {t.mean():+.2f}, std {t.std():.2f}, "
                  f"saturated {saturated * 100:.1f}%, grad std {t.grad.std():.2e}")
    weights = [j for j, p in enumerate(parameters) if p.ndim == 2]
    print("update/data ratios (log10):", " ".join(f"{ud[-1][j]:.1f}" for j in weights))

    for layer in layers:
        if isinstance(layer, BatchNorm1d):
            layer.training = False
    with torch.no_grad():
        x = C[Xdev].view(Xdev.shape[0], -1)
        for layer in layers:
            x = layer(x)
        print(f"batchnorm MLP: train loss {loss.item():.4f}, "
              f"dev loss {F.cross_entropy(x, Ydev).item():.4f}")
    return loss.item()


def main(argv=None):
    parser = argparse.ArgumentParser(description="makemore-style name models")
    parser.add_argument("--data", help="names, one per line (default: a small built-in list)")
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="built-in names, a few steps")
    args = parser.parse_args(argv)
    if args.smoke:
        args.steps, args.samples = 30, 3

    if args.data:
        with open(args.data, encoding="utf-8") as f:
            words = f.read().splitlines()
    else:
        words = NAMES.split()
    words = [w.strip().lower() for w in words if w.strip()]
    stoi, itos = build_vocabulary(words)
    g = torch.Generator().manual_seed(2147483647)

    bigram_counts(words, stoi, itos, args.samples, g)
    bigram_net(words, stoi, min(args.steps, 100), g)
    mlp(words, stoi, itos, args.steps, args.samples, g)
    batchnorm_mlp(words, stoi, args.steps, g)


if __name__ == "__main__":
    main()
