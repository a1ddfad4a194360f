"""Charts of experiments: many replications of a scenario, paired comparisons of program
designs, sweeps and sensitivity analyses.

Every function takes a result object (``sim.Ensemble``, ``sim.Comparison``, ``sim.Sweep`` or
``sim.Sensitivity``) and returns a :class:`matplotlib.figure.Figure` without saving it; write
it with :func:`sim.report.style.save_chart`. Colours come from ``sim.report.style`` (Okabe &
Ito 2008); every series also differs in line style, marker, hatch or a direct label, so that
the charts stay legible in grey print. Titles name the scenario, axes carry their units, and a
result that cannot give a chart raises ``ValueError`` saying what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from sim.experiments.designs import Sensitivity, Sweep
from sim.experiments.estimates import Estimate, mean_interval
from sim.experiments.experiment import BASELINE, Comparison, Ensemble, band_name
from sim.report.charts import MONTH_DAYS
from sim.report.style import (
    GREY,
    SATISFACTION_COLOURS,
    VERDICT_COLOURS,
    WIDE,
    ChartNotApplicableError,
    colour,
    line_style,
)
from sim.rules.churn import L4_SHARES
from sim.rules.ladder import SHOPPER, rung_names, slug
from sim.scenario import Scenario

__all__ = [
    "cash_bands_chart",
    "comparison_chart",
    "ladder_bands_chart",
    "losses_by_reason_chart",
    "nps_bands_chart",
    "participants_ratio_chart",
    "sales_share_bands_chart",
    "satisfaction_bands_chart",
    "sweep_heatmap",
    "tornado_chart",
]

ExperimentResult = Ensemble | Comparison
"""A result with daily bands: replications of one scenario, or a comparison of designs."""

E6_RATIO = "program.participants_vs_non_participants.same_segment_ratio"
"""Summary figure behind the participants chart (DOMAIN E6)."""

_PROGRAM_COLOURS = (4, 0, 2, 5, 6, 1, 3)
"""Palette positions (``style.colour``) of program arms; the baseline is black (position 7)."""
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
_HATCHES = ("", "//", "..", "xx", "\\\\", "++", "--")
_SATISFACTION_HATCHES = {
    "very_dissatisfied": "xx",
    "dissatisfied": "//",
    "neutral": "",
    "satisfied": "\\\\",
    "very_satisfied": "",
}
_CURRENCY = "currency units"


# ------------------------------------------------------------------------------ shared helpers
def _need(result: Any, kinds: tuple[type, ...], chart: str) -> None:
    """Refuse a result of the wrong kind, naming the kinds the chart takes."""
    if not isinstance(result, kinds):
        allowed = " or ".join(
            ("an " if k.__name__[0] in "AEIOU" else "a ") + k.__name__ for k in kinds
        )
        raise ValueError(f"{chart} needs {allowed} (got {type(result).__name__})")


def _arms(result: ExperimentResult) -> list[str]:
    """The arms of a result in order: the baseline first, then the designs (a Comparison), or
    the one design in place (an Ensemble; ``none`` for no program)."""
    if isinstance(result, Comparison):
        programs = list(result.programs) or [
            a for a in pd.unique(result.summary["arm"]) if a != BASELINE
        ]
        return [BASELINE, *programs]
    design = result.scenario.program()
    return [BASELINE if design is None else design.name]


def _label(arm: str) -> str:
    """The legend name of an arm."""
    return "no program" if arm == BASELINE else arm


def _arm_colours(arms: Sequence[str]) -> dict[str, str]:
    """Black for the baseline, then the palette in ``_PROGRAM_COLOURS`` order (no yellow
    lines before the sixth design)."""
    out, k = {}, 0
    for arm in arms:
        if arm == BASELINE:
            out[arm] = colour(7)
        else:
            out[arm] = colour(_PROGRAM_COLOURS[k % len(_PROGRAM_COLOURS)])
            k += 1
    return out


def _experiment(result: ExperimentResult, chart: str) -> tuple[Scenario, list[str], dict[str, str]]:
    """The scenario, the arms and their colours of a result with bands (refused otherwise)."""
    _need(result, (Ensemble, Comparison), chart)
    arms = _arms(result)
    return result.scenario, arms, _arm_colours(arms)


def _arm_bands(result: ExperimentResult, arm: str) -> pd.DataFrame:
    """The bands of one arm."""
    if isinstance(result, Comparison):
        return result.bands[result.bands["arm"] == arm]
    return result.bands


def _series(bands: pd.DataFrame, series: str, chart: str, arm: str) -> pd.DataFrame:
    """One daily series' bands, one row per day."""
    rows = bands[bands["series"] == series]
    if rows.empty:
        raise ChartNotApplicableError(
            f"{chart}: the bands of arm {arm!r} hold no daily series {series!r}"
            + (" (a matrix-mode ladder has no NPS survey)" if series == "nps" else "")
        )
    return rows.sort_values("day").reset_index(drop=True)


def _quantile_pairs(
    scenario: Scenario, bands: pd.DataFrame, chart: str
) -> list[tuple[float, float]]:
    """Pairs of band quantiles around the median, outermost first (``(0.05, 0.95), (0.25,
    0.75)`` by default), checked against the bands' columns."""
    qs = sorted(scenario.experiment.band_quantiles)
    missing = [band_name(q) for q in [*qs, 0.5] if band_name(q) not in bands]
    if 0.5 not in qs or missing:
        raise ChartNotApplicableError(
            f"{chart}: the bands need the median (q50) and their quantile columns; missing: "
            f"{', '.join(dict.fromkeys(missing)) or 'q50'} "
            f"(experiment.band_quantiles = {list(qs)})"
        )
    below = [q for q in qs if q < 0.5]
    above = [q for q in qs if q > 0.5][::-1]
    return list(zip(below, above, strict=False))


def _percent_span(low: float, high: float) -> str:
    """``"5-95%"`` for (0.05, 0.95)."""
    return f"{100 * low:g}-{100 * high:g}%"


def _runs(result: ExperimentResult) -> int:
    return int(result.runs)


def _style_axes(ax: Axes) -> None:
    ax.grid(alpha=0.3)


def _titles(fig: Figure, title: str) -> None:
    fig.suptitle(title, fontsize=12)


def _figure_unit(figure: str) -> str:
    """The unit of a summary figure or a paired figure, for an axis label."""
    name = figure.lower()
    if name == "bankrupt":
        return "share of runs"
    if name.endswith("_day") or name.endswith("_days"):
        return "day"
    if "ratio" in name or name == "roi":
        return "ratio"
    if "rate" in name or "share" in name or name == "retention_gain":
        return "share"
    if "nps" in name:
        return "points"
    money = (
        "profit",
        "revenue",
        "contribution",
        "margin",
        "cash",
        "cost",
        "income",
        "liabilit",
        "fees",
        "breakage",
        "value",
        "payments",
    )
    if any(word in name for word in money):
        return _CURRENCY
    people = ("customers", "rungs_at_end", "agents", "members", "participants", "won", "lost")
    if any(word in name for word in people):
        return "people"
    if "purchases" in name:
        return "purchases"
    if name.startswith("word_of_mouth.messages"):
        return "messages"
    return "as in the summary"


def _parameter_unit(scenario: Scenario | None, path: str) -> str:
    """The unit a scenario field declares (``sim.scenario.fields.param``), or ``"value"``."""
    if scenario is None:
        return "value"
    node: Any = scenario
    field = None
    for part in path.split("."):
        if isinstance(node, list | tuple):
            named = [d for d in node if getattr(d, "name", None) == part]
            if named:
                node = named[0]
            elif part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return "value"
            continue
        fields = getattr(type(node), "model_fields", {})
        if part not in fields:
            return "value"
        field = fields[part]
        node = getattr(node, part)
    extra = getattr(field, "json_schema_extra", None) or {}
    return str(extra.get("unit", "value")) if isinstance(extra, dict) else "value"


def _scenario(result: Any, scenario: Scenario | str | None, chart: str) -> Scenario | str:
    """The scenario a result was made from: its own, or the one passed in (for a Sweep or a
    Sensitivity assembled by hand, without one)."""
    own = getattr(result, "scenario", None)
    found = own if own is not None else scenario
    if found is None:
        raise ValueError(
            f"{chart}: a {type(result).__name__} does not carry its scenario; pass scenario= "
            "(the Scenario, or its name) so that the title can name it"
        )
    return found


def _name(scenario: Scenario | str) -> str:
    return scenario if isinstance(scenario, str) else scenario.name


def _number(value: float) -> str:
    """A value rounded for a label: thousands separated, three significant digits below 100."""
    if not np.isfinite(value):
        return "n/a"
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 1:
        return f"{value:.3g}"
    if size == 0:
        return "0"
    return f"{value:.2g}"


def _error(mean: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Error-bar lengths below and above the mean; 0 where an interval is missing."""
    below = np.nan_to_num(np.asarray(mean, float) - np.asarray(low, float))
    above = np.nan_to_num(np.asarray(high, float) - np.asarray(mean, float))
    return np.vstack([np.maximum(below, 0), np.maximum(above, 0)])


def _estimates(result: ExperimentResult, arm: str) -> pd.DataFrame:
    """Per-arm summary estimates, indexed by figure."""
    table = result.estimates
    if isinstance(result, Comparison):
        table = table[table["arm"] == arm]
    return table.set_index("figure")


def _need_columns(frame: pd.DataFrame, columns: Sequence[str], chart: str, what: str) -> None:
    missing = [c for c in columns if c not in frame]
    if missing:
        raise ChartNotApplicableError(f"{chart}: the {what} has no column {', '.join(missing)}")


def _band_legend(pairs: Sequence[tuple[float, float]], alphas: Sequence[float]) -> list[Patch]:
    """Grey legend patches for the shaded bands."""
    return [
        Patch(facecolor=GREY, alpha=min(1.0, 2 * a), label=f"{_percent_span(*p)} of runs")
        for p, a in zip(pairs, alphas, strict=False)
    ]


# ------------------------------------------------------------------------------------- charts
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
    scenario, arms, colours = _experiment(result, chart)
    pairs = _quantile_pairs(scenario, result.bands, chart)
    alphas = np.linspace(0.12, 0.28, len(pairs)) if len(pairs) > 1 else [0.2] * len(pairs)
    fig = Figure(figsize=(WIDE[0], 7.0))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.2]})
    handles: list[Any] = []
    for i, arm in enumerate(arms):
        cash = _series(_arm_bands(result, arm), "cash", chart, arm)
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
            label=f"{_label(arm)}: median",
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
    top.set_title(f"Cash across {_runs(result)} runs per arm: {scenario.name}")
    top.legend(
        handles=[*handles, *_band_legend(pairs, alphas)],
        loc="upper left",
        frameon=False,
        fontsize=8,
        ncol=2,
    )
    _style_axes(top)

    horizon = int(scenario.horizon_days)
    days = np.arange(horizon)
    ruined = _bankrupt_days(result, arms, chart)
    if not any(len(d) for d, _ in ruined.values()):
        per = " per arm" if len(arms) > 1 else ""
        bottom.text(
            0.5,
            0.5,
            f"no replication went bankrupt within the {horizon} days ({_runs(result)} runs{per})",
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
                label=_label(arm),
            )
        bottom.set_ylim(0, min(100.0, max(10.0, 1.15 * peak)))
        bottom.legend(loc="upper left", frameon=False, fontsize=8, ncol=len(arms))
    bottom.set_ylabel("bankrupt by then\n(% of runs)")
    bottom.set_xlabel("day")
    bottom.set_xlim(0, horizon - 1)
    _style_axes(bottom)
    return fig


def _bankrupt_days(
    result: ExperimentResult, arms: Sequence[str], chart: str
) -> dict[str, tuple[np.ndarray, int]]:
    """Per arm: the bankruptcy days of the replications that went bankrupt, and the runs."""
    if isinstance(result, Ensemble):
        return {arms[0]: (np.asarray(result.bankrupt_days, dtype=float), _runs(result))}
    summary = result.summary
    _need_columns(summary, ["arm", "bankrupt"], chart, "summary")
    out = {}
    for arm in arms:
        part = summary[summary["arm"] == arm]
        bankrupt = part["bankrupt"].astype(bool).to_numpy()
        if bankrupt.any() and "bankrupt_day" not in part:
            raise ChartNotApplicableError(f"{chart}: the summary has no column bankrupt_day")
        days = part.loc[bankrupt, "bankrupt_day"] if bankrupt.any() else []
        out[arm] = (pd.to_numeric(pd.Series(days), errors="coerce").to_numpy(float), len(part))
    return out


def comparison_chart(comparison: Comparison) -> Figure:
    """The verdict on each program design, with the evidence behind it (DOMAIN E7, E8).

    Three panels side by side, one row per design. (a) Incremental profit against no program:
    mean with its confidence interval as an error bar, a zero line, the marker coloured by the
    verdict and the verdict written under it. (b) Probability of bankruptcy with the design,
    in percent, with its Wilson interval; the baseline's share as a dashed line and
    ``experiment.ruin_threshold`` as a dotted one (DOMAIN E7). (c) The discount and reward
    cost against the retention gain in percentage points, each design a point with both
    intervals, labelled by name: the discount-cost-against-retention-gain test (DOMAIN E7,
    E8: discounts lower profitability).

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
    _need(comparison, (Comparison,), chart)
    table = comparison.table
    figures = ("incremental_profit", "bankruptcy_probability", "reward_and_discount_cost")
    needed = [f"{f}{s}" for f in (*figures, "retention_gain") for s in ("", "_low", "_high")]
    _need_columns(table, ["program", "verdict", *needed], chart, "comparison table")
    if table.empty:
        raise ChartNotApplicableError(f"{chart}: the comparison has no program design")
    scenario = comparison.scenario
    level = scenario.experiment.confidence
    n = len(table)
    y = np.arange(n)[::-1].astype(float)  # the first design on top
    fig = Figure(figsize=(15.0, max(4.5, 2.2 + 0.7 * n)))
    ax_profit, ax_ruin, ax_cost = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.2, 1, 1.2]})
    _titles(
        fig,
        f"Program designs against no program, {_runs(comparison)} paired runs each: "
        f"{scenario.name}",
    )

    for yi, (_, row) in zip(y, table.iterrows(), strict=True):
        verdict = str(row["verdict"])
        shade = VERDICT_COLOURS.get(verdict, GREY)
        err = _error(
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
    ax_profit.set_yticks(y, [str(p) for p in table["program"]])
    ax_profit.set_ylim(-0.8, n - 0.4)
    ax_profit.set_xlabel(f"incremental profit (currency units)\nmean and {level:.0%} interval")
    ax_profit.set_title("(a) incremental profit, marker and text: verdict", fontsize=10)
    _style_axes(ax_profit)

    p = 100 * table["bankruptcy_probability"].to_numpy(dtype=float)
    low = 100 * table["bankruptcy_probability_low"].to_numpy(dtype=float)
    high = 100 * table["bankruptcy_probability_high"].to_numpy(dtype=float)
    ax_ruin.errorbar(
        p,
        y,
        xerr=_error(p, low, high),
        fmt="s",
        color=colour(4),
        ecolor="#000000",
        capsize=4,
        markersize=7,
        label=f"with the design, Wilson {level:.0%} interval",
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
    top = np.nanmax([*np.nan_to_num(high), baseline, threshold])
    ax_ruin.set_xlim(-1, min(100.0, max(10.0, 1.15 * top)) + 1)
    ax_ruin.set_yticks(y, [str(p) for p in table["program"]])
    ax_ruin.set_ylim(-0.8, n - 0.4)
    ax_ruin.tick_params(labelleft=False)
    ax_ruin.set_xlabel("probability of bankruptcy (% of runs)")
    ax_ruin.set_title("(b) risk of ruin within the horizon", fontsize=10)
    ax_ruin.legend(loc="lower right", frameon=True, fontsize=8)
    _style_axes(ax_ruin)

    colours = _arm_colours(list(table["program"]))
    for i, (_, row) in enumerate(table.iterrows()):
        cost = row["reward_and_discount_cost"]
        gain = 100 * row["retention_gain"]
        ax_cost.errorbar(
            cost,
            gain,
            xerr=_error(
                cost, row["reward_and_discount_cost_low"], row["reward_and_discount_cost_high"]
            ).reshape(2, 1),
            yerr=_error(
                gain, 100 * row["retention_gain_low"], 100 * row["retention_gain_high"]
            ).reshape(2, 1),
            fmt=_MARKERS[i % len(_MARKERS)],
            color=colours[row["program"]],
            ecolor=GREY,
            capsize=3,
            markersize=8,
        )
        ax_cost.annotate(
            str(row["program"]), (cost, gain), xytext=(6, 6), textcoords="offset points", fontsize=9
        )
    ax_cost.axhline(0, color="#000000", linewidth=0.8)
    ax_cost.set_xlabel("discount and reward cost (currency units)")
    ax_cost.set_ylabel("retention gain (percentage points)")
    ax_cost.set_title("(c) what the rewards cost against the retention they buy", fontsize=10)
    ax_cost.margins(0.2)
    _style_axes(ax_cost)
    return fig


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
    scenario, arms, _ = _experiment(result, chart)
    _quantile_pairs(scenario, result.bands, chart)
    rungs = _buying_rungs(scenario)
    fig = Figure(figsize=(max(WIDE[0], 4.3 * len(arms)), WIDE[1] + 0.4))
    axes = fig.subplots(1, len(arms), sharey=True, squeeze=False)[0]
    for k, (ax, arm) in enumerate(zip(axes, arms, strict=True)):
        bands = _arm_bands(result, arm)
        held = set(bands["series"])
        present = [r for r in rungs if f"n_{slug(r)}" in held]
        if not present:
            wanted = ", ".join(f"n_{slug(r)}" for r in rungs)
            raise ChartNotApplicableError(
                f"{chart}: the bands of arm {arm!r} hold no rung series ({wanted})"
            )
        medians = [_series(bands, f"n_{slug(r)}", chart, arm) for r in present]
        day = medians[0]["day"].to_numpy()
        ax.stackplot(
            day,
            [m["q50"].to_numpy(dtype=float) for m in medians],
            labels=present,
            colors=[colour(i) for i in range(len(present))],
            hatch=[_HATCHES[i % len(_HATCHES)] for i in range(len(present))],
            edgecolor="white",
            linewidth=0.3,
            alpha=0.9,
        )
        lost = _series(bands, "n_lost", chart, arm)
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
            ax.set_title(_label(arm), fontsize=10)
        if k == 0:
            ax.set_ylabel("customers (people, median per rung)")
            ax.legend(loc="upper left", frameon=False, fontsize=8, ncol=2)
        _style_axes(ax)
    _titles(fig, f"Loyalty ladder across {_runs(result)} runs, median per rung: {scenario.name}")
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
    scenario, arms, colours = _experiment(result, chart)
    pairs = _quantile_pairs(scenario, result.bands, chart)
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    handles: list[Any] = []
    inner = pairs[-1] if pairs else None
    for i, arm in enumerate(arms):
        nps = _series(_arm_bands(result, arm), "nps", chart, arm)
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
            label=f"{_label(arm)}: median",
        )
        handles.append(line)
    ax.axhline(0, color="#000000", linewidth=0.8)
    ax.set_ylim(-100, 100)
    ax.set_ylabel("NPS (points: % promoters - % detractors)")
    ax.set_xlabel("day")
    ax.margins(x=0)
    span = f", {_percent_span(*inner)} band" if inner else ""
    ax.set_title(
        f"Net Promoter Score across {_runs(result)} runs, median{span} (DOMAIN W1): {scenario.name}"
    )
    extra = _band_legend([inner], [0.2]) if inner else []
    ax.legend(handles=[*handles, *extra], loc="lower right", frameon=False, fontsize=8)
    _style_axes(ax)
    return fig


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
    scenario, arms, colours = _experiment(result, chart)
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
        table = _estimates(result, arm)
        rows = table.reindex([prefix + r for r in reasons])
        mean = np.nan_to_num(rows["mean"].to_numpy(dtype=float))
        low = rows["low"].to_numpy(dtype=float)
        high = rows["high"].to_numpy(dtype=float)
        err = _error(mean, np.where(np.isnan(low), mean, low), np.where(np.isnan(high), mean, high))
        total = mean.sum()
        shares = 100 * mean / total if total > 0 else np.zeros_like(mean)
        bars = ax.bar(
            x + (i - (len(arms) - 1) / 2) * width,
            mean,
            width * 0.92,
            yerr=err,
            color=colours[arm],
            hatch=_HATCHES[i % len(_HATCHES)],
            edgecolor="white",
            error_kw={"ecolor": "#000000", "elinewidth": 1, "capsize": 2},
            label=_label(arm),
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
        r.replace("_", " ") + (f"\n(L4: {L4_SHARES[r]}%)" if r in L4_SHARES else "\n(L4: -)")
        for r in reasons
    ]
    ax.set_xticks(x, ticks, fontsize=8)
    ax.set_ylabel("customers lost over the run\n(people per replication)")
    ax.set_ylim(0, ax.get_ylim()[1] * 1.08)
    ax.set_title(
        f"Customers lost by reason, mean of {_runs(result)} runs with {level:.0%} interval "
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
    _style_axes(ax)
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
    scenario, arms, _ = _experiment(result, chart)
    if not isinstance(window, int | np.integer) or window < 1:
        raise ValueError(
            f"{chart}: window must be a whole number of days, at least 1 (got {window!r})"
        )
    window = min(int(window), int(scenario.horizon_days))
    levels = list(SATISFACTION_COLOURS)
    shares = np.zeros((len(arms), len(levels)))
    for a, arm in enumerate(arms):
        bands = _arm_bands(result, arm)
        for j, level in enumerate(levels):
            rows = _series(bands, f"share_{level}", chart, arm)
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
            hatch=_SATISFACTION_HATCHES[level],
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
    ax.set_yticks(y, [_label(a) for a in arms])
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of active customers (%)")
    when = "on the last day" if window == 1 else f"mean over the last {window} days"
    ax.set_title(
        f"Satisfaction levels (DOMAIN L8), {when}, mean of {_runs(result)} runs: {scenario.name}"
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
    scenario, arms, colours = _experiment(result, chart)
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
        bands = _arm_bands(result, arm)
        first = _series(bands, "revenue_first_purchases", chart, arm)
        revenue = _series(bands, "revenue", chart, arm)
        share = _block_share(first, revenue, months)
        peak = max(peak, float(np.nanmax(share, initial=0.0)))
        ax.plot(
            blocks,
            share,
            color=colours[arm],
            linestyle=line_style(i),
            marker=_MARKERS[i % len(_MARKERS)],
            linewidth=1.6,
            label=_label(arm),
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
        f"Sales from new and existing customers (DOMAIN E5), mean of {_runs(result)} runs: "
        f"{scenario.name}"
    )
    ax.legend(loc="upper right", frameon=False, fontsize=8)
    _style_axes(ax)
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


def participants_ratio_chart(comparison: Comparison) -> Figure:
    """Participants' spend against comparable non-participants', per design (DOMAIN E6).

    Per program design, the same-segment ratio of participants' spend per year to that of
    non-participants in the same segment (summary figure
    ``program.participants_vs_non_participants.same_segment_ratio``): the mean across
    replications with its Student-t interval, replications without a figure (nobody, or
    everybody, joined) left out and counted beside the row. A line at 1 marks DOMAIN E6:
    participants must bring more than comparable non-participants; designs whose mean ratio is
    below 1 are marked with a cross and the words "below 1".

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
    _need(comparison, (Comparison,), chart)
    summary = comparison.summary
    if E6_RATIO not in summary:
        raise ChartNotApplicableError(
            f"{chart}: the summary has no column {E6_RATIO} (no design reports participants)"
        )
    scenario = comparison.scenario
    level = scenario.experiment.confidence
    programs = _arms(comparison)[1:]
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
    for yi, (_, e, runs) in zip(y, estimates, strict=True):
        counted = f"{e.n} of {runs} runs had a figure"
        if e.n == 0:
            ax.text(1, yi, f"no figure ({counted})", ha="center", va="center", fontsize=9)
            continue
        low_side = e.mean < 1
        ax.errorbar(
            e.mean,
            yi,
            xerr=_error(e.mean, e.low, e.high).reshape(2, 1),
            fmt="X" if low_side else "o",
            color=below if low_side else above,
            ecolor="#000000",
            capsize=4,
            markersize=10 if low_side else 8,
        )
        words = f"below 1; {counted}" if low_side else counted
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
        "participants' spend per year / same-segment non-participants' (ratio)\n"
        f"mean and {level:.0%} interval across runs"
    )
    ax.set_title(
        f"Do participants bring more than comparable non-participants? (DOMAIN E6): "
        f"{scenario.name}",
        pad=16,
    )
    _style_axes(ax)
    return fig


def tornado_chart(sensitivity: Sensitivity, *, scenario: Scenario | str | None = None) -> Figure:
    """Tornado chart of one-at-a-time swings, with the global sensitivity indices beside it.

    Left: per parameter, a bar from the output at the scenario's values (the base, a vertical
    line) to the output with the parameter at the low end of its range and one to the output
    at the high end, every other parameter at the scenario's value; the largest swing on top,
    each bar labelled with the parameter value. Right, in the same order: the Sobol' indices
    S1 and ST (share of the output's variance) or the Morris mu_star and sigma, with their
    ``_conf`` half-widths as error bars. The output is a summary figure; which DOMAIN fact it
    stands for depends on it (``profit``: DOMAIN E7's economic feasibility).

    Parameters
    ----------
    sensitivity
        A ``Sensitivity``.
    scenario
        The scenario analysed, or its name, when the ``Sensitivity`` does not carry it: named
        in the title, and its fields give the parameters' units.

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        For another kind of result, no scenario to name, an empty tornado, or indices of an
        unknown method.
    """
    chart = "tornado_chart"
    _need(sensitivity, (Sensitivity,), chart)
    found = _scenario(sensitivity, scenario, chart)
    named = found if isinstance(found, Scenario) else None
    tornado = sensitivity.tornado
    _need_columns(
        tornado,
        ["parameter", "low", "high", "output_at_low", "output_at_high", "swing", "base"],
        chart,
        "tornado",
    )
    if tornado.empty:
        raise ChartNotApplicableError(f"{chart}: the tornado has no parameter")
    methods = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma")}
    if sensitivity.method not in methods:
        raise ValueError(
            f"{chart}: method {sensitivity.method!r} is unknown; allowed: {', '.join(methods)}"
        )
    output = sensitivity.output
    unit = _figure_unit(output)
    rows = tornado.sort_values("swing", ascending=True, ignore_index=True)  # largest on top
    n = len(rows)
    y = np.arange(n, dtype=float)
    base = float(rows["base"].iloc[0])
    fig = Figure(figsize=(14.0, max(4.0, 2.2 + 0.9 * n)))
    ax, ax_idx = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.5, 1]})
    _titles(fig, f"Sensitivity of {output} ({sensitivity.method}): {_name(found)}")
    ends = (("low", colour(0), "//", 0.19), ("high", colour(4), "", -0.19))
    for end, fill, hatch, offset in ends:
        values = rows[f"output_at_{end}"].to_numpy(dtype=float)
        bars = ax.barh(
            y + offset,
            values - base,
            left=base,
            height=0.36,
            color=fill,
            hatch=hatch,
            edgecolor="white",
            label=f"parameter at the {end} end of its range",
        )
        for bar, value, setting in zip(bars, values, rows[end], strict=True):
            ax.annotate(
                f"{end} = {_number(float(setting))}",
                (value, bar.get_y() + bar.get_height() / 2),
                xytext=(4 if value >= base else -4, 0),
                textcoords="offset points",
                ha="left" if value >= base else "right",
                va="center",
                fontsize=8,
            )
    ax.axvline(base, color="#000000", linewidth=1.2, label=f"base: {_number(base)}")
    labels = [f"{p}\n({_parameter_unit(named, p)})" for p in rows["parameter"]]
    ax.set_yticks(y, labels, fontsize=8)
    ax.margins(x=0.25)
    ax.set_xlabel(f"{output} ({unit})")
    ax.set_title("one at a time: low and high end, largest swing on top", fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False, fontsize=8)
    _style_axes(ax)

    first, second = methods[sensitivity.method]
    indices = sensitivity.indices.set_index("parameter").reindex(rows["parameter"])
    _need_columns(indices, [first, second], chart, f"{sensitivity.method} indices")
    styles = ((first, colour(2), "//", 0.19), (second, colour(6), "", -0.19))
    for name, fill, hatch, offset in styles:
        values = indices[name].to_numpy(dtype=float)
        conf = f"{name}_conf"
        half = indices[conf].to_numpy(dtype=float) if conf in indices else None
        ax_idx.barh(
            y + offset,
            np.nan_to_num(values),
            height=0.36,
            color=fill,
            hatch=hatch,
            edgecolor="white",
            label=name if half is not None else f"{name} (no interval)",
            xerr=None if half is None else np.nan_to_num(half),
            error_kw={"ecolor": "#000000", "capsize": 3, "elinewidth": 1},
        )
    ax_idx.axvline(0, color="#000000", linewidth=0.8)
    ax_idx.set_yticks(y, ["" for _ in y])
    if sensitivity.method == "sobol":
        ax_idx.set_xlabel("Sobol' index (share of the output's variance)")
        ax_idx.set_title("Sobol' indices: S1 alone, ST with interactions", fontsize=10)
    else:
        ax_idx.set_xlabel(f"elementary effect on {output} ({unit})")
        ax_idx.set_title("Morris: mu_star influence, sigma non-linearity", fontsize=10)
    ax_idx.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False, fontsize=8
    )
    _style_axes(ax_idx)
    return fig


def sweep_heatmap(
    sweep: Sweep,
    x: str | None = None,
    y: str | None = None,
    output: str = "profit",
    *,
    scenario: Scenario | str | None = None,
) -> Figure:
    """Heatmap of one output's mean over a two-parameter grid sweep.

    Each cell is one point of the grid: its colour and its text give the output's mean over
    the point's replications (the text adds the confidence interval when the runs give one).
    The colour map is a diverging, colour-blind-safe ColorBrewer ``RdBu`` centred on zero
    when the values straddle zero (red below, blue above), and the sequential ``cividis``
    otherwise. The output is a summary figure; which DOMAIN fact it stands for depends on it
    (``profit`` and ``bankrupt``: DOMAIN E7's feasibility, ``retention_rate``: DOMAIN E5).

    Parameters
    ----------
    sweep
        A ``Sweep`` of exactly two parameters on a full grid.
    x, y
        The parameters on the horizontal and vertical axes (default: the sweep's two
        parameters in order).
    output
        One of the outputs summarised in ``sweep.means`` (``profit`` by default).
    scenario
        The scenario swept, or its name, when the ``Sweep`` does not carry it: named in the
        title, and its fields give the parameters' units.

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        For another kind of result, no scenario to name, a sweep of other than two parameters
        or not on a grid, ``x`` or ``y`` not among them, or an unknown output (the allowed ones
        are named).
    """
    chart = "sweep_heatmap"
    _need(sweep, (Sweep,), chart)
    found = _scenario(sweep, scenario, chart)
    named = found if isinstance(found, Scenario) else None
    parameters = list(sweep.parameters)
    if len(parameters) != 2:
        raise ChartNotApplicableError(
            f"{chart} needs a sweep of exactly two parameters on a grid; this one varies "
            f"{len(parameters)}: {', '.join(parameters)}"
        )
    x = parameters[0] if x is None else x
    y = parameters[1] if y is None else y
    for axis, name in (("x", x), ("y", y)):
        if name not in parameters:
            raise ValueError(
                f"{chart}: {axis} = {name!r} is not a parameter of the sweep; "
                f"allowed: {', '.join(parameters)}"
            )
    if x == y:
        raise ValueError(f"{chart}: x and y are both {x!r}; give the two different parameters")
    means = sweep.means
    outputs = [c for c in means.columns if f"{c}_low" in means and f"{c}_high" in means]
    if output not in outputs:
        raise ValueError(
            f"{chart}: no output {output!r} in the sweep's means; allowed: {', '.join(outputs)}"
        )
    xs, ys = _grid_values(means[x]), _grid_values(means[y])
    if len(means) != len(xs) * len(ys) or means.duplicated([x, y]).any():
        raise ChartNotApplicableError(
            f"{chart}: the sweep's points are not a full grid of {x} and {y} "
            f"({len(means)} points for {len(xs)} x {len(ys)} values; an lhs or random design?)"
        )
    grid = np.full((len(ys), len(xs)), np.nan)
    bounds = np.full((len(ys), len(xs), 2), np.nan)
    for _, row in means.iterrows():
        i, j = ys.index(row[y]), xs.index(row[x])
        grid[i, j] = row[output]
        bounds[i, j] = (row[f"{output}_low"], row[f"{output}_high"])
    finite = grid[np.isfinite(grid)]
    if finite.size and finite.min() < 0 < finite.max():
        limit = float(np.abs(finite).max())
        cmap, norm = colormaps["RdBu"], Normalize(-limit, limit)
    else:
        low = float(finite.min()) if finite.size else 0.0
        high = float(finite.max()) if finite.size else 1.0
        cmap, norm = colormaps["cividis"], Normalize(low, high if high > low else low + 1)
    fig = Figure(figsize=(max(6.5, 1.6 * len(xs) + 3.5), max(4.5, 1.0 * len(ys) + 2.5)))
    ax = fig.subplots()
    image = ax.imshow(
        np.ma.masked_invalid(grid), cmap=cmap, norm=norm, origin="lower", aspect="auto"
    )
    for i in range(len(ys)):
        for j in range(len(xs)):
            value = grid[i, j]
            text = _number(value)
            low, high = bounds[i, j]
            if np.isfinite(low) and np.isfinite(high) and low != high:
                text += f"\n[{_number(low)}; {_number(high)}]"
            r, g, b, _ = cmap(norm(value)) if np.isfinite(value) else (1, 1, 1, 1)
            ink = "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "#FFFFFF"
            ax.text(j, i, text, ha="center", va="center", fontsize=9, color=ink)
    ax.set_xticks(range(len(xs)), [_tick(v) for v in xs])
    ax.set_yticks(range(len(ys)), [_tick(v) for v in ys])
    ax.set_xlabel(f"{x} ({_parameter_unit(named, x)})")
    ax.set_ylabel(f"{y} ({_parameter_unit(named, y)})")
    unit = _figure_unit(output)
    fig.colorbar(image, ax=ax, label=f"mean {output} ({unit})")
    runs = int(sweep.table.groupby("point").size().max()) if len(sweep.table) else 0
    level = named.experiment.confidence if named is not None else None
    interval = f", {level:.0%} interval in brackets" if level and runs > 1 else ""
    per_point = "1 run" if runs == 1 else f"{runs} runs"
    ax.set_title(f"Mean {output} over {per_point} per point{interval}: {_name(found)}")
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    return fig


def _grid_values(column: pd.Series) -> list[Any]:
    """A parameter's distinct values in axis order: sorted when numeric, else as they come."""
    values = list(pd.unique(column))
    try:
        return sorted(values)
    except TypeError:
        return values


def _tick(value: Any) -> str:
    return _number(float(value)) if isinstance(value, int | float | np.number) else str(value)


ENSEMBLE_CHARTS = {
    "cash_bands": cash_bands_chart,
    "ladder_bands": ladder_bands_chart,
    "nps_bands": nps_bands_chart,
    "losses_by_reason": losses_by_reason_chart,
    "satisfaction_bands": satisfaction_bands_chart,
    "sales_share_bands": sales_share_bands_chart,
}
"""Every chart of replications, by the file name it is saved under."""

COMPARISON_CHARTS = {
    "comparison": comparison_chart,
    **ENSEMBLE_CHARTS,
    "participants_ratio": participants_ratio_chart,
}
"""Every chart of a comparison of designs, by the file name it is saved under."""
