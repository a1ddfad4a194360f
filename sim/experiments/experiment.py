"""Experiments: replications of a scenario, and paired comparisons of program designs.

One simulated run is an anecdote. ``replicate`` runs a scenario many times with independent
seeds and reports every summary figure with a confidence interval and every daily series as
quantile bands. ``compare`` runs each program design of a scenario against the natural baseline
(no program, DOMAIN P1) with common random numbers: replication ``i`` of every arm uses the same
seed, and since the engine draws each customer's decisions from the customer's own stream and
each day's newcomers from the day's own stream (``sim.engine.streams``), the same people meet the
same luck in both arms except where the program changes what happens. Paired differences then cancel
most of the noise (Law 2015, ch. 11), and the verdict (``sim.experiments.verdict``) rests on their
confidence intervals.

Replications run on an executor (``sim.experiments.executors``) and stream to a folder
(``sim.experiments.store``) one by one: memory stays flat, and an interrupted experiment resumes
where it stopped.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.engine import simulate
from sim.experiments import verdict as rules
from sim.experiments.estimates import Estimate, mean_interval, proportion_interval, ratio_interval
from sim.experiments.executors import EXECUTORS, run_tasks
from sim.experiments.store import Store, flatten, save_replication
from sim.money.ledger import LIABILITIES, PROGRAM_ACCOUNTS
from sim.scenario import Scenario
from sim.scenario.fields import integer_at_least

BASELINE = "none"
"""Name of the no-program arm of a comparison (DOMAIN P1, the natural baseline)."""

INDEPENDENT_ARM_STRIDE = 1_000_003
"""Without common random numbers, arm ``a`` takes replication seeds from ``a`` times this on:
beyond any experiment's runs (``experiment.runs`` <= 100,000), so no two arms share a seed."""

REWARD_ACCOUNTS = ("discounts", "reward_cost", "prizes_and_perks", "referral_rewards")
"""What the program gives customers: the cost side of the discount-against-retention test."""

ProgressCallback = Callable[[int, int], None]

LABELS = ("arm", "point", "replication", "seed", "day")
"""Columns of the collected tables that say which replication and day a row is."""


# ------------------------------------------------------------------------------- seeds, tasks
def replication_seed(seed: int, replication: int) -> int:
    """The seed of replication ``replication`` of an experiment seeded with ``seed``.

    Derived through ``numpy.random.SeedSequence((seed, replication))``, so replications are
    independent and an experiment of 30 runs holds the first 30 runs of one of 1,000.
    """
    state = np.random.SeedSequence((int(seed), int(replication))).generate_state(2, np.uint32)
    return (int(state[0]) & 0x7FFFFFFF) << 32 | int(state[1])  # 63 bits: fits int64 columns


def simulate_replication(
    scenario: Scenario, seed: int, keep_daily: bool, runs: Path | None = None, key: str = ""
) -> tuple[dict[str, Any], pd.DataFrame | None] | None:
    """One replication, as an executor runs it.

    With ``runs`` (a local folder) the worker files the replication itself and returns None;
    otherwise (a remote Dask worker) it returns the flattened summary and the daily table.
    """
    result = simulate(scenario, seed=seed)
    row, daily = flatten(result.summary), (result.daily if keep_daily else None)
    if runs is None:
        return row, daily
    save_replication(runs, key, row, daily)
    return None


@dataclass(frozen=True)
class ReplicationTask:
    """One replication to run: its key in the folder, the label columns that identify it in
    the collected tables, and the scenario and seed it simulates."""

    key: str
    label: dict[str, Any]
    scenario: Scenario
    seed: int


@contextmanager
def run_experiment(
    kind: str,
    scenario: Scenario,
    seed: int,
    runs: int,
    tasks: list[ReplicationTask],
    *,
    keep_daily: bool,
    executor: Any,
    workers: int | None,
    out: str | Path | None,
    progress: bool | ProgressCallback,
    **manifest: Any,
) -> Iterator[Store]:
    """Run the tasks not yet finished in the experiment's folder, collect every result in task
    order, and yield the folder's :class:`~sim.experiments.store.Store` to read them from.

    ``kind``, ``seed``, ``runs``, the scenario and ``manifest``'s extra items describe the
    experiment (``experiment.json``); a folder holding another one is refused. Without ``out``
    the replications go to a temporary folder, removed when the block ends (or fails: there
    is nothing to resume from it).
    """
    with (
        tempfile.TemporaryDirectory(prefix="loyalsim-") if out is None else nullcontext(out)
    ) as folder:
        store = Store(
            folder,
            {
                "kind": kind,
                "seed": seed,
                "runs": runs,
                "scenario": scenario.model_dump(mode="json"),
                **manifest,
            },
        )
        finished = store.finished()
        todo = [t for t in tasks if t.key not in finished]
        description = f"{kind} {scenario.name}"
        report = _progress_reporter(progress, description, len(tasks), len(tasks) - len(todo))
        try:
            # Local workers share the folder and write their own files.
            local = store.runs if executor in EXECUTORS else None
            args = [(t.key, (t.scenario, t.seed, keep_daily, local, t.key)) for t in todo]
            for key, result in run_tasks(simulate_replication, args, executor, workers):
                if result is not None:
                    store.save(str(key), *result)
                report(1)
        finally:
            report(None)
        store.collect([t.key for t in tasks], [t.label for t in tasks], keep_daily)
        yield store


def _progress_reporter(
    progress: bool | ProgressCallback, description: str, total: int, done: int
) -> Callable[[int | None], None]:
    """``report(n)`` advances by ``n`` replications; ``report(None)`` closes the display."""
    if callable(progress):
        count = [done]

        def call(n: int | None) -> None:
            if n:
                count[0] += n
                progress(count[0], total)

        return call
    if not progress:
        return lambda n: None
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        transient=True,
    )
    bar.start()
    task = bar.add_task(description, total=total, completed=done)

    def advance(n: int | None) -> None:
        if n is None:
            bar.stop()
        else:
            bar.advance(task, n)

    return advance


# ------------------------------------------------------------------------ bands across runs
_STOCK_PREFIXES = ("n_", "share_")
_STOCKS = {
    "pool",
    "agents",
    "cash",
    "nps",
    "retention_rate_30d",
    "members",
    "points_outstanding",
    "surveyed",
    "promoters",
    "passives",
    "detractors",
}


def is_stock(column: str) -> bool:
    """Whether a daily column is a level (kept after a bankruptcy) rather than a daily flow.

    A business that went bankrupt stops trading: its flows are zero from then on and its
    levels (cash, customers per rung, liabilities) stay where they were, so that bands across
    replications cover the whole horizon.
    """
    return (
        column in _STOCKS or column.startswith(_STOCK_PREFIXES) or column.endswith("_outstanding")
    )


def band_name(q: float) -> str:
    """Column name of a quantile band: ``q05`` for 0.05, ``q50`` for 0.5, ``q02.5`` for 0.025."""
    return "q" + f"{100 * q:05.2f}".rstrip("0").rstrip(".")


def daily_bands(
    store: Store, horizon: int, quantiles: Sequence[float], by: str | None
) -> pd.DataFrame:
    """Quantile bands and mean of every daily series across replications.

    Read one column at a time from the collected daily table, so memory holds one series of
    every replication at once, never the whole table.

    Returns
    -------
    DataFrame
        Tidy: ``[by,] series, day, mean, q05, q25, ...`` (quantile columns named by percent).
    """
    keys = ["replication"] if by is None else [by, "replication"]
    index = store.daily_columns([*keys, "day"])
    columns = [c for c in store.daily_schema() if c not in LABELS]
    names = [band_name(q) for q in quantiles]
    frames = []
    groups = [(None, np.arange(len(index)))]
    if by is not None:
        groups = list(index.groupby(by, sort=False).indices.items())
    layouts = [
        (
            group,
            rows,
            _RunsByDays(
                index["replication"].to_numpy()[rows], index["day"].to_numpy()[rows], horizon
            ),
        )
        for group, rows in groups
    ]
    del index
    for column in columns:
        values = store.daily_column(column)
        for group, rows, layout in layouts:
            matrix = layout.matrix(values[rows], is_stock(column))
            mean, qs = column_quantiles(matrix, quantiles)
            frame = pd.DataFrame({"series": column, "day": np.arange(horizon), "mean": mean})
            for name, row in zip(names, qs, strict=True):
                frame[name] = row
            if by is not None:
                frame.insert(0, by, group)
            frames.append(frame)
    pa.default_memory_pool().release_unused()
    return pd.concat(frames, ignore_index=True)


def column_quantiles(
    matrix: np.ndarray, quantiles: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and quantiles of each column of ``matrix``, ignoring NaNs (linear interpolation,
    numpy's default method); NaN where a column has no value. One sort of the matrix."""
    ordered = np.sort(matrix, axis=0)  # NaNs last
    count = (~np.isnan(matrix)).sum(axis=0)
    columns = np.arange(matrix.shape[1])
    out = np.full((len(quantiles), matrix.shape[1]), np.nan)
    present = count > 0
    for i, q in enumerate(quantiles):
        position = q * np.maximum(count - 1, 0)
        below = np.floor(position).astype(int)
        above = np.minimum(below + 1, np.maximum(count - 1, 0))
        weight = position - below
        value = ordered[below, columns] * (1 - weight) + ordered[above, columns] * weight
        out[i, present] = value[present]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(present, np.nansum(matrix, axis=0) / np.maximum(count, 1), np.nan)
    return mean, out


class _RunsByDays:
    """Where each row of a daily column goes in a replications-by-days matrix."""

    def __init__(self, replication: np.ndarray, day: np.ndarray, horizon: int):
        runs, self.position = np.unique(replication, return_inverse=True)
        self.day = day.astype(int)
        self.horizon = horizon
        self.last = np.full(len(runs), -1)
        np.maximum.at(self.last, self.position, self.day)
        self.stopped = np.arange(horizon) > self.last[:, None]  # days after a run stopped

    def matrix(self, values: np.ndarray, stock: bool) -> np.ndarray:
        """The matrix; days after a run stopped (bankruptcy) hold the last level of a stock or
        zero for a flow. Gaps inside a run (an NPS on a day nobody answered) stay empty."""
        matrix = np.full((len(self.last), self.horizon), np.nan)
        matrix[self.position, self.day] = values
        if stock:
            fill = matrix[np.arange(len(self.last)), np.maximum(self.last, 0)][:, None]
        else:
            fill = 0.0
        return np.where(self.stopped, fill, matrix)


def _runs_by_days(
    replication: np.ndarray, day: np.ndarray, values: np.ndarray, horizon: int, stock: bool
) -> np.ndarray:
    """A replications-by-days matrix of one daily column (see ``_RunsByDays.matrix``)."""
    return _RunsByDays(replication, day, horizon).matrix(values, stock)


def summary_estimates(summary: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Mean and confidence interval of every numeric summary figure (one row per figure).

    ``retention_rate`` counts a bankrupt run as 0, as every experiment does
    (:func:`retention_rates`).
    """
    rows = []
    for column in summary.columns:
        if column in LABELS:
            continue
        if column == "retention_rate" and "bankrupt" in summary:
            values = retention_rates(summary)
        else:
            values = pd.to_numeric(summary[column], errors="coerce").to_numpy(dtype=float)
        e = mean_interval(values, confidence)
        rows.append(
            {"figure": column, "mean": e.mean, "low": e.low, "high": e.high, "sd": e.sd, "n": e.n}
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------- replicate
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
    runs = _check_runs(runs, scenario)
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


def _check_runs(runs: int | None, scenario: Scenario) -> int:
    return integer_at_least("runs", scenario.experiment.runs if runs is None else runs, 2)


# ------------------------------------------------------------------------------------ compare
COMPARISON_FIGURES: tuple[str, ...] = (
    "incremental_profit",
    "incremental_revenue",
    "incremental_gross_margin",
    "retention_gain",
    "won_by_word_of_mouth",
    "reward_and_discount_cost",
    "program_cost",
    "fee_income",
    "liability_at_horizon",
)
"""Paired figures per program and replication (program arm minus baseline where incremental)."""


@dataclass
class Comparison:
    """Each program design of a scenario against the natural baseline, paired replication by
    replication with common random numbers.

    Attributes
    ----------
    table
        One row per program: ``verdict``; every figure of ``COMPARISON_FIGURES`` with its
        interval (``incremental_profit``, ``incremental_profit_low``, ``..._high``); ``roi``
        (incremental profit per unit of program cost, a ratio of means) with its interval;
        ``payback_day`` (mean over the replications that paid back, with its interval) and
        ``paid_back_share``;
        ``bankruptcy_probability`` with its interval, ``baseline_bankruptcy_probability``,
        ``median_bankrupt_day``; and ``warnings`` (codes, comma-separated).
    pairs
        One row per program and replication: the paired figures, ``payback_day``, ``bankrupt``
        and ``bankrupt_day`` (NaN when the business survived): the distribution of the day of
        ruin.
    warnings
        Per program, the warnings with their evidence (``sim.experiments.verdict.ProgramWarning``).
    summary
        One row per arm and replication: every summary figure (``arm`` names the design, or
        ``none`` for the baseline).
    estimates
        Per arm, every summary figure's mean and interval.
    bands
        Per arm, every daily series' quantile bands across replications.
    common_random_numbers
        Whether the arms shared seeds (False only to measure what sharing them is worth).
    """

    scenario: Scenario
    runs: int
    seed: int
    table: pd.DataFrame
    pairs: pd.DataFrame
    warnings: dict[str, list[rules.ProgramWarning]]
    summary: pd.DataFrame
    estimates: pd.DataFrame
    bands: pd.DataFrame
    common_random_numbers: bool = True
    folder: Path | None = None
    programs: list[str] = field(default_factory=list)

    def verdict(self, program: str) -> str:
        """The verdict on one program design."""
        return str(self.table.set_index("program").loc[program, "verdict"])


def compare(
    scenario: Scenario,
    runs: int | None = None,
    seed: int = 0,
    *,
    programs: Sequence[str] | None = None,
    executor: Any = "processes",
    workers: int | None = None,
    out: str | Path | None = None,
    progress: bool | ProgressCallback = False,
    common_random_numbers: bool = True,
) -> Comparison:
    """Run every program design of a scenario against the no-program baseline, paired.

    Parameters
    ----------
    scenario
        A scenario with at least one design in ``programs``.
    runs
        Replications per arm (default ``scenario.experiment.runs``, 30).
    seed
        The experiment's seed.
    programs
        Names of the designs to compare (default: all).
    executor, workers, out, progress
        As for :func:`replicate`.
    common_random_numbers
        Replication ``i`` of every arm uses the same seed (default). False gives each arm its
        own seeds: only useful to measure how much the pairing narrows the intervals.

    Returns
    -------
    Comparison
    """
    runs = _check_runs(runs, scenario)
    names = [d.name for d in scenario.programs]
    if not names:
        raise ValueError(
            "compare needs at least one design in the scenario's programs (there is none)"
        )
    chosen = list(names if programs is None else programs)
    unknown = [p for p in chosen if p not in names]
    if unknown:
        raise ValueError(f"no program design {unknown[0]!r}; designs: {', '.join(names)}")
    arms = [BASELINE, *chosen]
    tasks = []
    for a, arm in enumerate(arms):
        arm_scenario = scenario.with_overrides({"active_program": arm})
        for i in range(runs):
            own = 0 if common_random_numbers else a * INDEPENDENT_ARM_STRIDE
            s = replication_seed(seed, i + own)
            tasks.append(
                ReplicationTask(
                    f"a{a:03d}-r{i:06d}", {"arm": arm, "replication": i, "seed": s}, arm_scenario, s
                )
            )
    exp = scenario.experiment
    horizon = scenario.horizon_days
    with run_experiment(
        "compare",
        scenario,
        seed,
        runs,
        tasks,
        keep_daily=True,
        executor=executor,
        workers=workers,
        out=out,
        progress=progress,
        arms=arms,
        common_random_numbers=common_random_numbers,
    ) as store:
        summary = store.summary()
        profit = store.daily_columns(["arm", "replication", "day", "profit"])
        liability = _liability_path(store, horizon)
        dissatisfied = _dissatisfied_share(store, horizon)
        bands = daily_bands(store, horizon, exp.band_quantiles, "arm")
    estimates = pd.concat(
        [
            summary_estimates(part, exp.confidence).assign(arm=arm)
            for arm, part in summary.groupby("arm", sort=False)
        ],
        ignore_index=True,
    )
    base = summary[summary["arm"] == BASELINE].set_index("replication").sort_index()
    rows, pair_frames, warnings = [], [], {}
    for arm in chosen:
        prog = summary[summary["arm"] == arm].set_index("replication").sort_index()
        pairs = paired_figures(prog, base)
        pairs["payback_day"] = _payback_days(profit, arm, horizon)
        pairs["bankrupt"] = prog["bankrupt"].astype(bool).to_numpy()
        pairs["bankrupt_day"] = _get(prog, "bankrupt_day", math.nan)  # the distribution of ruin
        pairs.insert(0, "program", arm)
        pair_frames.append(pairs.reset_index())
        row, found = _judge(arm, pairs, prog, base, exp, liability.get(arm), dissatisfied)
        rows.append(row)
        warnings[arm] = found
    return Comparison(
        scenario=scenario,
        runs=runs,
        seed=seed,
        table=pd.DataFrame(rows),
        pairs=pd.concat(pair_frames, ignore_index=True),
        warnings=warnings,
        summary=summary,
        estimates=estimates,
        bands=bands,
        common_random_numbers=common_random_numbers,
        folder=None if out is None else Path(out),
        programs=chosen,
    )


def _get(frame: pd.DataFrame, column: str, missing: float = 0.0) -> np.ndarray:
    """A summary column as floats; ``missing`` everywhere when the arm has no such figure
    (a cost account of a program that is not in place is zero). Empty values stay NaN, so
    that intervals leave them out rather than count them as zero."""
    if column not in frame:
        return np.full(len(frame), missing)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def retention_rates(frame: pd.DataFrame) -> np.ndarray:
    """Each run's ``retention_rate``, with 0 for a run that went bankrupt (it stopped trading, so
    it kept nobody to the end of the window, however high its rate over the days it traded);
    other empty rates stay NaN.

    The one rule by which every experiment reports retention: ``replicate`` and ``compare``
    estimate from these rates, ``compare`` pairs them, ``sweep`` and ``sensitivity`` report
    them.

    Parameters
    ----------
    frame
        Summary rows with ``retention_rate`` and ``bankrupt``.

    Returns
    -------
    ndarray
        One rate per row, as floats.
    """
    rate = _get(frame, "retention_rate").copy()
    bankrupt = _get(frame, "bankrupt") > 0
    rate[bankrupt] = 0.0
    return rate


def paired_figures(prog: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """Per replication: the program arm's figures against the baseline's of the same seed.

    Both frames are indexed by replication. Program costs come from the program arm alone
    (the baseline has none); liabilities are those outstanding at the horizon.
    """
    won = ("customers_won.word_of_mouth", "customers_won.referral")
    reward_cost = sum(_get(prog, f"costs.{a}") for a in REWARD_ACCOUNTS)
    program_cost = sum(_get(prog, f"costs.{a}") for a in PROGRAM_ACCOUNTS)
    return pd.DataFrame(
        {
            "incremental_profit": _get(prog, "profit") - _get(base, "profit"),
            "incremental_revenue": _get(prog, "revenue") - _get(base, "revenue"),
            "incremental_gross_margin": _get(prog, "gross_margin") - _get(base, "gross_margin"),
            "retention_gain": retention_rates(prog) - retention_rates(base),
            "won_by_word_of_mouth": sum(_get(prog, c) - _get(base, c) for c in won),
            "reward_and_discount_cost": reward_cost,
            "program_cost": program_cost,
            "fee_income": _get(prog, "other_income.membership_fees"),
            "liability_at_horizon": sum(_get(prog, f"liabilities_at_end.{a}") for a in LIABILITIES),
        },
        index=prog.index,
    )


def _payback_days(profit: pd.DataFrame, arm: str, horizon: int) -> np.ndarray:
    """Per replication, the day from which cumulative incremental profit stays at or above 0.

    0 when it never falls below zero; NaN when it is below zero at the horizon (no payback
    within the horizon). Days after a bankruptcy count as zero profit (the business stopped
    trading).
    """
    paths = {}
    for name in (arm, BASELINE):
        rows = profit[profit["arm"] == name]
        paths[name] = _runs_by_days(
            rows["replication"].to_numpy(),
            rows["day"].to_numpy(),
            rows["profit"].to_numpy(dtype=float),
            horizon,
            False,
        )
    cumulative = np.cumsum(np.nan_to_num(paths[arm] - paths[BASELINE]), axis=1)
    below = cumulative < 0
    last_below = np.where(below.any(axis=1), horizon - 1 - np.argmax(below[:, ::-1], axis=1), -1)
    days = (last_below + 1).astype(float)
    days[last_below == horizon - 1] = math.nan
    return days


def _liability_path(store: Store, horizon: int) -> dict[str, tuple[float, float]]:
    """Per arm, the mean liability outstanding (money) at two thirds of the horizon and at its
    end."""
    schema = store.daily_schema()
    names = [f"{a}_outstanding" for a in LIABILITIES if f"{a}_outstanding" in schema]
    if not names:
        return {}
    frame = store.daily_columns(["arm", "replication", "day", *names])
    frame["total"] = frame[names].sum(axis=1)
    out = {}
    for arm, part in frame.groupby("arm", sort=False):
        matrix = _runs_by_days(
            part["replication"].to_numpy(),
            part["day"].to_numpy(),
            part["total"].to_numpy(dtype=float),
            horizon,
            True,
        )
        out[str(arm)] = (
            float(np.nanmean(matrix[:, (2 * horizon) // 3])),
            float(np.nanmean(matrix[:, -1])),
        )
    return out


def _dissatisfied_share(store: Store, horizon: int) -> float:
    """Baseline share of dissatisfied and very dissatisfied customers, last quarter (L8)."""
    columns = ["share_dissatisfied", "share_very_dissatisfied"]
    if not set(columns) <= set(store.daily_schema()):
        return math.nan
    frame = store.daily_columns(["arm", "day", *columns])
    last = frame[(frame["arm"] == BASELINE) & (frame["day"] >= horizon - horizon // 4)]
    return float((last[columns[0]] + last[columns[1]]).mean())


def _judge(
    arm: str,
    pairs: pd.DataFrame,
    prog: pd.DataFrame,
    base: pd.DataFrame,
    exp: Any,
    liability: tuple[float, float] | None,
    dissatisfied: float,
) -> tuple[dict[str, Any], list[rules.ProgramWarning]]:
    """The table row and the warnings of one program design."""
    level = exp.confidence
    row: dict[str, Any] = {"program": arm}
    estimates = {name: mean_interval(pairs[name], level) for name in COMPARISON_FIGURES}
    runs = len(pairs)
    ruin = proportion_interval(int(pairs["bankrupt"].sum()), runs, level)
    base_ruin = float(base["bankrupt"].astype(bool).mean())
    row["verdict"] = rules.verdict(ruin.mean, estimates["incremental_profit"], exp.ruin_threshold)
    for name, e in estimates.items():
        row.update(e.as_dict(name))
    row.update(
        ratio_interval(pairs["incremental_profit"], pairs["program_cost"], level).as_dict("roi")
    )
    payback = pairs["payback_day"].to_numpy(dtype=float)
    paid = payback[~np.isnan(payback)]
    row.update(mean_interval(paid, level).as_dict("payback_day"))
    row["paid_back_share"] = len(paid) / runs
    row.update(ruin.as_dict("bankruptcy_probability"))
    row["baseline_bankruptcy_probability"] = base_ruin
    days = pairs["bankrupt_day"].dropna()
    row["median_bankrupt_day"] = float(days.median()) if len(days) else math.nan
    found = [
        w
        for w in (
            rules.participants_not_more_valuable(
                mean_interval(
                    _get(
                        prog,
                        "program.participants_vs_non_participants.same_segment_ratio",
                        math.nan,
                    ),
                    level,
                ),
                exp.participant_ratio_floor,
            ),
            rules.cost_exceeds_margin(
                estimates["reward_and_discount_cost"], estimates["incremental_gross_margin"]
            ),
            rules.liability_grows(*liability, exp.liability_growth_threshold)
            if liability
            else None,
            rules.churn_cause_elsewhere(
                dissatisfied, estimates["retention_gain"].mean, exp.dissatisfied_threshold
            ),
        )
        if w is not None
    ]
    row["warnings"] = ", ".join(w.code for w in found)
    return row, found
