"""Charts of a calibration: how well the calibrated simulator reproduces the business's own log.

Every function takes a :class:`~sim.calibration.Calibration` and returns a
:class:`matplotlib.figure.Figure` without saving it; :func:`calibration_charts` draws and saves
(PNG and SVG) every chart that applies. The same three series keep one look in every chart:
the log's **actual** counts in black, solid; the simulator's replays (**simulated**: their mean,
with the 5-95% range over the replays shaded or as error bars) in blue, dashed; the fitted
formula (**model**) in vermillion, dash-dotted. The charts of the holdout check (all but
:func:`parameters_chart`) raise :class:`~sim.report.style.ChartNotApplicableError` for a
calibration without a holdout.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator
from matplotlib.transforms import blended_transform_factory

from sim.calibration.fit import MODEL_NAMES
from sim.calibration.scenario_file import interval_text
from sim.calibration.transactions import TABLE
from sim.report.experiment_style import error_bars, parameter_unit
from sim.report.style import GREY, WIDE, ChartNotApplicableError, colour, line_style, save_charts

ACTUAL = {"color": colour(7), "linestyle": line_style(0), "label": "actual (log)"}
SIMULATED = {"color": colour(4), "linestyle": line_style(1)}
MODEL = {"color": colour(5), "linestyle": line_style(2)}
"""The look of each series, the same in every chart of a calibration."""

BAND_ALPHA = 0.22
WEEK_DAYS = 7
WHOLE_NUMBERS = FuncFormatter(lambda x, _: f"{round(x) + 0:,.0f}")
"""Tick labels of counts: whole numbers with thousands separated (and never -0)."""
RATIO_TICKS = (0.1, 0.2, 0.33, 0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0)
WIDE_RATIO_TICKS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
"""Candidate ticks of the parameters chart's ratio axis (log scale), for a narrow and for a
wide axis."""
RATIO_LIMIT = 20.0
"""The parameters chart's axis ends at 1/20 and 20 times the fit; whiskers beyond end in an
arrow (the numbers beside them are exact)."""
TRANSACTIONS = "one per customer and day"


def source_name(cal: Any) -> str:
    """The log's file name for a title (``a table`` for a log passed as a table)."""
    source = str(cal.summary.get("source", ""))
    return TABLE if source in ("", TABLE) else Path(source).name


TITLE_NAME = 40
"""Longest file name a title shows in full (longer ones are shortened in the middle)."""


def _title(cal: Any, what: str) -> str:
    name = source_name(cal)
    if len(name) > TITLE_NAME:
        half = (TITLE_NAME - 1) // 2
        name = f"{name[:half]}…{name[-half:]}"
    return f"{what}: {name}"


def _need_holdout(cal: Any, chart: str, table: str = "holdout") -> pd.DataFrame:
    frame = getattr(cal, table, None)
    if frame is None or cal.summary.get("holdout_window") is None:
        raise ChartNotApplicableError(
            f"{chart}: the calibration has no holdout to check it on (calibrate with "
            "--holdout-until)"
        )
    if len(frame) == 0:
        raise ChartNotApplicableError(f"{chart}: the calibration's {table} table is empty")
    return frame


def _replays(cal: Any) -> int:
    return int((cal.summary.get("holdout") or {}).get("replays", 0))


def _simulated_label(cal: Any) -> str:
    n = _replays(cal)
    return f"simulated: mean of {n} replays" if n else "simulated: mean of the replays"


def _range_label(cal: Any) -> str:
    n = _replays(cal)
    return f"simulated: 5-95% range of {n} replays" if n else "simulated: 5-95% range"


def _legend_below(ax: Axes, *args: Any, ncol: int = 2, **kwargs: Any) -> None:
    """A legend under the plot, where it hides no data."""
    ax.legend(
        *args,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        frameon=False,
        fontsize=8,
        ncol=ncol,
        **kwargs,
    )


def _counts_axis(ax: Axes) -> None:
    """A y axis of counts: whole-number ticks from zero, thousands separated."""
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10], integer=True))
    ax.yaxis.set_major_formatter(WHOLE_NUMBERS)
    ax.set_ylim(bottom=0)


def _date_axis(ax: Axes) -> None:
    locator = AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _mark_windows(ax: Axes, cal: Any) -> None:
    """A vertical line where the calibration window ends and the holdout starts, the holdout
    lightly shaded, and each window named at the top of the plot."""
    start = pd.Timestamp(cal.summary["holdout_window"][0])
    end = pd.Timestamp(cal.summary["holdout_window"][1]) + pd.Timedelta(days=1)
    ax.axvspan(start, end, color=GREY, alpha=0.12, linewidth=0, zorder=0)
    ax.axvline(start, color="#000000", linewidth=1.0, linestyle=(0, (1, 1)), zorder=1)
    top = blended_transform_factory(ax.transData, ax.transAxes)
    ax.text(
        start,
        0.98,
        "calibration window ends  ",
        transform=top,
        ha="right",
        va="top",
        fontsize=8,
    )
    ax.text(
        start,
        0.98,
        f"  holdout from {start:%d %b %Y}",
        transform=top,
        ha="left",
        va="top",
        fontsize=8,
    )


def _weeks(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["week_start"])


def tracking_chart(cal: Any) -> Figure:
    """Cumulative repeat transactions of the log's customers, week by week.

    The customers who first bought within the calibration window, followed to the end of the
    holdout: the log's count (actual), the mean of the calibrated simulator's replays of the
    same customers with the 5-95% range over the replays shaded, and the fitted formula's
    expectation from each customer's first-purchase day (model). Each point is the total by the
    end of its week. A dotted line marks where the calibration window ends; the shaded part
    after it is the holdout, which neither the fit nor the matching saw.

    Parameters
    ----------
    cal
        A :class:`~sim.calibration.Calibration` with a holdout.

    Returns
    -------
    Figure

    Raises
    ------
    ChartNotApplicableError
        Without a holdout.
    """
    weekly = _need_holdout(cal, "tracking_chart")
    last = pd.Timestamp(cal.summary["holdout_window"][1]) + pd.Timedelta(days=1)
    ends = (_weeks(weekly) + pd.Timedelta(days=WEEK_DAYS)).clip(upper=last)
    fig, ax = _log_simulator_formula(cal, ends, weekly, "cumulative_", linewidth=2.0)
    ax.set_ylim(top=1.08 * float(np.nanmax(weekly[_cumulative_columns()].to_numpy())))
    ax.set_xlim(pd.Timestamp(cal.summary["first_date"]), last)
    ax.set_ylabel(f"cumulative repeat transactions\n({TRANSACTIONS})")
    ax.set_xlabel("date (end of each week)")
    ax.set_title(_title(cal, "Repeat transactions so far, log against simulator"))
    return fig


def _log_simulator_formula(
    cal: Any, x: pd.Series, weekly: pd.DataFrame, prefix: str, **actual: Any
) -> tuple[Figure, Axes]:
    """The three series of a weekly table against ``x`` (columns ``{prefix}actual`` ...): the
    simulator's 5-95% range shaded, the log, the simulator's mean and the formula, with the
    windows marked and the legend under the plot (``actual``: the log's line style)."""
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    ax.fill_between(
        x,
        weekly[f"{prefix}simulated_low"],
        weekly[f"{prefix}simulated_high"],
        color=SIMULATED["color"],
        alpha=BAND_ALPHA,
        linewidth=0,
        label=_range_label(cal),
    )
    ax.plot(x, weekly[f"{prefix}actual"], **actual, **ACTUAL)
    ax.plot(
        x, weekly[f"{prefix}simulated"], linewidth=1.6, label=_simulated_label(cal), **SIMULATED
    )
    ax.plot(x, weekly[f"{prefix}model"], linewidth=1.6, label="model: the fitted formula", **MODEL)
    _mark_windows(ax, cal)
    _date_axis(ax)
    _counts_axis(ax)
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    order = [1, 2, 0, 3]  # actual, simulated mean, its range, model
    _legend_below(ax, [handles[i] for i in order], [labels[i] for i in order], ncol=4)
    return fig, ax


def _cumulative_columns() -> list[str]:
    return [
        "cumulative_actual",
        "cumulative_simulated",
        "cumulative_simulated_high",
        "cumulative_model",
    ]


def weekly_chart(cal: Any) -> Figure:
    """Repeat transactions of the log's customers per week (not cumulated).

    The same series as :func:`tracking_chart`, week by week: actual, the simulator's mean with
    its 5-95% range over the replays, and the fitted formula. A last week cut short by the end
    of the holdout is scaled to seven days (its count times 7 over its days), so that it is
    not drawn as a fall. Weekly counts show what the cumulative curve smooths away: seasons,
    holidays and one-off peaks, which neither the fit nor the simulator know of.

    Parameters
    ----------
    cal
        A :class:`~sim.calibration.Calibration` with a holdout.

    Returns
    -------
    Figure

    Raises
    ------
    ChartNotApplicableError
        Without a holdout.
    """
    weekly = _need_holdout(cal, "weekly_chart").copy()
    starts = _weeks(weekly)
    last = pd.Timestamp(cal.summary["holdout_window"][1]) + pd.Timedelta(days=1)
    days = ((last - starts.iloc[-1]) / pd.Timedelta(days=1)) if len(starts) else WEEK_DAYS
    if 0 < days < WEEK_DAYS:
        columns = ["actual", "simulated", "simulated_low", "simulated_high", "model"]
        weekly.loc[weekly.index[-1], columns] *= WEEK_DAYS / days
    middle = starts + pd.Timedelta(days=WEEK_DAYS / 2)
    fig, ax = _log_simulator_formula(
        cal, middle, weekly, "", linewidth=1.4, marker="o", markersize=2.5
    )
    peak = float(np.nanmax(weekly[["actual", "simulated_high", "model"]].to_numpy()))
    ax.set_ylim(top=1.12 * peak)
    ax.set_xlim(pd.Timestamp(cal.summary["first_date"]), last)
    ax.set_ylabel(f"repeat transactions per week\n({TRANSACTIONS})")
    ax.set_xlabel("date (middle of each week)")
    ax.set_title(_title(cal, "Repeat transactions per week, log against simulator"))
    return fig


def frequency_chart(cal: Any) -> Figure:
    """Customers by their repeat transactions in the calibration window, log and simulator.

    Side-by-side bars for each count, 0 to 7 and more: how many of the log's customers bought
    again that many times within the calibration window (actual), and the mean over the
    simulator's replays of the same customers, with the 5-95% range over the replays as an
    error bar; the log's counts are written over its bars. The matching reproduces only a few
    totals of the window; how the repeat purchases spread over customers (few heavy buyers or
    many light ones) is the fitted shapes' doing.

    Parameters
    ----------
    cal
        A :class:`~sim.calibration.Calibration` with a holdout (the replays behind the
        simulated bars are those of the holdout check).

    Returns
    -------
    Figure

    Raises
    ------
    ChartNotApplicableError
        Without a holdout.
    """
    table = _need_holdout(cal, "frequency_chart", "frequency")
    x = np.arange(len(table), dtype=float)
    width = 0.4
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    actual = ax.bar(
        x - width / 2,
        table["actual"],
        width,
        color=ACTUAL["color"],
        edgecolor="white",
        label=ACTUAL["label"],
    )
    ax.bar_label(actual, labels=[f"{v:,.0f}" for v in table["actual"]], fontsize=7, padding=2)
    simulated = table["simulated"].to_numpy(dtype=float)
    ax.bar(
        x + width / 2,
        simulated,
        width,
        yerr=error_bars(simulated, table["simulated_low"], table["simulated_high"]),
        color=SIMULATED["color"],
        hatch="//",
        edgecolor="white",
        error_kw={"ecolor": "#000000", "elinewidth": 1.0, "capsize": 3},
        label=f"{_simulated_label(cal)}, bar: 5-95% range",
    )
    ax.set_xticks(x, [str(f) for f in table["frequency"]])
    ax.set_xlabel("repeat transactions in the calibration window (per customer)")
    ax.set_ylabel("customers (people)")
    _counts_axis(ax)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(loc="upper right", frameon=False, fontsize=8)
    window = cal.summary["calibration_window"]
    ax.set_title(_title(cal, f"Customers by repeat transactions, {window[0]} to {window[1]}"))
    return fig


def conditional_chart(cal: Any) -> Figure:
    """Mean holdout transactions of customers grouped by their calibration-window count.

    For each group of the log's customers by repeat transactions in the calibration window
    (0 to 7 and more; the tick labels give each group's size): their mean transactions in the
    holdout (actual), the fitted formula's forecast given each customer's own history (model,
    conditional), and the simulator's (simulated customers grouped by their own simulated
    count in the calibration window). Small groups are noisy.

    Parameters
    ----------
    cal
        A :class:`~sim.calibration.Calibration` with a holdout.

    Returns
    -------
    Figure

    Raises
    ------
    ChartNotApplicableError
        Without a holdout.
    """
    table = _need_holdout(cal, "conditional_chart", "conditional")
    x = np.arange(len(table), dtype=float)
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    ax.plot(x, table["actual"], marker="o", linewidth=2.0, **ACTUAL)
    ax.plot(
        x,
        table["simulated"],
        marker="s",
        linewidth=1.6,
        label=_simulated_label(cal),
        **SIMULATED,
    )
    ax.plot(
        x,
        table["model_conditional"],
        marker="^",
        linewidth=1.6,
        label="model: the fitted formula given each customer's history",
        **MODEL,
    )
    ax.set_xticks(
        x,
        [f"{f}\n{int(n):,}" for f, n in zip(table["frequency"], table["customers"], strict=True)],
    )
    ax.set_xlabel(
        "repeat transactions in the calibration window (per customer); customers in each group"
    )
    ax.set_ylabel("mean transactions in the holdout\n(per customer)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    ax.set_title(_title(cal, "Holdout transactions by calibration-window count"))
    return fig


UNIT_WORDS = {"currency": "currency units", "coefficient of variation": "CV", "dimensionless": ""}
"""How the parameters chart names a field's unit (nothing for a pure number)."""


def _field_label(cal: Any, name: str) -> str:
    """A field's name without its section, with its unit when it has one."""
    unit = parameter_unit(getattr(cal, "scenario", None), name)
    unit = UNIT_WORDS.get(unit, unit if unit != "value" else "")
    short = name.removeprefix("customers.")
    return f"{short} ({unit})" if unit else short


def _number(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    size = abs(x)
    if 0 < size < 0.001:
        return "<0.001" if x > 0 else "> -0.001"
    if size >= 100:
        return f"{x:,.0f}"
    if size >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}" if size >= 0.01 else f"{x:.2g}"


def _ratio(x: float) -> str:
    return f"{x:g}" if x >= 1 else f"{x:.2g}"


def parameters_chart(cal: Any) -> Figure:
    """Each fitted field of the scenario with its 95% interval, on one axis.

    One row per field. The fields have different units (days, currency units, ratios), so each
    row is drawn relative to its own fitted value, on a log scale: the fit is the hollow circle
    at 1, its 95% interval the whisker around it (0.5 and 2 are as far from the fit), and the
    value the scenario holds after the matching the filled diamond. A diamond away from 1 was
    moved by the matching (its scales); outside the whisker, further than the fit's own
    doubt. The numbers themselves are written on the right.

    Parameters
    ----------
    cal
        A :class:`~sim.calibration.Calibration` (with or without a holdout).

    Returns
    -------
    Figure

    Raises
    ------
    ChartNotApplicableError
        For a calibration without fitted fields.
    """
    table = cal.parameters
    if table is None or len(table) == 0:
        raise ChartNotApplicableError("parameters_chart: the calibration has no fitted field")
    n = len(table)
    y = np.arange(n)[::-1].astype(float)  # the first field on top
    fig = Figure(figsize=(WIDE[0], max(3.2, 1.6 + 0.5 * n)))
    ax = fig.subplots()
    fitted = table["fitted"].to_numpy(dtype=float)
    usable = np.isfinite(fitted) & (fitted > 0)
    base = np.where(usable, fitted, np.nan)
    low = table["low"].to_numpy(dtype=float) / base
    high = table["high"].to_numpy(dtype=float) / base
    value = table["value"].to_numpy(dtype=float) / base
    shown = usable & np.isfinite(value) & (value > 0)
    ok = np.isfinite(low) & np.isfinite(high)
    spread = np.concatenate([low[ok & (low > 0)], high[ok], value[shown], [1.0]])
    lo = max(1.0 / RATIO_LIMIT, min(0.5, float(np.nanmin(spread)) / 1.15))
    hi = min(RATIO_LIMIT, max(2.0, float(np.nanmax(spread)) * 1.15))
    left = np.clip(np.where(low > 0, low, lo), lo, hi)
    right_end = np.clip(high, lo, hi)
    ax.hlines(y[ok], left[ok], right_end[ok], color="#000000", linewidth=1.4)
    for ends, beyond, cut in ((left, low <= lo, "<"), (right_end, high >= hi, ">")):
        inside = ok & ~beyond
        ax.plot(ends[inside], y[inside], "|", color="#000000", markersize=8)
        ax.plot(ends[ok & beyond], y[ok & beyond], cut, color="#000000", markersize=6)
    ax.plot(
        np.ones(int(usable.sum())),
        y[usable],
        "o",
        markerfacecolor="white",
        markeredgecolor="#000000",
        markersize=8,
        label="fitted value, with its 95% interval"
        + (" (arrow: beyond the axis)" if bool((ok & ((low <= lo) | (high >= hi))).any()) else ""),
    )
    ax.plot(
        np.clip(value[shown], lo, hi),
        y[shown],
        "D",
        color=SIMULATED["color"],
        markersize=6,
        label="value in the scenario (after matching)",
    )
    ax.axvline(1.0, color=GREY, linewidth=0.8, zorder=0)
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    candidates = RATIO_TICKS if hi / lo <= 16 else WIDE_RATIO_TICKS
    ticks = [t for t in candidates if lo <= t <= hi]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _ratio(v)))
    ax.set_yticks(y, [_field_label(cal, f) for f in table["field"]])
    ax.set_ylim(-0.7, n - 0.1)
    ax.set_xlabel("relative to the fitted value (ratio, log scale: 1 = the fit)")
    ax.grid(alpha=0.3, axis="x")
    right = ax.secondary_yaxis("right")
    right.set_yticks(
        y,
        [
            f"{_number(v)}  (fit {_number(f)}, {interval_text(f, lo_, hi_)})"
            for v, f, lo_, hi_ in zip(
                table["value"], table["fitted"], table["low"], table["high"], strict=True
            )
        ],
        fontsize=8,
    )
    right.tick_params(length=0, pad=8)
    right.spines["right"].set_visible(False)
    ax.text(
        1.0,
        n - 0.45,
        "  in the scenario  (fit, 95% interval)",
        transform=blended_transform_factory(ax.transAxes, ax.transData),
        ha="left",
        va="bottom",
        fontsize=8,
        fontweight="bold",
    )
    model = MODEL_NAMES.get(str(cal.summary.get("model")), "")
    fit = f"{model} and gamma-gamma" if model else "the fit"
    ax.set_title(_title(cal, f"Fitted customer traits ({fit}), 95% intervals"))
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        frameon=False,
        fontsize=8,
        ncol=2,
    )
    return fig


CALIBRATION_CHARTS = {
    "tracking": tracking_chart,
    "weekly": weekly_chart,
    "frequency": frequency_chart,
    "conditional": conditional_chart,
    "parameters": parameters_chart,
}
"""Every chart of a calibration, by the file name it is saved under."""


def calibration_charts(cal: Any, folder: str | Path) -> dict[str, list[Path]]:
    """Draw and save (PNG and SVG) every chart of :data:`CALIBRATION_CHARTS` that applies.

    Parameters
    ----------
    cal
        A :class:`~sim.calibration.Calibration`.
    folder
        Where to write them.

    Returns
    -------
    dict
        The written files of each chart drawn, by chart name; without a holdout, only the
        parameters chart.
    """
    return save_charts(CALIBRATION_CHARTS, cal, folder)


__all__ = [
    "CALIBRATION_CHARTS",
    "calibration_charts",
    "conditional_chart",
    "frequency_chart",
    "parameters_chart",
    "tracking_chart",
    "weekly_chart",
]
