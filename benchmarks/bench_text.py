"""tt-text and the transformer hot path against PyTorch (issue 16), one thread each.

Workloads (the same weights and the same batches in both frameworks, float32):
  - GPT training step: d_model 128, 4 heads, 4 layers, context 64, vocab 65, batch 32,
    forward + cross-entropy + backward + AdamW step. Target tt/torch ≤ 1.2.
  - GPT generation without a KV cache: 256 new tokens from a 1-token prompt, greedy, the
    same model (context 64: once the text outgrows it, both crop the context the same way,
    see `tt_text.generate`). Target ≤ 1.2.
  - tt's KV cache: ms per token over 256 tokens, cache against no cache (target ≥ 5×),
    for the context-64 model (the window jumps 7 times) and one whose context holds all.
(The MLP 784-512-512-10 workload is in `bench_nn.py`.)

Times are CPU time of this process, interleaved: each round times tt and then torch (the
order alternating), so both see the same machine load; the table shows the median per
call, and the ratio's spread (lowest and highest ratio of the rounds). The machine is
shared, so only ratios measured this way mean anything. `--memory` adds the peak memory of one step (resident-set growth
above the level before the step, in a fresh process per framework with glibc returning
every big block when it is freed, Linux only).

    hatch run bench:python benchmarks/bench_text.py [--quick] [--memory] [--mallopt]

`--mallopt` is an experiment: glibc keeps freed memory for reuse instead of returning
big blocks to the system, which removes most page faults of tt's step (not of torch's).
"""

from __future__ import annotations

import os
import pathlib
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import tt_tensor as tt  # noqa: E402
from tt_nn import functional as F  # noqa: E402
from tt_nn.optim import AdamW  # noqa: E402
from tt_text import GPT, generate  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from timing import peak_memory_in_child, step_peak_mib, torch_or_none  # noqa: E402

VOCAB, D_MODEL, HEADS, LAYERS, CONTEXT, BATCH = 65, 128, 4, 4, 64, 32
NEW_TOKENS = 256


# ----- timing -------------------------------------------------------------------------------
def interleaved(fns: dict, rounds: int = 7, min_seconds: float = 0.15) -> dict:
    """Per-call CPU seconds of each function in `fns`, timed in alternating order per round.

    CPU time of this process (`time.process_time`), not wall time: both frameworks run on
    one thread, and on a shared machine the wall clock also counts the time other
    processes held the CPU.

    Returns {name: list of per-call seconds, one per round}. Each function is warmed up
    first and runs enough calls per round to last about `min_seconds`.
    """
    calls = {}
    for name, fn in fns.items():
        fn()  # warm up (first-call allocations, caches)
        start = time.perf_counter()
        fn()
        once = time.perf_counter() - start
        calls[name] = max(1, int(min_seconds / max(once, 1e-9)))
    times = {name: [] for name in fns}
    names = list(fns)
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            fn, n = fns[name], calls[name]
            start = time.process_time()
            for _ in range(n):
                fn()
            times[name].append((time.process_time() - start) / n)
    return times


def report(label: str, times: dict, target: float | None, unit: float = 1000.0) -> float:
    ours, theirs = np.array(times["tt"]), np.array(times.get("torch", []))
    line = f"{label:<44} {np.median(ours) * unit:>9.2f}"
    if theirs.size:
        ratios = ours / theirs
        ratio = np.median(ours) / np.median(theirs)
        line += (f" {np.median(theirs) * unit:>9.2f} {ratio:>6.2f}× "
                 f"[{ratios.min():.2f}–{ratios.max():.2f}]")
        line += f"  (≤ {target:g})" if target else ""
    print(line, flush=True)
    return float(np.median(ours))


# ----- the workloads in tt ------------------------------------------------------------------
def data(rng):
    x = rng.integers(0, VOCAB, size=(BATCH, CONTEXT))
    y = rng.integers(0, VOCAB, size=(BATCH, CONTEXT))
    return x, y


def tt_gpt():
    tt.manual_seed(0)
    return GPT(VOCAB, D_MODEL, HEADS, LAYERS, max_len=CONTEXT)


def tt_gpt_step(model, x, y):
    optimizer = AdamW(model.parameters(), lr=1e-3)

    def step():
        loss = F.cross_entropy(model(x).reshape(-1, VOCAB), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


# ----- the same in PyTorch ------------------------------------------------------------------
def torch_gpt(torch, model):
    """tt's GPT layer for layer in PyTorch, with tt's weights copied in."""
    nn, Fn = torch.nn, torch.nn.functional

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.q_proj, self.k_proj, self.v_proj, self.out_proj = (
                nn.Linear(D_MODEL, D_MODEL) for _ in range(4))

        def forward(self, x):
            n, length, e = x.shape
            q, k, v = (p(x).view(n, length, HEADS, e // HEADS).transpose(1, 2)
                       for p in (self.q_proj, self.k_proj, self.v_proj))
            out = Fn.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.out_proj(out.transpose(1, 2).reshape(n, length, e))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.attn, self.ln2 = nn.LayerNorm(D_MODEL), Attention(), nn.LayerNorm(D_MODEL)
            self.fc1, self.act, self.fc2 = (nn.Linear(D_MODEL, 4 * D_MODEL), nn.GELU(),
                                            nn.Linear(4 * D_MODEL, D_MODEL))

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.fc2(self.act(self.fc1(self.ln2(x))))

    class TorchGPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.token_emb = nn.Embedding(VOCAB, D_MODEL)
            self.pos = nn.Parameter(torch.zeros(CONTEXT, D_MODEL))
            self.blocks = nn.ModuleList(Block() for _ in range(LAYERS))
            self.ln_f, self.head = nn.LayerNorm(D_MODEL), nn.Linear(D_MODEL, VOCAB)
            self.max_len = CONTEXT

        def forward(self, ids):
            x = self.token_emb(ids) + self.pos[: ids.shape[1]]
            for block in self.blocks:
                x = block(x)
            return self.head(self.ln_f(x))

    net = TorchGPT()
    state = {k.replace("pos_emb.weight", "pos"): torch.tensor(np.asarray(getattr(v, "data", v)))
             for k, v in model.state_dict().items()}
    net.load_state_dict(state)
    return net


def torch_gpt_step(torch, net, x, y):
    optimizer = torch.optim.AdamW(net.parameters(), lr=1e-3)
    x, y = torch.tensor(x), torch.tensor(y)

    def step():
        loss = torch.nn.functional.cross_entropy(net(x).reshape(-1, VOCAB), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


def torch_generate(torch, net, prompt, new_tokens):
    """Greedy decoding without a cache, cropping the context exactly as tt's `generate`."""
    from tt_text.generate import window_start

    ids = torch.tensor(prompt)
    start = 0
    with torch.no_grad():
        for _ in range(new_tokens):
            start = window_start(start, ids.shape[1], net.max_len)
            logits = net(ids[:, start:])[:, -1]
            ids = torch.cat([ids, logits.argmax(-1, keepdim=True)], dim=1)
    return ids


# ----- peak memory of one step, in a fresh process ------------------------------------------
def measure_memory(workload: str, framework: str) -> None:
    """Child process: print the peak resident growth (MiB) of one step above the level
    before it (after two warm-up steps), resetting the high-water mark through clear_refs."""
    torch = torch_or_none() if framework == "torch" else None
    model = tt_gpt()
    x, y = data(np.random.default_rng(0))
    step = tt_gpt_step(model, x, y) if torch is None else torch_gpt_step(
        torch, torch_gpt(torch, model), x, y)
    print(step_peak_mib(step))


def peak_memory(workload: str, framework: str) -> float | None:
    """MiB, measured in a fresh process (None if that is impossible here)."""
    return peak_memory_in_child(__file__, workload, framework)


# ----- main ---------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--measure-memory"]:
        measure_memory(argv[1], argv[2])
        return
    quick = "--quick" in argv
    if "--mallopt" in argv:  # an experiment for the notes: keep freed memory for reuse
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD: big arrays come from the heap
        libc.mallopt(-1, 1 << 31)  # M_TRIM_THRESHOLD: and the heap is not given back
        print("mallopt: freed memory is kept for reuse (fewer page faults)")
    rounds = 3 if quick else 7
    torch = torch_or_none()
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    print(f"load average before: {load:.2f} on {os.cpu_count()} CPUs; OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS')}; torch threads: "
          f"{torch.get_num_threads() if torch else '—'}")
    print(f"{'median ms per call':<44} {'tt':>9} {'torch':>9} {'ratio':>7} [spread]")

    model = tt_gpt()
    x, y = data(np.random.default_rng(0))
    fns = {"tt": tt_gpt_step(model, x, y)}
    if torch is not None:
        fns["torch"] = torch_gpt_step(torch, torch_gpt(torch, model), x, y)
    report(f"GPT step d{D_MODEL} h{HEADS} l{LAYERS} ctx{CONTEXT} b{BATCH} AdamW",
           interleaved(fns, rounds), 1.2)

    model = tt_gpt()
    model.eval()
    prompt = np.zeros((1, 1), dtype=np.int64)
    fns = {"tt": lambda: generate(model, prompt, NEW_TOKENS, temperature=0, use_cache=False)}
    if torch is not None:
        net = torch_gpt(torch, model).eval()
        fns["torch"] = lambda: torch_generate(torch, net, prompt, NEW_TOKENS)
        ours = generate(model, prompt, NEW_TOKENS, temperature=0, use_cache=False)
        same = np.array_equal(ours, fns["torch"]().numpy())
    report(f"GPT generate {NEW_TOKENS} tokens, no KV cache", interleaved(fns, rounds, 0.0), 1.2)
    if torch is not None:
        print(f"  (tt and torch pick the same {NEW_TOKENS} greedy tokens: {same})")

    print(f"\ntt generation, {NEW_TOKENS} tokens from 1, ms per token (cache and no cache "
          "interleaved):")
    for max_len in (CONTEXT, NEW_TOKENS + 1):
        tt.manual_seed(0)
        gen_model = GPT(VOCAB, D_MODEL, HEADS, LAYERS, max_len=max_len).eval()
        times = interleaved({
            "tt": lambda: generate(gen_model, prompt, NEW_TOKENS, temperature=0),
            "torch": lambda: generate(gen_model, prompt, NEW_TOKENS, temperature=0,
                                      use_cache=False)}, max(3, rounds // 2), 0.0)
        cached, full = np.array(times["tt"]), np.array(times["torch"])
        speedups = full / cached
        print(f"  max_len {max_len:>3}: {np.median(cached) / NEW_TOKENS * 1000:.2f} with the KV "
              f"cache, {np.median(full) / NEW_TOKENS * 1000:.2f} without: "
              f"{np.median(full) / np.median(cached):.1f}× [{speedups.min():.1f}–"
              f"{speedups.max():.1f}] (target ≥ 5×)")

    if "--memory" in argv:
        print("\npeak memory of one step (MiB above the level before it, fresh process each)")
        for workload in ("gpt",):
            ours, theirs = peak_memory(workload, "tt"), peak_memory(workload, "torch")
            print(f"  {workload:<6} tt {ours if ours is None else f'{ours:.1f}'}   "
                  f"torch {theirs if theirs is None else f'{theirs:.1f}'}")
    try:
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    except OSError:
        pass


if __name__ == "__main__":
    main()
