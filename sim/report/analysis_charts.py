"""Charts of analyses over parameters: a tornado of a sensitivity analysis, a sweep's heatmap."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from sim.experiments.designs import Sensitivity, Sweep
from sim.report.experiment_style import (
    figure_unit,
    need_columns,
    need_result,
    number_text,
    parameter_unit,
    scenario_name,
    scenario_of,
    set_titles,
    style_axes,
)
from sim.report.style import (
    ChartNotApplicableError,
    colour,
)
from sim.scenario import Scenario


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
    need_result(sensitivity, (Sensitivity,), chart)
    found = scenario_of(sensitivity, scenario, chart)
    named = found if isinstance(found, Scenario) else None
    tornado = sensitivity.tornado
    need_columns(
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
    unit = figure_unit(output)
    rows = tornado.sort_values("swing", ascending=True, ignore_index=True)  # largest on top
    n = len(rows)
    y = np.arange(n, dtype=float)
    base = float(rows["base"].iloc[0])
    fig = Figure(figsize=(14.0, max(4.0, 2.2 + 0.9 * n)))
    ax, ax_idx = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.5, 1]})
    set_titles(fig, f"Sensitivity of {output} ({sensitivity.method}): {scenario_name(found)}")
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
                f"{end} = {number_text(float(setting))}",
                (value, bar.get_y() + bar.get_height() / 2),
                xytext=(4 if value >= base else -4, 0),
                textcoords="offset points",
                ha="left" if value >= base else "right",
                va="center",
                fontsize=8,
            )
    ax.axvline(base, color="#000000", linewidth=1.2, label=f"base: {number_text(base)}")
    labels = [f"{p}\n({parameter_unit(named, p)})" for p in rows["parameter"]]
    ax.set_yticks(y, labels, fontsize=8)
    ax.margins(x=0.25)
    ax.set_xlabel(f"{output} ({unit})")
    ax.set_title("one at a time: low and high end, largest swing on top", fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False, fontsize=8)
    style_axes(ax)

    first, second = methods[sensitivity.method]
    indices = sensitivity.indices.set_index("parameter").reindex(rows["parameter"])
    need_columns(indices, [first, second], chart, f"{sensitivity.method} indices")
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
    style_axes(ax_idx)
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
    need_result(sweep, (Sweep,), chart)
    found = scenario_of(sweep, scenario, chart)
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
            text = number_text(value)
            low, high = bounds[i, j]
            if np.isfinite(low) and np.isfinite(high) and low != high:
                text += f"\n[{number_text(low)}; {number_text(high)}]"
            r, g, b, _ = cmap(norm(value)) if np.isfinite(value) else (1, 1, 1, 1)
            ink = "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "#FFFFFF"
            ax.text(j, i, text, ha="center", va="center", fontsize=9, color=ink)
    ax.set_xticks(range(len(xs)), [_tick(v) for v in xs])
    ax.set_yticks(range(len(ys)), [_tick(v) for v in ys])
    ax.set_xlabel(f"{x} ({parameter_unit(named, x)})")
    ax.set_ylabel(f"{y} ({parameter_unit(named, y)})")
    unit = figure_unit(output)
    fig.colorbar(image, ax=ax, label=f"mean {output} ({unit})")
    runs = int(sweep.table.groupby("point").size().max()) if len(sweep.table) else 0
    level = named.experiment.confidence if named is not None else None
    interval = f", {level:.0%} interval in brackets" if level and runs > 1 else ""
    per_point = "1 run" if runs == 1 else f"{runs} runs"
    ax.set_title(f"Mean {output} over {per_point} per point{interval}: {scenario_name(found)}")
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
    return number_text(float(value)) if isinstance(value, int | float | np.number) else str(value)
