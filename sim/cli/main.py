"""The ``loyalsim`` command.

Exit codes: 0 success (a bankrupt business is a result, not an error); 2 invalid scenario,
arguments or seed (or an experiment folder holding another experiment); 3 results could not be
written; 4 an experiment's replications failed on every attempt.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from sim.cli.calibrate import add_calibrate_parser, calibrate_command
from sim.cli.calibrate_response import add_calibrate_response_parser, calibrate_response_command
from sim.cli.experiments import (
    EXIT_INTERRUPTED,
    add_experiment_parsers,
    add_scenario_arguments,
    option_yaml,
    run_command,
)
from sim.cli.studio import add_studio_parser, studio_command
from sim.cli.terminal import literal, terminal
from sim.report.text import flow_rows, money_rows, money_text
from sim.scenario import Scenario, ScenarioError, load_scenario

EXIT_OK, EXIT_INVALID, EXIT_WRITE, EXIT_FAILED = 0, 2, 3, 4

EXAMPLES = """examples:
  loyalsim run scenarios/coffee_shop.yaml
  loyalsim run scenarios/coffee_shop.yaml --seed 7 --out results/coffee
  loyalsim run scenarios/supermarket_club_card.yaml --program none
  loyalsim replicate scenarios/coffee_shop.yaml --runs 30
  loyalsim compare scenarios/coffee_shop.yaml --runs 30
  loyalsim sweep scenarios/coffee_shop.yaml --param market.reach_rate_per_year=0.3,0.6,0.9
  loyalsim sensitivity scenarios/coffee_shop.yaml --param product.quality_mean=0.6:0.85 \
      --param market.reach_rate_per_year=0.3:0.9
  loyalsim validate scenarios/coffee_shop.yaml
  loyalsim schema > scenario.schema.json
  loyalsim new my_shop.yaml --name "My shop"
  loyalsim calibrate sales.csv --until 2025-06-30 --holdout-until 2025-12-31 --out my_shop.yaml
  loyalsim studio scenarios/coffee_shop.yaml
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loyalsim",
        description="What-if engine for customer-loyalty programs.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run",
        help="simulate one scenario and write its tables and chart",
        epilog="example:\n  loyalsim run scenarios/coffee_shop.yaml --seed 7 --out out/coffee",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_scenario_arguments(run, "random seed", "output folder (default out/<scenario file>)")
    run.add_argument(
        "--program",
        default=None,
        metavar="NAME",
        help="which program design of the scenario to put in place ('none': the natural "
        "baseline; default: the scenario's active_program, else its first design)",
    )
    val = sub.add_parser(
        "validate",
        help="check scenario files and list every problem with its line",
        epilog="examples:\n  loyalsim validate scenarios/coffee_shop.yaml\n"
        "  loyalsim validate scenarios/*.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    val.add_argument("scenarios", nargs="+", metavar="scenario", help="scenario YAML file(s)")
    sub.add_parser("schema", help="print the JSON Schema of scenario files")
    new = sub.add_parser(
        "new",
        help="write a commented starter scenario (every field, its default and source)",
        epilog="example:\n  loyalsim new my_shop.yaml --name 'My shop'",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    new.add_argument("file", help="the scenario file to write (refused if it exists)")
    new.add_argument("--name", default="My business", help="the scenario's name")
    add_experiment_parsers(sub)
    add_calibrate_parser(sub)
    add_calibrate_response_parser(sub)
    add_studio_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``loyalsim`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")  # the command only writes files: no window, no display needed
    console = terminal()
    if args.command == "schema":
        print(json.dumps(Scenario.model_json_schema(), indent=2))
        return EXIT_OK
    if args.command == "new":
        return _new(console, args)
    if args.command == "validate":
        return _validate(console, args.scenarios)
    if args.command == "calibrate":
        return calibrate_command(console, args)
    if args.command == "calibrate-response":
        return calibrate_response_command(console, args)
    if args.command == "studio":
        return studio_command(console, args)
    try:
        scenario = load_scenario(args.scenario)
        if args.set or getattr(args, "program", None):
            overrides = _parse_sets(args.set)
            if args.command == "run" and args.program:
                overrides["active_program"] = args.program
            scenario = scenario.with_overrides(overrides)
    except ScenarioError as exc:
        _print_problems(console, args.scenario, exc.problems)
        return EXIT_INVALID
    if args.seed < 0:
        console.print("[red]error[/red] --seed must be a non-negative integer")
        return EXIT_INVALID
    if args.command == "run":
        return _run(console, scenario, args)
    return _experiment(console, scenario, args)


def _validate(console: Console, paths: list[str]) -> int:
    """Check every file, report each one's problems; invalid if any file is."""
    status = EXIT_OK
    for path in paths:
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            _print_problems(console, path, exc.problems)
            status = EXIT_INVALID
        else:
            console.print(
                f"[green]ok[/green] {literal(path)}: valid scenario '{literal(scenario.name)}'",
                highlight=False,
            )
    return status


def _new(console: Console, args: argparse.Namespace) -> int:
    from sim.scenario.starter import starter_text

    path = Path(args.file)
    if path.exists():
        console.print(
            f"[red]error[/red] {literal(path)} exists; give a new file name", highlight=False
        )
        return EXIT_INVALID
    try:
        path.write_text(starter_text(args.name, path.name))
    except OSError as exc:
        console.print(
            f"[red]error[/red] cannot write {literal(path)}: {literal(exc)}", highlight=False
        )
        return EXIT_WRITE
    console.print(
        f"Wrote {literal(path)}: every field with its default; edit, then `loyalsim validate`."
    )
    return EXIT_OK


def _experiment(console: Console, scenario: Scenario, args: argparse.Namespace) -> int:
    from sim.experiments.executors import ExecutorError

    try:
        run_command(console, scenario, args)
    except (ValueError, ScenarioError) as exc:  # bad parameters, outputs, runs, or folder
        problems = getattr(exc, "problems", None) or [str(exc)]
        for problem in problems:
            console.print(f"[red]error[/red] {literal(problem)}", highlight=False)
        return EXIT_INVALID
    except ExecutorError as exc:
        console.print(f"[red]error[/red] {literal(exc)}", highlight=False)
        return EXIT_FAILED
    except OSError as exc:
        console.print(f"[red]error[/red] cannot write results: {literal(exc)}", highlight=False)
        return EXIT_WRITE
    return EXIT_OK


def _parse_sets(items: list[str]) -> dict[str, Any]:
    """The ``--set PATH=VALUE`` options as overrides, each VALUE read as YAML.

    Raises
    ------
    ScenarioError
        Naming the option as given and what is wrong: no ``=``, no path, no value, or a value
        that is not YAML (see :func:`sim.cli.experiments.option_yaml`).
    """
    overrides: dict[str, Any] = {}
    for item in items:
        path, equals, value = item.partition("=")
        path = path.strip()
        if not equals or not path:
            raise ScenarioError([f"--set {item}: expected PATH=VALUE, e.g. market.size=50000"])
        if not value.strip():
            raise ScenarioError(
                [f"--set {item}: {path}: no value after '='; VALUE is YAML (~ for none)"]
            )
        overrides[path] = option_yaml("--set", item, path, value)
    return overrides


def _print_problems(console: Console, path: str, problems: list[str]) -> None:
    console.print(f"[red]invalid scenario[/red] {literal(path)}: {len(problems)} problem(s)")
    for problem in problems:
        console.print(f"  - {literal(problem)}", highlight=False)


def _run(console: Console, scenario: Scenario, args: argparse.Namespace) -> int:
    from sim.engine import simulate
    from sim.report.charts import run_charts
    from sim.report.html import run_report

    out = Path(args.out) if args.out else Path("out") / Path(args.scenario).stem
    progress = Progress(
        TextColumn("simulating [bold]{task.description}"),
        BarColumn(),
        TextColumn("day {task.completed:.0f}/{task.total:.0f}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=args.quiet,
    )
    try:
        with progress:
            task = progress.add_task(literal(scenario.name), total=scenario.horizon_days)

            def advance(done: int, total: int) -> None:
                if done % 10 == 0 or done == total:
                    progress.update(task, completed=done)

            result = simulate(scenario, seed=args.seed, progress=advance)
    except KeyboardInterrupt:
        console.print(
            f"Interrupted during the simulation: nothing was written to {literal(out)}/. "
            "Run the same command again to start over."
        )
        return EXIT_INTERRUPTED
    print_summary(console, result.summary)
    try:
        written = result.write(out)
        charts = run_charts(result, out)
        report = run_report(result, out, charts)
    except OSError as exc:
        console.print(f"[red]error[/red] cannot write results to {literal(out)}: {literal(exc)}")
        return EXIT_WRITE
    except KeyboardInterrupt:
        console.print(
            f"Interrupted while writing: the files in {literal(out)}/ may be incomplete. "
            "Run the same command again to write them whole."
        )
        return EXIT_INTERRUPTED
    console.print(
        f"\nWrote {len(written)} tables, {len(charts)} charts (PNG and SVG: "
        f"{', '.join(charts)}) and {report.name} into {literal(out)}/"
    )
    return EXIT_OK


def print_word_of_mouth(console: Console, s: dict[str, Any]) -> None:
    """Print the NPS at the end and the word of mouth of the run (DOMAIN W1-W5)."""
    wom = s["word_of_mouth"]
    surveyed = wom["promoters_at_end"] + wom["passives_at_end"] + wom["detractors_at_end"]
    if surveyed:
        console.print(
            f"NPS at the end: {wom['nps_at_end']:+.0f} ({wom['promoters_at_end']:,} promoters, "
            f"{wom['passives_at_end']:,} passives, {wom['detractors_at_end']:,} detractors among "
            f"{surveyed:,} recent buyers); mean NPS over the run {wom['mean_nps']:+.0f}."
        )
    console.print(
        f"Word of mouth: {wom['messages_positive']:,} positive and "
        f"{wom['messages_negative']:,} negative recommendations"
        + (
            f" ({wom['messages_countered']:,} countered by raving fans)"
            if wom["messages_countered"]
            else ""
        )
        + "."
    )


def print_program(console: Console, s: dict[str, Any]) -> None:
    """Print what the loyalty program in place did (nothing for the natural baseline)."""
    p = s.get("program")
    if not p or p["natural"]:
        name = "" if not p or p["name"] == "none" else f" ({literal(p['name'])})"
        console.print(
            f"Loyalty program: none{name}, the natural baseline: quality and brand do the work."
        )
        return
    act = p["activity"]
    table = Table(
        title=f"Loyalty program: {literal(p['name'])} ({literal(', '.join(p['mechanics']))})",
        title_justify="left",
    )
    table.add_column("item")
    table.add_column("value", justify="right")
    table.add_row("members at the end", f"{p['members_at_end']:,}")
    table.add_row("joined / left", f"{act['joined']:,} / {act['left']:,}")
    for account, cost in p["costs"].items():
        if cost:
            table.add_row(literal(account.replace("_", " ")), money_text(-cost))
    for account, amount in p["income"].items():
        if amount:
            table.add_row(literal(account.replace("_", " ")), money_text(amount))
    if act["fees_paid"]:
        table.add_row("fees paid (cash)", money_text(act["fees_paid"]))
    if act["partner_payments"]:
        table.add_row("partner payments (cash)", money_text(act["partner_payments"]))
    points = p["points"]
    if points["issued"]:
        table.add_row(
            "points issued / redeemed / lapsed",
            f"{points['issued']:,} / {points['redeemed']:,} / "
            f"{points['expired'] + points['forfeited']:,}",
        )
        table.add_row("breakage rate", f"{100 * points['breakage_rate']:.1f}%")
    for account, amount in p["liabilities_at_end"].items():
        if amount:
            table.add_row(f"{literal(account.replace('_', ' '))} at the end", money_text(amount))
    e6 = p["participants_vs_non_participants"]
    ratio = e6["same_segment_ratio"]
    if ratio == ratio:  # not NaN
        table.add_row(
            "participants vs comparable non-participants",
            f"{ratio:.2f}x spend per year",
        )
    console.print(table)


def print_summary(console: Console, s: dict[str, Any]) -> None:
    """Print the readable summary of one run."""
    console.print(
        f"\n[bold]{literal(s['scenario'])}[/bold]  seed {s['seed']}, {s['days_simulated']} of "
        f"{s['horizon_days']} days ({s['mode']} mode)"
    )
    ladder = Table(title="Ladder at the end", title_justify="left")
    ladder.add_column("rung")
    ladder.add_column("people", justify="right")
    for rung, n in s["rungs_at_end"].items():
        ladder.add_row(literal(rung), f"{n:,}")
    console.print(ladder)
    if s["mode"] == "agent":
        flows = Table(title="Customers won and lost", title_justify="left")
        flows.add_column("flow")
        flows.add_column("reason")
        flows.add_column("customers", justify="right")
        for row in flow_rows(s):
            flows.add_row(*map(literal, row))
        console.print(flows)
        if s["retention_window_days"]:
            console.print(
                f"Retention over the last {s['retention_window_days']} days: "
                f"{100 * s['retention_rate']:.1f}% of the customers active then are still active."
            )
        print_word_of_mouth(console, s)
        print_program(console, s)
    money = Table(title="Money (currency units)", title_justify="left")
    money.add_column("item")
    money.add_column("amount", justify="right")
    for item, amount, detail in money_rows(s):
        if item == "profit":
            money.add_row("[bold]profit[/bold]", f"[bold]{amount}[/bold]")
        else:
            money.add_row(f"  {literal(item)}" if detail else literal(item), amount)
    console.print(money)
    if s["bankrupt"]:
        console.print(
            f"[bold red]BANKRUPT[/bold red] on day {s['bankrupt_day']}: cash fell below the "
            "credit line and the business stopped trading."
        )
    else:
        console.print("[bold green]Not bankrupt[/bold green]: cash stayed above the credit line.")
