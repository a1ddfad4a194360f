"""Matching the simulator to the calibration window, so no dropout counts twice.

The BG/NBD fit explains *all* of a cohort's slowing down: every customer who stopped buying,
whatever the reason. The engine has more ways to lose and slow customers than the fitted
dropout propensity (docs/model.md, sections 4 and 13): life events and competitor offers
strike with time; dissatisfaction and a weak relationship raise the chance of drifting away;
the ladder's rungs change how often and how long customers buy. Put the fitted values into a
scenario with all of those on, and the losses the fit explains would be counted once by the
fitted propensity and again by the other causes.

A log cannot tell these causes apart. Two steps keep them from counting twice:

1. **Time-based causes** (life events, background competitor campaigns) are either *folded*
   into the fitted dropout (``time_losses="fold"``, the default: their rates are set to 0,
   :data:`FOLDED`, since the fitted propensity already holds those losses), or *kept* at the
   base scenario's rates (``"keep"``: the planner's assumptions, or the documented defaults),
   and then the next step makes room for them. Competitor campaigns on given days
   (``competition.scheduled_offer_days``) always stay: they are events a planner adds, which
   the log never saw.
2. **Two scales are fitted by simulation** (a method of simulated moments, McFadden 1989), with
   every remaining cause of the scenario in place:

   * a **rate scale** ``s_rate``: ``purchase_rate_alpha_days`` becomes ``alpha / s_rate``
     (every customer's base rate times ``s_rate``);
   * a **dropout scale** ``s_drop``: the mean dropout propensity ``a / (a + b)`` becomes
     ``s_drop`` times the fitted one, through ``dropout_b`` (``a`` kept).

They are chosen so that the replayed cohort (:mod:`sim.calibration.cohort`) has as many
customers who never bought again, and makes as many repeat purchases, in the calibration window
as the log shows. The first target fixes mostly how often customers buy (under BG/NBD the
chance of no repeat purchase does not depend on dropout at all), the second then how soon they
stop. The root is found by Newton steps with a finite-difference Jacobian in log scales, on
common random numbers (the same replay seeds at every step), so the simulated counts move
smoothly with the scales. With no other cause in the base scenario both scales stay near 1, and
the first try may already be within the tolerance (no step taken). With the default causes
kept (``"keep"``) both rise, by about 15-30% on the logs measured in docs/calibration.md: the
losses before a first repeat purchase, which BG/NBD does not have, are made up by faster
buying, and the faster buying by faster dropout.

The fit keeps its *shapes* (how customers differ: ``r``, ``a`` and the gamma-gamma). The basket
is matched in one step, since nothing in the engine feeds back on it: ``basket_mean`` is scaled
so that a replayed repeat purchase costs what the log's do on average (the ladder's spend
multipliers would otherwise raise it on top of the fit). The holdout check
(``sim.calibration.checks``) then judges the result on data the matching never saw. Measured
(docs/calibration.md): on the real CDNOW log folding forecasts the holdout better than keeping;
on logs the engine itself generates with its default causes of loss, keeping does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration import cohort
from sim.calibration.transactions import mean_repeat_basket
from sim.scenario import Scenario

MATCH_CUSTOMERS = 20_000
"""Simulated customers (cohort size times replays) behind each step of the matching, all
replayed with the same seeds at every step."""
SEED_OFFSET = 2000
"""The replays of the matching and of the holdout check start from seed + this offset, so the
check's first replays are the matching's, carried on through the holdout."""
TOLERANCE = 0.01
"""Relative gap of both targets at which the matching stops."""
MAX_STEPS = 8
STEP = 0.05
"""Finite-difference step on the log scales."""
MAX_DROPOUT_MEAN = 0.95
"""Highest mean dropout propensity the matching may reach."""
MIN_LOG_SCALE = -5.0
"""Smallest log scale (a scale of about 0.7%)."""
TARGET_NAMES = ("customers_without_repeat_purchase", "repeat_purchases")
"""What the matching makes the replays reproduce, in the calibration window."""


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


TIME_LOSSES = ("fold", "keep")
"""What the calibrated scenario does with the base's time-based causes of loss (step 1)."""
FOLDED: dict[str, float] = {
    "life_events.needs_changed_per_year": 0.0,
    "life_events.moved_away_per_year": 0.0,
    "life_events.went_bankrupt_per_year": 0.0,
    "competition.offers_per_year": 0.0,
}
"""The rates folded into the fitted dropout with ``time_losses="fold"``."""


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
    summary: pd.DataFrame,
    first_times: np.ndarray,
    calibration_end: int,
    seed: int,
    executor: str = "processes",
    workers: int | None = None,
) -> Match:
    """Find the rate, dropout and basket scales (see the module's docstring)."""
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
            seed + SEED_OFFSET,
            executor,
            workers,
        )
        counts, spend = _simulated(runs)
        return np.log(np.maximum(counts, 0.5)) - log_target, spend, counts

    knobs = len(target)  # one scale per target: rate and dropout
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
    log_spend = mean_repeat_basket(summary)
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
