"""Word of mouth and the Net Promoter Score: the pure rules (DOMAIN W1-W9).

These functions hold the arithmetic of word of mouth, each testable without a SimPy
Environment:

* a customer's **likelihood to recommend** on the 0-10 scale of the NPS question, from their
  satisfaction, relationship and emotional attachment (DOMAIN W1, L3, L6);
* the NPS **category** of a score and the **NPS** of a population (W1);
* how **emotional attachment** grows and fades with experiences (L6, L9);
* how a prospect **weighs what they heard**: one negative recommendation outweighs five positive
  ones (W5) and about six net positive recommendations make a choice (W2).
"""

from __future__ import annotations

import math

PROMOTER, PASSIVE, DETRACTOR = 0, 1, 2
"""NPS categories (DOMAIN W1)."""

PROMOTER_MIN_SCORE = 9
"""Scores 9-10 are promoters (DOMAIN W1)."""
PASSIVE_MIN_SCORE = 7
"""Scores 7-8 are passives, 0-6 detractors (DOMAIN W1)."""


def likelihood_to_recommend(
    satisfaction: float,
    relationship: float,
    attachment: float,
    satisfaction_weight: float,
    relationship_weight: float,
    attachment_weight: float,
) -> int:
    """The answer to "how likely are you to recommend us?", an integer 0-10 (DOMAIN W1).

    ``round(10 * (w_S S + w_R R + w_A A) / (w_S + w_R + w_A))``, half rounded up: a weighted
    mean of satisfaction (the product met or beat expectations), relationship (two-way contact)
    and emotional attachment (DOMAIN L3, L6), each on 0..1. Only a customer who is very satisfied
    *and* close *and* attached scores 9 or 10.

    Parameters
    ----------
    satisfaction, relationship, attachment
        Current levels on 0..1.
    satisfaction_weight, relationship_weight, attachment_weight
        Non-negative weights, not all zero.

    Returns
    -------
    int
        The score on 0..10.
    """
    total = satisfaction_weight + relationship_weight + attachment_weight
    index = (
        satisfaction_weight * satisfaction
        + relationship_weight * relationship
        + attachment_weight * attachment
    ) / total
    score = math.floor(10.0 * index + 0.5)
    return 10 if score > 10 else (0 if score < 0 else score)


def nps_category(score: int) -> int:
    """``PROMOTER`` for 9-10, ``PASSIVE`` for 7-8, ``DETRACTOR`` for 0-6 (DOMAIN W1)."""
    if score >= PROMOTER_MIN_SCORE:
        return PROMOTER
    return PASSIVE if score >= PASSIVE_MIN_SCORE else DETRACTOR


def net_promoter_score(promoters: int, passives: int, detractors: int) -> float:
    """% promoters - % detractors, on -100..100 (DOMAIN W1); NaN for an empty population."""
    surveyed = promoters + passives + detractors
    if surveyed == 0:
        return math.nan
    return 100.0 * (promoters - detractors) / surveyed


def attachment_after_experience(
    attachment: float, satisfaction: float, relationship: float, rate: float
) -> float:
    """Emotional attachment after one experience with the business (DOMAIN L6, L9).

    Attachment moves a share ``rate`` of the way towards ``satisfaction * relationship``: only a
    customer who is both satisfied and close grows attached, and because it moves slowly it
    outlasts a single bad experience (loyal customers forgive a single quality slip, L9) and
    builds up only with tenure.
    """
    target = satisfaction * relationship
    return attachment + rate * (target - attachment)


def net_heard(positives: int, negatives: int, negative_weight: float) -> float:
    """What a prospect has heard, net: positives minus ``negative_weight`` x negatives.

    DOMAIN W5: one negative recommendation outweighs five positive ones (weight 5).
    """
    return positives - negative_weight * negatives


def is_convinced(net: float, positives_to_choose: float) -> bool:
    """Whether what a prospect heard is enough to choose the business (DOMAIN W2: about 6)."""
    return net >= positives_to_choose
