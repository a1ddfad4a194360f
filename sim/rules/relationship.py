"""Relationship: two-way contact between business and customer (DOMAIN L3, L4).

Between interactions the relationship R on 0..1 follows dR/dt = g*tau*(1-R) - delta*R, where tau
is the touch rate, g the gain per touch and delta the decay rate (ln 2 / half-life). It has the
closed form used here, so the engine evaluates it only at the customer's own events.
"""

from __future__ import annotations

import math

DAYS_PER_MONTH = 365.0 / 12.0


def decay_rate(half_life_days: float) -> float:
    """Exponential decay rate per day for a half-life in days."""
    return math.log(2.0) / half_life_days


def relationship_after(
    relationship: float, days: float, touch_rate: float, gain_per_touch: float, decay: float
) -> float:
    """Relationship ``days`` after a known value, under touches and decay.

    Parameters
    ----------
    relationship
        Value at the start, 0..1.
    days
        Elapsed time.
    touch_rate
        Communication touches per day.
    gain_per_touch
        Share of the gap to 1 closed by one touch.
    decay
        Decay rate per day.
    """
    inflow = gain_per_touch * touch_rate
    speed = inflow + decay
    if speed <= 0.0:
        return relationship
    steady = inflow / speed
    return steady + (relationship - steady) * math.exp(-speed * days)


def closed_form(touch_rate: float, gain_per_touch: float, decay: float) -> tuple[float, float]:
    """The constants of :func:`relationship_after` for given rates: ``(steady, -speed)``.

    ``steady + (relationship - steady) * math.exp(-speed * days)`` then equals
    ``relationship_after(relationship, days, touch_rate, gain_per_touch, decay)`` bit for bit:
    the engine works the constants out once per run and evaluates only this at each event.
    Without touches or decay (speed 0) the relationship stays as it is: ``(0.0, 0.0)``.
    """
    inflow = gain_per_touch * touch_rate
    speed = inflow + decay
    if speed <= 0.0:
        return 0.0, 0.0
    return inflow / speed, -speed


def after_interaction(relationship: float, gain: float) -> float:
    """Relationship after one interaction that closes ``gain`` of the gap to 1."""
    return relationship + gain * (1.0 - relationship)
