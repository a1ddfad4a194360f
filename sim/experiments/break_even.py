"""Break-even response: how strongly members must respond for a design to pay back, and below
which response it would bankrupt the business.

A verdict rests on the customers' response, the least certain input of all. The break-even
search turns the question around: with the modelled response to the deal switched off
(``NO_RESPONSE``), it states a response directly (``program_response.visit_lift``,
``basket_lift``, ``churn_cut``, the same for every member and sustained over the horizon) and
finds, by paired runs on common random numbers against the no-program baseline, the smallest
one at which the mean incremental profit over the horizon reaches zero. Each lever is searched
alone, and all three together on one scale (``combined``: visits, basket and churn cut all at
``x``). A planner then reads "needs +4% visits from members" against what published programs of
the kind achieved (``sim.experiments.published_effects``).

The mean incremental profit over the same seeds rises with the stated response, nearly in a
straight line, but not smoothly at a fine scale: a slightly different purchase rate moves every
later event of a customer, so two nearby responses differ by noise as well as by their effect.
The search therefore tries a first step, then twice the root of the least-squares line through
the (up to three) responses tried whose profit is nearest zero, and reports that line's root
(a secant method made robust by regression). The points of the search
also show where the ruin the design causes (paired runs bankrupt with it and not without it)
falls to the experiment's ruin threshold: below that response, the design would bankrupt the
business.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.experiments.bands import summary_column
from sim.experiments.runner import (
    BASELINE,
    Execution,
    ReplicationTask,
    replication_seed,
    run_experiment,
)
from sim.scenario import Scenario

LEVERS: dict[str, tuple[str, ...]] = {
    "visits": ("visit_lift",),
    "basket": ("basket_lift",),
    "retention": ("churn_cut",),
    "combined": ("visit_lift", "basket_lift", "churn_cut"),
}
"""Each lever and the ``program_response`` fields it sets to the searched value."""

UPPER: dict[str, float] = {"visits": 3.0, "basket": 3.0, "retention": 1.0, "combined": 1.0}
"""The largest response searched per lever: +300% visits or basket, churn cut to nothing."""

FIRST_STEP: dict[str, float] = {
    "visits": 0.05,
    "basket": 0.05,
    "retention": 0.25,
    "combined": 0.03,
}
"""The first response tried after none at all."""

NO_RESPONSE: dict[str, float] = {
    "program_response.visit_elasticity": 0.0,
    "program_response.goal_gradient": 0.0,
    "program_response.basket_sensitivity": 0.0,
    "program_response.switching_cost_effect": 0.0,
}
"""The modelled response to the deal, switched off: only the stated response acts."""

ROUNDS = 3
"""Responses tried per lever after none at all: a first step, then twice the root of the line
through the points nearest zero profit."""

NEAREST = 3
"""The break-even is the root of the least-squares line through this many tried responses
whose mean incremental profit is nearest zero."""

RESOLUTION = 1e-4
"""Responses closer than this (a hundredth of a percentage point) count as the same: the search
stops rather than try one again."""

BREAK_EVEN_RUNS = 10
"""Paired runs per searched response by default."""


@dataclass
class LeverSearch:
    """The search on one lever of one design: every response tried and its paired results."""

    lever: str
    upper: float
    points: dict[float, tuple[float, float]] = field(default_factory=dict)
    """Response -> (mean incremental profit, share of runs with caused ruin)."""

    def profit(self, x: float) -> float:
        return self.points[x][0]

    def done(self) -> bool:
        """Paying back with no response at all, or the largest response tried short of it."""
        return self.profit(0.0) >= 0.0 or (
            self.upper in self.points and self.profit(self.upper) < 0
        )

    def root(self) -> float:
        """Where the least-squares line through the ``NEAREST`` responses tried whose profit is
        nearest zero crosses zero (a line through one point and the origin's slope is not
        defined: then the first step); inf when the line does not rise."""
        tried = sorted(self.points, key=lambda x: abs(self.profit(x)))[:NEAREST]
        if len(tried) < 2:
            return FIRST_STEP[self.lever]
        x = np.array(tried)
        y = np.array([self.profit(t) for t in tried])
        slope, intercept = np.polyfit(x, y, 1)
        if slope <= 0.0:
            return math.inf
        return float(-intercept / slope)

    def next_point(self) -> float:
        """The next response to try: the root, within 0 .. ``upper``."""
        return float(min(self.upper, max(0.0, self.root())))

    def tried(self, x: float) -> bool:
        """Whether a response within ``RESOLUTION`` of ``x`` was tried already."""
        return any(abs(x - t) < RESOLUTION for t in self.points)

    def record(self, x: float, profit: float, ruin: float) -> None:
        self.points[x] = (profit, ruin)

    def break_even(self) -> float:
        """The response at which the mean incremental profit crosses zero: 0 when the design pays
        back with none, inf when not even ``upper`` is enough, else :meth:`root`."""
        if self.profit(0.0) >= 0.0:
            return 0.0
        if self.upper in self.points and self.profit(self.upper) < 0.0:
            return math.inf
        root = self.root()
        return root if root <= self.upper else math.inf

    def bankrupt_below(self, threshold: float) -> float:
        """The response below which the ruin the design causes exceeds ``threshold``,
        interpolated between the responses tried; NaN when it does not, even with no response,
        and inf when it does at every response tried."""
        tried = sorted(self.points)
        ruins = [self.points[x][1] for x in tried]
        if ruins[0] <= threshold:
            return math.nan
        for x0, r0, x1, r1 in zip(tried, ruins, tried[1:], ruins[1:], strict=False):
            if r0 > threshold >= r1:
                return float(x0 + (r0 - threshold) * (x1 - x0) / (r0 - r1))
        return math.inf


@dataclass
class BreakEven:
    """Break-even responses of a scenario's designs.

    Attributes
    ----------
    table
        One row per design: ``break_even_<lever>`` for each of ``LEVERS`` (0: pays back with
        no response at all; inf: not even the largest searched), ``bankrupt_below_<lever>``
        (NaN: no ruin above the threshold even with no response), ``profit_without_response``
        (mean incremental profit with no response) and ``runs``.
    points
        Every response tried: ``program``, ``lever``, ``response``, ``incremental_profit`` (mean
        over the paired runs) and ``caused_ruin`` (share of them).
    """

    table: pd.DataFrame
    points: pd.DataFrame


def break_even(
    scenario: Scenario,
    programs: Sequence[str] | None = None,
    *,
    runs: int = BREAK_EVEN_RUNS,
    seed: int = 0,
    levers: Sequence[str] = tuple(LEVERS),
    execution: Execution | None = None,
) -> BreakEven:
    """The smallest stated response at which each design pays back, lever by lever.

    Parameters
    ----------
    scenario
        A scenario with program designs.
    programs
        Names of the designs (default: all).
    runs
        Paired runs per response tried (the same seeds at every response, and those of
        ``compare`` with the same ``seed``).
    seed
        The experiment's seed.
    levers
        Which of ``LEVERS`` to search.
    execution
        How the replications run (default: every core, a temporary folder).

    Returns
    -------
    BreakEven
    """
    names = [d.name for d in scenario.programs]
    chosen = list(names if programs is None else programs)
    unknown = [lever for lever in levers if lever not in LEVERS]
    if unknown:
        raise ValueError(f"no lever {unknown[0]!r}; levers: {', '.join(LEVERS)}")
    execution = execution or Execution("processes", None, None, False)
    silent = Execution(execution.executor, execution.workers, None, execution.progress)
    seeds = [replication_seed(seed, i) for i in range(runs)]
    threshold = scenario.experiment.ruin_threshold

    def scenario_at(program: str, lever: str | None, x: float) -> Scenario:
        overrides: dict[str, object] = {"active_program": program}
        if program != BASELINE:
            overrides.update(NO_RESPONSE)
            for name in LEVERS[lever] if lever else ():
                overrides[f"program_response.{name}"] = x
        return scenario.with_overrides(overrides)

    def evaluate(points: list[tuple[str, str | None, float]]) -> list[pd.DataFrame]:
        """Run every (program, lever, response) on every seed; each point's summary rows."""
        tasks = []
        for p, (program, lever, x) in enumerate(points):
            sc = scenario_at(program, lever, x)
            for i, s in enumerate(seeds):
                label = {"point": p, "replication": i}
                tasks.append(ReplicationTask(f"p{p:04d}-r{i:06d}", label, sc, s))
        with run_experiment(
            "break_even", scenario, seed, runs, tasks, keep_daily=False, execution=silent
        ) as store:
            summary = store.summary()
        return [
            summary[summary["point"] == p].sort_values("replication").reset_index(drop=True)
            for p in range(len(points))
        ]

    first = evaluate([(BASELINE, None, 0.0)] + [(p, None, 0.0) for p in chosen])
    base = first[0]
    base_profit = summary_column(base, "profit")
    base_bankrupt = summary_column(base, "bankrupt").astype(bool)

    def paired(frame: pd.DataFrame) -> tuple[float, float]:
        gain = float(np.mean(summary_column(frame, "profit") - base_profit))
        caused = summary_column(frame, "bankrupt").astype(bool) & ~base_bankrupt
        return gain, float(caused.mean())

    searches: dict[tuple[str, str], LeverSearch] = {}
    for program, frame in zip(chosen, first[1:], strict=True):
        at_zero = paired(frame)
        for lever in levers:
            search = LeverSearch(lever, UPPER[lever])
            search.record(0.0, *at_zero)
            searches[(program, lever)] = search
    for _ in range(ROUNDS):
        pending = [(key, s, s.next_point()) for key, s in searches.items() if not s.done()]
        pending = [(key, s, x) for key, s, x in pending if not s.tried(x)]
        if not pending:
            break
        frames = evaluate([(program, lever, x) for (program, lever), _, x in pending])
        for (_, s, x), frame in zip(pending, frames, strict=True):
            s.record(x, *paired(frame))
    rows, tried = [], []
    for program in chosen:
        row: dict[str, object] = {"program": program}
        for lever in levers:
            s = searches[(program, lever)]
            row[f"break_even_{lever}"] = s.break_even()
            row[f"bankrupt_below_{lever}"] = s.bankrupt_below(threshold)
            for x, (profit, ruin) in sorted(s.points.items()):
                tried.append(
                    {
                        "program": program,
                        "lever": lever,
                        "response": x,
                        "incremental_profit": profit,
                        "caused_ruin": ruin,
                    }
                )
        row["profit_without_response"] = searches[(program, levers[0])].profit(0.0)
        row["runs"] = runs
        rows.append(row)
    return BreakEven(pd.DataFrame(rows), pd.DataFrame(tried))
