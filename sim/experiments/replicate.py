"""``replicate``: one scenario run many times with independent seeds.

One simulated run is an anecdote. ``replicate`` runs a scenario many times and reports every
summary figure with a confidence interval and every daily series as quantile bands."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.bands import daily_bands, summary_estimates
from sim.experiments.estimates import Estimate, proportion_interval
from sim.experiments.runner import (
    ProgressCallback,
    ReplicationTask,
    replication_seed,
    run_experiment,
)
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
    executor
        ``"processes"`` (default, every core), ``"serial"``, or a Dask scheduler address or
        ``distributed.Client`` (``sim.experiments.executors``). Results are identical on every
        executor.
    workers
        Local processes (default: every core).
    out
        Folder to stream replications to (``sim.experiments.store``); re-running with the same
        folder skips finished replications. Default: a temporary folder, removed afterwards.
    progress
        True for a progress bar with the time left, or a callback ``progress(done, total)``.

    Returns
    -------
    Ensemble
    """
    runs = check_runs(runs, scenario)
    tasks = [
        ReplicationTask(f"r{i:06d}", {"replication": i, "seed": s}, scenario, s)
        for i in range(runs)
        for s in [replication_seed(seed, i)]
    ]
    exp = scenario.experiment
    with run_experiment(
        "replicate",
        scenario,
        seed,
        runs,
        tasks,
        keep_daily=True,
        executor=executor,
        workers=workers,
        out=out,
        progress=progress,
    ) as store:
        summary = store.summary()
        bands = daily_bands(store, scenario.horizon_days, exp.band_quantiles, None)
    bankrupt = summary["bankrupt"].astype(bool).to_numpy()
    return Ensemble(
        scenario=scenario,
        runs=runs,
        seed=seed,
        summary=summary,
        estimates=summary_estimates(summary, exp.confidence),
        bands=bands,
        bankruptcy=proportion_interval(int(bankrupt.sum()), runs, exp.confidence),
        bankrupt_days=summary.loc[bankrupt, "bankrupt_day"].to_numpy(dtype=float),
        folder=None if out is None else Path(out),
    )


def check_runs(runs: int | None, scenario: Scenario) -> int:
    """The replications asked for (default ``experiment.runs``), at least 2, or an error."""
    return integer_at_least("runs", scenario.experiment.runs if runs is None else runs, 2)
