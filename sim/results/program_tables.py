"""What a loyalty program did in one run: its daily series, member columns and economics.

Everything here reads what a finished run published (``sim.results.recorder.RunEnd``): its
program (``sim.money.programs.runtime.Program``: members, memberships, stats, liability) and
its ledger; nothing changes them. DOMAIN M5 asks for participants
against comparable non-participants, reward cost, the liability of unredeemed rewards and
breakage; E6 states the test a program must pass: participants must bring more revenue than
comparable non-participants in the same segment.
"""

from __future__ import annotations

import math
from dataclasses import asdict, fields
from typing import Any

import numpy as np
import pandas as pd

from sim.money.ledger import ACCOUNTS, INCOME, LIABILITIES, PROGRAM_ACCOUNTS, Ledger
from sim.money.programs.runtime import Program, ProgramStats
from sim.scenario.program_terms import MECHANICS, ProgramDesign

SEGMENTS = 5
"""Participants and non-participants are compared within quintiles of the customers' own
purchase rate (their BG/NBD rate trait), so that heavy buyers, who join first, are compared with
heavy buyers (DOMAIN E6: comparable non-participants in the same segment)."""


def program_daily_columns(program: Program | None, days: int) -> dict[str, np.ndarray]:
    """Daily members and points outstanding (empty without a program)."""
    if program is None:
        return {}
    return {
        "members": np.asarray(program.members_daily[:days], dtype="int64"),
        "points_outstanding": np.asarray(program.points_outstanding_daily[:days], dtype=float),
    }


def program_customer_columns(program: Program | None, n: int) -> dict[str, Any]:
    """Per-customer program columns of ``n`` customers, from each one's latest membership."""
    if program is None:
        return {}
    memberships = program.memberships
    tiers = program.terms.tiers
    tier_names = [level.name for level in tiers.levels] if tiers is not None else None
    cols: dict[str, list] = {
        "program_member": [False] * n,
        "joined_day": [math.nan] * n,
        "left_day": [math.nan] * n,
        "tier": [None] * n,
        "points_balance": [0] * n,
        "points_earned": [0] * n,
        "points_redeemed": [0] * n,
        "rewards_redeemed": [0] * n,
        "discounts_received": [0.0] * n,
        "spend_as_member": [0.0] * n,
    }
    for agent_id, m in memberships.items():
        cols["program_member"][agent_id] = m.slot >= 0
        cols["joined_day"][agent_id] = m.joined
        cols["left_day"][agent_id] = m.left
        if tier_names is not None and m.slot >= 0:
            cols["tier"][agent_id] = tier_names[min(m.tier, len(tier_names) - 1)]
        cols["points_balance"][agent_id] = m.balance
        cols["points_earned"][agent_id] = m.points_earned
        cols["points_redeemed"][agent_id] = m.points_redeemed
        cols["rewards_redeemed"][agent_id] = m.rewards
        cols["discounts_received"][agent_id] = m.discounts_received
        cols["spend_as_member"][agent_id] = m.spend
    out: dict[str, Any] = {
        "program_member": np.array(cols["program_member"], dtype=bool),
        "joined_day": np.array(cols["joined_day"], dtype=float),
        "left_day": np.array(cols["left_day"], dtype=float),
    }
    if tier_names is not None:
        out["tier"] = pd.Categorical(cols["tier"], categories=tier_names)
    for name in ("points_balance", "points_earned", "points_redeemed", "rewards_redeemed"):
        out[name] = np.array(cols[name], dtype="int64")
    out["discounts_received"] = np.array(cols["discounts_received"], dtype=float)
    out["spend_as_member"] = np.array(cols["spend_as_member"], dtype=float)
    return out


def _customer_years(
    customers: pd.DataFrame, start: float, end: float, run_end: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Spend, customer-years, joined flag and purchase rate of the customers E6 compares."""
    bought = customers[customers["acquired_day"].notna() & (customers["purchases"] > 0)]
    last = bought["lost_day"].fillna(run_end).clip(upper=run_end)
    in_window = ((last >= start) & (bought["acquired_day"] <= end)).to_numpy()
    years = ((last - bought["acquired_day"]).clip(lower=0.0) / 365.0).to_numpy()[in_window]
    bought = bought[in_window]
    return (
        bought["spend"].to_numpy(),
        years,
        bought["joined_day"].notna().to_numpy(),
        bought["base_rate_per_day"].to_numpy(),
    )


def _per_year(spend: np.ndarray, years: np.ndarray, mask: np.ndarray) -> float:
    total_years = years[mask].sum()
    return float(spend[mask].sum() / total_years) if total_years > 0 else math.nan


def participants_by_segment(
    customers: pd.DataFrame,
    start: float,
    end: float,
    run_end: float | None = None,
    segments: int = SEGMENTS,
) -> pd.DataFrame:
    """Participants' and non-participants' spend per customer-year in each segment (E6, M5).

    The segments are the quantiles of the purchase-rate trait (quintiles by default), so a
    heavy buyer who joined is set against heavy buyers who did not. Customers and years are
    counted as in :func:`participants_vs_non_participants`.

    Returns
    -------
    pandas.DataFrame
        One row per segment (0: the lightest buyers): ``participants``, ``non_participants``,
        ``participant_years``, ``spend_per_year_participants``,
        ``spend_per_year_non_participants`` (NaN where a group is empty). No rows when
        nobody or everybody joined.
    """
    run_end = end if run_end is None else run_end
    spend, years, joined, rate = _customer_years(customers, start, end, run_end)
    rows = []
    if joined.any() and not joined.all():
        edges = np.quantile(rate, np.linspace(0.0, 1.0, segments + 1)[1:-1])
        segment = np.searchsorted(edges, rate, side="right")
        for s in range(segments):
            here = segment == s
            ins, outs = here & joined, here & ~joined
            rows.append(
                {
                    "segment": s,
                    "participants": int(ins.sum()),
                    "non_participants": int(outs.sum()),
                    "participant_years": float(years[ins].sum()),
                    "spend_per_year_participants": _per_year(spend, years, ins),
                    "spend_per_year_non_participants": _per_year(spend, years, outs),
                }
            )
    columns = [
        "segment",
        "participants",
        "non_participants",
        "participant_years",
        "spend_per_year_participants",
        "spend_per_year_non_participants",
    ]
    return pd.DataFrame(rows, columns=columns)


def participants_vs_non_participants(
    customers: pd.DataFrame,
    start: float,
    end: float,
    run_end: float | None = None,
    segments: int = SEGMENTS,
) -> dict[str, Any]:
    """Spend per customer-year of participants against comparable non-participants (E6, M5).

    Customers who bought in the run and were customers at some time while the program ran
    (from ``start`` to ``end``) are split into participants (joined at some time) and non-
    participants. A group's spend per customer-year is its total spend in the run divided by
    the total years its customers were customers in the run, from acquisition to loss or
    ``run_end`` (default ``end``): a ratio of sums, so that a customer who bought once and
    left at once does not weigh like a year of custom. Within each quintile of the purchase-
    rate trait the participants' figure is set against the non-participants'
    (:func:`participants_by_segment`); the ``same_segment_ratio`` weighs the quintiles by
    their participants' customer-years. A ratio above 1 means participants bring more than
    comparable non-participants.

    The same-segment ratio still flatters a program: within a quintile, the customers who join
    are the more loyal ones. What the program itself adds is measured against the same
    customers without it, in paired runs (``sim.compare``); for that, the result also holds the
    participants' total ``spend`` and ``purchases`` in the run (all their purchases, before
    and after joining).

    Returns
    -------
    dict
        ``participants``, ``non_participants``, each group's ``spend_per_year``, the
        ``same_segment_ratio`` (NaN when one of the groups is empty), and the participants'
        ``spend`` and ``purchases``.
    """
    run_end = end if run_end is None else run_end
    spend, years, joined, _ = _customer_years(customers, start, end, run_end)
    everyone_joined = customers["joined_day"].notna()
    result: dict[str, Any] = {
        "participants": int(joined.sum()),
        "non_participants": int((~joined).sum()),
        "spend_per_year_participants": _per_year(spend, years, joined),
        "spend_per_year_non_participants": _per_year(spend, years, ~joined),
        "same_segment_ratio": math.nan,
        "spend": float(customers.loc[everyone_joined, "spend"].sum()),
        "purchases": int(customers.loc[everyone_joined, "purchases"].sum()),
    }
    weighted_in = weighted_out = 0.0
    for row in participants_by_segment(customers, start, end, run_end, segments).itertuples():
        inside, outside = row.spend_per_year_participants, row.spend_per_year_non_participants
        if inside == inside and outside == outside:  # both groups present (not NaN)
            weighted_in += row.participant_years * inside
            weighted_out += row.participant_years * outside
    if weighted_out > 0:
        result["same_segment_ratio"] = float(weighted_in / weighted_out)
    return result


def program_summary(
    program: Program | None,
    design: ProgramDesign | None,
    book: Ledger,
    customers: pd.DataFrame,
    days: int,
) -> dict[str, Any]:
    """The program's economics and reach in one run (DOMAIN M5, E6, E7)."""
    if program is None:
        return {
            "name": "none" if design is None else design.name,
            "mechanics": [],
            "natural": True,
        }
    stats = program.stats
    totals = dict(zip(ACCOUNTS, book.matrix(days).sum(axis=0).tolist(), strict=True))
    liability = program.liability
    settled = stats.points_redeemed + stats.points_expired + stats.points_forfeited
    end = float(design.end_day if design.end_day is not None else days)
    summary: dict[str, Any] = {
        "name": design.name,
        "mechanics": [name for name in MECHANICS if getattr(design, name)],
        "natural": False,
        "launch_day": design.launch_day,
        "end_day": design.end_day,
        "members_at_end": len(program.members),
        "costs": {account: 0.0 - totals[account] + 0.0 for account in PROGRAM_ACCOUNTS},
        "income": {account: totals[account] for account in INCOME[2:]},
        "liabilities_at_end": {account: totals[account] for account in LIABILITIES},
        "points": {
            "issued": stats.points_issued,
            "redeemed": stats.points_redeemed,
            "expired": stats.points_expired,
            "forfeited": stats.points_forfeited,
            "outstanding": liability.outstanding,
            "liability": liability.liability,
            "breakage_rate": (stats.points_expired + stats.points_forfeited) / settled
            if settled
            else math.nan,
            "expected_redemption_rate": liability.expected_redemption_rate,
        },
        "activity": asdict(stats),
        "participants_vs_non_participants": participants_vs_non_participants(
            customers, float(design.launch_day), min(end, float(days)), float(days)
        ),
    }
    summary["total_cost"] = sum(summary["costs"].values())
    return summary


POINTS_FIGURES = (
    "issued",
    "redeemed",
    "expired",
    "forfeited",
    "outstanding",
    "liability",
    "breakage_rate",
    "expected_redemption_rate",
)
"""Keys of ``points`` in :func:`program_summary`, in its order."""

PARTICIPANT_FIGURES = (
    "participants",
    "non_participants",
    "spend_per_year_participants",
    "spend_per_year_non_participants",
    "same_segment_ratio",
    "spend",
    "purchases",
)
"""Keys of :func:`participants_vs_non_participants`, in its order."""


def program_figures(natural: bool) -> list[str]:
    """Names of the numeric figures :func:`program_summary` gives, known without a run.

    Nested keys are joined by dots (``points.issued``) and text and lists are left out, as
    ``sim.experiments.store.flatten`` does; the order is the summary's.

    Parameters
    ----------
    natural
        True for the natural baseline (no program in place, or a design without mechanics).

    Returns
    -------
    list of str
    """
    if natural:
        return ["natural"]
    return [
        "natural",
        "launch_day",
        "end_day",
        "members_at_end",
        *(f"costs.{a}" for a in PROGRAM_ACCOUNTS),
        *(f"income.{a}" for a in INCOME[2:]),
        *(f"liabilities_at_end.{a}" for a in LIABILITIES),
        *(f"points.{k}" for k in POINTS_FIGURES),
        *(f"activity.{f.name}" for f in fields(ProgramStats)),
        *(f"participants_vs_non_participants.{k}" for k in PARTICIPANT_FIGURES),
        "total_cost",
    ]
