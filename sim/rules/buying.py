"""Purchase timing and basket value (BG/NBD and gamma-gamma; DOMAIN E2, L9).

Each customer has a base purchase rate drawn from a gamma distribution (BG/NBD). The rate the
customer acts on is the base rate scaled by rung, satisfaction, relationship and price.
"""

from __future__ import annotations

import math


def purchase_rate(
    base_rate: float,
    stage_multiplier: float,
    satisfaction: float,
    relationship: float,
    reference_satisfaction: float,
    reference_relationship: float,
    satisfaction_sensitivity: float,
    relationship_sensitivity: float,
    price_factor: float,
) -> float:
    """Purchases per day the customer currently makes.

    ``base * rung multiplier * exp(s_S (S - S_ref) + s_R (R - R_ref)) * price factor``: loyal,
    satisfied and engaged customers buy more often (DOMAIN L9, L3); with all sensitivities zero
    and multipliers one this is the plain BG/NBD rate.
    """
    return (
        base_rate
        * stage_multiplier
        * price_factor
        * math.exp(
            satisfaction_sensitivity * (satisfaction - reference_satisfaction)
            + relationship_sensitivity * (relationship - reference_relationship)
        )
    )


def price_factor(price_level: float, elasticity: float) -> float:
    """Multiplier on purchase frequency and first-purchase probability from the price level."""
    return price_level**elasticity


def next_gap(rate: float, periodic: bool, jitter: float, draw: float) -> float:
    """Days to the next purchase opportunity.

    Poisson timing: ``draw`` is a standard exponential and the gap has mean ``1/rate``
    (BG/NBD). Periodic timing: ``draw`` is a standard normal and the gap is the cycle ``1/rate``
    (one bottle lasts 30 days), spread by ``jitter`` and never below 10% of a cycle. An idle
    customer (rate 0) never comes back: the gap is infinite.
    """
    if rate <= 0.0:
        return math.inf
    if periodic:
        factor = 1.0 + jitter * draw
        return (factor if factor > 0.1 else 0.1) / rate
    return draw / rate
