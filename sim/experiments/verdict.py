"""The verdict on a program design, and the warnings beside it (DOMAIN E6, E7, E8).

Pure rules on estimates across paired replications; ``sim.compare`` gathers the evidence and
calls them. Thresholds live in the scenario's ``experiment`` section.

Verdict, checked in this order, on the intervals of the ruin the program causes and of the
incremental profit. The ruin the program causes is the probability that the business goes
bankrupt within the horizon with the program in place *and would not have without it*: the share
of paired runs (same seed, common random numbers) in which the design went bankrupt and the
baseline survived. A business that fails as often without any program is not failed by the
program; judging the raw rate would blame the design for the business's own fragility and, for a
business whose own risk sits near the threshold, let the seed pick the verdict. That risk is
reported beside the verdict (``bankruptcy_probability``, ``baseline_bankruptcy_probability``) and
flagged by the ``business_at_risk_without_program`` warning.

1. ``would_bankrupt``: the whole interval of the ruin the program causes lies above
   ``experiment.ruin_threshold`` (DOMAIN E7: companies have gone bankrupt because of fatal
   discounts and bonuses).
2. ``destroys_value``: the whole interval of incremental profit lies below zero, and the ruin is
   not shown to be above the threshold. A design that loses money is rejected whether or not
   its ruin is settled, so an open ruin question does not hide the rejection; the ruin part
   (``ruin_verdict``) and ``runs_to_settle_ruin`` still say when it is open.
3. ``ruin_risk_unresolved``: the ruin interval straddles the threshold while the profit does not
   reject the design: the runs cannot yet tell a risk above the threshold from one below
   (``runs_to_settle_ruin`` says how many would).
4. ``pays_back``: the whole interval lies above zero.
5. ``marginal``: the interval spans zero; the runs cannot tell the program from no program.

The ruin part and the profit part are also given on their own (``ruin_verdict``,
``profit_verdict``). The intervals are Wilson's and Student's at a stated number of runs
(``sim.experiments.estimates``), or confidence sequences when the runs are chosen by the
question (``sim.experiments.sequential``).

Warnings do not change the verdict; each carries its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.experiments.estimates import Estimate

VERDICTS: tuple[str, ...] = (
    "would_bankrupt",
    "ruin_risk_unresolved",
    "destroys_value",
    "marginal",
    "pays_back",
)
"""Possible verdicts, worst first."""
RUIN_VERDICTS: tuple[str, ...] = ("would_bankrupt", "unresolved", "clear")
"""The risk of ruin against the threshold: above it, not yet told apart, below it."""
PROFIT_VERDICTS: tuple[str, ...] = ("destroys_value", "marginal", "pays_back")
"""The incremental profit against zero."""

WARNINGS: dict[str, str] = {
    "participants_not_more_valuable": "DOMAIN E6",
    "cost_exceeds_margin": "DOMAIN E7, E8",
    "liability_grows": "DOMAIN E7",
    "churn_cause_elsewhere": "DOMAIN E8",
    "business_at_risk_without_program": "DOMAIN E7",
}
"""Warning codes and the DOMAIN facts behind them."""


@dataclass(frozen=True)
class ProgramWarning:
    """A warning beside a verdict: a code, a sentence for the planner, and its evidence."""

    code: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """The DOMAIN fact behind the warning."""
        return WARNINGS[self.code]


def ruin_verdict(ruin: Estimate, ruin_threshold: float) -> str:
    """The risk of ruin against the threshold (``RUIN_VERDICTS``).

    Parameters
    ----------
    ruin
        The ruin the program causes: the share of paired replications that went bankrupt
        within the horizon with the program and not without it, with its interval (Wilson's,
        or a confidence sequence's).
    ruin_threshold
        Largest acceptable risk of ruin (default 5%, ``experiment.ruin_threshold``).
    """
    if ruin.low > ruin_threshold:
        return "would_bankrupt"
    if ruin.high > ruin_threshold:
        return "unresolved"
    return "clear"


def profit_verdict(incremental_profit: Estimate) -> str:
    """The incremental profit against zero (``PROFIT_VERDICTS``): below, spanning, above."""
    if incremental_profit.high < 0:
        return "destroys_value"
    if incremental_profit.low > 0:
        return "pays_back"
    return "marginal"


def verdict(ruin: Estimate, incremental_profit: Estimate, ruin_threshold: float) -> str:
    """The verdict on one program design (see the module docstring).

    Parameters
    ----------
    ruin
        The ruin the program causes (paired replications bankrupt with the program and not
        without it), with its interval.
    incremental_profit
        Paired difference in profit (program minus no program) with its interval.
    ruin_threshold
        Largest acceptable risk of ruin (default 5%, ``experiment.ruin_threshold``).
    """
    ruin_part = ruin_verdict(ruin, ruin_threshold)
    profit_part = profit_verdict(incremental_profit)
    if ruin_part == "would_bankrupt":
        return "would_bankrupt"
    if ruin_part == "unresolved" and profit_part != "destroys_value":
        return "ruin_risk_unresolved"
    return profit_part


def participants_not_more_valuable(ratio: Estimate, floor: float) -> ProgramWarning | None:
    """DOMAIN E6: participants must bring more than comparable non-participants.

    ``ratio`` is the participants' spend per customer-year over that of non-participants in the
    same segment (``summary["program"]["participants_vs_non_participants"]``). The warning fires
    when the interval's lower bound is at or below ``floor``: the runs do not show participants
    to be worth more, so the program's budget may be rewarding what would have happened anyway.
    """
    if ratio.n == 0 or ratio.low != ratio.low or ratio.low > floor:
        return None
    return ProgramWarning(
        "participants_not_more_valuable",
        f"participants are not shown to spend more than comparable non-participants "
        f"(ratio {ratio.mean:.2f}, interval {ratio.low:.2f} to {ratio.high:.2f})",
        {"same_segment_ratio": ratio.mean, "low": ratio.low, "high": ratio.high},
    )


def cost_exceeds_margin(
    reward_cost: Estimate, incremental_margin: Estimate
) -> ProgramWarning | None:
    """The discount-cost-against-retention-gain test: rewards cost more than the margin they add.

    ``reward_cost`` is discounts, rewards, prizes, perks and referral rewards with the program;
    ``incremental_margin`` is the gross margin it adds over no program (paired). The warning
    fires when the mean cost exceeds the mean margin gained (DOMAIN E7, E8: discounts lower
    profitability).
    """
    if reward_cost.mean <= max(incremental_margin.mean, 0.0):
        return None
    margin = incremental_margin.mean
    brought = (
        f"they bring {margin:,.0f} of extra gross margin"
        if margin >= 0
        else f"gross margin falls by {-margin:,.0f} against no program"
    )
    return ProgramWarning(
        "cost_exceeds_margin",
        f"discounts and rewards cost {reward_cost.mean:,.0f}, and {brought}",
        {
            "reward_and_discount_cost": reward_cost.mean,
            "incremental_gross_margin": incremental_margin.mean,
            "incremental_gross_margin_low": incremental_margin.low,
            "incremental_gross_margin_high": incremental_margin.high,
        },
    )


def liability_grows(at_two_thirds: float, at_end: float, threshold: float) -> ProgramWarning | None:
    """DOMAIN E7: the liability of unredeemed promises keeps growing to the horizon.

    A working points program's liability levels off once redemptions and expiry balance
    issuance. The warning fires when the mean liability at the horizon exceeds that at two
    thirds of it by more than ``threshold`` (a share): it is still growing when the run ends.
    """
    if at_end <= 0 or at_end <= at_two_thirds * (1 + threshold):
        return None
    growth = at_end / at_two_thirds - 1 if at_two_thirds > 0 else float("inf")
    return ProgramWarning(
        "liability_grows",
        f"the liability is still growing at the horizon ({at_two_thirds:,.0f} at two thirds "
        f"of it, {at_end:,.0f} at the end)",
        {"liability_at_two_thirds": at_two_thirds, "liability_at_end": at_end, "growth": growth},
    )


def churn_cause_elsewhere(
    dissatisfied_share: float, retention_gain: float, threshold: float
) -> ProgramWarning | None:
    """DOMAIN E8: a program used to fix churn whose real cause is elsewhere.

    ``dissatisfied_share`` is the share of active customers who are dissatisfied or very
    dissatisfied without the program (last quarter of the horizon, DOMAIN L8): experience below
    expectation. When it reaches ``threshold`` and the program buys retention (positive gain),
    the program pays to keep customers whose reason to leave is the product or the service.
    """
    if not dissatisfied_share >= threshold or not retention_gain > 0:
        return None
    return ProgramWarning(
        "churn_cause_elsewhere",
        f"{dissatisfied_share:.0%} of customers are dissatisfied without the program: the "
        "experience, not the lack of a reward, drives churn (fix the rooms, not the discount)",
        {"dissatisfied_share": dissatisfied_share, "retention_gain": retention_gain},
    )


def business_at_risk_without_program(
    baseline_ruin: Estimate, ruin_threshold: float
) -> ProgramWarning | None:
    """DOMAIN E7: the business risks ruin on its own, whatever the program.

    ``baseline_ruin`` is the share of the baseline's replications (no program) that went
    bankrupt within the horizon, with its interval. The warning fires when at least one did and
    the interval reaches above ``ruin_threshold``: the runs do not show the business itself to
    be safe, so the program is judged on the ruin it adds (the verdict), and the planner is told
    the ruin that is the business's own.
    """
    if baseline_ruin.n == 0 or baseline_ruin.mean <= 0 or baseline_ruin.high <= ruin_threshold:
        return None
    return ProgramWarning(
        "business_at_risk_without_program",
        f"without any program the business went bankrupt in {baseline_ruin.mean:.1%} of runs "
        f"(interval {baseline_ruin.low:.1%} to {baseline_ruin.high:.1%}): that risk is the "
        "business's own; the verdict judges only the ruin the program adds",
        {
            "baseline_bankruptcy_probability": baseline_ruin.mean,
            "low": baseline_ruin.low,
            "high": baseline_ruin.high,
        },
    )
