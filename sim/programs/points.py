"""Cumulative points (DOMAIN P2): earning, redeeming and expiring, as plain arithmetic.

The vocabulary is that of real loyalty engines: an **earn rule** gives points per currency
unit spent above a minimum order, times a multiplier (a tier's, or a promotion's), plus a fixed
bonus for some products, within a cap per period; a **redemption catalogue** lists rewards with
their cost in points, their face value to the customer and their cost to the business;
**expiry** ends points after N days, at the end of the calendar year of earning, or never.
Spendable points (what a customer can redeem) are kept apart from tier-qualifying points
(what counts for a tier, P3): redeeming lowers the first, never the second.

DOMAIN P2's example: Boloco gives one free item per $50 spent, i.e. 1 point per dollar and a
reward costing 50 points; "buy 10 burgers, the 11th free" is 1 point per burger and a reward of
10 points.
"""

from __future__ import annotations

import math

EXPIRY_MODES = ("after_days", "end_of_year", "never")
"""How points expire."""

DAYS_PER_YEAR = 365


def points_earned(
    amount: float,
    points_per_unit: float,
    minimum_order: float = 0.0,
    multiplier: float = 1.0,
    bonus: float = 0.0,
    cap_left: float = math.inf,
) -> int:
    """Whole points earned by one purchase.

    ``floor(amount * points_per_unit * multiplier + bonus)`` if ``amount`` reaches
    ``minimum_order``, else 0; never more than ``cap_left`` (what the period's cap still
    allows). Points are whole, as on every loyalty statement, and fractions are lost.

    Parameters
    ----------
    amount
        Currency spent on the purchase.
    points_per_unit
        Points per currency unit (DOMAIN P2: 1 per dollar at Boloco).
    minimum_order
        Smallest purchase that earns anything.
    multiplier
        Earn multiplier (tier or promotion; DOMAIN P3: Silver +50% is 1.5, Gold 2x is 2).
    bonus
        Fixed points for the products in this purchase that carry a bonus.
    cap_left
        Points the period's cap still allows.
    """
    if amount < minimum_order:
        return 0
    # A billionth of a point absorbs binary rounding (0.29 x 100 must give 29, not 28).
    earned = math.floor(amount * points_per_unit * multiplier + bonus + 1e-9)
    if earned > cap_left:
        earned = math.floor(cap_left)
    return max(0, earned)


def rewards_affordable(balance: int, cost_in_points: int, limit: int | None = None) -> int:
    """How many rewards of ``cost_in_points`` a balance pays for (at most ``limit``)."""
    if cost_in_points <= 0:
        raise ValueError(f"cost_in_points = {cost_in_points}; must be at least 1")
    count = balance // cost_in_points
    return count if limit is None else min(count, limit)


def expiry_day(earned_day: int, mode: str, days: int = 365) -> float:
    """Day on which points earned on ``earned_day`` expire (``inf`` if never).

    ``after_days``: ``days`` days after earning; ``end_of_year``: the first day of the next
    calendar year of the run (years of 365 days from day 0); ``never``.
    """
    if mode == "after_days":
        return float(earned_day + days)
    if mode == "end_of_year":
        return float((earned_day // DAYS_PER_YEAR + 1) * DAYS_PER_YEAR)
    if mode == "never":
        return math.inf
    raise ValueError(f"expiry mode '{mode}'; allowed: {', '.join(EXPIRY_MODES)}")


def effective_discount(points_per_unit: float, cost_in_points: int, face_value: float) -> float:
    """Share of spend given back when every point is redeemed: the program's headline rate.

    Boloco (DOMAIN P2): 1 point per dollar, a free item worth about $8 for 50 points: 16%.
    """
    return points_per_unit * face_value / cost_in_points
