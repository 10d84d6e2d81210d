"""The `tt-milestones` command: list the milestones, run them, show why they pass or fail.

    tt-milestones list
    tt-milestones run perceptron xor          tt-milestones run --all --seeds 5
    tt-milestones run cnn --use Conv2d=my-conv --json out.json --plot plots/

Exit status: 0 every run passed, 1 a verification failed, 2 a usage error or a milestone
whose packages are missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

OK, FAILED, USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    """The `list` and `run` subcommands and their options."""
    p = argparse.ArgumentParser(prog="tt-milestones",
                                description="Train tt's historical milestones and verify "
                                            "that they really learn.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every milestone, its year, and whether it is ready")
    run = sub.add_parser("run", help="train milestones and verify them")
    run.add_argument("names", nargs="*", metavar="NAME", help="milestones to run")
    run.add_argument("--all", action="store_true", help="run every ready milestone")
    run.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    run.add_argument("--seeds", type=int, default=1, metavar="K",
                     help="run K seeds (seed, seed+1, ...) and report the pass rate")
    run.add_argument("--json", type=Path, metavar="PATH", help="write every Result as JSON")
    run.add_argument("--plot", type=Path, metavar="DIR",
                     help="write loss/accuracy curves (and attention maps) as PNG")
    run.add_argument("--quiet", action="store_true", help="only one line per milestone")
    run.add_argument("--use", action="append", default=[], metavar="NAME=PROVIDER",
                     help="take NAME (a layer, op, ...) from PROVIDER's plugin")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command with `argv` (default: the process's arguments); returns the exit status."""
    args = parser().parse_args(argv)
    from rich.console import Console

    console = Console()
    if args.command == "list":
        return list_milestones(console)
    return run_milestones(args, console)


def list_milestones(console) -> int:
    """`tt-milestones list`: the table of every registered milestone."""
    from tt_tensor import plugins

    from tt_milestones.report import milestone_list
    from tt_milestones.runner import registered

    providers = {e.name: e.provider for e in plugins.listing("milestones")}
    console.print(milestone_list((m, m.status(), providers.get(m.name, "")) for m in registered()))
    return OK


def usage_error(console, message: str) -> int:
    """Print `message` as the command's error and return the usage exit status."""
    console.print(f"[bold red]tt-milestones:[/] {message}", soft_wrap=True)
    return USAGE


def run_milestones(args, console) -> int:
    """`tt-milestones run`: apply the --use choices, train, report, write JSON and plots."""
    from tt_tensor import plugins

    from tt_milestones import plot
    from tt_milestones.runner import MilestoneError, get, registered

    if args.seeds < 1:
        return usage_error(console, f"--seeds must be at least 1, got {args.seeds}")
    if args.all == bool(args.names):
        return usage_error(console, "give milestone names or --all (not both)")
    if args.plot is not None and not plot.available():
        return usage_error(console, plot.MISSING)
    for choice in args.use:
        name, _, provider = choice.partition("=")
        if not name or not provider:
            return usage_error(console, f"--use expects NAME=PROVIDER, got {choice!r}")
        try:
            plugins.use(name, provider)
        except plugins.RegistryError as error:
            return usage_error(console, str(error))
    try:
        chosen = registered() if args.all else [get(n) for n in args.names]
    except MilestoneError as error:
        return usage_error(console, str(error))

    locked = []
    ready = []
    for milestone in chosen:
        status = milestone.status()
        if status.ready:
            ready.append(milestone)
        else:
            locked.append(milestone)
            console.print(f"[yellow]locked:[/] {status.hint}", soft_wrap=True)

    results = {m.name: train_all(m, args, console) for m in ready}
    show(results, args, console)
    if args.json is not None:
        everything = [r.to_dict() for runs in results.values() for r in runs]
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(everything, indent=2))
        console.print(f"wrote {args.json}")
    if args.plot is not None:
        for runs in results.values():
            for path in plot.save_plots(runs[0], args.plot):
                console.print(f"wrote {path}")
    if locked and not args.all:
        return USAGE  # asked for by name, but it cannot run here
    return OK if all(r.passed for runs in results.values() for r in runs) else FAILED


def train_all(milestone, args, console) -> list:
    """Run one milestone for every requested seed, with a progress bar per epoch."""
    from tt_milestones.runner import run

    seeds = range(args.seed, args.seed + args.seeds)
    if args.quiet or not console.is_terminal:  # a bar only where someone watches it
        return [run(milestone.name, seed) for seed in seeds]
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[status]}"))
    results = []
    for seed in seeds:
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task(f"{milestone.year} {milestone.name} (seed {seed})",
                                     total=None, status="")

            def on_epoch(epoch, epochs, loss, accuracy):
                shown = f"loss {loss:.4f}" + ("" if accuracy is None else f"  acc {accuracy:.1%}")
                progress.update(task, completed=epoch, total=epochs, status=shown)

            results.append(run(milestone.name, seed, progress=on_epoch))
    return results


def show(results: dict, args, console) -> None:
    """The verification tables (or pass rates), diagnoses and the side-by-side view."""
    from tt_milestones import report

    firsts = [runs[0] for runs in results.values()]
    if args.quiet:
        for runs in results.values():
            for r in runs:
                verdict = "passed" if r.passed else "FAILED: " + ", ".join(
                    c.name for c in r.failed_checks)
                console.print(f"{r.name} seed {r.seed}: {verdict} (accuracy {r.accuracy:.1%}, "
                              f"{r.seconds:.2f} s)", highlight=False)
    else:
        for runs in results.values():
            shown = next((r for r in runs if not r.passed), runs[0])  # a failure if any
            console.print(report.verification(shown))
            console.print(report.systems_line(shown), highlight=False)
            report.print_diagnosis(console, shown)
        if len(firsts) > 1:
            console.print(report.comparison(firsts))
    if args.seeds > 1:
        console.print(report.pass_rates(results))


if __name__ == "__main__":
    sys.exit(main())
