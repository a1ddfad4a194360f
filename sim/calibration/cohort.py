"""Replaying a log's own customers through the simulator.

The check of a calibration is the simulator itself, not only the fitted formula: the calibrated
scenario is run with the log's cohort, each customer making their first purchase on the day the
log shows it, through the calibration window and the holdout. Nobody else comes: marketing
reach is off and the market holds nobody beyond the cohort (word of mouth still passes between
the cohort's customers and can win lost ones back). The business cannot go bankrupt in a replay
(its money is not what is checked), and no loyalty program runs: the log is the business
without one.

Each replication gives the cohort's repeat transactions per day and each customer's
transactions in the calibration window and in the holdout, in the order of the log's first
purchases; their means over the replications are what :mod:`sim.calibration.checks` compares
with the log.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.model import AgentModel
from sim.experiments.executors import run_tasks
from sim.money import ledger
from sim.scenario import Scenario

ARRIVAL_TIME_OF_DAY = 0.5
"""A first purchase on day ``d`` of the log is replayed at time ``d + 0.5`` (mid-day)."""
NO_BANKRUPTCY_CASH = 1e12
"""Cash of the business in a replay: enough that no replay ends in bankruptcy."""


def replay_scenario(scenario: Scenario, horizon_days: int) -> Scenario:
    """The scenario of a replay: the same customers and their behaviour, no acquisition, no
    program, no fixed costs, and cash that never runs out."""
    return scenario.with_overrides(
        {
            "horizon_days": horizon_days,
            "market.initial_customers": 0,
            "market.reach_rate_per_year": 0,
            "word_of_mouth.network": "well_mixed",
            "programs": [],
            "active_program": None,
            "business.starting_cash": NO_BANKRUPTCY_CASH,
            "business.fixed_costs_per_month": 0,
        }
    )


@dataclass
class Replay:
    """One replication of a cohort.

    Attributes
    ----------
    repeat_per_day
        The cohort's repeat transactions on each day (every purchase after a customer's first).
    calibration, holdout
        Each customer's repeat transactions in the calibration window and transactions in the
        holdout, in the order of ``first_times``.
    spend_per_repeat
        Mean amount of a repeat purchase (at list price) in the calibration window.
    """

    repeat_per_day: np.ndarray
    calibration: np.ndarray
    holdout: np.ndarray
    spend_per_repeat: float


def replay_model(
    scenario: Scenario,
    first_times: np.ndarray,
    seed: int,
    checkpoint_day: int | None = None,
    compiled: bool | None = None,
) -> AgentModel:
    """The model of a replay, ready to run: the cohort arrives at ``first_times`` (days), and
    the market holds nobody else, so neither marketing nor word of mouth brings anyone who is
    not in the log. ``scenario`` is a :func:`replay_scenario`."""
    model = AgentModel(
        scenario, seed, compiled=compiled, arrivals=first_times, checkpoint_day=checkpoint_day
    )
    model.market.pool = 0  # market.size is at least 1; the cohort comes from outside the pool
    return model


def replay_once(
    scenario: Scenario, first_times: np.ndarray, calibration_end: int, seed: int
) -> Replay:
    """Replay the cohort once: ``first_times`` in days (ascending, all by the end of
    ``calibration_end``, the last day of the calibration window); the scenario's horizon ends
    the holdout."""
    model = replay_model(scenario, first_times, seed, checkpoint_day=calibration_end).run()
    rec = model.recorder
    purchases = np.asarray(rec.purchases, dtype=float)
    first = np.asarray(rec.first_purchases, dtype=float)
    at_end = np.array([c.purchases for c in model.customers], dtype=np.int64)
    at_checkpoint = np.asarray(model.purchases_at_checkpoint, dtype=np.int64)
    calibration = np.maximum(at_checkpoint - 1, 0)
    holdout = at_end - at_checkpoint
    revenue = model.ledger.array[ledger.REVENUE]
    first_revenue = np.asarray(rec.first_purchase_revenue, dtype=float)
    upto = calibration_end + 1
    repeat_revenue = float(revenue[:upto].sum() - first_revenue[:upto].sum())
    repeats = float((purchases[:upto] - first[:upto]).sum())
    return Replay(
        repeat_per_day=purchases - first,
        calibration=calibration,
        holdout=holdout,
        spend_per_repeat=repeat_revenue / repeats if repeats else float("nan"),
    )


def replay(
    scenario: Scenario,
    first_times: np.ndarray,
    calibration_end: int,
    runs: int,
    seed: int,
    executor: str = "processes",
    workers: int | None = None,
) -> list[Replay]:
    """``runs`` replications of the cohort, seeds ``seed, seed+1, ...``, in seed order."""
    tasks = [(i, (scenario, first_times, calibration_end, seed + i)) for i in range(runs)]
    results = dict(run_tasks(replay_once, tasks, executor=executor, workers=workers))
    return [results[i] for i in range(runs)]
