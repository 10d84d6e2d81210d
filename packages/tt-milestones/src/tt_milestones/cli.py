"""The `tt-milestones` command: run the milestones, build and check your own pieces.

    tt-milestones list                                  every milestone: ready, or what unlocks it
    tt-milestones run perceptron xor                    train, verify, explain
    tt-milestones run --all --seeds 5 --json out.json --plot plots/
    tt-milestones new my-conv --op conv2d               a plugin package for your own conv2d
    tt-milestones check my-conv                         is it right? (gradcheck + the built-in)
    tt-milestones run cnn --use conv2d=my-conv          train with it (checked first)
    tt-milestones status                                what passed on this machine, with whose pieces
    tt-milestones download mnist                        fetch a milestone's data

Every argument and output path is checked before anything trains. Results print as each
milestone finishes; errors go to stderr as one line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130
PROG = "tt-milestones"

EXIT_CODES = """exit status:
  0    every milestone run passed (check: every op matched)
  1    a verification failed, or an op of a --use provider failed its check (training refused)
  2    usage error: a bad argument or path, an unknown name, a locked milestone named on the
       command line, or a name two providers offer with none chosen (the message says the fix)
  130  interrupted (Ctrl-C); finished results are kept and --json is written for them
"""


class UsageError(Exception):
    """A problem with the command line, found before anything trains; exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (and exit status 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{PROG}: {message} (see {self.prog} --help)\n")
        sys.exit(USAGE)


def _int_at_least(low: int, high: int | None = None):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {bound}, got {value}")
        return value
    parse.__name__ = "number"
    return parse


SEED_LIMIT = 2**32 - 1  # NumPy's seeds are 32-bit


def version_text() -> str:
    """`tt-milestones 0.1.0 (tt-tensor 0.1.0, tt-nn 0.1.0, ...)`: what is installed."""
    from importlib import metadata

    from tt_milestones import __version__
    from tt_milestones.check import TT_DISTRIBUTIONS

    found = []
    for name in TT_DISTRIBUTIONS:
        if name == "tt-milestones":
            continue
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return f"{PROG} {__version__}" + (f" ({', '.join(found)})" if found else "")


def parser() -> argparse.ArgumentParser:
    """The subcommands and their options."""
    formatter = argparse.RawDescriptionHelpFormatter
    p = _Parser(prog=PROG, formatter_class=formatter, epilog=EXIT_CODES,
                description="Train tt's historical milestones and verify that they really "
                            "learn; build your own pieces of tt and check them.")
    p.add_argument("--version", action="version", version=version_text())
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser,
                           metavar="COMMAND")

    listing = sub.add_parser("list", help="every milestone, its year, its data, ready or locked",
                             formatter_class=formatter, epilog=EXIT_CODES)
    listing.add_argument("--data", type=Path, metavar="DIR",
                         help="look for the milestones' data in DIR")

    run = sub.add_parser("run", help="train milestones and verify them",
                         formatter_class=formatter, epilog=EXIT_CODES)
    run.add_argument("names", nargs="*", metavar="NAME", help="milestones to run")
    run.add_argument("--all", action="store_true", help="run every ready milestone")
    run.add_argument("--seed", type=_int_at_least(0, SEED_LIMIT), default=0,
                     help="first seed (default 0)")
    run.add_argument("--seeds", type=_int_at_least(1, 1000), default=1, metavar="K",
                     help="run K seeds (seed, seed+1, ...) and report the pass rate")
    run.add_argument("--json", type=Path, metavar="PATH", help="write every Result as JSON")
    run.add_argument("--plot", type=Path, metavar="DIR",
                     help="write loss/accuracy curves (and attention maps) as PNG")
    run.add_argument("--quiet", action="store_true", help="only one line per milestone")
    run.add_argument("--use", action="append", default=[], metavar="NAME=PROVIDER",
                     help="take NAME (a layer, op, ...) from PROVIDER's plugin, in every kind "
                          "it provides it in, and the lower-case op it brings along "
                          "(Conv2d=my-conv also takes the op conv2d from my-conv); its ops "
                          "are checked before training")
    run.add_argument("--no-check", action="store_true",
                     help="train with the --use providers' ops even if their check fails")
    run.add_argument("--data", type=Path, metavar="DIR",
                     help="use the data files in DIR (nothing is ever downloaded by run)")
    run.add_argument("--dataset", metavar="NAME",
                     help="train on another data set where a milestone offers one "
                          "(e.g. mnist --dataset fashion-mnist)")

    check = sub.add_parser("check", help="check every op a plugin registers: gradcheck and "
                                         "comparison with the built-in op",
                           formatter_class=formatter, epilog=EXIT_CODES)
    check.add_argument("provider", metavar="PROVIDER", help="the plugin's provider name")
    check.add_argument("--all-mismatches", action="store_true",
                       help="show every mismatch, not the first few per op")

    new = sub.add_parser("new", help="scaffold a plugin package for your own op or layer",
                         formatter_class=formatter, epilog=EXIT_CODES)
    new.add_argument("name", metavar="NAME", help="the package (and provider) name, e.g. my-conv")
    new.add_argument("--op", metavar="OP", help="the op to write yourself, e.g. conv2d")
    new.add_argument("--layer", metavar="LAYER",
                     help="a layer to write too, e.g. Linear (brings its op along)")
    new.add_argument("--dir", type=Path, default=Path("."), metavar="DIR",
                     help="create the package folder inside DIR (default: here)")

    status = sub.add_parser("status", help="which milestones passed on this machine, and with "
                                           "whose pieces", formatter_class=formatter,
                            epilog=EXIT_CODES)
    status.add_argument("--reset", action="store_true", help="forget every recorded run")

    download = sub.add_parser("download", help="fetch the data a milestone needs",
                              formatter_class=formatter, epilog=EXIT_CODES)
    download.add_argument("names", nargs="*", metavar="NAME",
                          help="data or milestone names (e.g. mnist, cifar10)")
    download.add_argument("--all", action="store_true", help="every milestone's data")
    download.add_argument("--data", type=Path, metavar="DIR",
                          help="download into DIR (default: the cache, $TT_DATA or ~/.cache/tt)")
    return p


# ----- output ------------------------------------------------------------------------------
class Output:
    """stdout (rich, for tables) and stderr (plain lines); every print is flushed at once."""

    def __init__(self) -> None:
        from rich.console import Console

        self.out = Console(highlight=False)
        self.err = Console(stderr=True, highlight=False)

    @property
    def is_terminal(self) -> bool:
        return self.out.is_terminal

    def print(self, *objects: Any, **kwargs: Any) -> None:
        self.out.print(*objects, **kwargs)
        self.out.file.flush()

    def line(self, text: str) -> None:
        """A plain line on stdout: no markup, never wrapped (hints must copy as one line)."""
        self.out.print(text, markup=False, soft_wrap=True, highlight=False)
        self.out.file.flush()

    def error(self, text: str) -> None:
        """One line on stderr."""
        self.err.print(f"{PROG}: {text}", markup=False, soft_wrap=True, highlight=False)
        self.err.file.flush()


def main(argv: list[str] | None = None) -> int:
    """Run the command with `argv` (default: the process's arguments); returns the exit status."""
    args = parser().parse_args(argv)
    output = Output()
    try:
        command = {"list": list_milestones, "run": run_milestones, "check": check_command,
                   "new": new_command, "status": status_command,
                   "download": download_command}[args.command]
        return command(args, output)
    except UsageError as error:
        output.error(str(error))
        return USAGE
    except LookupError as error:  # tt_tensor.plugins.RegistryError: a plugin that breaks
        from tt_tensor.plugins import RegistryError

        if not isinstance(error, RegistryError):
            raise
        output.error(_cli_form(" ".join(str(error).split())))
        return USAGE
    except KeyboardInterrupt:
        output.error("interrupted")
        return INTERRUPTED


# ----- hints -------------------------------------------------------------------------------
_PIP = re.compile(r"pip install ((?:tt[\w-]*)(?: tt[\w-]*)*)")


_USE = re.compile(r"--use ([\w.-]+)=PROVIDER")


def concrete_use(hint: str) -> str:
    """`--use Conv2d=PROVIDER` -> `--use Conv2d=tt-my-conv or --use Conv2d=tt-vision`."""
    from tt_tensor import plugins

    def fill(match: re.Match) -> str:
        name = match.group(1)
        try:
            registry = plugins.registry()
            providers = list(dict.fromkeys(p for kind in plugins.KINDS
                                           for p in registry.providers(kind, name)))
        except Exception:
            return match.group(0)
        if len(providers) < 2:
            return match.group(0)
        return " or ".join(f"--use {name}={p}" for p in providers)

    return _USE.sub(fill, hint)


def clone_hint(hint: str) -> str:
    """Add the clone form to every `pip install tt-...` in a hint when tt runs from a clone
    (and name the providers where a hint says `--use NAME=PROVIDER`)."""
    if "=PROVIDER" in hint:
        hint = concrete_use(hint)
    if "from a clone" in hint:
        return hint
    try:
        from tt_tensor.plugins import from_clone
    except ImportError:  # an older tt-tensor
        return hint
    if not from_clone():
        return hint

    def add(match: re.Match) -> str:
        names = match.group(1).split()
        return (f"{match.group(0)} (from a clone: pip install "
                f"{' '.join(f'-e packages/{n}' for n in names)})")

    return _PIP.sub(add, hint)


# ----- list --------------------------------------------------------------------------------
def _data_column(milestone, data_root) -> str:
    needs = milestone.all_data() if hasattr(milestone, "all_data") else ()
    if not needs:
        return "shipped"
    shown = []
    for need in needs:
        try:
            ok = need.available(data_root)
        except OSError:
            ok = False
        shown.append(f"{need.name} {'✓' if ok else 'missing'}")
    return ", ".join(shown)


def list_milestones(args, output: Output) -> int:
    """`tt-milestones list`: one line per milestone, the unlock command at the end of its line.

    Plain aligned lines rather than a table: a table wraps a long hint inside its cell,
    and a hint is only useful if it copies as one line.
    """
    from rich.markup import escape
    from tt_tensor import plugins

    from tt_milestones.runner import registered

    data_root = _data_dir(args.data) if args.data is not None else None
    providers = {e.name: e.provider for e in plugins.listing("milestones")}
    rows = []
    for milestone in registered():
        status = _status(milestone, data_root)
        provider = providers.get(milestone.name, "")
        name = milestone.name if provider == "tt-milestones" else f"{milestone.name} ({provider})"
        rows.append((str(milestone.year), name, "ready" if status.ready else "locked",
                     _data_column(milestone, data_root), milestone.model,
                     "" if status.ready else clone_hint(status.hint)))
    header = ("year", "name", "status", "data", "model")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    output.line("  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  model")
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row[:4], widths)]
        colour = "green" if row[2] == "ready" else "yellow"
        cells[2] = f"[{colour}]{escape(cells[2])}[/]"
        line = "  ".join([escape(cells[0]), escape(cells[1]), cells[2], escape(cells[3]),
                          escape(row[4])])
        if row[5]:
            line += f"  — to unlock: {escape(row[5])}"
        output.print(line, soft_wrap=True)
    return OK


def _status(milestone, data_root=None, **options):
    try:
        return milestone.status(data_root, **options)
    except TypeError:  # a status() without data arguments
        return milestone.status()


# ----- validation --------------------------------------------------------------------------
def _first_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _writable_file(option: str, path: Path) -> None:
    if path.exists() and path.is_dir():
        raise UsageError(f"{option} {path}: is a folder; give a file name (e.g. {path}/out.json)")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{option} {path}: the file is not writable")
    base = _first_existing(path.parent)
    if not base.is_dir():
        raise UsageError(f"{option} {path}: cannot be created, {base} is not a folder")
    if not os.access(base, os.W_OK):
        raise UsageError(f"{option} {path}: cannot be created, {base} is not writable")


def _writable_dir(option: str, path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option} {path}: is a file, not a folder")
    base = _first_existing(path)
    if not base.is_dir():
        raise UsageError(f"{option} {path}: cannot be created, {base} is not a folder")
    if not os.access(base, os.W_OK):
        raise UsageError(f"{option} {path}: cannot be written, {base} is not writable")


def _data_dir(path: Path) -> Path:
    if not path.exists():
        raise UsageError(f"--data {path}: no such folder")
    if not path.is_dir():
        raise UsageError(f"--data {path}: is a file, not a folder")
    return path


def _check_run_args(args) -> None:
    from tt_milestones import plot

    if args.all == bool(args.names):
        raise UsageError("give milestone names or --all (not both)")
    if args.seed + args.seeds - 1 > SEED_LIMIT:
        raise UsageError(f"--seed {args.seed} with --seeds {args.seeds} goes past the largest "
                         f"seed, {SEED_LIMIT}")
    if args.json is not None:
        _writable_file("--json", args.json)
    if args.plot is not None:
        _writable_dir("--plot", args.plot)
        if not plot.available():
            raise UsageError(plot.MISSING)
    if args.data is not None:
        _data_dir(args.data)
    for choice in args.use:
        name, _, provider = choice.partition("=")
        if not name or not provider:
            raise UsageError(f"--use expects NAME=PROVIDER, got {choice!r}")


# ----- --use -------------------------------------------------------------------------------
def apply_choices(uses: list[str]) -> dict[str, str]:
    """Apply each `--use NAME=PROVIDER`; returns `{"kind:name": provider}` of every choice made.

    NAME is chosen in every kind PROVIDER registers it in; if PROVIDER also registers the
    lower-case op (or function) of that name — `Conv2d` brings `conv2d` — that is chosen too,
    so a learner's layer and the op it calls come as a pair.
    """
    from tt_tensor import plugins

    chosen: dict[str, str] = {}
    registry = plugins.registry()
    for choice in uses:
        name, _, provider = choice.partition("=")
        try:
            plugins.use(name, provider)
        except plugins.RegistryError as error:
            raise UsageError(f"--use {choice}: {error}") from None
        registry = plugins.registry()
        names = [name]
        lower = name.lower()
        if lower != name and any(provider in registry.providers(k, lower)
                                 for k in ("ops", "functions") if k in plugins.KINDS):
            plugins.use(lower, provider)
            registry = plugins.registry()
            names.append(lower)
        for n in names:
            for kind in plugins.KINDS:
                if provider in registry.providers(kind, n):
                    chosen[f"{kind}:{n}"] = provider
    return chosen


def ambiguous_ops(milestones: list) -> list[str]:
    """Ops two providers register with none chosen, that these milestones' packages use.

    Such an op would stop training at its first call; the message gives the `--use` fix.
    """
    from tt_tensor import plugins

    registry = plugins.registry()
    packages = {p for m in milestones for p in getattr(m, "packages", ())}
    problems = []
    for kind in ("ops", "functions"):
        if kind not in plugins.KINDS:
            continue
        for name in registry.names(kind):
            providers = registry.providers(kind, name)
            if len(providers) < 2:
                continue
            try:
                entry = registry.resolve(kind, name)
            except plugins.RegistryError:
                continue
            if isinstance(entry, plugins.Ambiguous) and packages & set(providers):
                yours_first = sorted(providers, key=lambda p: p in packages)
                fixes = " or ".join(f"--use {name}={p}" for p in yours_first)
                problems.append(f"{kind[:-1]} {name!r} is provided by both "
                                f"{' and '.join(map(repr, providers))} and none is chosen: "
                                f"add {fixes}")
    return list(dict.fromkeys(problems))


def check_providers(providers: list[str], output: Output) -> bool:
    """The automatic check before a `--use` run; True if every op of every provider passed."""
    from tt_milestones.check import check_provider, is_builtin

    ok = True
    for provider in providers:
        if is_builtin(provider):
            continue
        reports = check_provider(provider)
        if not reports:
            continue
        failed = [r for r in reports if not r.passed]
        if not failed:
            for report in reports:
                output.line(f"checked {report.summary()}")
            continue
        ok = False
        for report in failed:
            for line in _mismatch_lines(report, limit=3):
                output.error(line)
    return ok


def _mismatch_lines(report, limit: int | None) -> list[str]:
    """The first mismatch of each distinct (what, kind), with a count of the others."""
    if not report.mismatches:
        return [report.summary()]
    groups: dict[tuple[str, str, str], list] = {}
    for m in report.mismatches:
        groups.setdefault((m.what, m.kind, m.against), []).append(m)
    lines = []
    for found in groups.values():
        more = len(found) - 1
        lines.append(found[0].message() + (f" (and in {more} more example(s))" if more else ""))
    if limit is not None and len(lines) > limit:
        lines = lines[:limit] + [f"... and {len(lines) - limit} more kinds of mismatch: "
                                 f"tt-milestones check {report.provider} --all-mismatches"]
    return lines


# ----- run ---------------------------------------------------------------------------------
def run_milestones(args, output: Output) -> int:
    """`tt-milestones run`: validate everything, check --use ops, train, report as it goes."""
    from tt_tensor import plugins

    from tt_milestones import progress as learner_progress
    from tt_milestones.runner import MilestoneError, get, registered

    _check_run_args(args)
    chosen = apply_choices(args.use)
    try:
        milestones = registered() if args.all else [get(n) for n in dict.fromkeys(args.names)]
    except MilestoneError as error:
        raise UsageError(str(error)) from None
    options_of = {m.name: _options(m, args) for m in milestones}

    ready, locked = [], []
    for milestone in milestones:
        status = _status(milestone, args.data, **options_of[milestone.name])
        (ready if status.ready else locked).append((milestone, status))
    for milestone, status in locked:
        hint = f"locked: {clone_hint(status.hint)}"
        if args.all:
            output.line(hint)
        else:
            output.error(hint)
    if locked and not args.all:
        return USAGE  # asked for by name, but it cannot run here
    ready = [m for m, _ in ready]
    problems = ambiguous_ops(ready)
    if problems:
        for problem in problems:
            output.error(problem)
        return USAGE
    providers = list(dict.fromkeys(chosen.values()))
    if providers and not args.no_check and not check_providers(providers, output):
        output.error("refusing to train with an op that does not match its check (above); "
                     f"fix it and see every mismatch with `tt-milestones check "
                     f"{providers[0]}`, or add --no-check to train anyway")
        return FAILED

    results: dict[str, list] = {}
    interrupted = False
    try:
        for milestone in ready:
            runs: list = []
            results[milestone.name] = runs
            try:
                train_all(milestone, args, output, runs, options_of[milestone.name])
            except plugins.RegistryError as error:
                output.error(_cli_form(str(error)))
                return USAGE
            show_one(runs, args, output)
            message = learner_progress.record(runs[-1], learner_progress.providers_used(
                milestone, chosen))
            if message:
                output.error(message)
    except KeyboardInterrupt:
        interrupted = True
    finished = {name: runs for name, runs in results.items() if runs}
    if interrupted:
        done = sum(len(r) for r in finished.values())
        output.error(f"interrupted: stopped after {done} finished run(s)"
                     + (f"; writing them to {args.json}" if args.json and done else ""))
    else:
        show_summary(finished, args, output)
    if args.json is not None and (finished or not interrupted):
        everything = [r.to_dict() for runs in finished.values() for r in runs]
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(everything, indent=2, default=_plain))
        output.line(f"wrote {args.json}")
    if interrupted:
        return INTERRUPTED
    if args.plot is not None:
        from tt_milestones import plot

        for runs in finished.values():
            for path in plot.save_plots(runs[0], args.plot):
                output.line(f"wrote {path}")
    return OK if all(r.passed for runs in finished.values() for r in runs) else FAILED


def _plain(value: Any) -> Any:
    """JSON for what a milestone may keep in `extras`: NumPy arrays and scalars, paths."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _cli_form(message: str) -> str:
    """A registry error's Python fix, said as the command-line fix."""
    found = re.search(r"tt_tensor\.plugins\.use\('([^']+)', '([^']+)'\)", message)
    if found:
        name, provider = found.groups()
        message = message[:found.start()] + f"--use {name}={provider}" + message[found.end():]
    return message


def _options(milestone, args) -> dict:
    """The training options for one milestone from the command line (`--dataset`)."""
    if args.dataset is None:
        return {}
    variants = getattr(milestone, "variants", {}) or {}
    if args.dataset in variants:
        return {"dataset": args.dataset}
    if args.all:
        return {}
    offered = ", ".join(sorted(variants)) or "none"
    raise UsageError(f"--dataset {args.dataset}: {milestone.name} offers no such data set "
                     f"(offered: {offered})")


def train_all(milestone, args, output: Output, results: list, options: dict) -> None:
    """Run one milestone for every requested seed, appending each Result as it finishes."""
    from tt_milestones.runner import run

    seeds = range(args.seed, args.seed + args.seeds)
    data = {"data_root": args.data} if args.data is not None else {}
    if args.quiet or not output.is_terminal:
        for seed in seeds:
            results.append(run(milestone.name, seed, progress=None if args.quiet else
                               _plain_progress(milestone, seed, output), **data, **options))
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[status]}"))
    for seed in seeds:
        with Progress(*columns, console=output.out, transient=True) as bar:
            task = bar.add_task(f"{milestone.year} {milestone.name} (seed {seed})",
                                total=None, status="")

            def on_epoch(epoch, epochs, loss, accuracy):
                shown = f"loss {loss:.4f}" + ("" if accuracy is None else f"  acc {accuracy:.1%}")
                bar.update(task, completed=epoch, total=epochs, status=shown)

            results.append(run(milestone.name, seed, progress=on_epoch, **data, **options))


PLAIN_EVERY = 5.0  # seconds between plain progress lines when nobody watches a bar


def _plain_progress(milestone, seed: int, output: Output):
    """Progress as plain lines (piped output): the first epoch, then every few seconds."""
    last = [0.0]

    def on_epoch(epoch, epochs, loss, accuracy):
        now = time.monotonic()
        if epoch == 1 or now - last[0] >= PLAIN_EVERY:
            last[0] = now
            shown = "" if accuracy is None else f", accuracy {accuracy:.1%}"
            output.line(f"{milestone.name} seed {seed}: epoch {epoch}/{epochs}, "
                        f"loss {loss:.4f}{shown}")

    return on_epoch


def show_one(runs: list, args, output: Output) -> None:
    """One milestone's outcome, as soon as it finished: a line each, or the full table."""
    from tt_milestones import report

    if args.quiet:
        for r in runs:
            verdict = "passed" if r.passed else "FAILED: " + ", ".join(
                c.name for c in r.failed_checks)
            output.line(f"{r.name} seed {r.seed}: {verdict} (accuracy {r.accuracy:.1%}, "
                        f"{r.seconds:.2f} s)")
        return
    shown = next((r for r in runs if not r.passed), runs[0])  # a failure if any
    output.print(report.verification(shown))
    output.line(report.systems_line(shown))
    report.print_extras(output.out, shown)
    report.print_diagnosis(output.out, shown)
    output.out.file.flush()


def show_summary(results: dict, args, output: Output) -> None:
    """After every milestone: the side-by-side view and the pass rates."""
    from tt_milestones import report

    firsts = [runs[0] for runs in results.values()]
    if not args.quiet and len(firsts) > 1:
        output.print(report.comparison(firsts))
    if args.seeds > 1:
        output.print(report.pass_rates(results))


# ----- check -------------------------------------------------------------------------------
def _known_providers() -> list[str]:
    from tt_tensor import plugins

    names = {e.provider for e in plugins.listing()}
    try:
        names |= set(plugins.catalogue().plugins)
    except AttributeError:
        pass
    return sorted(names)


def check_command(args, output: Output) -> int:
    """`tt-milestones check PROVIDER`: every op it registers, gradchecked and compared."""
    from tt_milestones.check import check_provider

    known = _known_providers()
    if args.provider not in known:
        raise UsageError(f"check: no plugin named {args.provider!r} is installed (installed: "
                         f"{', '.join(known)}); install yours with pip install -e DIR")
    reports = check_provider(args.provider)
    if not reports:
        output.line(f"{args.provider} registers no ops: nothing to check")
        return OK
    ok = True
    for report in reports:
        output.line(report.summary())
        if not report.passed:
            ok = False
            for line in _mismatch_lines(report, None if args.all_mismatches else 3):
                output.line(f"  {line}")
        for note in report.notes[:3]:
            output.line(f"  note: {note}")
    if ok:
        output.line(f"all {len(reports)} op(s) of {args.provider} passed")
    return OK if ok else FAILED


# ----- new ---------------------------------------------------------------------------------
def new_command(args, output: Output) -> int:
    """`tt-milestones new NAME --op OP [--layer LAYER]`: write the package, print how to install."""
    from tt_milestones.scaffold import ScaffoldError, scaffold

    if args.dir.exists() and not args.dir.is_dir():
        raise UsageError(f"--dir {args.dir}: is a file, not a folder")
    _writable_dir("--dir", args.dir)
    try:
        made = scaffold(args.name, op=args.op, layer=args.layer, parent=args.dir)
    except ScaffoldError as error:
        raise UsageError(str(error)) from None
    output.line(f"created {made.path}")
    for path in made.files:
        output.line(f"  {path.relative_to(made.path)}")
    where = Path(made.install_line.split(" -e ", 1)[1]) / "src" / made.module / (
        "ops.py" if made.op else "layers.py")
    use = f"{made.layer or made.op}={made.distribution}"
    output.line("next:")
    output.line(f"  {made.install_line}")
    output.line(f"  write forward and backward in {where} (the TODOs)")
    output.line(f"  tt-milestones check {made.distribution}")
    output.line(f"  tt-milestones run {_milestone_for(made)} --use {use}")
    return OK


def _milestone_for(made) -> str:
    return {"conv2d": "cnn", "max_pool2d": "cnn", "linear": "mlp"}.get(
        (made.op or made.layer or "").lower(), "--all")


# ----- status ------------------------------------------------------------------------------
def status_command(args, output: Output) -> int:
    """`tt-milestones status`: the learner's path — what passed last, with whose pieces."""
    from rich.markup import escape

    from tt_milestones import progress
    from tt_milestones.runner import registered

    if args.reset:
        progress.forget()
        output.line(f"forgot every recorded run ({progress.state_file()})")
        return OK
    runs = progress.load()
    rows, passed, upcoming = [], 0, None
    for milestone in registered():
        last = runs.get(milestone.name)
        state = _status(milestone)
        if last is None:
            verdict, when, accuracy, own = "—", "", "", ""
        else:
            verdict = "passed" if last.get("passed") else "FAILED"
            when, accuracy = last.get("when", ""), f"{last.get('accuracy', 0.0):.1%}"
            providers = last.get("providers", {})
            own = ", ".join(f"★ {key.split(':', 1)[-1]} ({providers.get(key, '?')})"
                            for key in last.get("own", []))
        if last is not None and last.get("passed"):
            passed += 1
        elif upcoming is None and state.ready:
            upcoming = milestone.name
        rows.append((str(milestone.year), milestone.name, verdict, when, accuracy,
                     "ready" if state.ready else "locked", own))
    header = ("year", "milestone", "last run", "when", "accuracy", "now", "your own pieces")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(6)]
    output.line("  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  " + header[6])
    colours = {"passed": "green", "FAILED": "bold red", "locked": "yellow"}
    for row in rows:
        cells = [escape(c.ljust(w)) for c, w in zip(row[:6], widths)]
        for i in (2, 5):
            if row[i] in colours:
                cells[i] = f"[{colours[row[i]]}]{cells[i]}[/]"
        output.print("  ".join(cells) + "  " + escape(row[6]), soft_wrap=True)
    total = len(registered())
    output.line(f"{passed} of {total} milestones passed" +
                (f"; next: tt-milestones run {upcoming}" if upcoming else "") +
                f"  (recorded in {progress.state_file()})")
    output.line("★ marks a piece from your own plugin (a provider that is not part of tt)")
    return OK


# ----- download ----------------------------------------------------------------------------
def download_command(args, output: Output) -> int:
    """`tt-milestones download NAME...|--all [--data DIR]`: fetch the data, never more."""
    from tt_milestones import milestone as milestone_module
    from tt_milestones.runner import registered

    if args.all == bool(args.names):
        raise UsageError("download: give data names (e.g. mnist) or --all (not both)")
    if args.data is not None:
        _writable_dir("--data", args.data)
    data_need = getattr(milestone_module, "data_need", None)
    if data_need is None:
        raise UsageError("download: this tt-milestones has no downloadable data")
    if args.all:
        needs = {}
        for m in registered():
            for need in m.all_data():
                needs.setdefault(need.name, need)
        needs = list(needs.values())
    else:
        needs = []
        for name in dict.fromkeys(args.names):
            try:
                needs.append(data_need(name))
            except LookupError as error:
                raise UsageError(f"download: {error.args[0] if error.args else error}") from None
    if not needs:
        output.line("no milestone needs data beyond what ships with tt")
        return OK
    failed = 0
    where = str(args.data) if args.data is not None else "the data cache ($TT_DATA or ~/.cache/tt)"
    for need in needs:
        if need.available(args.data):
            output.line(f"{need.name}: already present in {where}")
            continue
        output.line(f"{need.name}: downloading {need.title}" +
                    (f" ({need.size})" if need.size else ""))
        try:
            folder = need.download(args.data)
        except Exception as error:  # DownloadError names every URL tried
            failed += 1
            output.error(f"download {need.name} failed: {' '.join(str(error).split())}")
            continue
        output.line(f"{need.name}: ready in {folder}")
    return FAILED if failed else OK


if __name__ == "__main__":
    sys.exit(main())
