"""Matching the simulator to the calibration window, so no dropout counts twice.

The BG/NBD fit explains *all* of a cohort's slowing down: every customer who stopped buying,
whatever the reason. The engine has more ways to lose and slow customers than the fitted
dropout propensity (docs/model.md, sections 4 and 13): life events and competitor offers
strike with time; dissatisfaction and a weak relationship raise the chance of drifting away;
the ladder's rungs change how often and how long customers buy. Put the fitted values into a
scenario with all of those on, and the losses the fit explains would be counted once by the
fitted propensity and again by the other causes. Two steps prevent it.

1. **Time-based causes are folded into the fitted dropout** (:data:`FOLDED`): the rates of
   life events and of background competitor campaigns are set to 0 in the calibrated
   scenario, since the log cannot tell those losses from any other and the fitted dropout
   already holds them. Competitor campaigns on given days (``competition.scheduled_offer_days``)
   still strike: they are events a planner adds, which the log never saw.
2. **Two scales are fitted by simulation** (a method of simulated moments, McFadden 1989) so
   that the engine's opportunity-level modulations (satisfaction, relationship, rungs) do not
   shift the fitted rates and dropout on average:

   * a **rate scale** ``s_rate``: ``purchase_rate_alpha_days`` becomes ``alpha / s_rate``
     (every customer's base rate times ``s_rate``);
   * a **dropout scale** ``s_drop``: the mean dropout propensity ``a / (a + b)`` becomes
     ``s_drop`` times the fitted one, through ``dropout_b`` (``a`` kept).

   They are chosen so that the replayed cohort (:mod:`sim.calibration.cohort`) has as many
   customers who never bought again, and makes as many repeat purchases, in the calibration
   window as the log shows. The first target fixes mostly how often customers buy (under
   BG/NBD, the chance of no repeat purchase does not depend on dropout at all), the second
   then how soon they stop. The root is found by Newton steps with a finite-difference
   Jacobian in log scales, on common random numbers (the same replay seeds at every step), so
   the simulated counts move smoothly with the scales.

The fit keeps its *shapes* (how customers differ: ``r``, ``a`` and the gamma-gamma). The basket
is matched in one step, since nothing in the engine feeds back on it: ``basket_mean`` is scaled
so that a replayed repeat purchase costs what the log's do on average (the ladder's spend
multipliers would otherwise raise it on top of the fit). The holdout check
(``sim.calibration.checks``) then judges the result on data the matching never saw; the
measured effect of each step is in docs/calibration.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration import cohort
from sim.calibration.transactions import TransactionLog
from sim.scenario import Scenario

MATCH_CUSTOMERS = 20_000
"""Simulated customers (cohort size times replays) behind each step of the matching, all
replayed with the same seeds at every step."""
TOLERANCE = 0.01
"""Relative gap of both halves' repeat purchases at which the matching stops."""
MAX_STEPS = 8
STEP = 0.05
"""Finite-difference step on the log scales."""
MAX_DROPOUT_MEAN = 0.95
MIN_LOG_SCALE = -5.0
"""Smallest log scale (a scale of about 0.7%)."""
TARGET_NAMES = (
    "customers_without_repeat_purchase",
    "repeat_purchases",
)
"""Highest mean dropout propensity the matching may reach."""


@dataclass
class Match:
    """The scales the matching found and how close it came."""

    rate_scale: float
    dropout_scale: float
    basket_scale: float
    target: tuple[float, ...]
    achieved: tuple[float, ...]
    steps: int
    overrides: dict[str, float]

    @property
    def gap(self) -> float:
        """Largest relative gap between the replays' and the log's two targets."""
        return max(abs(a / t - 1.0) for a, t in zip(self.achieved, self.target, strict=True))

    def as_dict(self) -> dict[str, Any]:
        return {
            "rate_scale": self.rate_scale,
            "dropout_scale": self.dropout_scale,
            "basket_scale": self.basket_scale,
            "targets": list(TARGET_NAMES[: len(self.target)]),
            "target": list(self.target),
            "simulated": list(self.achieved),
            "steps": self.steps,
            "largest_gap": self.gap,
        }


FOLDED: dict[str, float] = {
    "life_events.needs_changed_per_year": 0.0,
    "life_events.moved_away_per_year": 0.0,
    "life_events.went_bankrupt_per_year": 0.0,
    "competition.offers_per_year": 0.0,
}
"""Causes of loss that strike with time, folded into the fitted dropout (step 1)."""


def scaled(scenario: Scenario, scales: np.ndarray) -> dict[str, float]:
    """The overrides for the rate and dropout scales, from the scenario's unscaled values."""
    cu = scenario.customers
    a, b = cu.dropout_a, cu.dropout_b
    mean = min(scales[1] * a / (a + b), MAX_DROPOUT_MEAN)
    out = {
        "customers.purchase_rate_alpha_days": cu.purchase_rate_alpha_days / scales[0],
        "customers.dropout_b": a * (1.0 - mean) / mean,
    }
    return out


def _targets(summary: pd.DataFrame) -> tuple[float, float]:
    """The log's targets: customers who did not buy again in the calibration window, and the
    cohort's repeat transactions there."""
    frequency = summary["frequency"].to_numpy()
    return float((frequency == 0).sum()), float(frequency.sum())


def _simulated(runs: list[cohort.Replay]) -> tuple[tuple[float, float], float]:
    """The replays' mean of the targets, and their mean repeat basket."""
    zero = np.mean([(r.calibration == 0).sum() for r in runs])
    repeats = np.mean([r.calibration.sum() for r in runs])
    spend = float(np.nanmean([r.spend_per_repeat for r in runs]))
    return (float(zero), float(repeats)), spend


def replays_for(customers: int) -> int:
    """Replays averaged at each step: enough for about :data:`MATCH_CUSTOMERS` simulated
    customers, at least 2 and at most 8."""
    return int(min(8, max(2, -(-MATCH_CUSTOMERS // max(customers, 1)))))


def match(
    scenario: Scenario,
    log: TransactionLog,
    summary: pd.DataFrame,
    first_times: np.ndarray,
    calibration_end: int,
    seed: int,
    executor: str = "processes",
    workers: int | None = None,
) -> Match:
    """Find the rate, dropout and basket scales for a scenario whose time-based causes are
    already folded (see the module's docstring)."""
    knobs = 2
    target = _targets(summary)
    replays = replays_for(len(summary))
    if min(target) <= 0:
        return Match(1.0, 1.0, 1.0, target, target, 0, {})
    log_target = np.log(target)
    replay_base = cohort.replay_scenario(scenario, calibration_end + 1)

    def run(theta: np.ndarray) -> tuple[np.ndarray, float, tuple[float, ...]]:
        overrides = scaled(scenario, np.exp(theta))
        runs = cohort.replay(
            replay_base.with_overrides(overrides),
            first_times,
            calibration_end,
            replays,
            seed + 2000,
            executor,
            workers,
        )
        counts, spend = _simulated(runs)
        return np.log(np.maximum(counts, 0.5)) - log_target, spend, counts

    theta = np.zeros(knobs)
    gap, spend, counts = run(theta)
    steps = 0
    while steps < MAX_STEPS and np.max(np.abs(np.expm1(gap))) > TOLERANCE:
        jacobian = np.empty((knobs, knobs))
        for j in range(knobs):
            probe = theta.copy()
            probe[j] += STEP
            jacobian[:, j] = (run(probe)[0] - gap) / STEP
        move = np.linalg.lstsq(jacobian, -gap, rcond=None)[0]
        move = np.clip(move, -1.0, 1.0)  # at most a factor e per step
        theta = np.maximum(theta + move, MIN_LOG_SCALE)
        gap, spend, counts = run(theta)
        steps += 1
    scales = np.exp(theta)
    log_spend = _log_repeat_spend(log, summary, calibration_end)
    basket_scale = log_spend / spend if spend and np.isfinite(spend) else 1.0
    overrides = scaled(scenario, scales)
    overrides["customers.basket_mean"] = scenario.customers.basket_mean * basket_scale
    return Match(
        rate_scale=float(scales[0]),
        dropout_scale=float(scales[1]),
        basket_scale=float(basket_scale),
        target=tuple(target),
        achieved=tuple(counts),
        steps=steps,
        overrides=overrides,
    )


def _log_repeat_spend(log: TransactionLog, summary: pd.DataFrame, calibration_end: int) -> float:
    """The log's mean amount of a repeat transaction of the cohort in the calibration window."""
    t = log.transactions
    first = t.groupby("customer_id")["day"].transform("min")
    cohort_mask = t["customer_id"].isin(set(summary["customer_id"]))
    repeat = t[(t["day"] > first) & cohort_mask & (t["day"] <= calibration_end)]
    return float(repeat["amount"].mean()) if len(repeat) else float("nan")
