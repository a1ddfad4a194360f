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
      --program "stamp card" --window-days 90 --out coffee_shop_pilot.yaml
"""


def add_calibrate_response_parser(sub: Any) -> None:
    """The ``calibrate-response`` subcommand's arguments."""
    p = sub.add_parser(
        "calibrate-response",
        help="fit the customers' response to a program pilot (treated and control groups)",
        description=(
            "Estimate what a pilot's program did to its members (visits, basket, activity at "
            "the end), corrected for who chose to join, with bootstrap intervals; with "
            "--window-days, separate the visit lift from the churn cut by simulated twins of "
            "the pilot in the scenario's market; write the response into a scenario as a "
            "stated response with its uncertainty. The pilot table has one row per customer: "
            "customer, group (treated or control), joined (0/1), visits_before, "
            "visits_during, spend_before, spend_during, active_at_end (0/1), and optionally "
            "joined_day (days from the offer) and active_before (0/1)."
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
        help="length of each pilot window in days (with joined_day: members' exposure); "
        "needed for the fit by simulated twins",
    )
    p.add_argument(
        "--program",
        default=None,
        help="the piloted design in the scenario (default: its active program, or its only one)",
    )
    p.add_argument(
        "--twins",
        type=int,
        default=4,
        help="simulated twin pilots per response tried (default 4; 0: the direct fit only)",
    )
    p.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")
    p.add_argument(
        "--seed", type=int, default=0, help="seed of the bootstrap and of the twin pilots"
    )


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
    if args.twins < 0:
        console.print("[red]error[/red] --twins must be 0 (the direct fit only) or more")
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
    twins = args.twins if args.window_days is not None else 0
    program = _piloted_design(scenario, args.program) if twins else None
    if twins and program is None:
        names = ", ".join(d.name for d in scenario.programs) or "none"
        given = f" {literal(args.program)!r} is not a design," if args.program else ""
        console.print(
            f"[red]error[/red] --program:{given} name the piloted design (the scenario's "
            f"designs: {literal(names)})",
            highlight=False,
        )
        return EXIT_INVALID
    fit = fit_pilot(table, args.window_days, args.resamples, args.seed)
    _show(console, fit)
    twin_fit = None
    if twins:
        from sim.calibration.pilot_twin import fit_by_twins

        try:
            with console.status(f"fitting by simulated twins of the pilot in {scenario.name}"):
                twin_fit = fit_by_twins(
                    scenario, program, fit, round(args.window_days), twins=twins, seed=args.seed
                )
        except (ScenarioError, ValueError) as exc:
            console.print(f"[red]error[/red] the twin pilots cannot be run: {literal(exc)}")
            return EXIT_INVALID
        _show_twins(console, twin_fit, fit)
    elif args.window_days is None:
        console.print(
            "Give --window-days to separate the visit lift from the churn cut by simulated "
            "twins; the direct visit lift is written, and no churn cut."
        )
    try:
        fitted = fitted_scenario(scenario, fit, twin_fit)
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
        *(
            f"by {twin_fit.runs} simulated twin pilots of {program!r}: {r.figure} "
            f"{r.estimate:+.3f} [{r.low:+.3f}, {r.high:+.3f}]"
            for r in (twin_fit.table.itertuples() if twin_fit else ())
        ),
        "The modelled response to the deal is switched off; the stated response is the pilot's, "
        "and the uncertainty section holds its intervals (docs/calibration.md).",
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
        shown = _figure(r.figure)
        table.add_row(
            r.figure,
            shown(r.estimate),
            f"[{shown(r.low)}, {shown(r.high)}]",
            literal(r.meaning),
        )
    console.print(table)


def _figure(name: str) -> Any:
    """How a pilot figure is printed: a change in points, a share, or a relative lift."""
    if name == "inactive_change":
        return lambda x: f"{100 * x:+.1f} pts"
    if name in ("joined_share", "exposure"):
        return lambda x: f"{x:.1%}"
    return lambda x: f"{x:+.1%}"


def _piloted_design(scenario: Any, name: str | None) -> str | None:
    """The design named, else the one a run of the scenario puts in place, else its only one
    (``None``: unknown)."""
    names = [d.name for d in scenario.programs]
    if name is not None:
        return name if name in names else None
    in_place = scenario.program()
    if in_place is not None:
        return in_place.name
    return names[0] if len(names) == 1 else None


def _show_twins(console: Console, twins: Any, fit: Any) -> None:
    table = Table(
        title=f"The response that makes {twins.runs} simulated twin pilots look like this one "
        "(the scenario's program_response); 95% intervals",
        title_justify="left",
    )
    for column in ("parameter", "estimate", "interval", "meaning"):
        table.add_column(column, justify="right" if column in ("estimate", "interval") else "left")
    for r in twins.table.itertuples():
        table.add_row(
            r.figure, f"{r.estimate:+.1%}", f"[{r.low:+.1%}, {r.high:+.1%}]", literal(r.meaning)
        )
    console.print(table)
    matched = "; ".join(
        f"{r.figure} {r.pilot:+.1%} in the pilot, {r.twins:+.1%} in the twins"
        for r in twins.matched.itertuples()
    )
    console.print(
        f"Matched: {matched}. Take-up {fit.value('joined_share'):.0%} in the pilot, "
        f"{twins.joined_share:.0%} in the twins.",
        highlight=False,
    )
