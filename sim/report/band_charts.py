"""Charts of replications as bands across runs: cash against the credit line, the ladder, NPS."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from sim.experiments.bands import band_name
from sim.experiments.replicate import Ensemble
from sim.report.experiment_style import (
    HATCHES,
    ExperimentResult,
    arm_bands,
    arm_label,
    band_legend,
    experiment_parts,
    need_columns,
    percent_span,
    quantile_pairs,
    run_count,
    series_bands,
    set_titles,
    style_axes,
)
from sim.report.style import (
    GREY,
    VERDICT_COLOURS,
    WIDE,
    ChartNotApplicableError,
    colour,
    line_style,
)
from sim.rules.ladder import SHOPPER, rung_names, slug
from sim.scenario import Scenario


def cash_bands_chart(result: ExperimentResult) -> Figure:
    """Cash across replications and the share of them bankrupt by each day (DOMAIN E7).

    Top panel: per arm, the median cash over the days with the band of the outer quantiles
    (5-95% of runs by default) shaded lightly and the inner one (25-75%) darker, and a line
    at minus the credit line, below which the business is bankrupt. Bottom panel: the
    cumulative share of replications bankrupt by each day, per arm, in percent; when no run
    went bankrupt, a sentence says so instead. DOMAIN E7: feasibility is probabilistic, and
    companies have gone bankrupt because of fatal discounts and bonuses.

    Parameters
    ----------
    result
        An ``Ensemble`` (one arm) or a ``Comparison`` (the baseline and each design).

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        For another kind of result, bands without ``cash`` or without the median, or a summary
        without ``bankrupt``.
    """
    chart = "cash_bands_chart"
    scenario, arms, colours = experiment_parts(result, chart)
    pairs = quantile_pairs(scenario, result.bands, chart)
    alphas = np.linspace(0.12, 0.28, len(pairs)) if len(pairs) > 1 else [0.2] * len(pairs)
    fig = Figure(figsize=(WIDE[0], 7.0))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.2]})
    handles: list[Any] = []
    for i, arm in enumerate(arms):
        cash = series_bands(arm_bands(result, arm), "cash", chart, arm)
        day = cash["day"].to_numpy()
        for (low, high), alpha in zip(pairs, alphas, strict=False):
            top.fill_between(
                day,
                cash[band_name(low)],
                cash[band_name(high)],
                color=colours[arm],
                alpha=alpha,
                linewidth=0,
            )
        (line,) = top.plot(
            day,
            cash["q50"],
            color=colours[arm],
            linestyle=line_style(i),
            linewidth=1.6,
            label=f"{arm_label(arm)}: median",
        )
        handles.append(line)
    credit = float(scenario.business.credit_line)
    top.axhline(0, color=GREY, linewidth=0.8)
    ruin = VERDICT_COLOURS["would_bankrupt"]
    top.axhline(-credit, color=ruin, linestyle=(0, (1, 1)), linewidth=1.4)
    top.text(
        0.01,
        -credit,
        "credit line: bankrupt below",
        color=ruin,
        fontsize=8,
        va="top",
        transform=blended_transform_factory(top.transAxes, top.transData),
    )
    top.set_ylabel("cash (currency units)")
    top.set_title(f"Cash across {run_count(result)} runs per arm: {scenario.name}")
    top.legend(
        handles=[*handles, *band_legend(pairs, alphas)],
        loc="upper left",
        frameon=False,
        fontsize=8,
        ncol=2,
    )
    style_axes(top)

    horizon = int(scenario.horizon_days)
    days = np.arange(horizon)
    ruined = _bankrupt_days(result, arms, chart)
    if not any(len(d) for d, _ in ruined.values()):
        per = " per arm" if len(arms) > 1 else ""
        bottom.text(
            0.5,
            0.5,
            f"no replication went bankrupt within the {horizon} days"
            f" ({run_count(result)} runs{per})",
            transform=bottom.transAxes,
            ha="center",
            va="center",
            fontsize=9,
        )
        bottom.set_ylim(0, 100)
    else:
        peak = 0.0
        for i, arm in enumerate(arms):
            bankrupt, runs = ruined[arm]
            share = 100.0 * (bankrupt[:, None] <= days[None, :]).sum(axis=0) / max(runs, 1)
            peak = max(peak, float(share.max()))
            bottom.step(
                days,
                share,
                where="post",
                color=colours[arm],
                linestyle=line_style(i),
                linewidth=1.6,
                label=arm_label(arm),
            )
        bottom.set_ylim(0, min(100.0, max(10.0, 1.15 * peak)))
        bottom.legend(loc="upper left", frameon=False, fontsize=8, ncol=len(arms))
    bottom.set_ylabel("bankrupt by then\n(% of runs)")
    bottom.set_xlabel("day")
    bottom.set_xlim(0, horizon - 1)
    style_axes(bottom)
    return fig


def _bankrupt_days(
    result: ExperimentResult, arms: Sequence[str], chart: str
) -> dict[str, tuple[np.ndarray, int]]:
    """Per arm: the bankruptcy days of the replications that went bankrupt, and the runs."""
    if isinstance(result, Ensemble):
        return {arms[0]: (np.asarray(result.bankrupt_days, dtype=float), run_count(result))}
    summary = result.summary
    need_columns(summary, ["arm", "bankrupt"], chart, "summary")
    out = {}
    for arm in arms:
        part = summary[summary["arm"] == arm]
        bankrupt = part["bankrupt"].astype(bool).to_numpy()
        if bankrupt.any() and "bankrupt_day" not in part:
            raise ChartNotApplicableError(f"{chart}: the summary has no column bankrupt_day")
        days = part.loc[bankrupt, "bankrupt_day"] if bankrupt.any() else []
        out[arm] = (pd.to_numeric(pd.Series(days), errors="coerce").to_numpy(float), len(part))
    return out


def _buying_rungs(scenario: Scenario) -> list[str]:
    """Rung names from the shopper upward, in ladder order (DOMAIN L1, L2): no suspects,
    prospects or lost, and a merged name only once."""
    names = scenario.ladder.stage_names()
    before = set(names[:SHOPPER])
    return [r for r in rung_names(names[SHOPPER:]) if r not in before]


def ladder_bands_chart(result: ExperimentResult) -> Figure:
    """Median people per rung of the loyalty ladder over the days (DOMAIN L1).

    For an ``Ensemble`` one panel, for a ``Comparison`` one small panel per arm sharing the y
    axis: the median across replications of the people on each rung from the shopper upward
    (DOMAIN L1; renamed or merged rungs of DOMAIN L2 as the scenario's ladder has them),
    stacked in ladder order with one hatch per rung, and the median stock of lost customers
    as a dashed line. The medians of the rungs are stacked, so the top of the stack is not
    the median of their total.

    Parameters
    ----------
    result
        An ``Ensemble`` or a ``Comparison``.

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        For another kind of result, or bands without any rung series (``n_<rung>``) or
        without ``n_lost``.
    """
    chart = "ladder_bands_chart"
    scenario, arms, _ = experiment_parts(result, chart)
    quantile_pairs(scenario, result.bands, chart)
    rungs = _buying_rungs(scenario)
    fig = Figure(figsize=(max(WIDE[0], 4.3 * len(arms)), WIDE[1] + 0.4))
    axes = fig.subplots(1, len(arms), sharey=True, squeeze=False)[0]
    for k, (ax, arm) in enumerate(zip(axes, arms, strict=True)):
        bands = arm_bands(result, arm)
        held = set(bands["series"])
        present = [r for r in rungs if f"n_{slug(r)}" in held]
        if not present:
            wanted = ", ".join(f"n_{slug(r)}" for r in rungs)
            raise ChartNotApplicableError(
                f"{chart}: the bands of arm {arm!r} hold no rung series ({wanted})"
            )
        medians = [series_bands(bands, f"n_{slug(r)}", chart, arm) for r in present]
        day = medians[0]["day"].to_numpy()
        ax.stackplot(
            day,
            [m["q50"].to_numpy(dtype=float) for m in medians],
            labels=present,
            colors=[colour(i) for i in range(len(present))],
            hatch=[HATCHES[i % len(HATCHES)] for i in range(len(present))],
            edgecolor="white",
            linewidth=0.3,
            alpha=0.9,
        )
        lost = series_bands(bands, "n_lost", chart, arm)
        ax.plot(
            lost["day"],
            lost["q50"],
            linestyle="--",
            color="#000000",
            linewidth=1.5,
            label="lost (stock)",
        )
        ax.set_xlabel("day")
        ax.margins(x=0)
        if len(arms) > 1:
            ax.set_title(arm_label(arm), fontsize=10)
        if k == 0:
            ax.set_ylabel("customers (people, median per rung)")
            ax.legend(loc="upper left", frameon=False, fontsize=8, ncol=2)
        style_axes(ax)
    set_titles(
        fig, f"Loyalty ladder across {run_count(result)} runs, median per rung: {scenario.name}"
    )
    return fig


def nps_bands_chart(result: ExperimentResult) -> Figure:
    """Net Promoter Score over the days across replications (DOMAIN W1).

    Per arm, the median NPS (% promoters - % detractors among surveyed customers, DOMAIN W1)
    with the inner quantile band (25-75% of runs by default) shaded, a zero line, and the y
    axis over the whole scale from -100 to 100.

    Parameters
    ----------
    result
        An ``Ensemble`` or a ``Comparison``.

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        For another kind of result, or bands without ``nps`` (a matrix-mode ladder has no
        survey).
    """
    chart = "nps_bands_chart"
    scenario, arms, colours = experiment_parts(result, chart)
    pairs = quantile_pairs(scenario, result.bands, chart)
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    handles: list[Any] = []
    inner = pairs[-1] if pairs else None
    for i, arm in enumerate(arms):
        nps = series_bands(arm_bands(result, arm), "nps", chart, arm)
        if inner is not None:
            ax.fill_between(
                nps["day"],
                nps[band_name(inner[0])],
                nps[band_name(inner[1])],
                color=colours[arm],
                alpha=0.2,
                linewidth=0,
            )
        (line,) = ax.plot(
            nps["day"],
            nps["q50"],
            color=colours[arm],
            linestyle=line_style(i),
            linewidth=1.6,
            label=f"{arm_label(arm)}: median",
        )
        handles.append(line)
    ax.axhline(0, color="#000000", linewidth=0.8)
    ax.set_ylim(-100, 100)
    ax.set_ylabel("NPS (points: % promoters - % detractors)")
    ax.set_xlabel("day")
    ax.margins(x=0)
    span = f", {percent_span(*inner)} band" if inner else ""
    ax.set_title(
        f"Net Promoter Score across {run_count(result)} runs, median{span} (DOMAIN W1): "
        f"{scenario.name}"
    )
    extra = band_legend([inner], [0.2]) if inner else []
    ax.legend(handles=[*handles, *extra], loc="lower right", frameon=False, fontsize=8)
    style_axes(ax)
    return fig
