"""Train a small character-level GPT on your own text file and watch its samples improve.

    python -m tt_text.train_gpt PATH [--minutes M] [--seed S]

Every few seconds it prints the training loss; every `--sample-every` seconds it prints a
sample continued from the start of the file. At first the samples are random characters;
after a minute or two they have the file's letters and spacing, then its common words.
`--save model.npz` writes the weights with `tt_nn.save` (a NumPy .npz, no pickle) when time
is up; `model.load_state_dict(tt_nn.load("model.npz"))` reads them back.
"""

from __future__ import annotations

import argparse
import sys
import time

import tt_nn
import tt_tensor
from tt_nn import functional as F
from tt_nn.optim import Adam

from tt_text.datasets import CharDataset
from tt_text.generate import generate
from tt_text.transformer import GPT


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tt_text.train_gpt",
                                     description="Train a character-level GPT on a text file.")
    parser.add_argument("path", help="a UTF-8 text file to learn from")
    parser.add_argument("--minutes", type=float, default=3.0, help="training time (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--context", type=int, default=64, help="characters the model sees")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--sample-every", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--sample-length", type=int, default=200)
    parser.add_argument("--temperature", type=float, default=0.8)
    parser.add_argument("--save", help="write the trained weights to this .npz file")
    return parser.parse_args(argv)


def sample(model: GPT, data: CharDataset, length: int, temperature: float) -> str:
    """Continue the first few characters of the file."""
    prompt = data.ids[None, : min(8, data.block_size)]
    ids = generate(model, prompt, length, temperature=temperature, top_k=10)
    return data.tokenizer.decode(ids[0])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        data = CharDataset(args.path, args.context)
    except (OSError, ValueError) as error:
        print(f"train_gpt: {error}", file=sys.stderr)
        return 2
    tt_tensor.manual_seed(args.seed)
    model = GPT(data.vocab_size, args.d_model, args.heads, args.layers, max_len=args.context)
    optimizer = Adam(model.parameters(), lr=args.lr)
    print(f"{len(data.ids):,} characters, vocabulary {data.vocab_size}; GPT with "
          f"{model.num_parameters():,} parameters; training for {args.minutes:g} minutes")
    print(f"--- sample before training ---\n{sample(model, data, args.sample_length, args.temperature)}\n")

    start = time.perf_counter()
    last_print = last_sample = start
    step, smoothed = 0, None
    while time.perf_counter() - start < args.minutes * 60:
        x, y = data.random_batch(args.batch_size)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, data.vocab_size), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        value = loss.item()
        smoothed = value if smoothed is None else 0.95 * smoothed + 0.05 * value
        now = time.perf_counter()
        if now - last_print >= 5:
            print(f"step {step:6d}  loss {smoothed:.3f}  ({(now - start) / step * 1000:.0f} ms/step)",
                  flush=True)
            last_print = now
        if now - last_sample >= args.sample_every:
            print(f"--- sample after {now - start:.0f} s ---\n"
                  f"{sample(model, data, args.sample_length, args.temperature)}\n", flush=True)
            last_sample = now
    print(f"--- final sample ({step} steps) ---\n"
          f"{sample(model, data, args.sample_length, args.temperature)}")
    if args.save:
        print(f"weights saved to {tt_nn.save(model, args.save)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
