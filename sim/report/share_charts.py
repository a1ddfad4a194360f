"""Charts of replications as shares over time: losses by reason (DOMAIN L4), satisfaction levels
(L8), new against existing customers' sales (E5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.report.charts import MONTH_DAYS
from sim.report.experiment_style import (
    HATCHES,
    MARKERS,
    SATISFACTION_HATCHES,
    ExperimentResult,
    arm_bands,
    arm_estimates,
    arm_label,
    error_bars,
    experiment_parts,
    run_count,
    series_bands,
    style_axes,
)
from sim.report.style import (
    SATISFACTION_COLOURS,
    WIDE,
    ChartNotApplicableError,
    line_style,
)
from sim.rules.churn import L4_SHARES, LOSS_REASON_WORDS


def losses_by_reason_chart(result: ExperimentResult) -> Figure:
    """Customers lost per reason over the run, per arm (DOMAIN L4).

    Grouped bars, one group per reason recorded in the summary (``customers_lost.<reason>``,
    in the order of DOMAIN L4's table), one bar per arm: the mean number lost per replication
    with its confidence interval. Above each bar, the reason's share of that arm's losses
    (ratio of means); under each reason, its published share from DOMAIN L4 for comparison.

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
        For another kind of result, or a summary without ``customers_lost.<reason>`` columns.
    """
    chart = "losses_by_reason_chart"
    scenario, arms, colours = experiment_parts(result, chart)
    prefix = "customers_lost."
    reasons = [c.removeprefix(prefix) for c in result.summary.columns if c.startswith(prefix)]
    if not reasons:
        raise ChartNotApplicableError(
            f"{chart}: the summary has no {prefix}<reason> columns (DOMAIN L4)"
        )
    level = scenario.experiment.confidence
    fig = Figure(figsize=(max(WIDE[0], 1.5 * len(reasons) + 1), WIDE[1] + 0.8))
    ax = fig.subplots()
    x = np.arange(len(reasons), dtype=float)
    width = 0.8 / len(arms)
    for i, arm in enumerate(arms):
        table = arm_estimates(result, arm)
        rows = table.reindex([prefix + r for r in reasons])
        mean = np.nan_to_num(rows["mean"].to_numpy(dtype=float))
        low = rows["low"].to_numpy(dtype=float)
        high = rows["high"].to_numpy(dtype=float)
        err = error_bars(
            mean, np.where(np.isnan(low), mean, low), np.where(np.isnan(high), mean, high)
        )
        total = mean.sum()
        shares = 100 * mean / total if total > 0 else np.zeros_like(mean)
        bars = ax.bar(
            x + (i - (len(arms) - 1) / 2) * width,
            mean,
            width * 0.92,
            yerr=err,
            color=colours[arm],
            hatch=HATCHES[i % len(HATCHES)],
            edgecolor="white",
            error_kw={"ecolor": "#000000", "elinewidth": 1, "capsize": 2},
            label=arm_label(arm),
        )
        for bar, top, share in zip(bars, mean + err[1], shares, strict=True):
            ax.annotate(  # above the error bar, so that the two do not cross
                f"{share:.0f}%",
                (bar.get_x() + bar.get_width() / 2, top),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
            )
    ticks = [
        LOSS_REASON_WORDS[r] + (f"\n(L4: {L4_SHARES[r]}%)" if r in L4_SHARES else "\n(L4: -)")
        for r in reasons
    ]
    ax.set_xticks(x, ticks, fontsize=8)
    ax.set_ylabel("customers lost over the run\n(people per replication)")
    ax.set_ylim(0, ax.get_ylim()[1] * 1.08)
    ax.set_title(
        f"Customers lost by reason, mean of {run_count(result)} runs with {level:.0%} interval "
        f"(DOMAIN L4): {scenario.name}"
    )
    ax.text(
        0.99,
        0.98,
        "above each bar: the reason's share of that arm's losses\n"
        "under each reason: its published share (DOMAIN L4)",
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=8,
    )
    ax.legend(loc="upper right", bbox_to_anchor=(0.99, 0.86), frameon=False, fontsize=8)
    style_axes(ax)
    ax.grid(axis="x", visible=False)
    return fig


def satisfaction_bands_chart(result: ExperimentResult, window: int = 30) -> Figure:
    """The customer base by satisfaction level, per arm (DOMAIN L8).

    Per arm, a horizontal 100% stacked bar of the mean share of active customers at each of
    the five satisfaction levels of DOMAIN L8, from very dissatisfied (left) to very satisfied
    (right), in the diverging colours of ``SATISFACTION_COLOURS`` with a hatch on the outer
    and dissatisfied levels and the percentage written in each segment wide enough. The shares
    are the mean bands averaged over the last ``window`` days (the title says which).

    Parameters
    ----------
    result
        An ``Ensemble`` or a ``Comparison``.
    window
        Days at the end of the horizon to average over; 1 for the last day alone.

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        For another kind of result, a ``window`` below 1, or bands without the
        ``share_<level>`` series.
    """
    chart = "satisfaction_bands_chart"
    scenario, arms, _ = experiment_parts(result, chart)
    if not isinstance(window, int | np.integer) or window < 1:
        raise ValueError(
            f"{chart}: window must be a whole number of days, at least 1 (got {window!r})"
        )
    window = min(int(window), int(scenario.horizon_days))
    levels = list(SATISFACTION_COLOURS)
    shares = np.zeros((len(arms), len(levels)))
    for a, arm in enumerate(arms):
        bands = arm_bands(result, arm)
        for j, level in enumerate(levels):
            rows = series_bands(bands, f"share_{level}", chart, arm)
            last = rows[rows["day"] > rows["day"].max() - window]
            shares[a, j] = 100 * float(np.nanmean(last["mean"].to_numpy(dtype=float)))
    fig = Figure(figsize=(WIDE[0], 2.4 + 0.6 * len(arms)))
    ax = fig.subplots()
    y = np.arange(len(arms))[::-1].astype(float)
    left = np.zeros(len(arms))
    for j, level in enumerate(levels):
        fill = SATISFACTION_COLOURS[level]
        bars = ax.barh(
            y,
            shares[:, j],
            left=left,
            height=0.6,
            color=fill,
            edgecolor="white",
            hatch=SATISFACTION_HATCHES[level],
            label=level.replace("_", " "),
        )
        dark = level in ("very_dissatisfied", "very_satisfied")
        ax.bar_label(
            bars,
            labels=[f"{v:.0f}%" if v >= 4 else "" for v in shares[:, j]],
            label_type="center",
            fontsize=8,
            color="white" if dark else "#000000",
        )
        left += shares[:, j]
    ax.set_yticks(y, [arm_label(a) for a in arms])
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of active customers (%)")
    when = "on the last day" if window == 1 else f"mean over the last {window} days"
    ax.set_title(
        f"Satisfaction levels (DOMAIN L8), {when}, mean of {run_count(result)} runs: "
        f"{scenario.name}"
    )
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=len(levels), frameon=False, fontsize=8
    )
    ax.spines["left"].set_visible(False)
    return fig


def sales_share_bands_chart(result: ExperimentResult) -> Figure:
    """New against existing customers' share of sales by month (DOMAIN E5).

    Per arm, a line of the share of revenue that came from first purchases in each complete
    30-day block of the run: the sum over the block of the mean daily
    ``revenue_first_purchases`` divided by that of the mean daily ``revenue`` (a ratio of
    mean totals). The rest came from existing customers, read on the right-hand axis.
    DOMAIN E5: the audit of sales contribution from new versus existing customers.

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
        For another kind of result, bands without ``revenue`` or ``revenue_first_purchases``,
        or a horizon shorter than one block.
    """
    chart = "sales_share_bands_chart"
    scenario, arms, colours = experiment_parts(result, chart)
    horizon = int(scenario.horizon_days)
    months = horizon // MONTH_DAYS
    if months < 1:
        raise ChartNotApplicableError(
            f"{chart}: the horizon ({horizon} days) is shorter than one 30-day block"
        )
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    blocks = np.arange(1, months + 1)
    peak = 0.0
    for i, arm in enumerate(arms):
        bands = arm_bands(result, arm)
        first = series_bands(bands, "revenue_first_purchases", chart, arm)
        revenue = series_bands(bands, "revenue", chart, arm)
        share = _block_share(first, revenue, months)
        peak = max(peak, float(np.nanmax(share, initial=0.0)))
        ax.plot(
            blocks,
            share,
            color=colours[arm],
            linestyle=line_style(i),
            marker=MARKERS[i % len(MARKERS)],
            linewidth=1.6,
            label=arm_label(arm),
        )
    ax.set_ylim(0, min(100.0, max(5.0, 1.3 * peak)))  # small shares stay readable
    ax.set_xticks(blocks)
    left_out = horizon - months * MONTH_DAYS
    note = f"; the last {left_out} days left out" if left_out else ""
    ax.set_xlabel(f"month of the run (30-day blocks{note})")
    ax.set_ylabel("new customers' share of revenue\n(% from first purchases)")
    right = ax.secondary_yaxis("right", functions=(lambda v: 100 - v, lambda v: 100 - v))
    right.set_ylabel("existing customers' share (%)")
    ax.set_title(
        f"Sales from new and existing customers (DOMAIN E5), mean of {run_count(result)} runs: "
        f"{scenario.name}"
    )
    ax.legend(loc="upper right", frameon=False, fontsize=8)
    style_axes(ax)
    return fig


def _block_share(first: pd.DataFrame, revenue: pd.DataFrame, months: int) -> np.ndarray:
    """Per complete 30-day block, 100 x the summed mean first-purchase revenue over the summed
    mean revenue; NaN for a block without revenue."""
    out = np.full(months, np.nan)
    for b in range(months):
        days = (b * MONTH_DAYS, (b + 1) * MONTH_DAYS)
        top = first.loc[first["day"].between(days[0], days[1] - 1), "mean"].sum()
        total = revenue.loc[revenue["day"].between(days[0], days[1] - 1), "mean"].sum()
        if total > 0:
            out[b] = 100 * top / total
    return out
