"""Migration-matrix mode: the ladder as an explicit per-period Markov chain.

For analysts who have a rung-to-rung migration matrix from their CRM (Pfeifer & Carraway
2000): customers sit in states (the ladder's rung names plus an absorbing ``lost``), earn their
state's contribution at the start of every period, then move by the matrix. The expected
discounted value per starting state has the closed form V = (I - P/(1+d))^-1 R
(:func:`analytic_values`), which the tests check the simulation against.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import simpy

from sim.engine.streams import spawn_streams
from sim.money import ledger
from sim.results import RunResult, money_columns, money_summary
from sim.rules.ladder import rung_names, slug
from sim.rules.relationship import DAYS_PER_MONTH
from sim.scenario import Migration, Scenario


def migration_states(scenario: Scenario) -> list[str]:
    """States of the chain: the ladder's rung names, then ``lost``."""
    return [*rung_names(scenario.ladder.stage_names()), "lost"]


def transition_matrix(migration: Migration, states: list[str]) -> np.ndarray:
    """The matrix as a dense array over ``states`` (rows without data stay put)."""
    n = len(states)
    p = np.eye(n)
    for origin, row in migration.matrix.items():
        i = states.index(origin)
        p[i] = 0.0
        for target, prob in row.items():
            p[i, states.index(target)] = prob
    return p


def period_discount_rate(annual_rate: float, period_days: float) -> float:
    """Discount rate per period equivalent to an annual rate."""
    return (1.0 + annual_rate) ** (period_days / 365.0) - 1.0


def analytic_values(p: np.ndarray, r: np.ndarray, d: float) -> np.ndarray:
    """Expected discounted value per starting state, V = (I - P/(1+d))^-1 R.

    Parameters
    ----------
    p
        Transition matrix per period (rows sum to 1).
    r
        Contribution per state per period, received at the start of the period.
    d
        Discount rate per period.
    """
    n = len(r)
    return np.linalg.solve(np.eye(n) - p / (1.0 + d), r)


def next_states(states: np.ndarray, p: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Move every customer one period: state j goes to the first k with cumsum(P[j])[k] > u."""
    cumulative = np.cumsum(p, axis=1)
    cumulative[:, -1] = 1.0
    rows = cumulative[states]
    return (uniforms[:, None] >= rows).sum(axis=1).clip(max=p.shape[0] - 1)


class MatrixModel:
    """One replication in migration-matrix mode.

    Customers are rows of arrays (state, entry period, discounted value), moved together at
    each period boundary; a daily SimPy process books fixed costs and records the day.
    """

    def __init__(
        self, scenario: Scenario, seed: int, progress: Callable[[int, int], None] | None = None
    ):
        if scenario.ladder.migration is None:
            raise ValueError("matrix mode needs ladder.migration")
        self.scenario = scenario
        self.seed = seed
        self.progress = progress
        self.migration = m = scenario.ladder.migration
        self.states = migration_states(scenario)
        self.lost = len(self.states) - 1
        self.p = transition_matrix(m, self.states)
        self.r = np.array([m.contribution.get(s, 0.0) for s in self.states])
        self.d = period_discount_rate(scenario.business.discount_rate_per_year, m.period_days)
        self.gen = spawn_streams(seed)["migration"].gen
        self.env = simpy.Environment()
        self.horizon = scenario.horizon_days
        b = scenario.business
        self.ledger = ledger.Ledger(self.horizon, b.starting_cash, b.credit_line)
        self.state = np.zeros(0, dtype=np.int64)
        self.entry = np.zeros(0, dtype=np.int64)
        self.start_state = np.zeros(0, dtype=np.int64)
        self.value = np.zeros(0)
        self.lost_day = np.zeros(0)
        self.counts: list[np.ndarray] = []
        self.current_counts = np.zeros(len(self.states), dtype=np.int64)
        self.bankrupt_day: int | None = None
        self.stop = self.env.event()

    def _enter(self, table: dict[str, int], period: int) -> None:
        new = np.concatenate(
            [np.full(table[s], self.states.index(s), dtype=np.int64) for s in table]
            or [np.zeros(0, dtype=np.int64)]
        )
        self.state = np.concatenate([self.state, new])
        self.start_state = np.concatenate([self.start_state, new])
        self.entry = np.concatenate([self.entry, np.full(len(new), period, dtype=np.int64)])
        self.value = np.concatenate([self.value, np.zeros(len(new))])
        self.lost_day = np.concatenate([self.lost_day, np.full(len(new), np.nan)])

    def run(self) -> MatrixModel:
        """Simulate to the horizon or to bankruptcy."""
        self._enter(self.migration.initial, 0)
        self.env.process(self._periods())
        self.env.process(self._days())
        self.env.run(until=self.stop)
        return self

    def _periods(self):
        period_days = self.migration.period_days
        k = 0
        while k * period_days < self.horizon:
            if k > 0 and self.migration.entrants_per_period:
                self._enter(self.migration.entrants_per_period, k)
            day = int(self.env.now)
            earned = self.r[self.state]
            self.value += earned * (1.0 + self.d) ** (-(k - self.entry).astype(float))
            self.ledger.post(day, ledger.CONTRIBUTION, float(earned.sum()))
            was_active = self.state != self.lost
            self.state = next_states(self.state, self.p, self.gen.random(len(self.state)))
            newly_lost = was_active & (self.state == self.lost)
            self.lost_day[newly_lost] = (k + 1) * period_days
            self.current_counts = np.bincount(self.state, minlength=len(self.states))
            k += 1
            yield self.env.timeout(period_days)

    def _days(self):
        fixed = self.scenario.business.fixed_costs_per_month / DAYS_PER_MONTH
        for day in range(self.horizon):
            self.ledger.post(day, ledger.FIXED_COSTS, -fixed)
            yield self.env.timeout(1.0)
            self.counts.append(self.current_counts)
            cash = self.ledger.close_day(day)
            if self.progress is not None:
                self.progress(day + 1, self.horizon)
            if self.ledger.is_bankrupt(cash):
                self.bankrupt_day = day
                break
        self.stop.succeed()


def build_matrix_result(model: MatrixModel) -> RunResult:
    """Turn a finished :class:`MatrixModel` into a :class:`RunResult`."""
    sc = model.scenario
    days = len(model.counts)
    counts = np.array(model.counts).reshape(days, len(model.states))
    daily: dict[str, Any] = {"day": np.arange(days)}
    for i, state in enumerate(model.states):
        daily[f"n_{slug(state)}"] = counts[:, i]
    daily.update(money_columns(model.ledger, days))
    names = np.array(model.states, dtype=object)
    customers = pd.DataFrame(
        {
            "id": np.arange(len(model.state)),
            "rung": names[model.state],
            "start_rung": names[model.start_state],
            "entered_day": model.entry * model.migration.period_days,
            "lost_day": model.lost_day,
            "discounted_value": model.value,
        }
    )
    summary: dict[str, Any] = {
        "scenario": sc.name,
        "seed": model.seed,
        "mode": "matrix",
        "horizon_days": sc.horizon_days,
        "days_simulated": days,
        "rungs_at_end": {s: int(counts[-1, i]) for i, s in enumerate(model.states)} if days else {},
        "customers": len(model.state),
    }
    summary.update(money_summary(model.ledger, days))
    summary["bankrupt"] = model.bankrupt_day is not None
    summary["bankrupt_day"] = model.bankrupt_day
    movements = pd.DataFrame(columns=["agent", "time", "from_stage", "to_stage", "reason"])
    return RunResult(
        scenario=sc,
        seed=model.seed,
        daily=pd.DataFrame(daily),
        customers=customers,
        ledger=model.ledger.table(days),
        movements=movements,
        summary=summary,
        bankrupt_day=model.bankrupt_day,
    )


__all__ = [
    "MatrixModel",
    "analytic_values",
    "build_matrix_result",
    "migration_states",
    "next_states",
    "period_discount_rate",
    "transition_matrix",
]
