"""`--plot DIR`: loss and accuracy curves as PNG, and the transformer's attention heatmap.

matplotlib is optional (`pip install "tt-milestones[plot]"`); it is imported only here,
only when plots are asked for.
"""

from __future__ import annotations

from pathlib import Path

from tt_milestones.result import Result

MISSING = ("--plot needs matplotlib, which is not installed: "
           'pip install "tt-milestones[plot]"  (or pip install matplotlib)')


def available() -> bool:
    """True if matplotlib imports (checked before training, not after)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def save_plots(result: Result, folder: Path) -> list[Path]:
    """Write `<name>_seed<seed>_curves.png` (and `_attention.png` if any); return the paths."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{result.name}_seed{result.seed}"
    written = []
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5))
    epochs = range(1, len(result.loss_history) + 1)
    ax_loss.plot(epochs, result.loss_history)
    ax_loss.set(title=f"{result.name}: training loss", xlabel="epoch", ylabel="loss")
    ax_acc.plot(range(1, len(result.accuracy_history) + 1), result.accuracy_history)
    ax_acc.set(title=f"{result.name}: accuracy", xlabel="epoch", ylabel="accuracy",
               ylim=(0, 1.02))
    fig.tight_layout()
    written.append(folder / f"{stem}_curves.png")
    fig.savefig(written[-1], dpi=100)
    plt.close(fig)
    attention = result.extras.get("attention")
    if attention is not None:
        fig, ax = plt.subplots(figsize=(4, 3.5))
        image = ax.imshow(attention, vmin=0, vmax=1, cmap="viridis")
        ax.set(title="mean attention weight", xlabel="key position", ylabel="query position")
        fig.colorbar(image, ax=ax)
        fig.tight_layout()
        written.append(folder / f"{stem}_attention.png")
        fig.savefig(written[-1], dpi=100)
        plt.close(fig)
    return written
