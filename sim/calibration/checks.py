"""How well a calibrated scenario reproduces the log: the holdout checks.

Three forecasts of the same cohort (the customers who first bought by the end of the
calibration window) are set beside what the log shows:

* **actual**: the log's own counts;
* **simulated**: the mean of the calibrated simulator's replays of the cohort
  (:mod:`sim.calibration.cohort`), with the 5-95% range over the replays;
* **model**: the fitted formula's expectation for the same cohort from the same information,
  each customer's first-purchase day (the unconditional E[X(t)] of BG/NBD, eq. 9 of Fader,
  Hardie & Lee 2005, or of MBG/NBD), so it is the formula's forecast that the simulator's can
  be compared with. The formula's forecast that also uses each customer's own history (eq. 10)
  is reported as ``model_conditional``.

Repeat transactions are every transaction after a customer's first, counted one per customer
and day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.cohort import Replay
from sim.calibration.fit import DAYS_PER_WEEK, FittedTraits, _quiet, _weekly
from sim.calibration.transactions import TransactionLog

TOP_FREQUENCY = 7
"""Calibration-window frequencies from this one up are shown together (``7+``)."""
BAND = (0.05, 0.95)
"""Range over the replays shown beside their mean."""


def frequency_bins(frequency: np.ndarray) -> np.ndarray:
    """Frequencies capped at :data:`TOP_FREQUENCY` (the ``7+`` bin)."""
    return np.minimum(np.asarray(frequency), TOP_FREQUENCY)


def bin_labels() -> list[str]:
    return [str(i) for i in range(TOP_FREQUENCY)] + [f"{TOP_FREQUENCY}+"]


def model_cumulative(fitted: FittedTraits, first_days: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The formula's expected cumulative repeat transactions of a cohort by the end of each day
    in ``ends``, from each customer's first-purchase day (unconditional E[X(t)])."""
    days, counts = np.unique(first_days, return_counts=True)
    grid_first = np.repeat(days, len(ends))
    grid_end = np.tile(ends, len(days))
    t = np.maximum(grid_end - grid_first, 0) / DAYS_PER_WEEK
    data = pd.DataFrame({"customer_id": np.arange(len(t))})
    with _quiet():
        expected = fitted.btyd.expected_purchases_new_customer(data=data, t=t)
    values = np.asarray(expected.mean(dim=("chain", "draw"))).reshape(len(days), len(ends))
    values = np.where((grid_end >= grid_first).reshape(len(days), len(ends)), values, 0.0)
    return (values * counts[:, None]).sum(axis=0)


def weekly_table(
    log: TransactionLog,
    summary: pd.DataFrame,
    fitted: FittedTraits,
    replays: list[Replay],
    calibration_end: int,
    holdout_end: int,
) -> pd.DataFrame:
    """Repeat transactions of the cohort per week, from the log's first day to the holdout's
    end: ``actual``, ``simulated`` (mean, with ``simulated_low`` / ``simulated_high``),
    ``model``, and the same cumulated (``cumulative_...``). Weeks count from the log's first
    day; ``last_day`` is each week's last day since then (the last week may be shorter), and
    ``window`` says whether that day is in the calibration window or the holdout (a week that
    spans both is a holdout week; the holdout totals count days, not weeks)."""
    days = holdout_end + 1
    repeat = log.repeat_transactions(summary["customer_id"], holdout_end)
    actual_daily = np.bincount(repeat["day"].to_numpy(), minlength=days)[:days].astype(float)
    sim_daily = np.array([r.repeat_per_day[:days] for r in replays], dtype=float)
    week = np.arange(days) // 7
    weeks = int(week.max()) + 1
    ends = np.minimum((np.arange(weeks) + 1) * 7 - 1, days - 1)
    model_cum = model_cumulative(fitted, summary["first_day"].to_numpy(), ends)

    def by_week(daily: np.ndarray) -> np.ndarray:
        return np.add.reduceat(daily, np.arange(0, days, 7), axis=-1)

    actual = by_week(actual_daily)
    simulated = by_week(sim_daily)
    cum_sim = np.cumsum(simulated, axis=1)
    table = pd.DataFrame(
        {
            "week": np.arange(weeks) + 1,
            "week_start": [log.start + pd.Timedelta(days=7 * w) for w in range(weeks)],
            "window": np.where(ends <= calibration_end, "calibration", "holdout"),
            "last_day": ends,
            "actual": actual,
            "simulated": simulated.mean(axis=0),
            "simulated_low": np.quantile(simulated, BAND[0], axis=0),
            "simulated_high": np.quantile(simulated, BAND[1], axis=0),
            "model": np.diff(model_cum, prepend=0.0),
            "cumulative_actual": np.cumsum(actual),
            "cumulative_simulated": cum_sim.mean(axis=0),
            "cumulative_simulated_low": np.quantile(cum_sim, BAND[0], axis=0),
            "cumulative_simulated_high": np.quantile(cum_sim, BAND[1], axis=0),
            "cumulative_model": model_cum,
        }
    )
    table["week_start"] = pd.to_datetime(table["week_start"]).dt.date
    return table


def frequency_table(summary: pd.DataFrame, replays: list[Replay]) -> pd.DataFrame:
    """Customers by repeat transactions in the calibration window (0 .. 7+): the log's and the
    replays' mean (with their 5-95% range)."""
    bins = np.arange(TOP_FREQUENCY + 1)
    actual = np.bincount(frequency_bins(summary["frequency"].to_numpy()), minlength=len(bins))
    sims = np.array(
        [np.bincount(frequency_bins(r.calibration), minlength=len(bins)) for r in replays]
    )
    return pd.DataFrame(
        {
            "frequency": bin_labels(),
            "actual": actual,
            "simulated": sims.mean(axis=0),
            "simulated_low": np.quantile(sims, BAND[0], axis=0),
            "simulated_high": np.quantile(sims, BAND[1], axis=0),
        }
    )


def conditional_table(
    summary: pd.DataFrame,
    holdout_actual: np.ndarray,
    model_conditional: np.ndarray,
    replays: list[Replay],
) -> pd.DataFrame:
    """Mean holdout transactions by calibration-window frequency (0 .. 7+): the log's, the
    replays' (simulated customers grouped by their own simulated frequency) and the formula's
    conditional expectation (each log customer's own history, eq. 10)."""
    bins = frequency_bins(summary["frequency"].to_numpy())
    labels = np.arange(TOP_FREQUENCY + 1)

    def means(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
        total = np.bincount(groups, weights=values, minlength=len(labels))
        count = np.bincount(groups, minlength=len(labels))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    sim_groups = np.concatenate([frequency_bins(r.calibration) for r in replays])
    sim_values = np.concatenate([r.holdout for r in replays]).astype(float)
    return pd.DataFrame(
        {
            "frequency": bin_labels(),
            "customers": np.bincount(bins, minlength=len(labels)),
            "actual": means(bins, holdout_actual.astype(float)),
            "simulated": means(sim_groups, sim_values),
            "model_conditional": means(bins, model_conditional),
        }
    )


def holdout_totals(
    log: TransactionLog,
    summary: pd.DataFrame,
    fitted: FittedTraits,
    replays: list[Replay],
    calibration_end: int,
    holdout_end: int,
    model_conditional: np.ndarray,
) -> dict[str, float]:
    """The cohort's repeat transactions on the holdout's days: actual, simulated (mean and
    5-95% range), model (unconditional), model_conditional, and each forecast's error relative
    to the actual."""
    actual = float(
        log.repeat_counts(
            summary["customer_id"],
            log.start + pd.Timedelta(days=calibration_end),
            log.start + pd.Timedelta(days=holdout_end),
        ).sum()
    )
    sims = np.array([float(r.holdout.sum()) for r in replays])
    ends = model_cumulative(
        fitted, summary["first_day"].to_numpy(), np.array([calibration_end, holdout_end])
    )
    model = float(ends[1] - ends[0])
    conditional = float(np.sum(model_conditional))

    def error(x: float) -> float:
        return (x - actual) / actual if actual else float("nan")

    return {
        "actual_repeat_purchases": actual,
        "simulated_repeat_purchases": float(sims.mean()),
        "simulated_repeat_purchases_low": float(np.quantile(sims, BAND[0])),
        "simulated_repeat_purchases_high": float(np.quantile(sims, BAND[1])),
        "model_repeat_purchases": model,
        "model_conditional_repeat_purchases": conditional,
        "simulated_error": error(float(sims.mean())),
        "model_error": error(model),
        "model_conditional_error": error(conditional),
        "replays": len(replays),
    }


def conditional_expectations(
    fitted: FittedTraits, summary: pd.DataFrame, holdout_days: int
) -> np.ndarray:
    """Each cohort customer's expected transactions in the holdout given their history."""
    data = _weekly(summary)
    with _quiet():
        expected = fitted.btyd.expected_purchases(
            data=data, future_t=np.full(len(data), holdout_days / DAYS_PER_WEEK)
        )
    return np.asarray(expected.mean(dim=("chain", "draw"))).reshape(-1)
