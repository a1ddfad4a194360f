"""``sim.calibrate``: a scenario whose customers are the business's own, checked on a holdout.

The steps, each in a module of its own:

1. read and check the log (:mod:`sim.calibration.transactions`);
2. fit BG/NBD (or MBG/NBD) and gamma-gamma with PyMC-Marketing (:mod:`sim.calibration.fit`);
3. put the fitted values into the base scenario's ``customers`` section, and match the
   simulator to the calibration window (:mod:`sim.calibration.matching`): the base scenario's
   other ways of losing and slowing customers must not count twice the dropout the fit
   already explains;
4. with a holdout, replay the log's cohort through the simulator (:mod:`sim.calibration.cohort`)
   and compare it with the log and with the fitted formula (:mod:`sim.calibration.checks`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration import checks, cohort, matching
from sim.calibration.fit import MODEL_NAMES, FittedTraits, fit_traits
from sim.calibration.transactions import (
    TransactionLog,
    TransactionLogError,
    parse_date,
    read_transactions,
)
from sim.scenario import Scenario, ScenarioError

CHECK_CUSTOMERS = 100_000
"""Simulated customers (cohort size times replays) behind the holdout check's mean: a cohort
whose few heavy buyers make most repeat purchases (a gamma shape ``r`` near 0.25) varies by
about 10% from one replay to the next at 2,000 customers, so smaller cohorts get more
replays."""


def check_replays(customers: int) -> int:
    """Replays of the holdout check: about :data:`CHECK_CUSTOMERS` simulated customers, at
    least 8 and at most 48."""
    return int(min(48, max(8, -(-CHECK_CUSTOMERS // max(customers, 1)))))


MIN_REPEATERS = 2
"""Fewest customers with a repeat purchase a fit can start from."""


@dataclass
class Calibration:
    """A calibrated scenario and the evidence for it.

    Attributes
    ----------
    scenario
        The base scenario with the fitted ``customers`` fields (and the matched scales).
    parameters
        One row per scenario field the data set: ``field``, ``value``, ``low``, ``high``
        (the 95% interval of the fit), ``undefined_share`` (share of the draws in which the
        value does not exist, left out of the interval), ``fitted`` (the fit's own value
        before matching) and ``source``.
    holdout
        The weekly table of :func:`sim.calibration.checks.weekly_table` (``None`` without a
        holdout).
    frequency, conditional
        The calibration-window frequency histogram and the mean holdout transactions by
        calibration frequency (``None`` without a holdout).
    summary
        Windows, customers, fit quality and, with a holdout, the totals of
        :func:`sim.calibration.checks.holdout_totals`.
    """

    scenario: Scenario
    parameters: pd.DataFrame
    holdout: pd.DataFrame | None
    frequency: pd.DataFrame | None
    conditional: pd.DataFrame | None
    summary: dict[str, Any]
    fitted: FittedTraits = field(repr=False)
    log: TransactionLog = field(repr=False)

    def to_yaml(self) -> str:
        """The calibrated scenario as YAML, with its provenance in comments."""
        from sim.calibration.scenario_file import calibrated_yaml

        return calibrated_yaml(self)

    def to_json(self) -> dict[str, Any]:
        """What ``calibration.json`` holds."""
        from sim.calibration.scenario_file import calibration_json

        return calibration_json(self)


def _windows(log: TransactionLog, until: Any, holdout_until: Any) -> tuple[dt.date, dt.date | None]:
    until_date = parse_date(until, "until (--until)")
    if not log.start <= until_date <= log.end:
        raise TransactionLogError(
            "until (--until)",
            [
                f"{until_date} is outside the log, which runs from {log.start} to {log.end}; "
                "the calibration window must end on or after the first date and before the last"
            ],
        )
    if holdout_until is None:
        return until_date, None
    hold = parse_date(holdout_until, "holdout_until (--holdout-until)")
    if not until_date < hold <= log.end:
        raise TransactionLogError(
            "holdout_until (--holdout-until)",
            [
                f"{hold} must be after until ({until_date}) and no later than the log's "
                f"last date ({log.end})"
            ],
        )
    return until_date, hold


def calibrate(
    transactions: str | Path | pd.DataFrame,
    until: str | dt.date,
    holdout_until: str | dt.date | None = None,
    base: Scenario | str | Path | None = None,
    columns: Mapping[str, str] | str | None = None,
    model: str = "bgnbd",
    posterior: bool = False,
    replays: int | None = None,
    seed: int = 0,
    match: bool = True,
    time_losses: str = "fold",
    executor: str = "processes",
    workers: int | None = None,
) -> Calibration:
    """Fit a scenario's customers to a transaction log, and check it on a holdout.

    Parameters
    ----------
    transactions
        CSV or Parquet file, or a table, with one row per purchase.
    until
        Last day of the calibration window (``YYYY-MM-DD``).
    holdout_until
        Last day of the holdout; without it there is no check.
    base
        The scenario whose other sections the calibrated one keeps (a scenario or a file;
        default: the defaults of every field).
    columns
        The log's columns for ``id``, ``date``, ``amount`` if not so named.
    model
        ``"bgnbd"`` (default) or ``"mbgnbd"``.
    posterior
        Sample the posterior (NUTS) instead of the MAP with Laplace intervals.
    replays
        Replays of the cohort for the holdout check (default: :func:`check_replays`).
    seed
        Seed of the fit's intervals, the matching and the replays.
    match
        Match the simulator to the calibration window (:mod:`sim.calibration.matching`), so
        that the base scenario's other causes of loss do not count twice the dropout the fit
        explains; without it the fitted values go into the scenario as they are.
    time_losses
        ``"fold"`` (default): life events and background competitor campaigns are folded into
        the fitted dropout (their rates set to 0); ``"keep"``: the base's rates stay and the
        matching makes room for them (:mod:`sim.calibration.matching`).
    executor, workers
        Where the replays run (``sim.experiments.executors``).

    Returns
    -------
    Calibration
    """
    if time_losses not in matching.TIME_LOSSES:
        raise ValueError(
            f"time_losses must be one of {', '.join(matching.TIME_LOSSES)}, not {time_losses!r}"
        )
    log = read_transactions(transactions, columns)
    until_date, holdout_date = _windows(log, until, holdout_until)
    if isinstance(base, str | Path):
        from sim.scenario import load_scenario

        base = load_scenario(base)
    base = base if base is not None else Scenario(name=f"calibrated from {Path(log.source).name}")
    summary = log.summary(until_date)
    repeaters = int((summary["frequency"] > 0).sum())
    if repeaters < MIN_REPEATERS:
        raise TransactionLogError(
            log.source,
            [
                f"only {repeaters} customer(s) bought again by {until_date}: with no repeat "
                "purchases the fit cannot tell how often customers buy from how soon they "
                "leave; choose a later end of the calibration window or a longer log"
            ],
        )
    paid = int(((summary["frequency"] > 0) & (summary["monetary_value"] > 0)).sum())
    if paid < MIN_REPEATERS:
        raise TransactionLogError(
            log.source,
            [
                f"only {paid} customer(s) paid more than 0 for a repeat purchase by "
                f"{until_date}: the baskets cannot be fitted; check the amount column"
            ],
        )
    fitted = fit_traits(summary, model=model, posterior=posterior, seed=seed)
    calibration_end = log.day_of(until_date)
    # The replays' customers arrive in order of their first day: the cohort in that order.
    in_order = summary.sort_values("first_day", kind="stable").reset_index(drop=True)
    first_times = in_order["first_day"].to_numpy(dtype=float) + cohort.ARRIVAL_TIME_OF_DAY
    try:
        scenario = base.with_overrides({**fitted.point(), "customers.dropout_model": model})
    except ScenarioError as error:
        raise TransactionLogError(
            log.source,
            [
                "the fit gave values a scenario does not allow, so the log does not pin the "
                "customers down (too few customers or too short a window?):",
                *error.problems,
            ],
        ) from None
    found = None
    if match and time_losses == "fold":
        scenario = scenario.with_overrides(matching.FOLDED)
    if match:
        found = matching.match(
            scenario, summary, first_times, calibration_end, seed, executor, workers
        )
        scenario = scenario.with_overrides(found.overrides)
    parameters = _parameter_table(fitted, scenario)
    expected = float(
        checks.model_cumulative(
            fitted, summary["first_day"].to_numpy(), np.array([calibration_end])
        )[0]
    )
    result = Calibration(
        scenario=scenario,
        parameters=parameters,
        holdout=None,
        frequency=None,
        conditional=None,
        summary=_summary(log, summary, fitted, until_date, holdout_date, found, time_losses),
        fitted=fitted,
        log=log,
    )
    actual = float(summary["frequency"].sum())
    result.summary["fit"] = {
        "repeat_transactions": actual,
        "formula_repeat_transactions": expected,
        "formula_error": (expected - actual) / actual,
    }
    if holdout_date is not None:
        runs = replays if replays is not None else check_replays(len(summary))
        _check(
            result,
            in_order,
            first_times,
            calibration_end,
            log.day_of(holdout_date),
            runs,
            seed,
            executor,
            workers,
        )
    return result


def _check(
    result: Calibration,
    ordered: pd.DataFrame,
    first_times: np.ndarray,
    calibration_end: int,
    holdout_end: int,
    replays: int,
    seed: int,
    executor: str,
    workers: int | None,
) -> None:
    """The holdout check, filled into ``result``; ``ordered`` is the cohort's summary in the
    order of their first day, the order of the replays' customers."""
    replay_scenario = cohort.replay_scenario(result.scenario, holdout_end + 1)
    runs = cohort.replay(
        replay_scenario,
        first_times,
        calibration_end,
        replays,
        seed + matching.SEED_OFFSET,
        executor,
        workers,
    )
    log = result.log
    weekly = checks.weekly_table(log, ordered, result.fitted, runs, calibration_end, holdout_end)
    actual = log.repeat_counts(
        ordered["customer_id"],
        log.start + dt.timedelta(days=calibration_end),
        log.start + dt.timedelta(days=holdout_end),
    ).to_numpy()
    conditional = checks.conditional_expectations(
        result.fitted, ordered, holdout_end - calibration_end
    )
    result.holdout = weekly
    result.frequency = checks.frequency_table(ordered, runs)
    result.conditional = checks.conditional_table(ordered, actual, conditional, runs)
    result.summary["holdout"] = checks.holdout_totals(
        log, ordered, result.fitted, runs, calibration_end, holdout_end, conditional
    )


FIELD_SOURCES = {
    "customers.purchase_rate_shape": "BG/NBD r",
    "customers.purchase_rate_alpha_days": "BG/NBD alpha (weeks x 7)",
    "customers.dropout_a": "BG/NBD a",
    "customers.dropout_b": "BG/NBD b",
    "customers.basket_mean": "gamma-gamma p v / (q - 1)",
    "customers.basket_cv_between": "gamma-gamma 1 / sqrt(q - 2)",
    "customers.basket_cv_within": "gamma-gamma 1 / sqrt(p)",
}


def _parameter_table(fitted: FittedTraits, scenario: Scenario) -> pd.DataFrame:
    rows = []
    for name, value in fitted.fields.items():
        section, key = name.split(".")
        rows.append(
            {
                "field": name,
                "value": float(getattr(getattr(scenario, section), key)),
                "fitted": value.value,
                "low": value.low,
                "high": value.high,
                "undefined_share": value.undefined,
                "source": (
                    "the log's mean repeat basket (the fitted gamma-gamma has no finite mean)"
                    if name == "customers.basket_mean" and fitted.basket_from_log
                    else FIELD_SOURCES[name].replace("BG/NBD", MODEL_NAMES[fitted.model])
                ),
            }
        )
    return pd.DataFrame(rows)


def _summary(
    log: TransactionLog,
    summary: pd.DataFrame,
    fitted: FittedTraits,
    until: dt.date,
    holdout: dt.date | None,
    found: matching.Match | None,
    time_losses: str,
) -> dict[str, Any]:
    return {
        "source": log.source,
        "sha256": log.sha256,
        "rows": log.rows,
        "transactions": len(log.transactions),
        "first_date": log.start.isoformat(),
        "last_date": log.end.isoformat(),
        "calibration_window": [log.start.isoformat(), until.isoformat()],
        "holdout_window": None
        if holdout is None
        else [(until + dt.timedelta(days=1)).isoformat(), holdout.isoformat()],
        "customers": len(summary),
        "repeat_customers": int((summary["frequency"] > 0).sum()),
        "repeat_transactions": int(summary["frequency"].sum()),
        "model": fitted.model,
        "method": fitted.method,
        "matching": None if found is None else {**found.as_dict(), "time_losses": time_losses},
    }
