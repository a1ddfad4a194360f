"""Figures as words: the same rounding and layout in the terminal and in the HTML report."""

from __future__ import annotations

import math
from typing import Any

from sim.experiments.break_even import LEVERS
from sim.experiments.published_effects import published_effect
from sim.rules.churn import LOSS_REASON_WORDS
from sim.scenario import Scenario
from sim.scenario.program_terms.design import MECHANICS

VERDICT_MEANING = {
    "would_bankrupt": (
        "the whole interval of the ruin the program causes is above the ruin threshold"
    ),
    "ruin_risk_unresolved": (
        "the interval of the ruin the program causes straddles the ruin threshold, and the "
        "profit does not already reject the design: more runs would tell"
    ),
    "destroys_value": (
        "the whole confidence interval of incremental profit is below zero (and the ruin the "
        "program causes is not shown to be above the threshold)"
    ),
    "marginal": "the confidence interval of incremental profit includes zero",
    "pays_back": "the whole confidence interval of incremental profit is above zero",
}
"""What each verdict of :func:`sim.experiments.verdict.verdict` means, in one line."""

COMPARISON_COLUMNS = (
    "program",
    "verdict",
    "incremental profit",
    "P(bankrupt)",
    "caused",
    "ROI",
    "payback",
)
"""The columns of a comparison's one-line-per-program table ("caused": the share of paired
runs in which the design went bankrupt and the business without it did not: the ruin the
verdict judges)."""


BUSINESS_WARNINGS = frozenset({"business_at_risk_without_program"})
"""Warnings about the business itself: every design of a comparison carries the same one, so
the report says it once, in :func:`baseline_ruin_text`, rather than once per design."""


def baseline_ruin_text(comparison: Any) -> str:
    """The business's own risk of ruin, once per comparison: the share of baseline runs that
    went bankrupt and, when the runs do not show it to be below the ruin threshold, the
    ``business_at_risk_without_program`` warning's interval and what it means for the verdicts."""
    c = comparison
    base = c.table["baseline_bankruptcy_probability"].iloc[0] if len(c.table) else 0.0
    text = f"Without a program the business went bankrupt in {base:.0%} of runs"
    found = [w for ws in c.warnings.values() for w in ws if w.code in BUSINESS_WARNINGS]
    if not found:
        return text + "."
    e = found[0].evidence
    return (
        f"{text} (interval {e['low']:.1%} to {e['high']:.1%}, reaching above the "
        f"{c.scenario.experiment.ruin_threshold:.0%} threshold): that risk is the business's own, "
        f"and each verdict judges only the ruin its design adds ({found[0].source})."
    )


def design_warnings(comparison: Any) -> list[tuple[str, Any]]:
    """``(design, warning)`` for each warning about a design, leaving out those about the
    business itself (``BUSINESS_WARNINGS``, said once by :func:`baseline_ruin_text`)."""
    return [
        (program, w)
        for program, found in comparison.warnings.items()
        for w in found
        if w.code not in BUSINESS_WARNINGS
    ]


def participant_lift_notes(comparison: Any) -> list[tuple[str, str]]:
    """``(design, note)``: participants against comparable non-participants (the naive
    same-segment ratio, DOMAIN E6) beside what the program itself did to their spending (the
    paired lift, ``sim.experiments.compare.participant_lifts``), and why they differ."""
    notes = []
    for row in comparison.table.to_dict("records"):
        naive, lift = row.get("participants_ratio", math.nan), row.get("participant_spend_lift")
        if lift is None or not (naive == naive and lift == lift):
            continue
        visits = row["participant_visit_lift"]
        ruined = (
            "; runs in which the business went bankrupt stopped trading, which is part of "
            "that change"
            if row.get("caused_bankruptcy_probability", 0.0) > 0
            else ""
        )
        notes.append(
            (
                row["program"],
                f"participants spent {naive:.2f}x what comparable non-participants spent, while "
                f"the program itself changed their spending by {_percent_change(lift)} "
                f"[{_percent_change(row['participant_spend_lift_low'])}, "
                f"{_percent_change(row['participant_spend_lift_high'])}] and their visits by "
                f"{_percent_change(visits)} (paired runs, against the same customers without "
                f"it{ruined}). The gap between the two is who joins: heavier, more loyal buyers "
                "join first (DOMAIN E6; Leenheer et al. 2007)",
            )
        )
    return notes


LEVER_WORDS = {
    "visits": "{x} visits",
    "basket": "{x} basket",
    "retention": "{cut} less churn",
    "combined": "{x} on all three",
}
"""How a break-even response on each lever reads."""


def _lever_text(lever: str, x: float) -> str:
    if x == math.inf:
        return f"more than the largest {lever} response searched"
    return LEVER_WORDS[lever].format(x=f"{x:+.1%}", cut=f"{x:.0%}")


def break_even_notes(comparison: Any) -> list[tuple[str, str]]:
    """``(design, note)``: the response each design needs from its members to pay back, lever
    by lever (``sim.experiments.break_even``), against what published programs of its kind
    achieved (``sim.experiments.published_effects``), and below which it would bankrupt the
    business. Empty when the comparison did not search break-even responses."""
    c = comparison
    if c.break_even is None:
        return []
    threshold = c.scenario.experiment.ruin_threshold
    designs = {d.name: d for d in c.scenario.programs}
    notes = []
    for row in c.table.to_dict("records"):
        levers = [lever for lever in LEVERS if f"break_even_{lever}" in row]
        if not levers:
            continue
        needed = [(lever, row[f"break_even_{lever}"]) for lever in levers]
        if needed[0][1] == 0.0:
            text = "pays back with no response from its members at all"
        else:
            first, *rest = (_lever_text(lever, x) for lever, x in needed)
            others = f" (or {', or '.join(rest)})" if rest else ""
            text = (
                f"needs {first} from its members{others} to pay back over the horizon, "
                "sustained, with no other response"
            )
        mechanics = [m for m in MECHANICS if getattr(designs[row["program"]], m)]
        published = published_effect(mechanics)
        if published is None:
            text += "; no published causal effect for programs of this type"
        else:
            v, b, k = published.visits, published.basket, published.churn_cut
            text += (
                f"; published programs of this type: visits {v[0]:+.0%} to {v[1]:+.0%}, "
                f"basket {b[0]:+.0%} to {b[1]:+.0%}, churn cut {k[0]:.0%} to {k[1]:.0%} "
                f"({published.source}; docs/program-evidence.md)"
            )
        ruin = [(lever, row.get(f"bankrupt_below_{lever}", math.nan)) for lever in levers]
        ruin = [(lever, x) for lever, x in ruin if x == x]
        if ruin:
            below = ", or ".join(_lever_text(lever, x) for lever, x in ruin)
            text += (
                f". Below {below}, it would bankrupt the business in more than "
                f"{threshold:.0%} of runs"
            )
        notes.append((row["program"], text + f" ({row_runs(c)} paired runs per response)"))
    return notes


def uncertainty_notes(comparison: Any, shown: int = 3) -> list[tuple[str, str]]:
    """``(design, note)`` under parameter uncertainty: the share of paired runs (each at its own
    draw of the uncertain inputs) that paid back, whether that is robust, and the ``shown``
    inputs that move the verdict most. Empty without parameter uncertainty."""
    c = comparison
    if c.parameter_draws is None:
        return []
    robust = c.scenario.experiment.robust_share
    notes = []
    for row in c.table.to_dict("records"):
        share = (
            f"paid back in {row['pays_back_probability']:.0%} of paired runs, each at its own "
            f"draw of the {len(c.parameter_draws.columns)} uncertain inputs "
            f"[{row['pays_back_probability_low']:.0%}, {row['pays_back_probability_high']:.0%}]"
        )
        verdict = (
            f"robust (the lower bound reaches {robust:.0%})"
            if row["robust"]
            else f"not robust (the lower bound is below {robust:.0%})"
        )
        moves = [
            f"{d.parameter} (pays back in {d.pays_back_share_low_half:.0%} of runs with it in "
            f"the lower half of its draws, {d.pays_back_share_high_half:.0%} in the upper)"
            for d in c.drivers[row["program"]].head(shown).itertuples()
        ]
        notes.append(
            (row["program"], f"{share}: {verdict}; what moves it most: " + "; ".join(moves))
        )
    return notes


def design_notes(comparison: Any) -> list[tuple[str, str]]:
    """Every per-design line a comparison prints under its table, in order: what the program
    did to its participants, the break-even responses and the uncertainty lines."""
    return [
        *participant_lift_notes(comparison),
        *break_even_notes(comparison),
        *uncertainty_notes(comparison),
    ]


def row_runs(comparison: Any) -> int:
    """Paired runs per response tried in a comparison's break-even search."""
    points = comparison.break_even.table
    return int(points["runs"].iloc[0]) if len(points) else 0


def _percent_change(ratio: float) -> str:
    """A ratio as a signed percentage change: 1.052 -> '+5.2%'."""
    return f"{ratio - 1:+.1%}"


def unresolved_ruin_notes(comparison: Any) -> list[tuple[str, str]]:
    """``(design, note)`` for each design whose caused ruin the runs do not yet tell from the
    threshold (ruin part ``unresolved``: verdict ``ruin_risk_unresolved``, or ``destroys_value``
    with its ruin still open), with about how many runs would settle it."""
    c = comparison
    threshold = c.scenario.experiment.ruin_threshold
    notes = []
    for row in c.table.to_dict("records"):
        if row["ruin_verdict"] != "unresolved":
            continue
        needed = row["runs_to_settle_ruin"]
        caused = round(row["caused_bankruptcy_probability"] * c.runs)
        more = f"about {needed:,.0f} runs would settle it" if needed < math.inf else "it sits on it"
        if row["verdict"] == "destroys_value":
            more += (
                "; its loss rejects it already (the ruin decides only whether it would also "
                "bankrupt the business)"
            )
        notes.append(
            (
                row["program"],
                f"the ruin it causes cannot yet be told from the {threshold:.0%} threshold "
                f"({caused} of {c.runs} runs bankrupt with it and not without); {more}",
            )
        )
    return notes


def runs_text(comparison: Any) -> str:
    """How many paired runs a comparison made, and how they were chosen."""
    c = comparison
    if not getattr(c, "sequential", False):
        return f"{c.runs} paired replications"
    unsettled = int((~c.table["settled"].astype(bool)).sum()) if len(c.table) else 0
    why = (
        "every verdict settled"
        if not unsettled
        else f"the most allowed, {unsettled} verdict(s) still unsettled"
    )
    return f"{c.runs} paired replications, chosen by the question ({why})"


def money_text(x: float) -> str:
    """Currency units, rounded to whole units with thousands separators."""
    return f"{round(x):,}"


CORE_COSTS = (
    "marketing",
    "win_back_offers",
    "communication",
    "service_recovery",
    "fixed_costs",
)
"""Cost lines always shown in the money table, even at zero."""


def money_rows(s: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """The money table of one run's summary: (item, amount in words, is a detail line).

    Other income and costs are detail lines under gross margin (cost of goods is inside it);
    program accounts show only when used, the core costs always.
    """
    rows = [("revenue", money_text(s["revenue"]), False)]
    if s["contribution"]:
        rows.append(("contribution (matrix mode)", money_text(s["contribution"]), False))
    rows.append(("gross margin", money_text(s["gross_margin"]), False))
    for account, amount in s.get("other_income", {}).items():
        if amount:
            rows.append((account.replace("_", " "), money_text(amount), True))
    for account, cost in s["costs"].items():
        if account != "cost_of_goods" and (cost or account in CORE_COSTS):
            rows.append((account.replace("_", " "), money_text(-cost), True))
    rows += [
        ("profit", money_text(s["profit"]), False),
        ("final cash", money_text(s["final_cash"]), False),
        ("lowest cash", f"{money_text(s['lowest_cash'])} on day {s['lowest_cash_day']}", False),
    ]
    return rows


def flow_rows(s: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Customers won, won back and lost in one agent-mode run: (flow, reason, customers)."""
    rows = [
        ("won", channel.replace("_", " "), f"{n:,}") for channel, n in s["customers_won"].items()
    ]
    by_talk = s["word_of_mouth"]["won_back_by_word_of_mouth"]
    rows.append(("won back", "win-back offer", f"{s['customers_won_back'] - by_talk:,}"))
    rows.append(("won back", "word of mouth", f"{by_talk:,}"))
    lost_total = sum(s["customers_lost"].values()) or 1
    for reason, n in sorted(s["customers_lost"].items(), key=lambda kv: -kv[1]):
        if n or reason != "program_ended":  # the program's reason shows only when it occurs
            rows.append(("lost", LOSS_REASON_WORDS[reason], f"{n:,} ({100 * n / lost_total:.0f}%)"))
    return rows


def interval_text(x: float, low: float, high: float, money: bool = True) -> str:
    """``mean [low, high]``: money rounded to units, otherwise as a percentage."""
    if money:
        return f"{x:,.0f} [{low:,.0f}, {high:,.0f}]"
    return f"{x:.1%} [{low:.1%}, {high:.1%}]"


def comparison_rows(table: Any) -> list[dict[str, str]]:
    """One row of words per program of a :class:`~sim.experiments.compare.Comparison` table."""
    rows = []
    for row in table.to_dict("records"):
        payback = row["payback_day"]
        rows.append(
            {
                "program": row["program"],
                "verdict": row["verdict"],
                "incremental profit": interval_text(
                    row["incremental_profit"],
                    row["incremental_profit_low"],
                    row["incremental_profit_high"],
                ),
                "P(bankrupt)": interval_text(
                    row["bankruptcy_probability"],
                    row["bankruptcy_probability_low"],
                    row["bankruptcy_probability_high"],
                    money=False,
                ),
                "caused": interval_text(
                    row["caused_bankruptcy_probability"],
                    row["caused_bankruptcy_probability_low"],
                    row["caused_bankruptcy_probability_high"],
                    money=False,
                ),
                "ROI": f"{row['roi']:.2f}" if row["roi"] == row["roi"] else "-",
                "payback": (
                    f"day {payback:.0f} [{row['payback_day_low']:.0f}, "
                    f"{row['payback_day_high']:.0f}] ({row['paid_back_share']:.0%})"
                )
                if payback == payback
                else "none",
            }
        )
    return rows


def scenario_in_words(scenario: Scenario) -> list[str]:
    """The scenario in a few plain sentences, for the opening of a report."""
    m, b, p = scenario.market, scenario.business, scenario.product
    years = scenario.horizon_days / 365
    sentences = [
        f"{scenario.name}: {scenario.horizon_days:,} days simulated (about {years:.1f} years).",
        f"A target market of {m.size:,} people, {m.initial_customers:,} of them customers on "
        f"day 0; marketing reaches about {-math.expm1(-m.reach_rate_per_year):.0%} of those "
        f"not yet reached each year, at {m.cost_per_reach:,.2f} per person reached.",
        f"Prices are {p.price_level:.2f} times the basket values, with cost of goods "
        f"{p.cost_of_goods_share:.0%} of the price; experience quality averages "
        f"{p.quality_mean:.2f} on a 0-1 scale and {p.service_failure_rate:.1%} of purchases "
        "meet a service failure.",
        f"The business starts with {b.starting_cash:,.0f} in cash, a credit line of "
        f"{b.credit_line:,.0f} (bankrupt below minus that), fixed costs of "
        f"{b.fixed_costs_per_month:,.0f} a month, and {b.touches_per_month:g} communication "
        f"touch{'' if b.touches_per_month == 1 else 'es'} per customer a month.",
    ]
    if scenario.programs:
        designs = "; ".join(
            f"{d.name}" + (f" ({d.description.strip().rstrip('.')})" if d.description else "")
            for d in scenario.programs
        )
        sentences.append(f"Loyalty program designs: {designs}.")
    else:
        sentences.append("No loyalty program designs: the natural baseline only (DOMAIN P1).")
    if scenario.description:
        sentences.insert(1, scenario.description.strip())
    return sentences
