"""Regenerate the results the docs show, by actually running tt.

    hatch run docs:figures                          # everything
    hatch run docs:figures -- --only perceptron xor # some milestones (and the registry)

Writes into docs/generated/ (commit the outputs; pages include them, so a stale or
missing file shows up in review, and a missing one fails `mkdocs build --strict`):

- `registry.md`: what each installed package registers, read from the live registry;
- `<milestone>-setup.md`: the model, data, bar and training settings of that run;
- `<milestone>-checks.md`: the verification table of `tt_milestones.run(name, seed=0)`
  and what one training step costs;
- `<milestone>-loss.png`: its loss (and accuracy) per epoch, from the run's histories;
- `<milestone>-attention.png`: for a milestone that reports its attention weights
  (`result.extras["attention"]`, the transformer), the mean attention map.

Nothing here is drawn or typed by hand: the numbers are the run's numbers.
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "generated"
MILESTONES = ("perceptron", "xor", "mlp", "cnn", "transformer", "shakespeare", "systems",
              "fashion-mnist")
# A figure name that is not a milestone's: which milestone it runs, with which options.
VARIANTS = {"fashion-mnist": ("mnist", {"dataset": "fashion-mnist"})}
SEED = 0


def registry_table() -> str:
    """A markdown table: one row per (package, kind) with the names it registers."""
    from tt_tensor import plugins

    rows: dict[tuple[str, str], list[str]] = {}
    for entry in plugins.listing():
        rows.setdefault((entry.provider, entry.kind), []).append(f"`{entry.name}`")
    lines = ["| Package | Kind | Registered names |", "|---|---|---|"]
    for (provider, kind), names in sorted(rows.items()):
        lines.append(f"| {provider} | {kind} | {', '.join(names)} |")
    return "\n".join(lines) + "\n"


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def setup_table(milestone, result) -> str:
    """What was trained, on what, against which bar, and how (from the milestone and the run)."""
    needs = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in milestone.needs.items())
    training = ", ".join(f"{key} {_fmt(value)}" for key, value in result.config.items())
    data = getattr(milestone, "about_data", "") or milestone.data
    rows = [("Model", f"`{milestone.model}`"), ("Data", data), ("Bar", milestone.bar),
            ("Packages", ", ".join(milestone.packages)), ("Registered names used", needs),
            ("Training", training)]
    lines = ["| What | This run |", "|---|---|"] + [f"| {key} | {value} |" for key, value in rows]
    return "\n".join(lines) + "\n"


def checks_table(result) -> str:
    """The verification table of one run, then what one training step costs.

    Times are left out on purpose: they depend on the machine, while everything here is
    reproducible from the seed (tests/docs compare a committed table with a fresh run).
    """
    lines = ["| Check | Measured | Required | Result |", "|---|---|---|---|"]
    for check in result.checks:
        status = "pass" if check.passed else "**FAIL**"
        lines.append(f"| {check.name} | {check.shown or _fmt(check.value)} | {check.bar} | {status} |")
    verdict = "**passed**" if result.passed else "**failed**"
    lines += ["", f"Overall: {verdict}, seed {SEED}."]
    for line in result.diagnosis:
        lines.append(f"\n- Diagnosis: {line}")
    s = result.systems
    lines += ["", "What one training step costs, counted by the ops as they ran "
              f"(batch of {s.batch_size}):", "",
              "| Parameters | Parameter memory | Forward FLOPs | Step FLOPs (backward counted) "
              "| Activation memory | Ops per forward |", "|---|---|---|---|---|---|",
              f"| {s.parameters:,} | {_bytes(s.parameter_bytes)} | {s.forward_flops:,} "
              f"| {s.step_flops:,} | {_bytes(s.activation_bytes)} | {s.ops_per_step:,} |"]
    if result.extras.get("fair_comparison"):
        lines += ["", "The fair comparison: the same images, batches, epochs and updates "
                  "(each model with its own learning rate):", "",
                  "| Model | Parameters | Batch | Epochs | Updates | Loss, first → last epoch "
                  "| Loss decrease | Test accuracy |", "|---|---|---|---|---|---|---|---|"]
        lines += [f"| {r['model']} | {r['parameters']:,} | {r['batch_size']} | {r['epochs']} "
                  f"| {r['updates']} | {r['first_loss']:.3f} → {r['last_loss']:.4f} "
                  f"| {r['loss_decrease']:.1%} | {r['accuracy']:.1%} |"
                  for r in result.extras["fair_comparison"]]
    return "\n".join(lines) + "\n"


def _pyplot():
    """matplotlib's pyplot, drawing to files only (no display needed); imported when used."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def loss_curve(result, name: str, path: Path) -> None:
    """Plot loss (and accuracy, if recorded) per epoch; save a PNG with no timestamps in it."""
    plt = _pyplot()
    history = list(result.loss_history)
    epochs = range(1, len(history) + 1)
    panels = 2 if result.accuracy_history else 1
    fig, axes = plt.subplots(1, panels, figsize=(4.2 * panels + 1, 3.4), dpi=110, squeeze=False)
    ax = axes[0][0]
    ax.plot(epochs, history, color="#3949ab", linewidth=1.6)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    if min(history) > 0 and max(history) / min(history) > 50:
        ax.set_yscale("log")  # a loss that falls by orders of magnitude reads better on a log axis
    ax.grid(True, alpha=0.3)
    if panels == 2:
        ax = axes[0][1]
        ax.plot(range(1, len(result.accuracy_history) + 1), result.accuracy_history,
                color="#2e7d32", linewidth=1.6)
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(True, alpha=0.3)
    fig.suptitle(f"{name} (seed {SEED}): {'passed' if result.passed else 'FAILED'}")
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})  # no version string: stable bytes
    plt.close(fig)


def attention_map(result, name: str, path: Path) -> None:
    """Heat map of the mean attention weights (query position × key position) of a run."""
    plt = _pyplot()
    weights = result.extras["attention"]
    size = len(weights)
    fig, ax = plt.subplots(figsize=(3.8, 3.3), dpi=110)
    image = ax.imshow(weights, cmap="Blues", vmin=0, vmax=1)
    for i in range(size):
        for j in range(size):
            ax.text(j, i, f"{weights[i][j]:.2f}", ha="center", va="center",
                    color="white" if weights[i][j] > 0.6 else "black", fontsize=9)
    ax.set_xticks(range(size))
    ax.set_yticks(range(size))
    ax.set_xlabel("key position (attended to)")
    ax.set_ylabel("query position")
    ax.set_title(f"{name}: mean attention (seed {SEED})", fontsize=10)
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def make_milestone(name: str) -> None:
    import tt_milestones

    milestone, options = VARIANTS.get(name, (name, {}))
    result = tt_milestones.run(milestone, seed=SEED, **options)
    (OUT / f"{name}-setup.md").write_text(setup_table(tt_milestones.get(milestone), result),
                                          encoding="utf-8")
    if result.extras.get("printout"):  # what the run prints under its table (a sample, a profile)
        blocks = [f"**{title}**\n\n```text\n{text}\n```\n"
                  for title, text in result.extras["printout"]]
        (OUT / f"{name}-printout.md").write_text("\n".join(blocks), encoding="utf-8")
    (OUT / f"{name}-checks.md").write_text(checks_table(result), encoding="utf-8")
    loss_curve(result, name, OUT / f"{name}-loss.png")
    if "attention" in result.extras:
        attention_map(result, name, OUT / f"{name}-attention.png")
    print(f"{name:<12} {'passed' if result.passed else 'FAILED'} in {result.seconds:.1f} s "
          f"on {platform.machine()} ({len(result.loss_history)} epochs)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate docs/generated/ by running tt.")
    parser.add_argument("--only", nargs="+", choices=MILESTONES, default=list(MILESTONES),
                        help="milestones to run (default: all five)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "registry.md").write_text(registry_table(), encoding="utf-8")
    print(f"registry     {OUT / 'registry.md'}")
    for name in args.only:
        make_milestone(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
