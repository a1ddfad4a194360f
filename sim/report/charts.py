"""Publication-ready charts of one run, each returned as a matplotlib Figure.

Every function takes a finished :class:`~sim.results.RunResult` and draws one question a planner
or a student asks of it: where are the customers on the ladder, who moved and why, what do
they say (NPS), how close did cash come to the credit line, why were customers lost, how
satisfied are they, where do sales come from, and do program participants bring more. Save a
figure with :func:`sim.report.style.save_chart` (PNG and SVG); :func:`run_charts` draws and
saves all that apply. The look (colour-blind-safe palette, sizes) is in
:mod:`sim.report.style`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.report.style import (
    DPI,
    GREY,
    NPS_COLOURS,
    SATISFACTION_COLOURS,
    WIDE,
    ChartNotApplicableError,
    colour,
    save_charts,
)
from sim.results import RunResult
from sim.results.program_tables import participants_by_segment
from sim.rules.churn import LOSS_REASON_WORDS
from sim.rules.ladder import SHOPPER, STAGES, slug

MONTH_DAYS = 30
"""Days per bar in the monthly charts."""

SATISFACTION_LEVELS = (
    "very_dissatisfied",
    "dissatisfied",
    "neutral",
    "satisfied",
    "very_satisfied",
)
"""The five levels of DOMAIN L8, from the bottom of the scale up."""

MOVE_COLOURS = {"up": "#0072B2", "down": "#E69F00", "lost": "#D55E00", "won back": "#009E73"}
MOVE_HATCHES = {"up": "", "down": "//", "lost": "xx", "won back": ".."}
"""Each direction of a move has a colour and, for grey print, a hatch."""


def _figure(rows: int = 1, height: float = WIDE[1], **kwargs) -> tuple[plt.Figure, object]:
    return plt.subplots(rows, 1, figsize=(WIDE[0], height), dpi=DPI, **kwargs)


def _title(result: RunResult, what: str) -> str:
    return f"{what}: {result.scenario.name} (seed {result.summary['seed']})"


def _legend_right(ax: plt.Axes, *args, **kwargs) -> None:
    """A legend beside the plot, where it hides no data."""
    ax.legend(
        *args, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8, **kwargs
    )


def _mark_bankruptcy(ax: plt.Axes, result: RunResult) -> None:
    if result.bankrupt_day is not None:
        ax.axvline(result.bankrupt_day, color="#D55E00", linewidth=2, label="bankrupt")


def _monthly(daily: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Daily flows per :data:`MONTH_DAYS` days, in blocks indexed by their first day.

    A block is the sum of its days scaled to a full block, so the last, shorter block of a
    run is not drawn as a fall.
    """
    block = (daily["day"] // MONTH_DAYS) * MONTH_DAYS
    grouped = daily[columns].groupby(block)
    return grouped.sum().mul(MONTH_DAYS / grouped.size(), axis=0)


def ladder_chart(result: RunResult) -> plt.Figure:
    """Buyers per rung over time as a stacked area, with the lost customers as a dashed line.

    The rungs from shopper up (DOMAIN L1, or the scenario's ladder of L2), bottom to top in
    ladder order; suspects and prospects are left out because they have not bought. In
    migration-matrix mode, the matrix's states.
    """
    daily = result.daily
    if result.summary.get("mode") == "matrix":
        present = set(result.customers["rung"].unique()) - {"lost"}
        order = [r for r in result.rungs if r in present]
    else:
        order = list(dict.fromkeys(result.scenario.ladder.stage_names()[SHOPPER:]))
    fig, ax = _figure()
    ax.stackplot(
        daily["day"],
        [daily[f"n_{slug(name)}"].to_numpy() for name in order],
        labels=order,
        colors=[colour(i) for i in range(len(order))],
        alpha=0.9,
        linewidth=0,
    )
    ax.plot(daily["day"], daily["n_lost"], "--", color="#000000", label="lost (stock)")
    _mark_bankruptcy(ax, result)
    ax.set_title(_title(result, "Loyalty ladder over time"))
    ax.set_xlabel("day")
    ax.set_ylabel("customers (people)")
    ax.grid(alpha=0.3)
    _legend_right(ax)
    ax.margins(x=0)
    return fig


def ladder_moves(result: RunResult) -> pd.DataFrame:
    """Every kind of move on the ladder in a run, counted: from, to, why, how many, direction.

    Day-0 entries of existing customers are left out (they are the starting position, not a
    move). ``direction`` is ``up`` or ``down`` the ladder, ``lost`` or ``won back``, judged on
    the canonical stages the movements table records, whatever the scenario's ladder calls them.
    """
    moves = result.movements
    moves = moves[~((moves["time"] == 0) & (moves["reason"] == "existing_customer"))]
    counted = (
        moves.groupby(["from_stage", "to_stage", "reason"], observed=True)
        .size()
        .rename("moves")
        .reset_index()
        .sort_values("moves", ascending=False, kind="stable")
    )
    rank = {stage: i for i, stage in enumerate(STAGES)}

    def direction(row: pd.Series) -> str:
        if row["to_stage"] == "lost":
            return "lost"
        if row["from_stage"] == "lost":
            return "won back"
        return "up" if rank.get(row["to_stage"], 0) >= rank.get(row["from_stage"], 0) else "down"

    counted["direction"] = counted.apply(direction, axis=1) if len(counted) else []
    return counted.reset_index(drop=True)


def flows_chart(result: RunResult, top: int = 14) -> plt.Figure:
    """The flows between rungs over the run: which moves, how many, and why.

    One bar per kind of move (from rung, to rung, recorded cause), the ``top`` most frequent,
    coloured and hatched by direction: up the ladder, down, lost (with its DOMAIN L4 reason)
    or won back. Every move in the model has a recorded cause (docs/model.md).
    """
    if result.summary.get("mode") == "matrix":
        raise ChartNotApplicableError(
            "flows_chart: a migration-matrix run records no causes of moves"
        )
    moves = ladder_moves(result).head(top).iloc[::-1]
    fig, ax = _figure(height=max(3.0, 0.38 * len(moves) + 1.5))
    shown = dict(zip(STAGES, result.scenario.ladder.stage_names(), strict=True))  # DOMAIN L2

    def why(reason: str) -> str:
        lost = reason.removeprefix("lost:")
        return LOSS_REASON_WORDS.get(lost, lost.replace("_", " "))

    labels = [
        f"{shown.get(row.from_stage, row.from_stage)} → {shown.get(row.to_stage, row.to_stage)}"
        f"  ({why(row.reason)})"
        for row in moves.itertuples()
    ]
    bars = ax.barh(
        labels,
        moves["moves"],
        color=[MOVE_COLOURS[d] for d in moves["direction"]],
        edgecolor="white",
    )
    for bar, d, n in zip(bars, moves["direction"], moves["moves"], strict=True):
        bar.set_hatch(MOVE_HATCHES[d])
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {n:,}", va="center")
    handles = [
        plt.Rectangle(
            (0, 0), 1, 1, facecolor=MOVE_COLOURS[d], hatch=MOVE_HATCHES[d], edgecolor="white"
        )
        for d in MOVE_COLOURS
    ]
    ax.legend(handles, list(MOVE_COLOURS), loc="lower right", frameon=False, fontsize=8)
    ax.set_title(_title(result, "Moves on the ladder and their causes"))
    ax.set_xlabel("moves over the run (people)")
    ax.margins(x=0.12)
    return fig


def nps_chart(result: RunResult) -> plt.Figure:
    """NPS and the promoter/passive/detractor shares over time (DOMAIN W1, M2).

    Top: NPS (% promoters - % detractors) of the surveyed customers, those who bought within
    the survey window. Bottom: the three shares stacked, promoters at the bottom.
    """
    daily = result.daily
    if "nps" not in daily:
        raise ChartNotApplicableError("nps_chart: the run has no NPS survey (matrix mode)")
    window = result.scenario.word_of_mouth.survey_window_days
    surveyed = daily["surveyed"].to_numpy(dtype=float)
    shares = {}
    for name in NPS_COLOURS:
        values = daily[name].to_numpy(dtype=float)
        shares[name] = 100.0 * np.divide(
            values, surveyed, out=np.full_like(values, np.nan), where=surveyed > 0
        )
    fig, (top, bottom) = _figure(2, height=6.0, sharex=True, gridspec_kw={"height_ratios": [2, 3]})
    top.plot(daily["day"], daily["nps"], color="#0072B2", linewidth=1.5, label="NPS")
    top.axhline(0, color="#000000", linewidth=0.8)
    top.set_ylabel("NPS (points)")
    top.set_ylim(-100, 100)
    top.grid(alpha=0.3)
    top.set_title(_title(result, "Net Promoter Score over time"))
    bottom.stackplot(
        daily["day"],
        list(shares.values()),
        labels=["promoters (9-10)", "passives (7-8)", "detractors (0-6)"],
        colors=list(NPS_COLOURS.values()),
        alpha=0.9,
        linewidth=0,
    )
    bottom.set_ylim(0, 100)
    bottom.set_ylabel(f"share of surveyed (%)\nbought in the last {window} days")
    bottom.set_xlabel("day")
    bottom.grid(alpha=0.3)
    bottom.legend(loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=8, ncol=3)
    bottom.margins(x=0)
    return fig


def cash_chart(result: RunResult) -> plt.Figure:
    """Cash over time against the credit line, with the lowest point and any bankruptcy.

    Cash is derived from the ledger; the business is bankrupt when it falls below minus the
    credit line (DOMAIN E7), and then stops trading.
    """
    daily = result.daily
    credit = result.scenario.business.credit_line
    fig, ax = _figure()
    ax.plot(daily["day"], daily["cash"], color="#0072B2", linewidth=1.5, label="cash")
    ax.axhline(-credit, color="#D55E00", linestyle="--", label="credit line: bankrupt below")
    ax.axhline(0, color="#000000", linewidth=0.8)
    low_day, low = result.summary["lowest_cash_day"], result.summary["lowest_cash"]
    ax.plot([low_day], [low], "o", color="#000000", label=f"lowest: {low:,.0f} on day {low_day}")
    _mark_bankruptcy(ax, result)
    ax.set_title(_title(result, "Cash over time"))
    ax.set_xlabel("day")
    ax.set_ylabel("cash (currency units)")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", frameon=False, fontsize=8)
    ax.margins(x=0)
    return fig


def losses_chart(result: RunResult) -> plt.Figure:
    """Customers lost per month, stacked by recorded reason (DOMAIN L4, M3).

    The legend gives each reason's share of all losses in the run, to set against the shares
    published in L4 (68% low interaction, 14% unknown, 9% competitor offer...).
    """
    columns = [c for c in result.daily.columns if c.startswith("lost_")]
    if not columns:
        raise ChartNotApplicableError("losses_chart: the run records no loss reasons (matrix mode)")
    monthly = _monthly(result.daily, columns)
    total = monthly.to_numpy().sum() or 1.0
    columns = [c for c in columns if monthly[c].sum() > 0] or columns
    fig, ax = _figure()
    bottom = np.zeros(len(monthly))
    for i, name in enumerate(columns):
        share = 100 * monthly[name].sum() / total
        ax.bar(
            monthly.index,
            monthly[name],
            width=MONTH_DAYS * 0.9,
            bottom=bottom,
            align="edge",
            color=colour(i),
            hatch=("", "//", "..", "xx", "\\\\", "++", "oo")[i % 7],
            edgecolor="white",
            label=f"{LOSS_REASON_WORDS[name.removeprefix('lost_')]} ({share:.0f}%)",
        )
        bottom += monthly[name].to_numpy()
    ax.set_title(_title(result, "Customers lost by reason"))
    ax.set_xlabel(f"day (bars of {MONTH_DAYS} days)")
    ax.set_ylabel(f"customers lost per {MONTH_DAYS} days (people)")
    ax.grid(alpha=0.3, axis="y")
    _legend_right(ax, title="reason (share of losses)")
    return fig


def satisfaction_chart(result: RunResult) -> plt.Figure:
    """The five satisfaction levels of DOMAIN L8 as shares of the customer base over time.

    Stacked from very dissatisfied (bottom) to very satisfied (top) on a diverging scale.
    """
    columns = [f"share_{level}" for level in SATISFACTION_LEVELS]
    if any(c not in result.daily for c in columns):
        raise ChartNotApplicableError(
            "satisfaction_chart: the run has no satisfaction levels (matrix mode)"
        )
    daily = result.daily
    fig, ax = _figure()
    ax.stackplot(
        daily["day"],
        [100 * daily[c].to_numpy(dtype=float) for c in columns],
        labels=[level.replace("_", " ") for level in SATISFACTION_LEVELS],
        colors=list(SATISFACTION_COLOURS.values()),
        alpha=0.95,
        linewidth=0,
    )
    ax.set_ylim(0, 100)
    ax.set_title(_title(result, "Satisfaction levels of the customer base"))
    ax.set_xlabel("day")
    ax.set_ylabel("share of customers (%)")
    handles, labels = ax.get_legend_handles_labels()
    _legend_right(ax, handles[::-1], labels[::-1])  # top of the legend = top of the stack
    ax.margins(x=0)
    return fig


def sales_share_chart(result: RunResult) -> plt.Figure:
    """New versus existing customers' sales per month, and the new customers' share (E5, M4).

    "New" is a customer's first purchase; everything else is sales to existing customers
    (DOMAIN E9: growth from new customers or from more spending by existing ones).
    """
    if "revenue_first_purchases" not in result.daily:
        raise ChartNotApplicableError(
            "sales_share_chart: the run records no first purchases (matrix mode)"
        )
    monthly = _monthly(result.daily, ["revenue", "revenue_first_purchases"])
    new = monthly["revenue_first_purchases"].to_numpy()
    existing = monthly["revenue"].to_numpy() - new
    fig, ax = _figure()
    ax.bar(
        monthly.index,
        existing,
        width=MONTH_DAYS * 0.9,
        align="edge",
        color="#0072B2",
        label="existing customers",
    )
    ax.bar(
        monthly.index,
        new,
        width=MONTH_DAYS * 0.9,
        align="edge",
        bottom=existing,
        color="#E69F00",
        hatch="//",
        edgecolor="white",
        label="new customers (first purchase)",
    )
    ax.set_xlabel(f"day (bars of {MONTH_DAYS} days)")
    ax.set_ylabel(f"sales per {MONTH_DAYS} days (currency units)")
    ax.grid(alpha=0.3, axis="y")
    share = ax.twinx()
    total = monthly["revenue"].to_numpy()
    pct = 100 * np.divide(new, total, out=np.full_like(new, np.nan), where=total > 0)
    share.plot(
        monthly.index + MONTH_DAYS * 0.45,
        pct,
        "k--",
        marker="o",
        markersize=3,
        label="new customers' share",
    )
    share.set_ylabel("new customers' share of sales (%)")
    share.set_ylim(0, max(5.0, 1.25 * float(np.nanmax(pct, initial=0.0))))
    share.spines["right"].set_visible(True)
    handles = ax.get_legend_handles_labels()
    extra = share.get_legend_handles_labels()
    ax.legend(
        handles[0] + extra[0],
        handles[1] + extra[1],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        frameon=False,
        fontsize=8,
        ncol=3,
    )
    ax.set_title(_title(result, "Sales from new and existing customers"))
    return fig


def participants_chart(result: RunResult) -> plt.Figure:
    """Program participants against comparable non-participants, per purchase-rate quintile.

    DOMAIN E6: participants must bring more revenue than comparable non-participants in the
    same segment, otherwise the strategy is wrong. Bars: spend per customer-year of each group
    in each quintile of the purchase-rate trait; the title gives the same-segment ratio of the
    run summary (above 1: participants bring more). Opt-in programs flatter this comparison
    (heavier buyers choose to join); the paired incremental profit of ``sim.compare`` is the
    honest figure of a design's worth.
    """
    program = result.summary.get("program") or {}
    if not program or program.get("natural"):
        raise ChartNotApplicableError("participants_chart: the run has no loyalty program in place")
    end = program["end_day"] if program["end_day"] is not None else result.summary["days_simulated"]
    table = participants_by_segment(
        result.customers, program["launch_day"], end, result.summary["days_simulated"]
    )
    if table.empty:
        raise ChartNotApplicableError(
            "participants_chart: nobody, or everybody, joined the program"
        )
    ratio = program["participants_vs_non_participants"]["same_segment_ratio"]
    x = np.arange(len(table))
    fig, ax = _figure()
    ax.bar(
        x - 0.2, table["spend_per_year_participants"], 0.4, color="#0072B2", label="participants"
    )
    ax.bar(
        x + 0.2,
        table["spend_per_year_non_participants"],
        0.4,
        color=GREY,
        hatch="//",
        edgecolor="white",
        label="non-participants",
    )
    ax.set_xticks(
        x,
        [
            f"Q{s + 1}\n{p:,} vs {n:,}"
            for s, p, n in zip(
                table["segment"], table["participants"], table["non_participants"], strict=True
            )
        ],
    )
    ax.set_xlabel("purchase-rate quintile (Q1 lightest buyers); people in each group")
    ax.set_ylabel("spend per customer-year (currency units)")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(
        _title(result, f"Participants vs comparable non-participants (E6), ratio {ratio:.2f}")
    )
    return fig


RUN_CHARTS = {
    "ladder": ladder_chart,
    "flows": flows_chart,
    "nps": nps_chart,
    "cash": cash_chart,
    "losses": losses_chart,
    "satisfaction": satisfaction_chart,
    "sales_share": sales_share_chart,
    "participants": participants_chart,
}
"""Every chart of one run, by the file name it is saved under."""


def run_charts(result: RunResult, folder: str | Path) -> dict[str, list[Path]]:
    """Draw and save (PNG and SVG) every chart of :data:`RUN_CHARTS` that applies to the run.

    Returns
    -------
    dict
        The written files of each chart, by chart name.
    """
    return save_charts(RUN_CHARTS, result, folder)
