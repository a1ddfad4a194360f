"""The scenario's word-of-mouth and NPS section (DOMAIN W1-W9)."""

from __future__ import annotations

from typing import Literal

from sim.scenario.fields import ASSUMPTION, Section, param


class WordOfMouth(Section):
    """Word of mouth and the Net Promoter Score (DOMAIN W1-W9, L1, L6, L9).

    Every customer who has bought answers the NPS question on 0..10 from their satisfaction,
    relationship and emotional attachment (``sim.rules.wom.likelihood_to_recommend``). Promoters
    send positive recommendations, detractors negative ones; prospects and lost customers who hear
    enough net positives choose the business (W2, W5); a negative message lowers a customer's
    satisfaction. See docs/model.md, "Word of mouth and NPS".
    """

    enabled: bool = param(
        True,
        unit="switch",
        source="DOMAIN W1-W9",
        description="Whether customers talk about the business at all.",
    )
    survey_window_days: int = param(
        90,
        unit="days",
        source="DOMAIN M2 (NPS over time); a quarterly relationship survey, " + ASSUMPTION,
        description=(
            "Recency window of the NPS survey: customers who bought within it are surveyed, "
            "and only they send messages (word of mouth follows recent experience)."
        ),
        ge=1,
    )
    relationship_forgiveness: float = param(
        0.4,
        unit="share 0..1",
        source="DOMAIN L3, L9; " + ASSUMPTION,
        description=(
            "Share of the shortfall from a perfect score (1 - satisfaction) that a full "
            "relationship forgives in the likelihood to recommend."
        ),
        ge=0,
        le=1,
    )
    attachment_forgiveness: float = param(
        0.6,
        unit="share 0..1",
        source="DOMAIN L6, L9; " + ASSUMPTION,
        description=(
            "Share of the shortfall from a perfect score that full emotional attachment "
            "forgives in the likelihood to recommend."
        ),
        ge=0,
        le=1,
    )
    attachment_rate: float = param(
        0.05,
        unit="share per purchase",
        source="DOMAIN L6 (emotional loyalty builds slowly, outlasts a slip); " + ASSUMPTION,
        description=(
            "Share of the way emotional attachment moves, at each purchase, towards "
            "satisfaction x relationship."
        ),
        ge=0,
        le=1,
    )
    promoter_messages_per_year: float = param(
        3.5,
        unit="messages/year per promoter",
        source="DOMAIN W3 (3-4 positive recommendations); W7 alternative: 5",
        description="Positive recommendations a promoter sends per year.",
        ge=0,
        le=365,
    )
    detractor_messages_per_year: float = param(
        5.0,
        unit="messages/year per detractor",
        source="DOMAIN W4 (4-6 negative recommendations); W7 alternative: 10",
        description="Negative recommendations a detractor sends per year.",
        ge=0,
        le=365,
    )
    fan_message_multiplier: float = param(
        2.0,
        unit="multiplier",
        source="DOMAIN L1 (a raving fan recommends unprompted, everywhere); " + ASSUMPTION,
        description="How many times more often a raving fan recommends than a promoter.",
        ge=0,
        le=100,
    )
    negative_weight: float = param(
        5.0,
        unit="positives per negative",
        source="DOMAIN W5: one negative recommendation outweighs five positive ones",
        description="Positive recommendations one negative one cancels in a prospect's mind.",
        ge=0,
        le=100,
    )
    positives_to_choose: float = param(
        6.0,
        unit="net positive messages",
        source="DOMAIN W2: a prospect needs about 5-6 positive recommendations",
        description="Net positive recommendations that make a prospect choose the business.",
        ge=1,
        le=1000,
    )
    negative_satisfaction_drop: float = param(
        0.05,
        unit="0..1 scale",
        source="DOMAIN W4, L7; " + ASSUMPTION,
        description="How much a negative recommendation lowers a current customer's satisfaction.",
        ge=0,
        le=1,
    )
    fan_defence_probability: float = param(
        0.5,
        unit="probability",
        source="DOMAIN L1, L9 (a raving fan defends the brand when it is attacked); " + ASSUMPTION,
        description=(
            "Probability that a raving fan who knows the recipient of a negative message "
            "counters it, so that it is not heard."
        ),
        ge=0,
        le=1,
    )
    contacts_per_person: int = param(
        10,
        unit="people",
        source="a close circle of about ten (Dunbar's sympathy group of 12-15); " + ASSUMPTION,
        description=(
            "Acquaintances per person: the mean degree of a social network, and in a "
            "well-mixed market the circle in which a raving fan may know a message's recipient."
        ),
        ge=2,
        le=1000,
    )
    network: Literal["well_mixed", "small_world", "scale_free"] = param(
        "well_mixed",
        unit="choice",
        source="well-mixed as in Bass (1969); Watts & Strogatz (1998); Barabasi & Albert (1999)",
        description=(
            "Who talks to whom: anyone in the target market at random, or neighbours on a "
            "seeded small-world or scale-free network of the whole market."
        ),
    )
    rewiring_probability: float = param(
        0.1,
        unit="probability",
        source="Watts & Strogatz (1998): small-world between 0.01 and 0.1",
        description="Small-world network: probability that a lattice edge is rewired.",
        ge=0,
        le=1,
    )
    outside_promoters: int = param(
        0,
        unit="people",
        source="planner input (reviewers, influencers; the W6 experiment adds them)",
        description=(
            "People outside the customer base who recommend the business at the promoter "
            "rate for the whole run."
        ),
        ge=0,
        le=10_000_000,
    )
    outside_detractors: int = param(
        0,
        unit="people",
        source="planner input (critics; the W6 experiment adds them)",
        description=(
            "People outside the customer base who speak against the business at the "
            "detractor rate for the whole run."
        ),
        ge=0,
        le=10_000_000,
    )
