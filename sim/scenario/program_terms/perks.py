"""Terms of intangible rewards: services, VIP treatment, gifts (DOMAIN P8)."""

from __future__ import annotations

from typing import Literal

from sim.scenario.fields import ASSUMPTION, Section, param


class Perk(Section):
    """An intangible or service reward (DOMAIN P8): a cost per use and an effect on feelings."""

    name: str = param("perk", unit="text", source="planner input", description="Perk.")
    trigger: Literal["order", "yearly", "service_failure"] = param(
        "order",
        unit="choice",
        source="DOMAIN P8 (VIP service per order, birthday gifts yearly, free repairs)",
        description=(
            "When the perk is given: with an order; once a membership year (at the first visit "
            "after the anniversary); or when a service failure happens (a free repair, which "
            "always recovers the failure)."
        ),
    )
    probability: float = param(
        1.0,
        unit="probability per trigger",
        source=ASSUMPTION,
        description="Chance that the perk is given when its trigger occurs.",
        ge=0,
        le=1,
    )
    cost_per_use: float = param(
        0.0, unit="currency", source=ASSUMPTION, description="Cost of one use.", ge=0
    )
    satisfaction_boost: float = param(
        0.0,
        unit="0..1 scale",
        source="DOMAIN P8, L7; " + ASSUMPTION,
        description="Rise in satisfaction each time the perk is given.",
        ge=0,
        le=1,
    )
    attachment_boost: float = param(
        0.0,
        unit="0..1 scale",
        source="DOMAIN P8, L6 (intangible rewards build emotional attachment); " + ASSUMPTION,
        description="Rise in emotional attachment each time the perk is given.",
        ge=0,
        le=1,
    )
