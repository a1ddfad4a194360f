"""Experiences, satisfaction and expectations (DOMAIN L3, L5, L7, L8).

Each purchase is an experience of some quality on a 0..1 scale. Quality against expectation
(expectation-disconfirmation, Oliver 1980) and quality itself give an experience score on 0..1
through a logistic;
satisfaction is an exponentially weighted average of those scores. Expectations ratchet: they
rise quickly after a pleasant surprise and fall slowly after a disappointment (L5).
"""

from __future__ import annotations

import math

SATISFACTION_LEVELS: tuple[str, ...] = (
    "very_dissatisfied",
    "dissatisfied",
    "neutral",
    "satisfied",
    "very_satisfied",
)
"""The five satisfaction levels of DOMAIN L8, lowest first."""


def satisfaction_level(satisfaction: float) -> int:
    """Index into :data:`SATISFACTION_LEVELS` of a satisfaction on 0..1 (five equal bands, L8)."""
    level = int(satisfaction * 5.0)
    return 4 if level > 4 else (0 if level < 0 else level)


def experience_score(
    quality: float, expectation: float, slope: float, performance_weight: float
) -> float:
    """Experience score on 0..1 from disconfirmation and performance.

    ``logistic(slope * ((quality - expectation) + performance_weight * (quality - 0.5)))``:
    satisfaction depends on how quality compares with what was expected (Oliver 1980) and on
    the quality itself (Churchill & Surprenant 1982); 0.5 is a middling experience.
    """
    x = slope * ((quality - expectation) + performance_weight * (quality - 0.5))
    if x < -60.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


def updated_satisfaction(satisfaction: float, score: float, learning_rate: float) -> float:
    """Satisfaction after one experience: move ``learning_rate`` of the way to its score."""
    return satisfaction + learning_rate * (score - satisfaction)


def updated_expectation(
    expectation: float, quality: float, up_rate: float, down_rate: float
) -> float:
    """Expectation after one experience: ratchets up fast, drifts down slowly (DOMAIN L5)."""
    gap = quality - expectation
    return expectation + (up_rate if gap > 0.0 else down_rate) * gap


def experienced_quality(
    quality: float,
    expectation: float,
    failed: bool,
    recovered: bool,
    severity: float,
    recovery_bonus: float,
) -> float:
    """The quality a customer actually experiences, after any service failure (DOMAIN L7).

    An unrecovered failure loses ``severity``; a well-recovered one is experienced as
    ``recovery_bonus`` above what the customer expected (the service recovery paradox). The
    result is clipped to the 0..1 scale.
    """
    if failed:
        quality = max(quality, expectation + recovery_bonus) if recovered else quality - severity
    return 0.0 if quality < 0.0 else (1.0 if quality > 1.0 else quality)
