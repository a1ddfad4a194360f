"""Why customers leave: life events, competitor offers and drift (DOMAIN L4, E4, L9).

The agent asks these pure functions at each purchase opportunity, in this order: has the
customer's next life event come; did a competitor offer that reached the customer win them; did
they drift away. Each function takes its uniform draws as arguments, so it is deterministic and
testable without an Environment.
"""

from __future__ import annotations

import math

LOSS_REASONS: tuple[str, ...] = (
    "low_interaction",
    "unknown",
    "competitor_offer",
    "needs_changed",
    "moved_away",
    "went_bankrupt",
    "program_ended",
)
"""Recorded reasons for a loss, in the order of DOMAIN L4's table (by share), then the one a
loyalty program adds: a member whose loyalty was only rational leaves when the program ends or
its rewards are cut (DOMAIN L6)."""

LOSS_REASON_WORDS: dict[str, str] = {
    "low_interaction": "low interaction",
    "unknown": "unknown",
    "competitor_offer": "competitor offer",
    "needs_changed": "needs changed",
    "moved_away": "moved away",
    "went_bankrupt": "own business failed",
    "program_ended": "program ended",
}
"""Each loss reason in words, as the terminal, the report and the charts show it. The
customer's ``went_bankrupt`` is the customer's own business failing (DOMAIN L4), not the
business the scenario simulates."""

L4_SHARES: dict[str, int] = {
    "low_interaction": 68,
    "unknown": 14,
    "competitor_offer": 9,
    "needs_changed": 5,
    "moved_away": 3,
    "went_bankrupt": 1,
}
"""Published share of lost customers per reason, in percent (DOMAIN L4), to set the model's
shares against."""

(
    LOW_INTERACTION,
    UNKNOWN,
    COMPETITOR_OFFER,
    NEEDS_CHANGED,
    MOVED_AWAY,
    WENT_BANKRUPT,
    PROGRAM_ENDED,
) = range(7)

WIN_BACK_ELIGIBLE = frozenset((LOW_INTERACTION, UNKNOWN, COMPETITOR_OFFER, PROGRAM_ENDED))
"""Losses after which a customer can be won back (the others moved, went bankrupt or changed)."""


def life_event_time(now: float, rates_per_day: tuple[float, float, float], draw: float) -> float:
    """When the next life event will end this customer's relationship (DOMAIN L4).

    Life events (needs changed, moved away, went bankrupt) arrive as a Poisson process with the
    summed hazard H, independent of anything the business does, so the time to the next one is
    exponential: ``now + draw / H`` for a standard-exponential ``draw`` (never if H is 0). The
    agent compares it with the clock at each purchase opportunity: one comparison per event.
    """
    total = rates_per_day[0] + rates_per_day[1] + rates_per_day[2]
    return now + draw / total if total > 0.0 else math.inf


def life_event_reason(rates_per_day: tuple[float, float, float], u: float) -> int:
    """Which life event happened, in proportion to the hazards, for a uniform ``u`` on [0, 1)."""
    pick = u * (rates_per_day[0] + rates_per_day[1] + rates_per_day[2])
    if pick < rates_per_day[0]:
        return NEEDS_CHANGED
    if pick < rates_per_day[0] + rates_per_day[1]:
        return MOVED_AWAY
    return WENT_BANKRUPT


def competitor_acceptance(
    base: float,
    stage_multiplier: float,
    share_of_wallet: float,
    satisfaction: float,
    fickle_share: float,
    committed_share: float,
    committed_factor: float,
) -> float:
    """Probability that a customer reached by a competitor offer takes it (DOMAIN E4, L9).

    ``base`` x rung multiplier (loyal rungs resist, L9) x share-of-wallet factor (1 below the
    fickle share, ``committed_factor`` at and above the committed share, linear between; E4)
    x satisfaction factor ``2 * (1 - satisfaction)`` (1 at satisfaction 0.5), capped at 1.
    """
    if share_of_wallet >= committed_share:
        wallet = committed_factor
    elif share_of_wallet <= fickle_share:
        wallet = 1.0
    else:
        t = (share_of_wallet - fickle_share) / (committed_share - fickle_share)
        wallet = 1.0 + t * (committed_factor - 1.0)
    p = base * stage_multiplier * wallet * 2.0 * (1.0 - satisfaction)
    return 1.0 if p > 1.0 else p


def drift_probability(
    propensity: float,
    stage_multiplier: float,
    satisfaction: float,
    relationship: float,
    reference_satisfaction: float,
    reference_relationship: float,
    satisfaction_sensitivity: float,
    relationship_sensitivity: float,
) -> float:
    """Probability of drifting away at one purchase opportunity.

    The customer's own dropout propensity (Beta-distributed, as in BG/NBD) times the rung
    multiplier, times ``exp(s_S (S_ref - S))`` and ``exp(s_R (R_ref - R))``: dissatisfied
    customers and those we rarely talk to leave more (DOMAIN L4, L8). Capped at 1.
    """
    p = (
        propensity
        * stage_multiplier
        * math.exp(
            satisfaction_sensitivity * (reference_satisfaction - satisfaction)
            + relationship_sensitivity * (reference_relationship - relationship)
        )
    )
    return 1.0 if p > 1.0 else p


def drift_reason(relationship: float, low_interaction_threshold: float) -> int:
    """A drift loss is ``low_interaction`` when the relationship was low, else ``unknown`` (L4)."""
    return LOW_INTERACTION if relationship < low_interaction_threshold else UNKNOWN
