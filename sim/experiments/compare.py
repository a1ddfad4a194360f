"""``compare``: each program design of a scenario against the natural baseline, paired.

``compare`` runs each program design against the natural baseline (no program, DOMAIN P1) with
common random numbers: replication ``i`` of every arm uses the same seed, and since the engine
draws each customer's decisions from the customer's own stream and each day's newcomers from the
day's own stream (``sim.engine.streams``), the same people meet the same luck in both arms except
where the program changes what happens. Paired differences then cancel most of the noise (Law
2015, ch. 11), and the verdict (``sim.experiments.verdict``) rests on their confidence intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments import verdict as rules
from sim.experiments.bands import (
    _runs_by_days,
    daily_bands,
    retention_rates,
    summary_column,
    summary_estimates,
)
from sim.experiments.break_even import BREAK_EVEN_RUNS, BreakEven
from sim.experiments.break_even import break_even as search_break_even
from sim.experiments.estimates import (
    Estimate,
    mean_interval,
    proportion_interval,
    ratio_interval,
)
from sim.experiments.replicate import check_runs
from sim.experiments.runner import (
    BASELINE,
    INDEPENDENT_ARM_STRIDE,
    Execution,
    ProgressCallback,
    ReplicationTask,
    experiment_folder,
    replication_seed,
    run_until_settled,
)
from sim.experiments.sequential import (
    mean_sequence,
    mixture_prior,
    proportion_sequence,
    runs_to_settle,
)
from sim.experiments.store import Store
from sim.experiments.uncertainty import check_ranges, parameter_draws, verdict_drivers
from sim.money.ledger import LIABILITIES, PROGRAM_ACCOUNTS
from sim.scenario import Scenario

REWARD_ACCOUNTS = (
    "discounts",
    "reward_cost",
    "prizes_and_perks",
    "referral_rewards",
    "revenue_share",
)
"""What the program gives customers: the cost side of the discount-against-retention test. A
co-operative's dividend (``revenue_share``, DOMAIN P11) is given to members as surely as a
discount is."""


COMPARISON_FIGURES: tuple[str, ...] = (
    "incremental_profit",
    "incremental_revenue",
    "incremental_gross_margin",
    "incremental_purchases",
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
        ``caused_bankruptcy_probability`` (the share of paired runs in which the design went
        bankrupt and the baseline did not: the ruin the program causes, which the verdict
        judges) with its interval, ``median_bankrupt_day``; the verdict's two parts,
        ``ruin_verdict`` and ``profit_verdict``, and ``runs_to_settle_ruin`` (about how many
        runs would tell a caused ruin still straddling the threshold from it; NaN when
        settled); ``settled`` (whether the verdict is settled at the experiment's
        confidence); and ``warnings`` (codes, comma-separated).
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
    sequential: bool = False
    """Whether the runs were chosen by the question (``runs="auto"``): the intervals are then
    confidence sequences (``sim.experiments.sequential``)."""
    break_even: BreakEven | None = None
    """The break-even responses, when asked for (their columns are also in ``table``)."""
    parameter_draws: pd.DataFrame | None = None
    """With parameter uncertainty: the uncertain fields' values drawn for each pair, indexed by
    replication (``sim.experiments.uncertainty``)."""
    drivers: dict[str, pd.DataFrame] = field(default_factory=dict)
    """With parameter uncertainty: per design, which uncertain field moves its verdict most
    (``sim.experiments.uncertainty.verdict_drivers``)."""

    def verdict(self, program: str) -> str:
        """The verdict on one program design."""
        return str(self.table.set_index("program").loc[program, "verdict"])


def compare(
    scenario: Scenario,
    runs: int | str | None = "auto",
    seed: int = 0,
    *,
    programs: Sequence[str] | None = None,
    executor: Any = "processes",
    workers: int | None = None,
    out: str | Path | None = None,
    progress: bool | ProgressCallback = False,
    common_random_numbers: bool = True,
    break_even: bool | int = False,
    parameter_uncertainty: bool = False,
) -> Comparison:
    """Run every program design of a scenario against the no-program baseline, paired.

    Parameters
    ----------
    scenario
        A scenario with at least one design in ``programs``.
    runs
        Replications per arm: ``"auto"`` (the default) runs ``experiment.runs`` pairs, then
        more in batches of ``experiment.batch_runs`` until every design's verdict is settled at
        the experiment's confidence, or ``experiment.max_runs`` is reached, judging on
        confidence sequences that stay valid under this early stopping
        (``sim.experiments.sequential``); a number runs exactly that many and judges on
        fixed-run intervals; None runs ``experiment.runs``.
    seed
        The experiment's seed.
    programs
        Names of the designs to compare (default: all).
    executor, workers, out, progress
        How the replications run and where they go, the same in every experiment function:
        see :class:`~sim.experiments.runner.Execution` (default: every core, a temporary
        folder, no progress bar; the same ``out`` again resumes).
    common_random_numbers
        Replication ``i`` of every arm uses the same seed (default). False gives each arm its
        own seeds: only useful to measure how much the pairing narrows the intervals.
    break_even
        Also search each design's break-even response (``sim.experiments.break_even``): True
        for ``BREAK_EVEN_RUNS`` paired runs per response tried, or a number of runs. Its
        ``break_even_<lever>`` and ``bankrupt_below_<lever>`` columns join the table.
    parameter_uncertainty
        Draw the scenario's ``uncertainty`` fields once per pair (both arms of a pair share the
        draw and the seed; ``sim.experiments.uncertainty``): the intervals and the share of
        pairs that pay back then hold the doubt about those inputs as well as the simulation's
        noise. ``pays_back`` then also needs the lower bound of that share to reach
        ``experiment.robust_share``; ``drivers`` ranks the fields by how much they move the
        verdict.

    Returns
    -------
    Comparison
    """
    auto = runs == "auto"
    exp = scenario.experiment
    if auto:
        runs = exp.max_runs
    elif isinstance(runs, str):
        raise ValueError(f"runs = {runs!r}: give a whole number of at least 2, or 'auto'")
    else:
        runs = check_runs(runs, scenario)
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
    arm_scenarios = [scenario.with_overrides({"active_program": arm}) for arm in arms]
    draws = None
    if parameter_uncertainty:
        check_ranges(scenario)
        draws = parameter_draws(scenario, seed, runs)
    drawn: dict[tuple[int, int], Scenario] = {}

    def arm_scenario(a: int, i: int) -> Scenario:
        """Arm ``a`` of pair ``i``: with parameter uncertainty, at the pair's draw."""
        if draws is None:
            return arm_scenarios[a]
        if (a, i) not in drawn:
            drawn[(a, i)] = arm_scenarios[a].with_overrides(draws.iloc[i].to_dict())
        return drawn[(a, i)]

    def tasks(count: int) -> list[ReplicationTask]:
        """Replications 0 to ``count - 1`` of every arm, arm by arm."""
        out = []
        for a, arm in enumerate(arms):
            own = 0 if common_random_numbers else a * INDEPENDENT_ARM_STRIDE
            for i in range(count):
                s = replication_seed(seed, i + own)
                label = {"arm": arm, "replication": i, "seed": s}
                out.append(ReplicationTask(f"a{a:03d}-r{i:06d}", label, arm_scenario(a, i), s))
        return out

    horizon = scenario.horizon_days
    execution = Execution(executor, workers, out, progress)
    with experiment_folder(
        "compare",
        scenario,
        seed,
        "auto" if auto else runs,
        execution.out,
        arms=arms,
        common_random_numbers=common_random_numbers,
        parameter_uncertainty=parameter_uncertainty,
        **({"max_runs": exp.max_runs, "batch_runs": exp.batch_runs} if auto else {}),
    ) as store:
        # The first look after experiment.runs pairs: the profit's sequence is valid as the
        # central limit theorem is (sim.experiments.sequential), so not after a handful.
        runs = run_until_settled(
            store,
            tasks,
            min(runs, exp.runs) if auto else runs,
            runs,
            exp.batch_runs,
            (lambda n: _unsettled(store, arms, n, exp)) if auto else None,
            keep_daily=True,
            execution=execution,
            description=f"compare {scenario.name}",
        )
        final = tasks(runs)
        store.collect([t.key for t in final], [t.label for t in final], True)
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
    rows, pair_frames, warnings, drivers = [], [], {}, {}
    for arm in chosen:
        prog = summary[summary["arm"] == arm].set_index("replication").sort_index()
        pairs = paired_figures(prog, base)
        pairs["payback_day"] = _payback_days(profit, arm, horizon)
        pairs["bankrupt"] = prog["bankrupt"].astype(bool).to_numpy()
        pairs["bankrupt_day"] = summary_column(
            prog, "bankrupt_day", math.nan
        )  # the distribution of ruin
        pairs.insert(0, "program", arm)
        pair_frames.append(pairs.reset_index())
        row, found = _judge(
            arm, pairs, prog, base, exp, liability.get(arm), dissatisfied, sequential=auto
        )
        if draws is not None:
            row = robust_verdict(row, exp.robust_share)
            drivers[arm] = verdict_drivers(pairs["incremental_profit"], draws.iloc[:runs])
        rows.append(row)
        warnings[arm] = found
    table = pd.DataFrame(rows)
    found_break_even = None
    if break_even:
        search_runs = BREAK_EVEN_RUNS if break_even is True else int(break_even)
        found_break_even = search_break_even(
            scenario,
            chosen,
            runs=search_runs,
            seed=seed,
            execution=Execution(executor, workers, None, progress),
        )
        table = table.merge(found_break_even.table.drop(columns="runs"), on="program")
    return Comparison(
        scenario=scenario,
        runs=runs,
        seed=seed,
        table=table,
        pairs=pd.concat(pair_frames, ignore_index=True),
        warnings=warnings,
        summary=summary,
        estimates=estimates,
        bands=bands,
        common_random_numbers=common_random_numbers,
        folder=None if out is None else Path(out),
        programs=chosen,
        sequential=auto,
        break_even=found_break_even,
        parameter_draws=None if draws is None else draws.iloc[:runs],
        drivers=drivers,
    )


def verdict_intervals(
    incremental_profit: np.ndarray | pd.Series, bankrupt: int, runs: int, exp: Any
) -> tuple[Estimate, Estimate]:
    """The confidence sequences a verdict rests on when the runs are chosen by the question:
    of the mean incremental profit (narrowest near ``experiment.runs``) and of the risk of ruin
    (the mixture centred on ``experiment.ruin_threshold``), at ``experiment.confidence``.

    ``bankrupt`` counts the paired runs in which the design went bankrupt and the baseline did
    not: the ruin the program causes (see ``sim.experiments.verdict``)."""
    profit = mean_sequence(incremental_profit, exp.confidence, exp.runs)
    return profit, _ruin_interval(exp, True)(bankrupt, runs)


def caused_ruin(bankrupt: np.ndarray, base_bankrupt: np.ndarray) -> int:
    """Paired runs in which the design went bankrupt and the baseline of the same seed did not:
    the ruin the program causes, which the verdict judges (``sim.experiments.verdict``)."""
    return int((bankrupt & ~base_bankrupt).sum())


def _ruin_interval(exp: Any, sequential: bool):
    """``interval(bankrupt, runs)`` of the risk of ruin: a confidence sequence, or Wilson's."""
    if sequential:
        prior = mixture_prior(exp.ruin_threshold)
        return lambda k, n: proportion_sequence(k, n, exp.confidence, prior)
    return lambda k, n: proportion_interval(k, n, exp.confidence)


def settled(profit: Estimate, ruin: Estimate, baseline_revenue: float, exp: Any) -> bool:
    """Whether a design's verdict is settled: the ruin it causes wholly above the threshold, or
    wholly below it with the incremental profit clear of zero or wholly inside the band of
    practical equivalence (``experiment.equivalence_band`` of the no-program revenue)."""
    ruin_part = rules.ruin_verdict(ruin, exp.ruin_threshold)
    if ruin_part != "clear":
        return ruin_part == "would_bankrupt"
    band = exp.equivalence_band * abs(baseline_revenue)
    return profit.low > 0 or profit.high < 0 or (-band <= profit.low and profit.high <= band)


def _unsettled(store: Store, arms: list[str], runs: int, exp: Any) -> list[str]:
    """The designs whose verdict the first ``runs`` pairs of each arm do not settle."""

    def figures(a: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = [store.summary_row(f"a{a:03d}-r{i:06d}") for i in range(runs)]
        return (
            np.array([r["profit"] for r in rows], dtype=float),
            np.array([bool(r["bankrupt"]) for r in rows]),
            np.array([r["revenue"] for r in rows], dtype=float),
        )

    base_profit, base_bankrupt, base_revenue = figures(0)
    open_designs = []
    for a, arm in enumerate(arms[1:], start=1):
        profit, bankrupt, _ = figures(a)
        intervals = verdict_intervals(
            profit - base_profit, caused_ruin(bankrupt, base_bankrupt), runs, exp
        )
        if not settled(*intervals, float(base_revenue.mean()), exp):
            open_designs.append(arm)
    return open_designs


def paired_figures(prog: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """Per replication: the program arm's figures against the baseline's of the same seed.

    Both frames are indexed by replication. Program costs come from the program arm alone
    (the baseline has none); liabilities are those outstanding at the horizon.
    """
    won = ("customers_won.word_of_mouth", "customers_won.referral")

    def gain(column: str) -> np.ndarray:
        return summary_column(prog, column) - summary_column(base, column)

    return pd.DataFrame(
        {
            "incremental_profit": gain("profit"),
            "incremental_revenue": gain("revenue"),
            "incremental_gross_margin": gain("gross_margin"),
            "incremental_purchases": gain("purchases"),
            "retention_gain": retention_rates(prog) - retention_rates(base),
            "won_by_word_of_mouth": sum(gain(c) for c in won),
            "reward_and_discount_cost": sum(
                summary_column(prog, f"costs.{a}") for a in REWARD_ACCOUNTS
            ),
            "program_cost": sum(summary_column(prog, f"costs.{a}") for a in PROGRAM_ACCOUNTS),
            "fee_income": summary_column(prog, "other_income.membership_fees"),
            "liability_at_horizon": sum(
                summary_column(prog, f"liabilities_at_end.{a}") for a in LIABILITIES
            ),
        },
        index=prog.index,
    )


def robust_verdict(row: dict[str, Any], robust_share: float) -> dict[str, Any]:
    """Under parameter uncertainty a design pays back only when it does so robustly: the lower
    bound of the share of paired runs (each at its own draw of the uncertain inputs) that pay
    back must reach ``robust_share`` (``experiment.robust_share``); otherwise ``pays_back``
    becomes ``marginal``. ``robust`` records whether the share reached it."""
    row = dict(row)
    row["robust"] = bool(row["pays_back_probability_low"] >= robust_share)
    if row["verdict"] == "pays_back" and not row["robust"]:
        row["verdict"] = row["profit_verdict"] = "marginal"
    return row


PARTICIPANTS = "program.participants_vs_non_participants"
"""Prefix of the summary figures on program participants (``sim.results.program_tables``)."""


def participant_lifts(pairs: pd.DataFrame, prog: pd.DataFrame, level: float) -> dict[str, float]:
    """What the program did to its participants, paired: their spend and purchases in the
    program arm against the same figures less the program's increments.

    ``participant_spend_lift`` is ``mean(S) / mean(S - dR)``, with ``S`` the participants'
    spend in the run and ``dR`` the incremental revenue of the pair, and
    ``participant_visit_lift`` the same with purchases: what participants bought against what
    they would have bought without the program, if every increment came from them (the
    program's draw on newcomers by word of mouth or advertising counts as theirs). It sits
    beside ``participants_ratio``, the same-segment ratio of participants' spend per year to
    non-participants' (DOMAIN E6), which also holds who joins: heavier, more loyal buyers join
    first (Leenheer et al. 2007 found the naive gap seven times the causal one). Ratios of
    means with delta-method intervals (``ratio_interval``); NaN without participants.
    """
    spend = summary_column(prog, f"{PARTICIPANTS}.spend", math.nan)
    purchases = summary_column(prog, f"{PARTICIPANTS}.purchases", math.nan)
    out: dict[str, float] = {}
    out.update(
        ratio_interval(spend, spend - pairs["incremental_revenue"].to_numpy(), level).as_dict(
            "participant_spend_lift"
        )
    )
    out.update(
        ratio_interval(
            purchases, purchases - pairs["incremental_purchases"].to_numpy(), level
        ).as_dict("participant_visit_lift")
    )
    return out


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
    sequential: bool = False,
) -> tuple[dict[str, Any], list[rules.ProgramWarning]]:
    """The table row and the warnings of one program design; with ``sequential``, the verdict's
    intervals are confidence sequences (the runs were chosen by the question)."""
    level = exp.confidence
    row: dict[str, Any] = {"program": arm}
    estimates = {name: mean_interval(pairs[name], level) for name in COMPARISON_FIGURES}
    runs = len(pairs)
    bankrupt = pairs["bankrupt"].to_numpy(dtype=bool)
    base_bankrupt = base["bankrupt"].astype(bool).to_numpy()
    base_revenue = float(summary_column(base, "revenue").mean())
    caused = caused_ruin(bankrupt, base_bankrupt)
    ruin_interval = _ruin_interval(exp, sequential)
    if sequential:
        profit, ruin = verdict_intervals(pairs["incremental_profit"], caused, runs, exp)
        estimates["incremental_profit"] = profit
    else:
        profit, ruin = estimates["incremental_profit"], ruin_interval(caused, runs)
    row["verdict"] = rules.verdict(ruin, profit, exp.ruin_threshold)
    row["ruin_verdict"] = rules.ruin_verdict(ruin, exp.ruin_threshold)
    row["profit_verdict"] = rules.profit_verdict(profit)
    row["settled"] = settled(profit, ruin, base_revenue, exp)
    row["runs_to_settle_ruin"] = (
        runs_to_settle(ruin.mean, exp.ruin_threshold, ruin_interval)
        if row["ruin_verdict"] == "unresolved"
        else math.nan
    )
    for name, e in estimates.items():
        row.update(e.as_dict(name))
    row.update(
        ratio_interval(pairs["incremental_profit"], pairs["program_cost"], level).as_dict("roi")
    )
    payback = pairs["payback_day"].to_numpy(dtype=float)
    paid = payback[~np.isnan(payback)]
    row.update(mean_interval(paid, level).as_dict("payback_day"))
    row["paid_back_share"] = len(paid) / runs
    row.update(ruin_interval(int(bankrupt.sum()), runs).as_dict("bankruptcy_probability"))
    baseline_ruin = ruin_interval(int(base_bankrupt.sum()), runs)
    row["baseline_bankruptcy_probability"] = baseline_ruin.mean
    row.update(ruin.as_dict("caused_bankruptcy_probability"))
    days = pairs["bankrupt_day"].dropna()
    row["median_bankrupt_day"] = float(days.median()) if len(days) else math.nan
    paid = int((pairs["incremental_profit"] > 0).sum())
    row.update(proportion_interval(paid, runs, level).as_dict("pays_back_probability"))
    naive_ratio = mean_interval(
        summary_column(prog, f"{PARTICIPANTS}.same_segment_ratio", math.nan), level
    )
    row.update(naive_ratio.as_dict("participants_ratio"))
    row.update(participant_lifts(pairs, prog, level))
    found = [
        w
        for w in (
            rules.participants_not_more_valuable(naive_ratio, exp.participant_ratio_floor),
            rules.cost_exceeds_margin(
                estimates["reward_and_discount_cost"], estimates["incremental_gross_margin"]
            ),
            rules.liability_grows(*liability, exp.liability_growth_threshold)
            if liability
            else None,
            rules.churn_cause_elsewhere(
                dissatisfied, estimates["retention_gain"].mean, exp.dissatisfied_threshold
            ),
            rules.business_at_risk_without_program(baseline_ruin, exp.ruin_threshold),
        )
        if w is not None
    ]
    row["warnings"] = ", ".join(w.code for w in found)
    return row, found
