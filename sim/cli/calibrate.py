"""``loyalsim calibrate``: a scenario fitted to a business's own transaction log.

Everything is computed before anything is written; the scenario file and the report folder
are then written whole (each file to a temporary name first), so a problem never leaves a
half-written scenario behind.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from sim.calibration.scenario_file import interval_text
from sim.cli.terminal import literal

EXIT_OK, EXIT_INVALID, EXIT_WRITE = 0, 2, 3

EXAMPLES = """examples:
  loyalsim calibrate sales.csv --until 2025-06-30 --holdout-until 2025-12-31 \\
      --out my_shop.yaml --report out/calibration
  loyalsim calibrate till.parquet --until 2025-06-30 --base scenarios/coffee_shop.yaml \\
      --columns id=client,date=day,amount=total --out my_shop.yaml
"""


def add_calibrate_parser(sub: Any) -> None:
    """The ``calibrate`` subcommand's arguments."""
    cal = sub.add_parser(
        "calibrate",
        help="fit a scenario's customers to a transaction log and check it on a holdout",
        description=(
            "Fit BG/NBD (or MBG/NBD) and gamma-gamma to a transaction log with PyMC-Marketing, "
            "match the simulator to the calibration window, and check it on a holdout. "
            "Needs the optional extra: pip install 'loyalsim[calibrate]'."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cal.add_argument("log", help="transaction log: CSV or Parquet, one row per purchase")
    cal.add_argument(
        "--until", required=True, metavar="YYYY-MM-DD", help="last day of the calibration window"
    )
    cal.add_argument(
        "--holdout-until",
        metavar="YYYY-MM-DD",
        help="last day of the holdout; without it the scenario is not checked",
    )
    cal.add_argument(
        "--base",
        metavar="SCENARIO",
        help="scenario whose other sections the calibrated one keeps (default: the defaults)",
    )
    cal.add_argument("--out", required=True, metavar="FILE.yaml", help="calibrated scenario")
    cal.add_argument(
        "--report", metavar="DIR", help="write report.html, charts and calibration.json here"
    )
    cal.add_argument(
        "--columns",
        metavar="id=COL,date=COL,amount=COL",
        help="the log's column names, if not customer_id, date and amount",
    )
    cal.add_argument(
        "--model",
        choices=("bgnbd", "mbgnbd"),
        default="bgnbd",
        help="BG/NBD (default) or modified BG/NBD, where a customer may leave after one purchase",
    )
    cal.add_argument(
        "--posterior",
        action="store_true",
        help="intervals of the BG/NBD from its posterior (NUTS) instead of a Laplace "
        "approximation around the MAP (minutes on a large log)",
    )
    cal.add_argument(
        "--time-losses",
        choices=("fold", "keep"),
        default="fold",
        help="fold (default): life events and background competitor offers are part of the "
        "fitted dropout, their rates set to 0; keep: the base's rates stay and the matching "
        "makes room for them",
    )
    cal.add_argument("--seed", type=int, default=0, help="seed of the intervals and the replays")
    cal.add_argument(
        "--workers", type=int, default=None, help="processes for the replays (default: cores)"
    )


def calibrate_command(console: Console, args: argparse.Namespace) -> int:
    """Run ``loyalsim calibrate``; returns the exit code."""
    from sim.calibration import CalibrationUnavailableError, TransactionLogError, calibrate
    from sim.scenario import ScenarioError, load_scenario

    if args.seed < 0:
        console.print("[red]error[/red] --seed must be a non-negative integer")
        return EXIT_INVALID
    if args.workers is not None and args.workers < 1:
        console.print("[red]error[/red] --workers must be 1 or more")
        return EXIT_INVALID
    out = Path(args.out)
    if out.suffix.lower() not in (".yaml", ".yml"):
        console.print(f"[red]error[/red] --out {literal(out)}: give a .yaml file", highlight=False)
        return EXIT_INVALID
    try:
        base = load_scenario(args.base) if args.base else None
    except ScenarioError as exc:
        console.print(f"[red]invalid scenario[/red] {literal(args.base)} (--base)", highlight=False)
        for problem in exc.problems:
            console.print(f"  - {literal(problem)}", highlight=False)
        return EXIT_INVALID
    try:
        with console.status("fitting the log and checking the simulator against it..."):
            cal = calibrate(
                args.log,
                until=args.until,
                holdout_until=args.holdout_until,
                base=base,
                columns=args.columns,
                model=args.model,
                posterior=args.posterior,
                time_losses=args.time_losses,
                seed=args.seed,
                workers=args.workers,
            )
    except TransactionLogError as exc:
        console.print(f"[red]error[/red] {literal(exc.source)}", highlight=False)
        for problem in exc.problems:
            console.print(f"  - {literal(problem)}", highlight=False)
        return EXIT_INVALID
    except CalibrationUnavailableError as exc:
        console.print(f"[red]error[/red] {literal(exc)}", highlight=False)
        return EXIT_INVALID
    _show(console, cal)
    try:
        _write_text(out, cal.to_yaml())
        if args.report:
            _write_report(cal, Path(args.report))
    except OSError as exc:
        console.print(
            f"[red]error[/red] could not write {literal(exc.filename or out)}: "
            f"{literal(exc.strerror or exc)}",
            highlight=False,
        )
        return EXIT_WRITE
    console.print(f"wrote {literal(out)}", highlight=False)
    if args.report:
        console.print(f"wrote {literal(Path(args.report) / 'report.html')}", highlight=False)
    return EXIT_OK


def _show(console: Console, cal: Any) -> None:
    s = cal.summary
    console.print(
        f"{s['customers']:,} customers in the calibration window "
        f"{s['calibration_window'][0]} to {s['calibration_window'][1]}, "
        f"{s['repeat_customers']:,} bought again ({s['repeat_transactions']:,} repeat "
        "transactions, one per customer and day)",
        highlight=False,
    )
    table = Table(title="Fitted customers", title_justify="left")
    for column in ("field", "in the scenario", "fitted", "95% interval"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for row in cal.parameters.itertuples():
        table.add_row(
            row.field,
            f"{row.value:.4g}",
            f"{row.fitted:.4g}",
            interval_text(row.fitted, row.low, row.high),
        )
    console.print(table)
    m = s.get("matching")
    if m:
        console.print(
            f"Matched to the calibration window: rates x{m['rate_scale']:.3f}, dropout "
            f"x{m['dropout_scale']:.3f}, basket x{m['basket_scale']:.3f}",
            highlight=False,
        )
    hold = s.get("holdout")
    if hold:
        console.print(
            f"Holdout {s['holdout_window'][0]} to {s['holdout_window'][1]}: "
            f"{hold['actual_repeat_purchases']:,.0f} repeat transactions in the log; "
            f"simulator {hold['simulated_repeat_purchases']:,.0f} "
            f"({hold['simulated_error']:+.1%}), fitted formula "
            f"{hold['model_repeat_purchases']:,.0f} ({hold['model_error']:+.1%})",
            highlight=False,
        )
    else:
        console.print("No holdout: give --holdout-until to check the scenario against the log.")


def _write_text(path: Path, text: str) -> None:
    """Write a file whole: to a temporary name beside it, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_report(cal: Any, folder: Path) -> None:
    """The report, charts and ``calibration.json``, drawn in a temporary folder and moved in."""
    from sim.report.calibration_charts import calibration_charts
    from sim.report.calibration_html import calibration_report

    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".calibration.", dir=folder) as tmp:
        work = Path(tmp)
        (work / "calibration.json").write_text(
            json.dumps(cal.to_json(), indent=2), encoding="utf-8"
        )
        if cal.holdout is not None:
            cal.holdout.to_csv(work / "holdout_weekly.csv", index=False)
        cal.parameters.to_csv(work / "parameters.csv", index=False)
        charts = calibration_charts(cal, work)
        calibration_report(cal, work, charts)
        for item in work.iterdir():
            os.replace(item, folder / item.name) if item.is_file() else shutil.move(item, folder)
