"""``replicate``: one scenario run many times with independent seeds.

One simulated run is an anecdote. ``replicate`` runs a scenario many times and reports every
summary figure with a confidence interval and every daily series as quantile bands."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.bands import daily_bands, summary_estimates
from sim.experiments.estimates import Estimate, proportion_interval
from sim.experiments.runner import (
    Execution,
    ProgressCallback,
    ReplicationTask,
    experiment_folder,
    replication_seed,
    run_until_settled,
)
from sim.experiments.sequential import mean_sequence
from sim.scenario import Scenario
from sim.scenario.fields import integer_at_least


@dataclass
class Ensemble:
    """Replications of one scenario.

    Attributes
    ----------
    scenario
        The scenario replicated.
    runs, seed
        Replications and the experiment's seed (replication ``i`` used
        ``replication_seed(seed, i)``).
    summary
        One row per replication: ``replication``, ``seed`` and every summary figure, flattened
        with dotted names (``costs.marketing``, ``program.points.liability``).
    estimates
        One row per summary figure: ``mean``, ``low``, ``high`` (confidence interval at
        ``scenario.experiment.confidence``), ``sd``, ``n``.
    bands
        Every daily series across replications: ``series``, ``day``, ``mean`` and one column
        per quantile of ``scenario.experiment.band_quantiles`` (``q05`` ... ``q95``).
    bankruptcy
        Share of replications that went bankrupt within the horizon, with Wilson's interval.
    bankrupt_days
        Day of bankruptcy of each replication that went bankrupt.
    folder
        Where the replications were written (None when they went to a temporary folder).
    precision
        When figures were asked to a stated precision: one row per figure with ``target``
        (the half-width asked for, in the figure's units), ``half_width`` (reached, of the
        confidence sequence), ``reached`` and the runs made; their rows of ``estimates`` then
        hold the confidence sequence's bounds. Empty otherwise.
    """

    scenario: Scenario
    runs: int
    seed: int
    summary: pd.DataFrame
    estimates: pd.DataFrame
    bands: pd.DataFrame
    bankruptcy: Estimate
    bankrupt_days: np.ndarray
    folder: Path | None = None
    precision: pd.DataFrame | None = None

    def estimate(self, figure: str) -> Estimate:
        """One summary figure's mean and confidence interval, e.g. ``estimate("profit")``."""
        row = self.estimates.set_index("figure").loc[figure]
        return Estimate(row["mean"], row["low"], row["high"], int(row["n"]), row["sd"])

    def band(self, series: str) -> pd.DataFrame:
        """One daily series' bands, one row per day."""
        return self.bands[self.bands["series"] == series].reset_index(drop=True)


def replicate(
    scenario: Scenario,
    runs: int | None = None,
    seed: int = 0,
    *,
    executor: Any = "processes",
    workers: int | None = None,
    out: str | Path | None = None,
    progress: bool | ProgressCallback = False,
    precision: Mapping[str, float | str] | None = None,
) -> Ensemble:
    """Run a scenario ``runs`` times with independent seeds.

    Parameters
    ----------
    scenario
        The scenario, with the program ``active_program`` selects in place.
    runs
        Replications (default ``scenario.experiment.runs``, 30).
    seed
        The experiment's seed; replication ``i`` uses ``replication_seed(seed, i)``.
    executor, workers, out, progress
        How the replications run and where they go, the same in every experiment function:
        see :class:`~sim.experiments.runner.Execution` (default: every core, a temporary
        folder, no progress bar; the same ``out`` again resumes).
    precision
        Summary figures to estimate to a stated precision, each with the half-width of its
        interval to reach: a number in the figure's units (``{"profit": 5000}``) or a share of
        its mean (``{"profit": "2%"}``). The runs are then chosen by the question: the
        ``experiment.runs`` first, then ``experiment.batch_runs`` more at a time until every
        figure's confidence sequence (``sim.experiments.sequential``: valid although the runs
        stop once it is narrow enough) is within its half-width, or ``experiment.max_runs``.
        Give ``runs`` or ``precision``, not both.

    Returns
    -------
    Ensemble
    """
    exp = scenario.experiment
    targets = dict(precision or {})
    if targets and runs is not None:
        raise ValueError("give runs or precision, not both: with precision the runs are chosen")
    for figure, target in targets.items():
        check_target(figure, target)
    if targets:
        known = summary_figures(scenario)
        for figure in targets:
            if figure not in known:
                figures = ", ".join(sorted(f for f in known if not f.startswith("program.")))
                raise ValueError(f"precision: no summary figure {figure!r}; figures: {figures}")
    runs = exp.max_runs if targets else check_runs(runs, scenario)

    def tasks(count: int) -> list[ReplicationTask]:
        return [
            ReplicationTask(f"r{i:06d}", {"replication": i, "seed": s}, scenario, s)
            for i in range(count)
            for s in [replication_seed(seed, i)]
        ]

    def values(store: Any, figure: str, count: int) -> np.ndarray:
        rows = [store.summary_row(f"r{i:06d}") for i in range(count)]
        return np.array([r[figure] for r in rows], dtype=float)

    def unsettled(store: Any, count: int) -> list[str]:
        return [f for f, t in targets.items() if not _precise(values(store, f, count), t, exp)[2]]

    manifest = {"precision": {f: str(t) for f, t in targets.items()}} if targets else {}
    with experiment_folder(
        "replicate", scenario, seed, "precision" if targets else runs, out, **manifest
    ) as store:
        runs = run_until_settled(
            store,
            tasks,
            min(runs, exp.runs) if targets else runs,
            runs,
            exp.batch_runs,
            (lambda n: unsettled(store, n)) if targets else None,
            keep_daily=True,
            execution=Execution(executor, workers, out, progress),
            description=f"replicate {scenario.name}",
        )
        final = tasks(runs)
        store.collect([t.key for t in final], [t.label for t in final], True)
        summary = store.summary()
        bands = daily_bands(store, scenario.horizon_days, exp.band_quantiles, None)
        reached = [(f, t, *_precise(values(store, f, runs), t, exp)) for f, t in targets.items()]
    estimates = summary_estimates(summary, exp.confidence)
    for figure, _, sequence, _, _ in reached:
        at = estimates["figure"] == figure
        estimates.loc[at, ["low", "high"]] = [sequence.low, sequence.high]
    bankrupt = summary["bankrupt"].astype(bool).to_numpy()
    return Ensemble(
        scenario=scenario,
        runs=runs,
        seed=seed,
        summary=summary,
        estimates=estimates,
        bands=bands,
        bankruptcy=proportion_interval(int(bankrupt.sum()), runs, exp.confidence),
        bankrupt_days=summary.loc[bankrupt, "bankrupt_day"].to_numpy(dtype=float),
        folder=None if out is None else Path(out),
        precision=pd.DataFrame(
            [
                {"figure": f, "target": goal, "half_width": half, "reached": ok, "runs": runs}
                for f, _, sequence, goal, ok in reached
                for half in [(sequence.high - sequence.low) / 2]
            ],
            columns=["figure", "target", "half_width", "reached", "runs"],
        ),
    )


def summary_figures(scenario: Scenario) -> set[str]:
    """The flattened summary figures a run of ``scenario`` reports (from a one-day run)."""
    from sim.engine import simulate
    from sim.experiments.store import flatten

    return set(flatten(simulate(scenario.with_overrides({"horizon_days": 1}), 0).summary))


def check_target(figure: str, target: float | str) -> None:
    """A precision target: a positive number, or a positive share of the mean such as ``"2%"``;
    otherwise a ValueError naming the figure."""
    try:
        value = _target_value(target)
    except ValueError:
        value = math.nan
    if not value > 0 or not math.isfinite(value):
        raise ValueError(
            f"precision of {figure!r} = {target!r}: give a positive half-width in the figure's "
            "units (5000) or a positive share of its mean ('2%')"
        )


def _target_value(target: float | str) -> float:
    if isinstance(target, str) and target.strip().endswith("%"):
        return float(target.strip()[:-1]) / 100
    if isinstance(target, bool):
        raise ValueError("a flag is not a precision")
    return float(target)


def _precise(x: np.ndarray, target: float | str, exp: Any) -> tuple[Estimate, float, bool]:
    """The figure's confidence sequence, the half-width asked for (a share of the mean turned
    into units), and whether the sequence is within it."""
    sequence = mean_sequence(x, exp.confidence, exp.runs)
    goal = _target_value(target)
    if isinstance(target, str):
        goal *= abs(sequence.mean)
    half = (sequence.high - sequence.low) / 2
    return sequence, goal, bool(half <= goal)


def check_runs(runs: int | None, scenario: Scenario) -> int:
    """The replications asked for (default ``experiment.runs``), at least 2, or an error."""
    return integer_at_least("runs", scenario.experiment.runs if runs is None else runs, 2)
