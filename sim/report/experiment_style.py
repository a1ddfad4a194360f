"""What every chart of an experiment shares: its arms and their colours, bands, units, titles.

The helpers here are for the chart modules of this package (``band_charts``, ``share_charts``,
``comparison_charts``, ``analysis_charts``); charts are listed in ``experiment_charts``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.experiments.bands import band_name
from sim.experiments.compare import Comparison
from sim.experiments.replicate import Ensemble
from sim.experiments.runner import BASELINE
from sim.report.style import (
    GREY,
    ChartNotApplicableError,
    colour,
)
from sim.scenario import Scenario

ExperimentResult = Ensemble | Comparison
"""A result with daily bands: replications of one scenario, or a comparison of designs."""

E6_RATIO = "program.participants_vs_non_participants.same_segment_ratio"
"""Summary figure behind the participants chart (DOMAIN E6)."""

PROGRAM_COLOURS = (4, 0, 2, 5, 6, 1, 3)
"""Palette positions (``style.colour``) of program arms; the baseline is black (position 7)."""
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "--")
SATISFACTION_HATCHES = {
    "very_dissatisfied": "xx",
    "dissatisfied": "//",
    "neutral": "",
    "satisfied": "\\\\",
    "very_satisfied": "",
}
CURRENCY = "currency units"


def need_result(result: Any, kinds: tuple[type, ...], chart: str) -> None:
    """Refuse a result of the wrong kind, naming the kinds the chart takes."""
    if not isinstance(result, kinds):
        allowed = " or ".join(
            ("an " if k.__name__[0] in "AEIOU" else "a ") + k.__name__ for k in kinds
        )
        raise ValueError(f"{chart} needs {allowed} (got {type(result).__name__})")


def arms_of(result: ExperimentResult) -> list[str]:
    """The arms of a result in order: the baseline first, then the designs (a Comparison), or
    the one design in place (an Ensemble; ``none`` for no program)."""
    if isinstance(result, Comparison):
        programs = list(result.programs) or [
            a for a in pd.unique(result.summary["arm"]) if a != BASELINE
        ]
        return [BASELINE, *programs]
    design = result.scenario.program()
    return [BASELINE if design is None else design.name]


def arm_label(arm: str) -> str:
    """The legend name of an arm."""
    return "no program" if arm == BASELINE else arm


def arm_colours(arms: Sequence[str]) -> dict[str, str]:
    """Black for the baseline, then the palette in ``PROGRAM_COLOURS`` order (no yellow
    lines before the sixth design)."""
    out, k = {}, 0
    for arm in arms:
        if arm == BASELINE:
            out[arm] = colour(7)
        else:
            out[arm] = colour(PROGRAM_COLOURS[k % len(PROGRAM_COLOURS)])
            k += 1
    return out


def experiment_parts(
    result: ExperimentResult, chart: str
) -> tuple[Scenario, list[str], dict[str, str]]:
    """The scenario, the arms and their colours of a result with bands (refused otherwise)."""
    need_result(result, (Ensemble, Comparison), chart)
    arms = arms_of(result)
    return result.scenario, arms, arm_colours(arms)


def arm_bands(result: ExperimentResult, arm: str) -> pd.DataFrame:
    """The bands of one arm."""
    if isinstance(result, Comparison):
        return result.bands[result.bands["arm"] == arm]
    return result.bands


def series_bands(bands: pd.DataFrame, series: str, chart: str, arm: str) -> pd.DataFrame:
    """One daily series' bands, one row per day."""
    rows = bands[bands["series"] == series]
    if rows.empty:
        raise ChartNotApplicableError(
            f"{chart}: the bands of arm {arm!r} hold no daily series {series!r}"
            + (" (a matrix-mode ladder has no NPS survey)" if series == "nps" else "")
        )
    return rows.sort_values("day").reset_index(drop=True)


def quantile_pairs(
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


def percent_span(low: float, high: float) -> str:
    """``"5-95%"`` for (0.05, 0.95)."""
    return f"{100 * low:g}-{100 * high:g}%"


def run_count(result: ExperimentResult) -> int:
    return int(result.runs)


def style_axes(ax: Axes) -> None:
    ax.grid(alpha=0.3)


def set_titles(fig: Figure, title: str) -> None:
    fig.suptitle(title, fontsize=12)


def figure_unit(figure: str) -> str:
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
        return CURRENCY
    people = ("customers", "rungs_at_end", "agents", "members", "participants", "won", "lost")
    if any(word in name for word in people):
        return "people"
    if "purchases" in name:
        return "purchases"
    if name.startswith("word_of_mouth.messages"):
        return "messages"
    return "as in the summary"


def parameter_unit(scenario: Scenario | None, path: str) -> str:
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


def scenario_of(result: Any, scenario: Scenario | str | None, chart: str) -> Scenario | str:
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


def scenario_name(scenario: Scenario | str) -> str:
    return scenario if isinstance(scenario, str) else scenario.name


def number_text(value: float) -> str:
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


def error_bars(mean: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Error-bar lengths below and above the mean; 0 where an interval is missing."""
    below = np.nan_to_num(np.asarray(mean, float) - np.asarray(low, float))
    above = np.nan_to_num(np.asarray(high, float) - np.asarray(mean, float))
    return np.vstack([np.maximum(below, 0), np.maximum(above, 0)])


def arm_estimates(result: ExperimentResult, arm: str) -> pd.DataFrame:
    """Per-arm summary estimates, indexed by figure."""
    table = result.estimates
    if isinstance(result, Comparison):
        table = table[table["arm"] == arm]
    return table.set_index("figure")


def need_columns(frame: pd.DataFrame, columns: Sequence[str], chart: str, what: str) -> None:
    missing = [c for c in columns if c not in frame]
    if missing:
        raise ChartNotApplicableError(f"{chart}: the {what} has no column {', '.join(missing)}")


def band_legend(pairs: Sequence[tuple[float, float]], alphas: Sequence[float]) -> list[Patch]:
    """Grey legend patches for the shaded bands."""
    return [
        Patch(facecolor=GREY, alpha=min(1.0, 2 * a), label=f"{percent_span(*p)} of runs")
        for p, a in zip(pairs, alphas, strict=False)
    ]
