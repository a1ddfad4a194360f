"""Charts of a comparison of designs: each design's verdict and its evidence, and participants
against comparable non-participants (DOMAIN E6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from sim.experiments.compare import Comparison
from sim.experiments.estimates import Estimate, mean_interval
from sim.report.experiment_style import (
    E6_RATIO,
    MARKERS,
    arm_colours,
    arms_of,
    error_bars,
    need_columns,
    need_result,
    run_count,
    set_titles,
    style_axes,
)
from sim.report.style import (
    GREY,
    VERDICT_COLOURS,
    WIDE,
    ChartNotApplicableError,
    colour,
)

WHOLE_NUMBERS = FuncFormatter(lambda x, _: f"{round(x) + 0:,.0f}")
"""Tick labels in whole currency units; a tick just below zero reads 0, not -0."""


def comparison_chart(comparison: Comparison) -> Figure:
    """The verdict on each program design, with the evidence behind it (DOMAIN E7, E8).

    Three panels side by side, one row per design. (a) Incremental profit against no program:
    mean with its confidence interval as an error bar, a zero line, the marker coloured by the
    verdict and the verdict written under it. (b) The ruin the design causes (paired runs
    bankrupt with it and not without it: what the verdict judges), in percent, with its
    interval; the share bankrupt with the design whatever the cause as a hollow marker; the
    baseline's share as a dashed line and ``experiment.ruin_threshold`` as a dotted one
    (DOMAIN E7). (c) The discount and reward cost against the retention gain in percentage
    points, each design a point with both intervals, labelled by name: the
    discount-cost-against-retention-gain test (DOMAIN E7, E8: discounts lower profitability).

    Parameters
    ----------
    comparison
        A ``Comparison`` with at least one design.

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        For another kind of result, an empty table, or a table without the columns drawn.
    """
    chart = "comparison_chart"
    need_result(comparison, (Comparison,), chart)
    table = comparison.table
    figures = ("incremental_profit", "bankruptcy_probability", "reward_and_discount_cost")
    needed = [f"{f}{s}" for f in (*figures, "retention_gain") for s in ("", "_low", "_high")]
    need_columns(table, ["program", "verdict", *needed], chart, "comparison table")
    if table.empty:
        raise ChartNotApplicableError(f"{chart}: the comparison has no program design")
    scenario = comparison.scenario
    level = scenario.experiment.confidence
    n = len(table)
    y = np.arange(n)[::-1].astype(float)  # the first design on top
    fig = Figure(figsize=(15.0, max(4.5, 2.2 + 0.7 * n)))
    ax_profit, ax_ruin, ax_cost = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.2, 1, 1.2]})
    set_titles(
        fig,
        f"Program designs against no program, {run_count(comparison)} paired runs each: "
        f"{scenario.name}",
    )

    for yi, (_, row) in zip(y, table.iterrows(), strict=True):
        verdict = str(row["verdict"])
        shade = VERDICT_COLOURS.get(verdict, GREY)
        err = error_bars(
            row["incremental_profit"], row["incremental_profit_low"], row["incremental_profit_high"]
        )
        ax_profit.errorbar(
            row["incremental_profit"],
            yi,
            xerr=err.reshape(2, 1),
            fmt="o",
            color=shade,
            ecolor="#000000",
            elinewidth=1.2,
            capsize=4,
            markersize=9,
        )
        ax_profit.annotate(
            verdict.replace("_", " "),
            (row["incremental_profit"], yi),
            xytext=(0, -11),
            textcoords="offset points",
            ha="center",
            va="top",
            color=shade,
            fontsize=9,
            fontweight="bold",
        )
    ax_profit.axvline(0, color="#000000", linewidth=0.8)
    ax_profit.xaxis.set_major_locator(MaxNLocator(5))
    ax_profit.xaxis.set_major_formatter(WHOLE_NUMBERS)
    ax_profit.set_yticks(y, [str(p) for p in table["program"]])
    ax_profit.set_ylim(-0.8, n - 0.4)
    ax_profit.set_xlabel(f"incremental profit (currency units)\nmean and {level:.0%} interval")
    ax_profit.set_title("(a) incremental profit, marker and text: verdict", fontsize=10)
    style_axes(ax_profit)

    p = 100 * table["caused_bankruptcy_probability"].to_numpy(dtype=float)
    low = 100 * table["caused_bankruptcy_probability_low"].to_numpy(dtype=float)
    high = 100 * table["caused_bankruptcy_probability_high"].to_numpy(dtype=float)
    raw = 100 * table["bankruptcy_probability"].to_numpy(dtype=float)
    ax_ruin.plot(
        raw,
        y,
        "o",
        markerfacecolor="none",
        markeredgecolor=colour(4),
        markersize=8,
        label="with the design, any cause",
    )
    ax_ruin.errorbar(
        p,
        y,
        xerr=error_bars(p, low, high),
        fmt="s",
        color=colour(4),
        ecolor="#000000",
        capsize=4,
        markersize=7,
        label=(
            f"caused by the design, {level:.0%} conf. sequence"
            if getattr(comparison, "sequential", False)
            else f"caused by the design, Wilson {level:.0%}"
        ),
    )
    baseline = 100 * float(table["baseline_bankruptcy_probability"].iloc[0])
    threshold = 100 * float(scenario.experiment.ruin_threshold)
    ax_ruin.axvline(
        baseline, color=GREY, linestyle="--", linewidth=1.5, label=f"no program: {baseline:.0f}%"
    )
    ax_ruin.axvline(
        threshold,
        color=VERDICT_COLOURS["would_bankrupt"],
        linestyle=":",
        linewidth=1.5,
        label=f"ruin threshold (E7): {threshold:g}%",
    )
    top = np.nanmax([*np.nan_to_num(high), *np.nan_to_num(raw), baseline, threshold])
    ax_ruin.set_xlim(-1, min(100.0, max(10.0, 1.15 * top)) + 1)
    ax_ruin.set_yticks(y, [str(p) for p in table["program"]])
    ax_ruin.set_ylim(-0.8, n - 0.4)
    ax_ruin.tick_params(labelleft=False)
    ax_ruin.set_xlabel("probability of bankruptcy (% of runs)")
    ax_ruin.set_title("(b) risk of ruin within the horizon", fontsize=10)
    ax_ruin.legend(loc="lower right", frameon=True, fontsize=8)
    style_axes(ax_ruin)

    colours = arm_colours(list(table["program"]))
    for i, (_, row) in enumerate(table.iterrows()):
        cost = row["reward_and_discount_cost"]
        gain = 100 * row["retention_gain"]
        ax_cost.errorbar(
            cost,
            gain,
            xerr=error_bars(
                cost, row["reward_and_discount_cost_low"], row["reward_and_discount_cost_high"]
            ).reshape(2, 1),
            yerr=error_bars(
                gain, 100 * row["retention_gain_low"], 100 * row["retention_gain_high"]
            ).reshape(2, 1),
            fmt=MARKERS[i % len(MARKERS)],
            color=colours[row["program"]],
            ecolor=GREY,
            capsize=3,
            markersize=8,
        )
        ax_cost.annotate(
            str(row["program"]), (cost, gain), xytext=(6, 6), textcoords="offset points", fontsize=9
        )
    ax_cost.axhline(0, color="#000000", linewidth=0.8)
    costs = table["reward_and_discount_cost"].to_numpy(dtype=float)
    if np.ptp(costs) < 1:  # designs that give nothing away: a readable scale around their cost
        ax_cost.set_xlim(costs.min() - 10, costs.max() + 10)
    ax_cost.xaxis.set_major_locator(MaxNLocator(5))
    ax_cost.xaxis.set_major_formatter(WHOLE_NUMBERS)
    ax_cost.set_xlabel("discount and reward cost (currency units)")
    ax_cost.set_ylabel("retention gain (percentage points)")
    ax_cost.set_title("(c) what the rewards cost against the retention they buy", fontsize=10)
    ax_cost.margins(0.2)
    style_axes(ax_cost)
    return fig


def participants_ratio_chart(comparison: Comparison) -> Figure:
    """Participants' spend against comparable non-participants', per design (DOMAIN E6).

    Per program design, the same-segment ratio of participants' spend per year to that of
    non-participants in the same segment (summary figure
    ``program.participants_vs_non_participants.same_segment_ratio``): the mean across
    replications with its Student-t interval, replications without a figure (nobody, or
    everybody, joined) left out and counted beside the row. A line at 1 marks DOMAIN E6:
    participants must bring more than comparable non-participants; designs whose mean ratio is
    below 1 are marked with a cross and the words "below 1". Beside each ratio, a hollow
    diamond gives the paired lift (``participant_spend_lift`` of the comparison's table, with
    its interval): what the program itself did to the participants' spending, against the same
    customers without it. The gap between the two is who joins.

    Parameters
    ----------
    comparison
        A ``Comparison``.

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        For another kind of result, or a summary without the ratio.
    """
    chart = "participants_ratio_chart"
    need_result(comparison, (Comparison,), chart)
    summary = comparison.summary
    if E6_RATIO not in summary:
        raise ChartNotApplicableError(
            f"{chart}: the summary has no column {E6_RATIO} (no design reports participants)"
        )
    scenario = comparison.scenario
    level = scenario.experiment.confidence
    programs = arms_of(comparison)[1:]
    if not programs:
        raise ChartNotApplicableError(f"{chart}: the comparison has no program design")
    estimates: list[tuple[str, Estimate, int]] = []
    for program in programs:
        values = pd.to_numeric(summary.loc[summary["arm"] == program, E6_RATIO], errors="coerce")
        estimates.append((program, mean_interval(values.to_numpy(dtype=float), level), len(values)))
    n = len(programs)
    y = np.arange(n)[::-1].astype(float)
    fig = Figure(figsize=(WIDE[0], max(3.5, 2.0 + 0.7 * n)))
    ax = fig.subplots()
    below = VERDICT_COLOURS["destroys_value"]
    above = VERDICT_COLOURS["pays_back"]
    table = comparison.table.set_index("program")
    lifts = {
        p: tuple(table.loc[p, f"participant_spend_lift{s}"] for s in ("", "_low", "_high"))
        for p in programs
        if "participant_spend_lift" in table and p in table.index
    }
    program_of = dict(zip(y, programs, strict=True))
    labelled = False
    for yi, (_, e, runs) in zip(y, estimates, strict=True):
        counted = f"{e.n} of {runs} runs had a figure"
        if e.n == 0:
            ax.text(1, yi, f"no figure ({counted})", ha="center", va="center", fontsize=9)
            continue
        low_side = e.mean < 1
        ax.errorbar(
            e.mean,
            yi,
            xerr=error_bars(e.mean, e.low, e.high).reshape(2, 1),
            fmt="X" if low_side else "o",
            color=below if low_side else above,
            ecolor="#000000",
            capsize=4,
            markersize=10 if low_side else 8,
        )
        words = f"below 1; {counted}" if low_side else counted
        lift = lifts.get(program_of[yi])
        if lift is not None and lift[0] == lift[0]:
            mean, low, high = lift
            ax.errorbar(
                mean,
                yi - 0.3,
                xerr=error_bars(mean, low, high).reshape(2, 1),
                fmt="D",
                mfc="none",
                color="#000000",
                ecolor="#000000",
                capsize=3,
                markersize=7,
                label="paired lift: what the program did to participants' spending"
                if not labelled
                else None,
            )
            labelled = True
        ax.annotate(
            words,
            (e.mean, yi),
            xytext=(0, -11),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=8,
            color=below if low_side else "#000000",
        )
    ax.axvline(1, color="#000000", linestyle="--", linewidth=1.2)
    ax.text(
        1,
        1.0,
        " E6: participants must bring more",
        ha="left",
        va="bottom",
        fontsize=8,
        transform=blended_transform_factory(ax.transData, ax.transAxes),
    )
    ax.set_yticks(y, programs)
    ax.set_ylim(-0.8, n - 0.4)
    ax.margins(x=0.25)
    lo, hi = ax.get_xlim()
    ax.set_xlim(min(lo, 0.9), max(hi, 1.1))
    ax.set_xlabel(
        "participants' spend per year / same-segment non-participants' (ratio, markers)\n"
        f"mean and {level:.0%} interval across runs; diamonds: paired lift (ratio)"
    )
    if labelled:
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_title(
        f"Do participants bring more than comparable non-participants? (DOMAIN E6): "
        f"{scenario.name}",
        pad=16,
    )
    style_axes(ax)
    return fig
