"""2024 — The Systems Age: measure the model, then make it smaller and faster.

Once models learn, the questions become an engineer's: where does the time go, how much
memory does a step need, how small can the model be stored, how fast can it answer?
This milestone asks them of tt's own models, offline on the data tt ships. It trains the
1989 MLP and the 1998 CNN on TinyDigits, then: profiles a GPT training step op by op and
layer by layer (forward and backward apart, FLOPs counted, peak memory measured); stores
both models' weights as int8 (post-training quantization); prunes half of the MLP's
weights and fine-tunes the rest; generates text with and without a KV cache; and swaps a
faster implementation of a hot op (BatchNorm, in the CIFAR-10 CNN) into the registry, as a
learner's own op would be swapped in.
"""

from __future__ import annotations

import copy
import time
from contextlib import contextmanager

import numpy as np
import tt_tensor as tt

from tt_milestones.milestone import Milestone
from tt_milestones.milestones._common import class_accuracy, dataset, layer, optimizer, percent
from tt_milestones.milestones._digits import shipped_digits, tiny_digits
from tt_milestones.training import TrainingRun

EPOCHS, BATCH_SIZE = 25, 32
PROFILE_REPEATS = 5
PROFILE_TOLERANCE = 0.20  # the per-op times must add up to the measured step within 20%
QUANT_TOLERANCE = 0.01  # int8 within 1 point of float32
SPARSITY, PRUNE_TOLERANCE, FINE_TUNE_EPOCHS = 0.5, 0.01, 5
CACHE_TOKENS, CACHE_SPEEDUP, CACHE_REPEATS = 256, 5.0, 2
CACHE_D_MODEL = 256  # wide enough that recomputing a position costs more than the Python around it
ACCELERATE_REPEATS, ACCELERATE_BATCH = 5, 64


# ----- the models -----------------------------------------------------------------------------
def fit(run: TrainingRun, model, data, lr: float, epochs: int, batch_size: int = BATCH_SIZE):
    """Adam on mini-batches, cross-entropy; returns the optimizer (for fine-tuning)."""
    from tt_nn.data import DataLoader, TensorDataset

    train_x, train_y, test_x, test_y = data
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=batch_size, shuffle=True,
                        seed=run.seed)
    loss_fn = layer("CrossEntropyLoss")()
    opt = optimizer("Adam")(model.parameters(), lr=lr)
    test = tt.tensor(test_x)

    def training_step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in run.epochs(epochs):
        for x, y in loader:
            run.step(training_step, x, y)
        run.evaluate(class_accuracy(model, test, test_y))
    return opt


def accuracy_of(model, data) -> float:
    """Test accuracy of `model` on `data`'s test split."""
    return class_accuracy(model, tt.tensor(data[2]), data[3])


# ----- profile --------------------------------------------------------------------------------
def profile_step(run: TrainingRun, seed: int) -> None:
    """Profile a GPT training step (the Shakespeare milestone's model and batch)."""
    from tt_autograd.profiler import profile

    from tt_milestones.milestones import shakespeare as sh
    from tt_milestones.systems import count_ops

    corpus = dataset("Shakespeare")("train", block_size=sh.CONTEXT)
    tt.manual_seed(seed)
    model = sh.build_model(corpus.vocab_size)
    loss_fn = layer("CrossEntropyLoss")()
    x, y = corpus.batch(np.arange(sh.BATCH_SIZE) * 997)
    vocab = corpus.vocab_size

    def step():
        loss = loss_fn(model(x).reshape(-1, vocab), y.reshape(-1))
        loss.backward()
        model.zero_grad()

    step()  # warm-up: first calls allocate and look up the registry
    plain, ratios, last = [], [], None
    for _ in range(PROFILE_REPEATS):  # interleaved, so a busy machine slows both alike
        start = time.perf_counter()
        step()
        plain.append(time.perf_counter() - start)
        with profile(modules=model) as prof:
            step()
        ratios.append(prof.op_seconds / prof.wall_seconds if prof.wall_seconds else 0.0)
        if last is None or prof.wall_seconds < last.wall_seconds:
            last = prof  # the least disturbed profiled step is the one shown
    with count_ops(memory=True) as counter:
        step()
    measured, ratio = float(min(plain)), float(np.median(ratios))
    ok = abs(ratio - 1.0) <= PROFILE_TOLERANCE
    run.check("profile: per-op times vs the measured step", ratio,
              f"within {PROFILE_TOLERANCE:.0%} of the step", ok,
              f"{last.op_seconds * 1e3:.1f} of {last.wall_seconds * 1e3:.1f} ms ({ratio:.0%})")
    top = last.key_averages().sorted("self_cpu_time_total")
    summary = last.summary()
    run.extras["profile"] = {
        "model": f"GPT ({sh.LAYERS} blocks, d_model {sh.D_MODEL}), batch {sh.BATCH_SIZE} × "
                 f"{sh.CONTEXT} characters",
        "step_seconds": measured, "profiled_step_seconds": last.wall_seconds,
        "op_seconds": last.op_seconds, "op_share": ratio,
        "forward_seconds": summary["forward_seconds"],
        "backward_seconds": summary["backward_seconds"],
        "forward_flops": counter.flops, "backward_flops": counter.backward_flops,
        "peak_bytes": counter.peak_bytes, "saved_bytes": counter.kept_bytes,
        "top_ops": [{"op": r.key, "calls": r.count, "forward_ms": 1e3 * r.forward_seconds,
                     "backward_ms": 1e3 * r.backward_seconds} for r in top[:5]],
    }
    head = (f"step {measured * 1e3:.1f} ms unprofiled, {last.wall_seconds * 1e3:.1f} ms "
            f"profiled; ops: forward {summary['forward_seconds'] * 1e3:.1f}"
            f" ms + backward {summary['backward_seconds'] * 1e3:.1f} ms; "
            f"{counter.flops / 1e9:.2f} GFLOP forward + {counter.backward_flops / 1e9:.2f} "
            f"GFLOP backward (counted per op: {counter.backward_flops / max(counter.flops, 1):.2f}×);"
            f" peak memory {counter.peak_bytes / 2**20:.1f} MiB measured, "
            f"{counter.kept_bytes / 2**20:.1f} MiB of outputs kept for backward")
    run.extras.setdefault("printout", []).extend([
        (f"profile of one GPT training step ({run.extras['profile']['model']})", head),
        ("top ops", last.key_averages().table(row_limit=6)),
        ("by layer", last.by_layer().table(row_limit=8))])


# ----- quantize -------------------------------------------------------------------------------
def quantize(run: TrainingRun, models: dict) -> None:
    """int8 weights for each model: 4× smaller weights, accuracy within a point."""
    from tt_nn import quantization as q

    rows = []
    for name, (model, data) in models.items():
        small = q.quantize_dynamic(model)
        before, after = accuracy_of(model, data), accuracy_of(small, data)
        float_weights = sum(m._parameters["weight"].data.nbytes for m in model.modules()
                            if _quantizable(m))
        int8_weights = sum(m._buffers["weight_int8"].data.nbytes for m in small.modules()
                           if "weight_int8" in m._buffers)
        ratio = float_weights / int8_weights
        whole = q.model_bytes(model) / q.model_bytes(small)
        ok = ratio >= 4.0 and after >= before - QUANT_TOLERANCE
        run.check(f"quantize {name}: int8 weights", after - before,
                  f"4× smaller, within {QUANT_TOLERANCE:.0%}", ok,
                  f"{ratio:.1f}× smaller ({whole:.1f}× whole model); {percent(before)} → "
                  f"{percent(after)}")
        rows.append({"model": name, "float32_accuracy": before, "int8_accuracy": after,
                     "weight_bytes": [int(float_weights), int(int8_weights)],
                     "model_bytes": [q.model_bytes(model), q.model_bytes(small)]})
    run.extras["quantize"] = rows


def _quantizable(module) -> bool:
    weight = module._parameters.get("weight")
    return weight is not None and weight.data.ndim >= 2


# ----- prune ----------------------------------------------------------------------------------
def prune_and_fine_tune(run: TrainingRun, model, data, lr: float) -> None:
    """Magnitude-prune half of the weights (one global threshold), fine-tune, compare."""
    from tt_nn import prune

    before = accuracy_of(model, data)
    pruned = copy.deepcopy(model)
    targets = [(m, "weight") for m in pruned.modules() if _quantizable(m)]
    prune.global_unstructured(targets, amount=SPARSITY)
    right_after = accuracy_of(pruned, data)
    side = TrainingRun(run.seed)
    side.watch(pruned)
    fit(side, pruned, data, lr / 4, FINE_TUNE_EPOCHS)
    after = accuracy_of(pruned, data)
    sparsity = prune.sparsity(pruned)
    ok = sparsity >= SPARSITY and after >= before - PRUNE_TOLERANCE
    run.check("prune MLP: sparsity and accuracy", after - before,
              f"≥ {SPARSITY:.0%} zeros, within {PRUNE_TOLERANCE:.0%}", ok,
              f"{sparsity:.0%} zeros; {percent(before)} → {percent(right_after)} → "
              f"{percent(after)} after {FINE_TUNE_EPOCHS} epochs")
    run.extras["prune"] = {"sparsity": sparsity, "accuracy": before,
                           "pruned_accuracy": right_after, "fine_tuned_accuracy": after,
                           "fine_tune_epochs": FINE_TUNE_EPOCHS}


# ----- cache ----------------------------------------------------------------------------------
def _timed_generate(model, prompt, tokens: int, use_cache: bool):
    from tt_text.generate import generate

    start = time.perf_counter()
    ids = generate(model, prompt, tokens, temperature=0.0, use_cache=use_cache)
    return ids, (time.perf_counter() - start) / tokens


def kv_cache(run: TrainingRun, seed: int) -> None:
    """Greedy generation with and without the KV cache: same tokens, time per token."""
    corpus = dataset("Shakespeare")("val", block_size=8)
    prompt = corpus.ids[None, :8]
    vocab = corpus.vocab_size
    GPT = layer("GPT")
    tt.manual_seed(seed)
    model = GPT(vocab, CACHE_D_MODEL, 4, 2, max_len=CACHE_TOKENS + 8)
    for use_cache in (True, False):  # warm-up: first calls look up the registry and allocate
        _timed_generate(model, prompt, 4, use_cache)
    per_token_cached = per_token_plain = float("inf")
    for _ in range(CACHE_REPEATS):  # alternating; the least disturbed run of each counts
        cached, seconds = _timed_generate(model, prompt, CACHE_TOKENS, True)
        per_token_cached = min(per_token_cached, seconds)
        plain, seconds = _timed_generate(model, prompt, CACHE_TOKENS, False)
        per_token_plain = min(per_token_plain, seconds)
    speedup = per_token_plain / per_token_cached if per_token_cached else 0.0
    same = bool(np.array_equal(cached, plain))
    run.check(f"KV cache: {CACHE_TOKENS} tokens", speedup,
              f"same tokens, ≥ {CACHE_SPEEDUP:g}× faster", same and speedup >= CACHE_SPEEDUP,
              f"{'same' if same else 'DIFFERENT'} tokens, {per_token_plain * 1e3:.2f} → "
              f"{per_token_cached * 1e3:.2f} ms/token ({speedup:.1f}×)")
    # Past max_len: a model that sees 32 positions writes 200 tokens.
    tt.manual_seed(seed)
    short = GPT(vocab, 64, 4, 2, max_len=32)
    long_cached, _ = _timed_generate(short, prompt, 200, True)
    long_plain, _ = _timed_generate(short, prompt, 200, False)
    works = long_cached.shape == (1, 208) and bool(np.array_equal(long_cached, long_plain))
    run.check("KV cache past max_len (32 → 208 tokens)", float(works), "same tokens as without",
              works, "same tokens" if works else "different tokens or length")
    run.extras["cache"] = {"tokens": CACHE_TOKENS, "ms_per_token_cached": per_token_cached * 1e3,
                           "ms_per_token_recomputed": per_token_plain * 1e3, "speedup": speedup,
                           "same_tokens": same, "past_max_len": works}


# ----- accelerate -----------------------------------------------------------------------------
def accelerate(run: TrainingRun, seed: int) -> None:
    """Profile the CIFAR-10 CNN's step, then swap a faster `batch_norm` into the registry.

    The input is TinyDigits, each image enlarged to 32×32 and repeated on three channels
    (CIFAR-10's shape; only time and equality are measured here, no accuracy).
    """
    from tt_autograd.profiler import profile

    from tt_milestones.milestones._fast_ops import PROVIDER, fast_batch_norm
    from tt_milestones.milestones.cifar10 import build_model

    digits = tiny_digits()[0][:ACCELERATE_BATCH]
    images = np.repeat(np.kron(digits, np.ones((1, 1, 4, 4), np.float32)), 3, axis=1)
    labels = tiny_digits()[1][:ACCELERATE_BATCH]
    tt.manual_seed(seed)
    model = build_model()
    loss_fn = layer("CrossEntropyLoss")()

    def step():
        model.zero_grad()
        loss = loss_fn(model(tt.tensor(images)), labels)
        loss.backward()
        return [float(loss.item())] + [p.grad.data.copy() for p in model.parameters()]

    def timed(block):
        with block():
            start = time.perf_counter()
            step()
            return time.perf_counter() - start

    reference = step()  # also the warm-up
    with profile(modules=model) as prof:
        step()
    share = sum(r.cpu_time_total for r in prof.key_averages() if r.key == "batch_norm") \
        / max(prof.op_seconds, 1e-12)
    with fast_batch_norm():
        swapped = step()
        provider = tt.OPS["batch_norm"].__name__
    same = all(np.allclose(a, b, rtol=1e-4, atol=1e-6) for a, b in zip(reference, swapped))
    worst = max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for a, b in
                zip(reference, swapped))
    builtin_times, fast_times = [], []
    for _ in range(ACCELERATE_REPEATS):  # alternating, so a busy machine slows both alike
        builtin_times.append(timed(_builtin_ops))
        fast_times.append(timed(fast_batch_norm))
    # The least disturbed run of each: other processes only ever add time.
    builtin, fast = min(builtin_times), min(fast_times)
    op_builtin, op_fast = _op_seconds(model, step), _op_seconds(model, step, fast_batch_norm)
    op_speedup = op_builtin / op_fast if op_fast else 0.0
    speedup = builtin / fast if fast else 0.0
    run.check("accelerate batch_norm (CIFAR-10 CNN step)", op_speedup,
              "same outputs and gradients (1e-4), faster", same and op_speedup > 1.0,
              f"{'same' if same else 'DIFFERENT'} (largest difference {worst:.1e}); batch_norm "
              f"{op_builtin * 1e3:.1f} → {op_fast * 1e3:.1f} ms ({op_speedup:.1f}×), step "
              f"{builtin * 1e3:.0f} → {fast * 1e3:.0f} ms ({speedup:.2f}×)")
    run.extras["accelerate"] = {
        "op": "batch_norm", "provider": PROVIDER, "class": provider,
        "batch_norm_share_of_step": share, "op_ms": [op_builtin * 1e3, op_fast * 1e3],
        "op_speedup": op_speedup, "step_ms": [builtin * 1e3, fast * 1e3],
        "step_speedup": speedup, "same": same, "largest_difference": worst}
    run.extras.setdefault("printout", []).append((
        "accelerate", f"batch_norm took {share:.0%} of the op time of a CIFAR-10 CNN step "
        f"(batch {ACCELERATE_BATCH}); swapped for {provider} ({PROVIDER}): batch_norm "
        f"{op_builtin * 1e3:.1f} → {op_fast * 1e3:.1f} ms, the whole step {builtin * 1e3:.0f} → "
        f"{fast * 1e3:.0f} ms"))


@contextmanager
def _builtin_ops():
    yield


def _op_seconds(model, step, block=_builtin_ops) -> float:
    """The fastest of several profiled steps' time inside `batch_norm` (forward + backward)."""
    from tt_autograd.profiler import profile

    best = float("inf")
    for _ in range(ACCELERATE_REPEATS):
        with block(), profile() as prof:
            step()
        best = min(best, sum(r.cpu_time_total for r in prof.key_averages()
                             if r.key == "batch_norm"))
    return best


# ----- the milestone ---------------------------------------------------------------------------
def train(run: TrainingRun, epochs: int = EPOCHS, data_root=None,
          parts: tuple[str, ...] = ("profile", "quantize", "prune", "cache", "accelerate")) -> None:
    """Train the MLP (the run's model) and the CNN, then each systems part in `parts`."""
    from tt_milestones.milestones import cnn, mlp

    run.describe(batch_size=BATCH_SIZE, optimizer="Adam", lr=mlp.LR, parts=list(parts))
    train_x, train_y, test_x, test_y = shipped_digits()
    digits = (train_x.reshape(-1, 64), train_y, test_x.reshape(-1, 64), test_y)
    model = run.watch(mlp.build_model(), sample=tt.tensor(digits[2]))
    fit(run, model, digits, mlp.LR, epochs)
    run.check("MLP test accuracy", run.accuracy_history[-1], f"> {mlp.BAR:.0%}",
              run.accuracy_history[-1] > mlp.BAR, percent(run.accuracy_history[-1]))
    models = {"MLP": (model, digits)}
    if "quantize" in parts:
        side = TrainingRun(run.seed)
        images = tiny_digits()
        conv = side.watch(cnn.build_model())
        fit(side, conv, images, cnn.LR, epochs)
        models["CNN"] = (conv, images)
    if "profile" in parts:
        profile_step(run, run.seed)
    if "quantize" in parts:
        quantize(run, models)
    if "prune" in parts:
        prune_and_fine_tune(run, model, digits, mlp.LR)
    if "cache" in parts:
        kv_cache(run, run.seed)
    if "accelerate" in parts:
        accelerate(run, run.seed)


MILESTONE = Milestone(
    name="systems", year=2024, title="The Systems Age: profile, quantize, prune, cache, accelerate",
    story=__doc__.split("\n\n", 1)[1].strip(),
    model="the TinyDigits MLP and CNN, the Shakespeare GPT",
    about_data="TinyDigits and the Shakespeare plays shipped with tt (offline)",
    packages=("tt-nn", "tt-vision", "tt-text"),
    needs={"layers": ("Sequential", "Linear", "ReLU", "Conv2d", "MaxPool2d", "Flatten",
                      "BatchNorm2d", "CrossEntropyLoss", "GPT"),
           "optimizers": ("Adam",), "datasets": ("TinyDigits", "Shakespeare")},
    bar="per-op times = the step ± 20%; int8 4× smaller within 1 point; 50% pruned within "
        "1 point; KV cache same tokens ≥ 5× faster; a swapped-in op the same and faster",
    budget="about a minute on a 2-core CPU",
    train=train)
