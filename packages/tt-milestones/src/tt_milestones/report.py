"""Rich tables for the command line: the verification table, the diagnosis, the comparison."""

from __future__ import annotations

from typing import Iterable

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tt_milestones.milestone import Milestone
from tt_milestones.result import Result


def mark(passed: bool) -> str:
    """A check's verdict, coloured: ✓ pass or ✗ FAIL."""
    return "[green]✓ pass[/]" if passed else "[bold red]✗ FAIL[/]"


def size(nbytes: float) -> str:
    """Bytes in B / KB / MB (powers of 1024)."""
    if nbytes < 1024:
        return f"{nbytes:.0f} B"
    for unit in ("KB", "MB"):
        nbytes /= 1024
        if nbytes < 1024:
            return f"{nbytes:.1f} {unit}"
    return f"{nbytes / 1024:.1f} GB"


def count(n: float) -> str:
    """A large count as 1.2 M, 35.0 k, ..."""
    for limit, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= limit:
            return f"{n / limit:.1f} {unit}"
    return f"{n:.0f}"


def milestone_list(entries: Iterable[tuple[Milestone, object, str]]) -> Table:
    """Every milestone, its year, ready or locked (with the install line), and its provider."""
    table = Table(title="tt milestones", title_justify="left")
    for column in ("year", "name", "model", "status"):
        table.add_column(column)
    for milestone, status, provider in entries:
        shown = "[green]ready[/]" if status.ready else f"[yellow]locked[/] — {escape(status.hint)}"
        name = milestone.name if provider == "tt-milestones" else f"{milestone.name} ({provider})"
        table.add_row(str(milestone.year), name, milestone.model, shown)
    return table


def verification(result: Result) -> Table:
    """The checks of one run, each with its value, its bar and the verdict."""
    verdict = "[green]passed[/]" if result.passed else "[bold red]FAILED[/]"
    table = Table(title=f"{result.year} {result.name} (seed {result.seed}) — {verdict} in "
                  f"{result.seconds:.2f} s", title_justify="left")
    for column in ("check", "value", "bar", ""):
        table.add_column(column)
    for check in result.checks:
        table.add_row(check.name, check.shown, check.bar, mark(check.passed))
    return table


def print_diagnosis(console: Console, result: Result) -> None:
    """For a failed run: which checks failed, then each finding of the diagnosis."""
    if result.passed:
        return
    failed = ", ".join(c.name for c in result.failed_checks)
    console.print(f"[bold red]{result.name} failed:[/] {failed}")
    for finding in result.diagnosis or ["nothing unusual was seen in the gradients or the "
                                        "loss curve: the model may need more epochs"]:
        console.print(f"  • {escape(finding)}", soft_wrap=True, highlight=False)


def comparison(results: list[Result]) -> Table:
    """The milestones side by side: training setup, outcome, and the systems view."""
    table = Table(title="side by side", title_justify="left")
    table.add_column("")
    for r in results:
        table.add_column(f"{r.name} ({r.year})", justify="right")
    rows = [
        ("batch", lambda r: str(r.config.get("batch_size", ""))),
        ("epochs", lambda r: str(r.config.get("epochs", ""))),
        ("updates", lambda r: str(r.config.get("updates", ""))),
        ("final accuracy", lambda r: f"{r.accuracy:.1%}"),
        ("loss decrease", lambda r: f"{r.loss_decrease:.1%}"),
        ("parameters", lambda r: f"{r.systems.parameters:,}"),
        ("parameter memory", lambda r: size(r.systems.parameter_bytes)),
        ("FLOPs / step (fwd+bwd)", lambda r: count(r.systems.step_flops)),
        ("ops / forward", lambda r: str(r.systems.ops_per_step)),
        ("activations kept for backward", lambda r: size(r.systems.activation_bytes)),
        ("peak memory (measured)", lambda r: size(getattr(r.systems, "peak_bytes", 0))),
        ("time / step", lambda r: f"{r.systems.seconds_per_step * 1e3:.2f} ms"),
        ("total time", lambda r: f"{r.seconds:.2f} s"),
        ("verdict", lambda r: mark(r.passed)),
    ]
    for label, cell in rows:
        table.add_row(label, *(cell(r) for r in results))
    return table


def systems_line(result: Result) -> str:
    """One line on what a training step of this run costs (parameters, FLOPs, memory, time)."""
    s = result.systems
    backward = getattr(s, "backward_flops", 0)
    split = (f"forward {count(s.forward_flops)}, backward {count(backward)} counted op by op"
             if backward else f"forward {count(s.forward_flops)}")
    peak = getattr(s, "peak_bytes", 0)
    return (f"systems: {s.parameters:,} parameters ({size(s.parameter_bytes)}), "
            f"{count(s.step_flops)} FLOPs per step at batch {s.batch_size} ({split}), "
            f"{size(s.activation_bytes)} of activations kept for backward"
            + (f", {size(peak)} peak memory (measured)" if peak else "")
            + f", {s.seconds_per_step * 1e3:.2f} ms per step")


def fair_comparison(result: Result) -> Table | None:
    """The CNN beside the MLP in the same setup (`extras["fair_comparison"]`), if the run has it."""
    rows = result.extras.get("fair_comparison")
    if not rows:
        return None
    table = Table(title="fair comparison (same batches and updates)",
                  title_justify="left")
    table.add_column("")
    for row in rows:
        table.add_column(escape(str(row.get("model", "?"))), justify="right")
    fields = [("parameters", lambda v: f"{v:,}"), ("batch_size", str), ("epochs", str),
              ("updates", str), ("lr", lambda v: f"{v:g}"), ("first_loss", lambda v: f"{v:.4f}"),
              ("last_loss", lambda v: f"{v:.4f}"), ("loss_decrease", lambda v: f"{v:.1%}"),
              ("accuracy", lambda v: f"{v:.1%}")]
    for key, shown in fields:
        if any(key in row for row in rows):
            table.add_row(key.replace("_", " "),
                          *(shown(row[key]) if key in row else "" for row in rows))
    return table


def print_extras(console: Console, result: Result) -> None:
    """What a milestone asks to be printed under its table (`extras["printout"]`), as-is."""
    for title, text in result.extras.get("printout", []) or []:
        console.print(f"[bold]{escape(str(title))}[/]")
        console.print(str(text), markup=False, highlight=False, soft_wrap=True)
    table = fair_comparison(result)
    if table is not None:
        console.print(table)


def pass_rates(rates: dict[str, list[Result]]) -> Table:
    """For `--seeds K`: how many seeds passed, which failed, and the accuracy range."""
    table = Table(title="pass rate over seeds", title_justify="left")
    for column in ("milestone", "passed", "failed seeds", "accuracy (min–max)", "mean time"):
        table.add_column(column)
    for name, results in rates.items():
        ok = sum(r.passed for r in results)
        accuracies = [r.accuracy for r in results]
        failed = ", ".join(str(r.seed) for r in results if not r.passed) or "—"
        colour = "green" if ok == len(results) else "red"
        table.add_row(name, f"[{colour}]{ok}/{len(results)} ({ok / len(results):.0%})[/]", failed,
                      f"{min(accuracies):.1%}–{max(accuracies):.1%}",
                      f"{sum(r.seconds for r in results) / len(results):.2f} s")
    return table
