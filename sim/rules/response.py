"""How a member responds to a program: the perceived deal, habituation, rational attachment.

Pure functions of plain numbers (DOMAIN L5, L6, E6; parameters in
``sim.scenario.program_terms.ProgramResponse``):

* the **deal** is the share of spend the program gives back; immediate discounts count in
  full, delayed rewards at a weight below one;
* **habituation**: the felt deal fades from the day a member joined, or was last surprised by
  better terms, towards a floor (L5: customers get used to a bonus);
* the felt deal raises **purchase frequency** through a visit elasticity far below the product's
  price elasticity, and raises the **basket**; a nearly full card speeds purchases up (goal
  gradient);
* **prior activity**: light buyers respond, heavy buyers hardly change (Liu 2007; Lal & Bell
  2003; Hartmann & Viard 2008), so the felt deal and the goal gradient are weighted by how
  active the member was before the program;
* the **stake** (what leaving forfeits) gives **rational attachment** on 0..1, which lowers
  dropout and the acceptance of competitor offers while the stake lasts (L6);
* when a program ends or is cut, rational loyalty goes with it: a member leaves with a
  probability that shrinks with their emotional attachment.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario.program_terms import ProgramResponse

MAX_FELT_DEAL = 0.75
"""The largest felt deal customers respond to (three quarters off): a guard that keeps a
runaway promotion's purchase rates finite; Hoover-style designs reach it."""


def deal(immediate: float, delayed: float, delayed_weight: float) -> float:
    """Share of spend a member feels the program gives back, before habituation.

    Parameters
    ----------
    immediate
        Discounts and other savings at the till, as a share of list price.
    delayed
        Rewards received later (points, prizes, a revenue share), as a share of spend.
    delayed_weight
        What a delayed reward is worth against an immediate one (Yi & Jeon 2003; Keh & Lee
        2006: delayed rewards are valued less).
    """
    return immediate + delayed_weight * delayed


def novelty(days_since_refresh: float, floor: float, time_constant: float) -> float:
    """Share of the deal still felt after getting used to it (DOMAIN L5).

    ``floor + (1 - floor) * exp(-days / time_constant)``: 1 on the day of joining (or of
    better terms), falling towards ``floor``.
    """
    if days_since_refresh <= 0.0:
        return 1.0
    return floor + (1.0 - floor) * math.exp(-days_since_refresh / time_constant)


def activity_weight(base_rate: float, mean_base_rate: float, half_ratio: float) -> float:
    """Share of the full response a member shows, by their prior activity (Liu 2007).

    ``h / (h + rate / mean_rate)`` with ``h = half_ratio``: near 1 for the lightest buyers,
    one half for a member who buys ``half_ratio`` times as often as the market's average
    customer, and towards 0 for the heaviest, who buy as much as they want already (Liu 2007:
    heavy buyers did not change; Hartmann & Viard 2008: frequent buyers' incentive is
    practically invariant to the reward). ``rate`` is the member's own purchase-rate trait,
    before rung and program effects.
    """
    if mean_base_rate <= 0.0:
        return 1.0
    return half_ratio / (half_ratio + base_rate / mean_base_rate)


def frequency_factor(felt_deal: float, elasticity: float, goal_gradient: float, progress: float):
    """Multiplier on purchase frequency from the felt deal and the nearness of a reward.

    ``(1 - d)^elasticity * (1 + goal_gradient * progress)``, where ``d`` is the felt deal
    (at most :data:`MAX_FELT_DEAL`) and ``progress`` in 0..1 the balance's progress to the next
    reward (Kivetz, Urminsky & Zheng 2006). With a negative elasticity a deal raises
    frequency, as a price cut of the same size would.
    """
    d = _clip_deal(felt_deal)
    return (1.0 - d) ** elasticity * (1.0 + goal_gradient * progress)


def basket_factor(felt_deal: float, sensitivity: float) -> float:
    """Multiplier on basket value: ``1 + sensitivity * d`` (DOMAIN L9)."""
    return 1.0 + sensitivity * _clip_deal(felt_deal)


def rational_attachment(stake: float, basket: float, half_baskets: float) -> float:
    """Rational attachment on 0..1 from what leaving would forfeit (DOMAIN L6).

    ``s / (s + half_baskets)`` with the stake ``s`` counted in the member's average baskets:
    0 with nothing at stake, 0.5 at ``half_baskets`` baskets.
    """
    if stake <= 0.0 or basket <= 0.0:
        return 0.0
    s = stake / basket
    return s / (s + half_baskets)


def retention_factor(attachment: float, switching_cost_effect: float) -> float:
    """Multiplier on dropout and on competitor acceptance: ``1 - effect * attachment``."""
    return 1.0 - switching_cost_effect * attachment


def departure_probability(
    base_probability: float, emotional_attachment: float, fan_attachment: float
) -> float:
    """Chance that a member leaves when their rational reason to stay goes (DOMAIN L6).

    ``base * (1 - A / A_fan)`` for emotional attachment ``A`` below the raving-fan level
    ``A_fan``, 0 above it: purely rational members leave at the base rate, emotionally
    attached ones mostly stay.
    """
    if fan_attachment <= 0.0:
        return 0.0
    share_rational = max(0.0, 1.0 - emotional_attachment / fan_attachment)
    return base_probability * share_rational


def cut_share(old_deal: float, new_deal: float) -> float:
    """Share of the deal taken away by new terms (0 if the terms are as good or better)."""
    if old_deal <= 0.0 or new_deal >= old_deal:
        return 0.0
    return (old_deal - new_deal) / old_deal


def member_effects(
    deal_now: float,
    days_since_refresh: float,
    progress: float,
    stake: float,
    basket: float,
    weight: float,
    reaction: ProgramResponse,
    paid: bool = False,
) -> tuple[float, float, float]:
    """A member's three multipliers until their next purchase.

    The felt deal is the deal after :func:`novelty`, times the member's
    :func:`activity_weight` ``weight``; it gives the :func:`frequency_factor` (through
    ``reaction.visit_elasticity``, with the goal gradient weighted alike) and the
    :func:`basket_factor`; the stake gives the :func:`rational_attachment` and so the
    :func:`retention_factor`, whose switching-cost effect is weighted by activity too (heavy
    buyers' buying does not change, Liu 2007), all with the parameters of ``reaction``. A
    response stated directly (``visit_lift``, ``basket_lift``, ``churn_cut``; 0 by default)
    multiplies the three, for every member alike: the break-even search and pilot fits use it.
    A member whose fee is ``paid`` up buys ``1 + paid_membership_lift`` times as often: having
    paid, they use what they paid for (Iyengar, Park & Yu 2022: two thirds of a subscription
    program's effect on purchases came from membership itself, not its economic benefits).

    Returns
    -------
    tuple
        Multipliers on purchase rate, on basket, and on dropout and competitor acceptance.
    """
    r = reaction
    felt = weight * deal_now * novelty(days_since_refresh, r.habituation_floor, r.habituation_days)
    attachment = rational_attachment(stake, basket, r.stake_half_baskets)
    return (
        frequency_factor(felt, r.visit_elasticity, weight * r.goal_gradient, progress)
        * (1.0 + r.visit_lift)
        * (1.0 + r.paid_membership_lift if paid else 1.0),
        basket_factor(felt, r.basket_sensitivity) * (1.0 + r.basket_lift),
        retention_factor(attachment, weight * r.switching_cost_effect) * (1.0 - r.churn_cut),
    )


def _clip_deal(felt_deal: float) -> float:
    """The felt deal within 0 .. MAX_FELT_DEAL (comparisons: cheaper than min/max per event)."""
    if felt_deal <= 0.0:
        return 0.0
    return felt_deal if felt_deal < MAX_FELT_DEAL else MAX_FELT_DEAL
