"""Publication-ready charts of a run, in a colour-blind-safe palette (Okabe & Ito 2008)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

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


def _save(fig: plt.Figure, path: str | Path) -> Path:
    """Lay out, write (the format follows the suffix) and close a figure."""
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


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
    return _save(fig, path)


def nps_chart(result: RunResult, path: str | Path) -> Path:
    """The ladder chart's companion: NPS and the promoter/passive/detractor shares over time.

    Top: NPS (% promoters - % detractors, DOMAIN W1) of the surveyed customers, those who
    bought within the survey window. Bottom: the three shares stacked, promoters at the bottom.

    Parameters
    ----------
    result
        A finished agent-mode run (matrix mode has no survey).
    path
        Where to write the image (the format follows the suffix).
    """
    daily = result.daily
    if "nps" not in daily:
        raise ValueError("nps_chart: the run has no NPS survey (matrix mode)")
    window = result.scenario.word_of_mouth.survey_window_days
    surveyed = daily["surveyed"].to_numpy(dtype=float)
    shares = {}
    for name in ("promoters", "passives", "detractors"):
        values = daily[name].to_numpy(dtype=float)
        shares[name] = 100.0 * np.divide(
            values, surveyed, out=np.full_like(values, np.nan), where=surveyed > 0
        )
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(9, 6), dpi=150, sharex=True, gridspec_kw={"height_ratios": [2, 3]}
    )
    top.plot(daily["day"], daily["nps"], color="#0072B2", linewidth=1.5, label="NPS")
    top.axhline(0, color="#000000", linewidth=0.8)
    top.set_ylabel("NPS (points)")
    top.set_ylim(-100, 100)
    top.grid(alpha=0.3)
    top.set_title(f"Net Promoter Score over time: {result.scenario.name}")
    bottom.stackplot(
        daily["day"],
        [shares["promoters"], shares["passives"], shares["detractors"]],
        labels=["promoters (9-10)", "passives (7-8)", "detractors (0-6)"],
        colors=["#009E73", "#56B4E9", "#D55E00"],
        alpha=0.9,
        linewidth=0,
    )
    bottom.set_ylim(0, 100)
    bottom.set_ylabel(f"share of surveyed (%)\nbought in the last {window} days")
    bottom.set_xlabel("day")
    bottom.grid(alpha=0.3)
    bottom.legend(loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=8, ncol=3)
    bottom.margins(x=0)
    return _save(fig, path)
