"""The experiment commands of ``loyalsim``: replicate, compare, sweep, sensitivity.

Each mirrors the function of the same name in ``sim``; the output folder is the experiment's
folder (``sim.experiments.store``), so re-running an interrupted command with the same ``--out``
resumes it. Ctrl-C ends a command with one message (what is saved, and the command that resumes)
and exit code 130; a run file of the folder that cannot be read is named in a warning and run
again; a folder that cannot be written ends it with exit code 3, the runs saved before intact.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from sim.cli.terminal import literal
from sim.experiments.runner import ExperimentWriteError
from sim.experiments.store import DamagedRunWarning, saved_runs
from sim.report.text import (
    COMPARISON_COLUMNS,
    baseline_ruin_text,
    comparison_rows,
    design_notes,
    design_warnings,
    interval_text,
    runs_text,
    unresolved_ruin_notes,
)

VERDICT_STYLE = {
    "pays_back": "bold green",
    "marginal": "bold yellow",
    "destroys_value": "bold red",
    "ruin_risk_unresolved": "bold magenta",
    "would_bankrupt": "bold white on red",
}

EXPERIMENT_EXAMPLES = {
    "replicate": "  loyalsim replicate scenarios/coffee_shop.yaml --runs 30 --seed 1",
    "compare": (
        "  loyalsim compare scenarios/coffee_shop.yaml\n"
        "  loyalsim compare scenarios/coffee_shop.yaml --runs 30\n"
        "  loyalsim compare scenarios/supermarket_club_card.yaml --program 'club card'"
    ),
    "sweep": (
        "  loyalsim sweep scenarios/coffee_shop.yaml \\\n"
        "      --param market.reach_rate_per_year=0.3,0.6,0.9\n"
        "  loyalsim sweep scenarios/coffee_shop.yaml --design lhs --points 20 \\\n"
        "      --param product.quality_mean=0.6:0.85 --param business.touches_per_month=0:4"
    ),
    "sensitivity": (
        "  loyalsim sensitivity scenarios/coffee_shop.yaml --output profit --samples 16 \\\n"
        "      --param product.quality_mean=0.6:0.85 --param market.reach_rate_per_year=0.3:0.9"
    ),
}


def _integer_at_least(text: str, least: int, allowed: str) -> int:
    """An option's integer of at least ``least``, or argparse's usage error saying
    ``allowed``."""
    try:
        value = int(text)
    except ValueError:
        value = least - 1
    if value < least:
        raise argparse.ArgumentTypeError(f"must be {allowed} (got {text!r})")
    return value


def _precision(text: str) -> tuple[str, str]:
    """``--precision FIGURE=HALF_WIDTH``."""
    figure, sep, target = text.partition("=")
    if not sep or not figure.strip() or not target.strip():
        raise argparse.ArgumentTypeError(f"give FIGURE=HALF_WIDTH, e.g. profit=2% (got {text!r})")
    return figure.strip(), target.strip()


def _float_or_text(text: str) -> float | str:
    """A number where the text is one; otherwise the text, for the experiment to refuse by
    name."""
    try:
        return float(text)
    except ValueError:
        return text


def _runs_or_auto(text: str) -> int | str:
    """``--runs`` of a comparison: ``auto`` or an integer of at least 2."""
    if text == "auto":
        return text
    return _integer_at_least(text, 2, "auto or an integer of at least 2")


def _at_least_one(text: str) -> int:
    """An option's integer of at least 1, or argparse's usage error naming the option."""
    return _integer_at_least(text, 1, "an integer of at least 1")


def option_yaml(option: str, item: str, path: str, text: str) -> Any:
    """The value of an option's ``PATH=VALUE`` read as YAML, as a scenario file would be.

    Parameters
    ----------
    option
        The option, for the message: ``--set``, ``--param``.
    item
        The option's argument as given, for the message.
    path
        The field the value is for, for the message.
    text
        The value's text.

    Raises
    ------
    ScenarioError
        ``"--set market.size=[1: market.size: not valid YAML at line 1, column 3: ..."``: the
        text is not YAML, or is too deep or too large to read (see
        :func:`sim.scenario.yaml_source.load_yaml`).
    """
    from sim.scenario import ScenarioError
    from sim.scenario.yaml_source import YamlTextError, load_yaml

    try:
        return load_yaml(text)
    except YamlTextError as exc:
        raise ScenarioError([f"{option} {item}: {path}: {exc}"]) from None


def add_scenario_arguments(parser: argparse.ArgumentParser, seed: str, out: str) -> None:
    """The arguments of every command that simulates a scenario file: the file, ``--seed``,
    ``--out``, ``--set`` and ``--quiet``."""
    parser.add_argument("scenario", help="scenario YAML file")
    parser.add_argument("--seed", type=int, default=0, help=f"{seed} (default 0)")
    parser.add_argument("--out", default=None, help=out)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a field, e.g. --set market.size=50000 (repeatable; VALUE is YAML)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def add_experiment_parsers(sub: Any) -> None:
    """Add the four experiment sub-commands to the ``loyalsim`` parser."""
    helps = {
        "replicate": "run a scenario many times: intervals and quantile bands",
        "compare": "each program design against no program, paired: verdicts",
        "sweep": "run a scenario over a design of parameter values",
        "sensitivity": "global sensitivity of one output (Sobol' or Morris) and a tornado",
    }
    for name, text in helps.items():
        p = sub.add_parser(
            name,
            help=text,
            description=text,
            epilog="example:\n" + EXPERIMENT_EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_scenario_arguments(
            p, "experiment seed", f"experiment folder (default out/<scenario file>-{name})"
        )
        p.add_argument(
            "--executor",
            default="processes",
            help="serial, processes (default: every core) or a Dask scheduler address",
        )
        p.add_argument(
            "--workers", type=_at_least_one, default=None, help="local processes (default: cores)"
        )
        if name == "compare":
            p.add_argument(
                "--runs",
                type=_runs_or_auto,
                default="auto",
                help="paired replications per arm, or auto (default): batches until every "
                "verdict is settled or experiment.max_runs is reached",
            )
            p.add_argument(
                "--break-even",
                nargs="?",
                const=True,
                default=False,
                type=_at_least_one,
                metavar="RUNS",
                help="also find the response each design needs to pay back (visits, basket, "
                "churn, combined), with RUNS paired runs per response tried (default 10)",
            )
            p.add_argument(
                "--uncertainty",
                action="store_true",
                help="draw the scenario's uncertainty section once per paired run: verdicts "
                "weigh the doubt about customers' response as well as the simulation's noise",
            )
        elif name == "replicate":
            p.add_argument(
                "--runs",
                type=_at_least_one,
                default=None,
                help="replications (default experiment.runs)",
            )
            p.add_argument(
                "--precision",
                action="append",
                default=[],
                type=_precision,
                metavar="FIGURE=HALF_WIDTH",
                help="estimate a summary figure to a stated precision, in its units "
                "(profit=5000) or as a share of its mean (profit=2%%); the runs are then chosen "
                "until every such interval is that narrow (or experiment.max_runs); repeatable",
            )
        else:
            p.add_argument(
                "--runs", type=_at_least_one, default=1, help="replications per point (default 1)"
            )
            p.add_argument(
                "--param",
                action="append",
                default=[],
                required=True,
                metavar="PATH=VALUES",
                help="a parameter: PATH=v1,v2,v3 (grid) or PATH=low:high (lhs, random, "
                "sensitivity); repeatable",
            )
        if name == "compare":
            p.add_argument(
                "--program",
                action="append",
                default=None,
                metavar="NAME",
                help="compare only this design (repeatable; default: every design)",
            )
        if name == "sweep":
            p.add_argument("--design", default="grid", choices=["grid", "lhs", "random"])
            p.add_argument("--points", type=int, default=None, help="points of lhs or random")
            p.add_argument(
                "--output",
                action="append",
                default=None,
                help="summary figure to average per point (repeatable; default profit, "
                "lowest_cash, bankrupt, revenue, retention_rate)",
            )
        if name == "sensitivity":
            p.add_argument("--output", default="profit", help="summary figure (default profit)")
            p.add_argument("--method", default="sobol", choices=["sobol", "morris"])
            p.add_argument(
                "--samples",
                type=int,
                default=16,
                help="Sobol' base sample (runs: samples x (parameters + 2)) or Morris "
                "trajectories (default 16)",
            )


def parse_parameters(items: list[str], ranges: bool) -> dict[str, list[Any]]:
    """``PATH=v1,v2`` into values, or ``PATH=low:high`` into a range (values are YAML).

    Raises
    ------
    ValueError
        Naming the option as given: no ``=`` or no path, no range, or a value that is not YAML.
    """
    out: dict[str, list[Any]] = {}
    for item in items:
        path, _, text = (part.strip() for part in item.partition("="))
        if "=" not in item or not path:
            raise ValueError(f"--param {item}: expected PATH=VALUES")
        if ranges:
            if ":" not in text:
                raise ValueError(f"--param {item}: give a range as PATH=low:high")
            values = text.split(":", 1)
        else:
            values = text.split(",")
        out[path] = [option_yaml("--param", item, path, value) for value in values]
    return out


EXIT_INTERRUPTED = 130
"""Exit code after Ctrl-C: the shell's convention for a command ended by SIGINT (128 + 2)."""


def run_command(console: Console, scenario: Any, args: argparse.Namespace) -> None:
    """Run the experiment sub-command ``args.command`` and print and write its results.

    A run file of the folder that cannot be read is named in a warning (and run again). Ctrl-C
    prints how many replications are saved and where, and the command that resumes, then exits
    with :data:`EXIT_INTERRUPTED` (``SystemExit``), without a traceback. An
    :class:`~sim.experiments.runner.ExperimentWriteError` is raised again, saying the command
    that resumes (the caller reports it with its exit code for writes).
    """
    stem = Path(args.scenario).stem
    out = Path(args.out) if args.out else Path("out") / f"{stem}-{args.command}"
    try:
        with damaged_runs_shown(console):
            _run_and_write(console, scenario, args, out)
    except KeyboardInterrupt:
        console.print(interrupted_text(out, resume_command(args, out)), highlight=False)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except ExperimentWriteError as exc:
        exc.resume = f"the same command ({resume_command(args, out)})"
        raise


def resume_command(args: argparse.Namespace, out: Path) -> str:
    """The command line that resumes the experiment: the one the user ran (``sys.argv``), or
    its gist when the command was not run from a shell (``main([...])`` from Python)."""
    typed = sys.argv[1:]
    if args.command in typed and args.scenario in typed:
        return shlex.join(["loyalsim", *typed])
    return shlex.join(["loyalsim", args.command, args.scenario, "--out", str(out)]) + " ..."


def interrupted_text(out: Path, command: str) -> str:
    """What the user reads after Ctrl-C (rich markup): the replications saved and where, and
    the command that resumes."""
    saved = saved_runs(out)
    if not saved:
        said = f"Interrupted before any replication was saved in {literal(out)}/. To start again:"
    else:
        plural = "s" if saved != 1 else ""
        said = (
            f"Interrupted: {saved} replication{plural} saved in {literal(out)}/. The same "
            "command resumes from them:"
        )
    return f"{said}\n  {literal(command)}"


@contextmanager
def damaged_runs_shown(console: Console) -> Iterator[None]:
    """Show each :class:`~sim.experiments.store.DamagedRunWarning` as one plain warning line,
    every one (each names another file); other warnings are shown as usual."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", DamagedRunWarning)
        show = warnings.showwarning

        def show_plainly(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> None:
            if issubclass(category, DamagedRunWarning):
                console.print(f"[yellow]warning[/yellow] {literal(message)}", highlight=False)
            else:
                show(message, category, filename, lineno, file, line)

        warnings.showwarning = show_plainly
        yield


def _run_and_write(console: Console, scenario: Any, args: argparse.Namespace, out: Path) -> None:
    """Run the experiment sub-command ``args.command`` into the folder ``out``, print its
    results and write its tables, charts and report there."""
    import sim
    from sim.report.experiment_charts import (
        COMPARISON_CHARTS,
        ENSEMBLE_CHARTS,
        sweep_heatmap,
        tornado_chart,
    )
    from sim.report.html import comparison_report
    from sim.report.style import save_charts

    common = {
        "seed": args.seed,
        "executor": args.executor,
        "workers": args.workers,
        "out": out,
        "progress": not args.quiet,
    }
    if args.command == "replicate":
        precision = {f: t if t.endswith("%") else _float_or_text(t) for f, t in args.precision}
        e = sim.replicate(scenario, args.runs, precision=precision or None, **common)
        e.estimates.to_csv(out / "estimates.csv", index=False)
        e.bands.to_parquet(out / "bands.parquet", index=False)
        print_ensemble(console, e)
        written = save_charts(ENSEMBLE_CHARTS, e, out)
    elif args.command == "compare":
        c = sim.compare(
            scenario,
            args.runs,
            programs=args.program,
            break_even=args.break_even,
            parameter_uncertainty=args.uncertainty,
            **common,
        )
        c.table.to_csv(out / "comparison.csv", index=False)
        if c.break_even is not None:
            c.break_even.points.to_csv(out / "break_even_points.csv", index=False)
        if c.parameter_draws is not None:
            import pandas as pd  # only here: the command line starts without it

            c.parameter_draws.to_csv(out / "parameter_draws.csv")
            pd.concat(
                [d.assign(program=p) for p, d in c.drivers.items()], ignore_index=True
            ).to_csv(out / "verdict_drivers.csv", index=False)
        c.pairs.to_csv(out / "pairs.csv", index=False)
        c.bands.to_parquet(out / "bands.parquet", index=False)
        print_comparison(console, c)
        written = save_charts(COMPARISON_CHARTS, c, out)
        comparison_report(c, out, written)
    elif args.command == "sweep":
        design = args.design
        params = parse_parameters(args.param, ranges=design != "grid")
        outputs = tuple(args.output) if args.output else sim.experiments.designs.DEFAULT_OUTPUTS
        s = sim.sweep(
            scenario,
            params,
            design=design,
            points=args.points,
            runs=args.runs,
            outputs=outputs,
            **common,
        )
        s.table.to_csv(out / "sweep.csv", index=False)
        s.means.to_csv(out / "means.csv", index=False)
        print_frame(console, f"Sweep ({design}, {len(s.points)} points)", s.means)
        heatmaps = {f"heatmap_{name}": partial(sweep_heatmap, output=name) for name in outputs}
        written = save_charts(heatmaps, s, out)
    else:
        params = parse_parameters(args.param, ranges=True)
        t = sim.sensitivity(
            scenario,
            params,
            args.output,
            method=args.method,
            samples=args.samples,
            runs=args.runs,
            **common,
        )
        t.indices.to_csv(out / "indices.csv", index=False)
        t.tornado.to_csv(out / "tornado.csv", index=False)
        t.samples.to_csv(out / "samples.csv", index=False)
        print_frame(console, f"Sensitivity of {t.output} ({t.method})", t.indices)
        print_frame(console, "Tornado (one at a time, others at the scenario's values)", t.tornado)
        written = save_charts({"tornado": tornado_chart}, t, out)
    report = " and report.html" if (out / "report.html").exists() else ""
    charts = f", charts (PNG and SVG: {', '.join(written)}){report}" if written else ""
    console.print(f"\nResults{charts} in {literal(out)}/")


ENSEMBLE_FIGURES = (
    ("profit", "profit"),
    ("revenue", "revenue"),
    ("lowest_cash", "lowest cash"),
    ("final_cash", "final cash"),
    ("purchases", "purchases"),
    ("retention_rate", "retention rate"),
    ("word_of_mouth.nps_at_end", "NPS at the end"),
)


def print_ensemble(console: Console, e: Any) -> None:
    """The main figures of a replication experiment with their intervals."""
    level = e.scenario.experiment.confidence
    table = Table(
        title=f"{literal(e.scenario.name)}: {e.runs} replications"
        + (
            ", chosen by the precision asked for"
            if e.precision is not None and len(e.precision)
            else ""
        )
        + f", mean [{level:.0%} interval]",
        title_justify="left",
    )
    table.add_column("figure")
    table.add_column("mean [interval]", justify="right")
    for key, label in ENSEMBLE_FIGURES:
        if key in set(e.estimates["figure"]):
            x = e.estimate(key)
            rate = key == "retention_rate"
            table.add_row(label, interval_text(x.mean, x.low, x.high, money=not rate))
    b = e.bankruptcy
    table.add_row("bankrupt within the horizon", interval_text(b.mean, b.low, b.high, money=False))
    console.print(table)
    if e.precision is not None:
        for row in e.precision.to_dict("records"):
            x = e.estimate(row["figure"])
            state = "reached" if row["reached"] else "not reached at the most runs allowed"
            console.print(
                f"{literal(row['figure'])}: {interval_text(x.mean, x.low, x.high)}, half-width "
                f"{row['half_width']:,.4g} against {row['target']:,.4g} asked for ({state}; "
                "a confidence sequence)"
            )


def print_comparison(console: Console, c: Any) -> None:
    """One line per program with its verdict in colour, then the warnings with evidence."""
    level = c.scenario.experiment.confidence
    table = Table(
        title=f"{literal(c.scenario.name)}: each program against no program, {runs_text(c)}, "
        f"mean [{level:.0%} interval]",
        title_justify="left",
    )
    for column in COMPARISON_COLUMNS:
        table.add_column(
            column,
            justify="left" if column in ("program", "verdict") else "right",
            # a verdict is never cut short, however narrow the terminal
            min_width=max(map(len, VERDICT_STYLE)) if column == "verdict" else None,
        )
    for row in comparison_rows(c.table):
        style = VERDICT_STYLE[row["verdict"]]
        cells = [literal(row[column]) for column in COMPARISON_COLUMNS]
        cells[1] = f"[{style}]{row['verdict']}[/{style}]"
        table.add_row(*cells)
    console.print(table)
    console.print(literal(baseline_ruin_text(c)))
    for program, note in unresolved_ruin_notes(c):
        console.print(f"{literal(program)}: {literal(note)}")
    for program, note in design_notes(c):
        console.print(f"{literal(program)}: {literal(note)}")
    for program, w in design_warnings(c):
        console.print(
            f"[yellow]warning[/yellow] {literal(program)}: {literal(w.message)} "
            f"({literal(w.source)})"
        )


def print_frame(console: Console, title: str, frame: Any) -> None:
    """A small table of numbers, rounded for reading."""
    table = Table(title=literal(title), title_justify="left")
    for column in frame.columns:
        table.add_column(literal(column), justify="right")
    for row in frame.itertuples(index=False):
        table.add_row(*(literal(_cell(v)) for v in row))
    console.print(table)


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"
    return str(v)
