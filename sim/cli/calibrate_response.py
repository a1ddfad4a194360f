"""``loyalsim calibrate-response``: fit the customers' response to a pilot and write it into a
scenario (``sim.calibration.pilot``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

from sim.cli.calibrate import EXIT_INVALID, EXIT_OK, EXIT_WRITE
from sim.cli.terminal import literal

EXAMPLES = """example:
  loyalsim calibrate-response pilot.csv --scenario scenarios/coffee_shop.yaml \\
      --window-days 90 --out coffee_shop_pilot.yaml
"""


def add_calibrate_response_parser(sub: Any) -> None:
    """The ``calibrate-response`` subcommand's arguments."""
    p = sub.add_parser(
        "calibrate-response",
        help="fit the customers' response to a program pilot (treated and control groups)",
        description=(
            "Estimate what a pilot's program did to its members (visits, basket; activity at "
            "the end), corrected for who chose to join, with bootstrap intervals, and write it "
            "into a scenario as a stated response with its uncertainty. The pilot table has one "
            "row per customer: customer, group (treated or control), joined (0/1), "
            "visits_before, visits_during, spend_before, spend_during, active_at_end (0/1), "
            "and optionally joined_day (days from the offer)."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("pilot", help="pilot table: CSV or Parquet, one row per customer")
    p.add_argument("--scenario", required=True, help="scenario to write the response into")
    p.add_argument("--out", required=True, metavar="FILE.yaml", help="the fitted scenario")
    p.add_argument(
        "--window-days",
        type=float,
        default=None,
        help="length of each pilot window in days (with joined_day: members' exposure)",
    )
    p.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")


def calibrate_response_command(console: Console, args: argparse.Namespace) -> int:
    """Run ``loyalsim calibrate-response``; returns the exit code."""
    from sim.calibration.pilot import PilotError, fit_pilot, fitted_scenario, read_pilot
    from sim.scenario import ScenarioError, load_scenario

    out = Path(args.out)
    if out.suffix.lower() not in (".yaml", ".yml"):
        console.print(f"[red]error[/red] --out {literal(out)}: give a .yaml file", highlight=False)
        return EXIT_INVALID
    if args.resamples < 100 or args.seed < 0:
        console.print("[red]error[/red] --resamples must be 100 or more, --seed at least 0")
        return EXIT_INVALID
    if args.window_days is not None and not args.window_days > 0:
        console.print("[red]error[/red] --window-days must be above 0")
        return EXIT_INVALID
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        console.print(f"[red]invalid scenario[/red] {literal(args.scenario)}", highlight=False)
        for problem in exc.problems:
            console.print(f"  - {literal(problem)}", highlight=False)
        return EXIT_INVALID
    try:
        table = read_pilot(args.pilot)
    except PilotError as exc:
        console.print(f"[red]error[/red] {literal(exc)}", highlight=False)
        return EXIT_INVALID
    fit = fit_pilot(table, args.window_days, args.resamples, args.seed)
    _show(console, fit)
    try:
        fitted = fitted_scenario(scenario, fit)
    except ScenarioError as exc:
        console.print("[red]error[/red] the fitted response is outside what a scenario allows:")
        for problem in exc.problems:
            console.print(f"  - {literal(problem)}", highlight=False)
        return EXIT_INVALID
    head = [
        f"Customer response fitted to the pilot {Path(args.pilot).name} by loyalsim "
        "calibrate-response:",
        f"{fit.treated} treated customers ({fit.joined} joined), {fit.control} control.",
        *(
            f"{r.figure}: {r.estimate:+.3f} [{r.low:+.3f}, {r.high:+.3f}] ({r.meaning})"
            for r in fit.table.itertuples()
        ),
        "The modelled response to the deal is switched off; visit_lift and basket_lift state the "
        "pilot's, and the uncertainty section holds their intervals (docs/calibration.md).",
    ]
    data = fitted.model_dump(mode="json", exclude_defaults=True)
    data["uncertainty"] = fitted.model_dump(mode="json")["uncertainty"]
    text = "\n".join(f"# {line}" for line in head) + "\n\n"
    text += yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=96)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        console.print(
            f"[red]error[/red] could not write {literal(out)}: {literal(exc.strerror or exc)}",
            highlight=False,
        )
        return EXIT_WRITE
    console.print(f"wrote {literal(out)}", highlight=False)
    return EXIT_OK


def _show(console: Console, fit: Any) -> None:
    table = Table(
        title=f"What the program did to its members: {fit.treated:,} treated customers "
        f"({fit.joined:,} joined), {fit.control:,} control; 95% bootstrap intervals",
        title_justify="left",
    )
    for column in ("figure", "estimate", "interval", "meaning"):
        table.add_column(column, justify="right" if column in ("estimate", "interval") else "left")
    for r in fit.table.itertuples():
        table.add_row(
            r.figure, f"{r.estimate:+.1%}", f"[{r.low:+.1%}, {r.high:+.1%}]", literal(r.meaning)
        )
    console.print(table)
