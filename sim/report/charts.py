"""Publication-ready charts of a run, in a colour-blind-safe palette (Okabe & Ito 2008)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sim.ladder import SHOPPER, slug
from sim.results import RunResult

OKABE_ITO = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
)
"""Okabe-Ito colours, distinguishable with the common colour-vision deficiencies."""


def ladder_chart(result: RunResult, path: str | Path) -> Path:
    """Stacked area of buyers per rung over time, with lost customers as a dashed line.

    Parameters
    ----------
    result
        A finished run.
    path
        Where to write the PNG (the format follows the suffix: ``.png``, ``.svg``, ``.pdf``).
    """
    daily = result.daily
    names = result.scenario.ladder.stage_names()
    if result.summary.get("mode") == "matrix":
        rungs = [s for s in result.customers["rung"].unique() if s != "lost"]
        order = [r for r in result.rungs if r in rungs]
    else:
        order = []
        for name in names[SHOPPER:]:
            if name not in order:
                order.append(name)
    fig, ax = plt.subplots(figsize=(9, 5), dpi=150)
    series = [daily[f"n_{slug(name)}"].to_numpy() for name in order]
    ax.stackplot(
        daily["day"],
        series,
        labels=order,
        colors=OKABE_ITO[: len(order)],
        alpha=0.9,
        linewidth=0,
    )
    ax.plot(daily["day"], daily["n_lost"], "--", color="#000000", label="lost (stock)")
    if result.bankrupt_day is not None:
        ax.axvline(result.bankrupt_day, color="#D55E00", linewidth=2, label="bankrupt")
    ax.set_title(f"Loyalty ladder over time: {result.scenario.name}")
    ax.set_xlabel("day")
    ax.set_ylabel("customers (people)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", frameon=False, fontsize=8, ncol=2)
    ax.margins(x=0)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
