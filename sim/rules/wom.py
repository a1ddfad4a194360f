"""Word of mouth and the Net Promoter Score: the pure rules (DOMAIN W1-W9).

These functions hold the arithmetic of word of mouth, each testable without a SimPy
Environment:

* a customer's **likelihood to recommend** on the 0-10 scale of the NPS question, from their
  satisfaction, relationship and emotional attachment (DOMAIN W1, L3, L6);
* the NPS **category** of a score and the **NPS** of a population (W1);
* how **emotional attachment** grows and fades with experiences (L6, L9);
* how a prospect **weighs what they heard**: one negative recommendation outweighs five positive
  ones (W5) and about six net positive recommendations make a choice (W2), each one with the
  same chance, so that six positive recommendations win one customer (W6) however sparse the
  market.
"""

from __future__ import annotations

import math

PROMOTER, PASSIVE, DETRACTOR = 0, 1, 2
"""NPS categories (DOMAIN W1)."""

PROMOTER_MIN_SCORE = 9
"""Scores 9-10 are promoters (DOMAIN W1)."""
PASSIVE_MIN_SCORE = 7
"""Scores 7-8 are passives, 0-6 detractors (DOMAIN W1)."""

VOICES: tuple[str, ...] = ("promoter", "raving_fan", "passive", "detractor")
"""What a surveyed customer's answer makes them say: a raving fan is a promoter on the top rung,
who recommends more often (DOMAIN L1); passives say nothing."""
VOICE_PROMOTER, VOICE_FAN, VOICE_PASSIVE, VOICE_DETRACTOR = range(len(VOICES))
TALKS: tuple[bool, ...] = (True, True, False, True)
"""Whether each voice sends messages."""


def likelihood_to_recommend(
    satisfaction: float,
    relationship: float,
    attachment: float,
    relationship_forgiveness: float,
    attachment_forgiveness: float,
) -> int:
    """The answer to "how likely are you to recommend us?", an integer 0-10 (DOMAIN W1).

    ``round(10 * (1 - (1 - S) * (1 - f_R * R) * (1 - f_A * A)))``, half rounded up. The
    shortfall from a perfect 10 is the customer's dissatisfaction ``1 - S`` (satisfaction drives
    recommendation, DOMAIN L3, L8); a close relationship ``R`` and emotional attachment ``A``
    each forgive part of it (loyal customers forgive a single slip and recommend, L6, L9). With
    no relationship or attachment the score is ten times satisfaction, so the L8 bands line up
    with the W1 categories: "very satisfied" (0.8 and above) reaches 8-10, "neutral" and below
    is a detractor.

    Parameters
    ----------
    satisfaction, relationship, attachment
        Current levels on 0..1.
    relationship_forgiveness, attachment_forgiveness
        Shares ``f_R``, ``f_A`` on 0..1 of the shortfall that a full relationship, or full
        attachment, forgives.

    Returns
    -------
    int
        The score on 0..10.
    """
    shortfall = (
        (1.0 - satisfaction)
        * (1.0 - relationship_forgiveness * relationship)
        * (1.0 - attachment_forgiveness * attachment)
    )
    score = math.floor(10.0 * (1.0 - shortfall) + 0.5)
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


def is_convinced(net: float, positives_to_choose: float, u: float) -> bool:
    """Whether a positive recommendation that raises a prospect's net to a new high makes them
    choose the business (DOMAIN W2, W6).

    People differ in how much they need to hear: each prospect's threshold is a whole number of
    net positive messages, drawn from a geometric distribution with mean
    ``positives_to_choose`` (W2: about six). The draw need not be made in advance: since the
    geometric distribution is memoryless, a message that lifts the prospect's ``net``
    (:func:`net_heard`, this message included) above the highest it has been, and to 1 or
    more, reaches their threshold with probability ``1 / positives_to_choose`` (``u`` is a
    uniform draw); the caller asks only then. So six positive messages win one customer (W6)
    whether they reach one person or six: in a market where a person hears one or two
    messages in years, a fixed threshold of six would never be reached. A negative message
    cancels ``negative_weight`` positive ones (W5): the net has to climb back past its old
    high before the next chance, which costs 5/6 of a customer (W6). At
    ``positives_to_choose`` 1 every such message convinces.
    """
    return net >= 1.0 and u * positives_to_choose < 1.0


def voice(score: int, is_raving_fan: bool) -> int:
    """The :data:`VOICES` index of a customer with likelihood to recommend ``score``."""
    category = nps_category(score)
    if category == PROMOTER:
        return VOICE_FAN if is_raving_fan else VOICE_PROMOTER
    return VOICE_PASSIVE if category == PASSIVE else VOICE_DETRACTOR


def chance_a_fan_is_a_contact(fans: int, population: int, contacts: int) -> float:
    """Probability that someone in a well-mixed market knows at least one raving fan.

    Each of the person's ``contacts`` acquaintances is a raving fan with probability
    ``fans / population``: ``1 - (1 - fans / population) ** contacts``.
    """
    if fans <= 0 or population <= 0:
        return 0.0
    share = min(1.0, fans / population)
    return 1.0 - (1.0 - share) ** contacts
