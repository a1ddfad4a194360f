"""Terms of instant wins, contests and draws (DOMAIN P7)."""

from __future__ import annotations

from sim.scenario.fields import ASSUMPTION, Section, param


class Contest(Section):
    """A prize draw among members on a date (DOMAIN P7)."""

    day: int = param(..., unit="day", source="planner input", description="Day of the draw.", ge=0)
    winners: int = param(1, unit="members", source="planner input", description="Winners.", ge=1)
    prize_cost: float = param(
        100.0, unit="currency", source=ASSUMPTION, description="Cost of one prize.", ge=0
    )
    satisfaction_boost: float = param(
        0.05,
        unit="0..1 scale",
        source="DOMAIN P7, L5 (surprise); " + ASSUMPTION,
        description="Rise in a winner's satisfaction.",
        ge=0,
        le=1,
    )


class Lottery(Section):
    """Instant-win game after an order and contests on dates (DOMAIN P7)."""

    win_probability: float = param(
        0.25,
        unit="probability per order",
        source="DOMAIN P7: GrubHub, 25% chance of a free dessert or drink",
        description="Chance that an order wins the instant prize.",
        ge=0,
        le=1,
    )
    prize_value: float = param(
        5.0,
        unit="currency",
        source="DOMAIN P7 (a dessert or drink); " + ASSUMPTION,
        description="What the instant prize is worth to the customer.",
        ge=0,
    )
    prize_cost: float = param(
        1.5,
        unit="currency",
        source="cost of goods of the prize at 30%; " + ASSUMPTION,
        description="What one instant prize costs the business.",
        ge=0,
    )
    win_satisfaction_boost: float = param(
        0.01,
        unit="0..1 scale",
        source="DOMAIN P7, L5 (an unexpected reward delights); " + ASSUMPTION,
        description="Rise in satisfaction at a win.",
        ge=0,
        le=1,
    )
    contests: tuple[Contest, ...] = param(
        (), unit="list", source="DOMAIN P7 (contests, draws)", description="Prize draws."
    )
