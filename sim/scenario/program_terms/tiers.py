"""Terms of a tiered program: thresholds, qualifying windows, benefits (DOMAIN P3)."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from sim.scenario.fields import ASSUMPTION, MONEY_LIMIT, Section, param
from sim.scenario.program_terms.perks import Perk


class Tier(Section):
    """One status level of a tiered program (DOMAIN P3)."""

    name: str = param(..., unit="text", source="planner input", description="Tier name.")
    threshold: float = param(
        ...,
        unit="qualifying metric",
        source="planner input (DOMAIN P3: Virgin Flying Club Red/Silver/Gold)",
        description="Qualifying metric within the window needed to hold the tier.",
        ge=0,
        le=MONEY_LIMIT,
    )
    earn_multiplier: float = param(
        1.0,
        unit="multiplier",
        source="DOMAIN P3: Silver +50% points (1.5), Gold 2x (2.0)",
        description="Multiplier on points earned.",
        ge=0,
    )
    discount: float = param(
        0.0,
        unit="share of list price",
        source="planner input",
        description="Discount at checkout for the tier.",
        ge=0,
        lt=1,
    )
    perks: tuple[Perk, ...] = param(
        (),
        unit="list",
        source="DOMAIN P3 (priority, lounge access)",
        description="Perks of the tier, each with a cost per use.",
    )


class Tiers(Section):
    """Tiered status (DOMAIN P3): a qualifying metric over a window, thresholds, benefits."""

    metric: Literal["spend", "points", "transactions"] = param(
        "spend",
        unit="choice",
        source="common loyalty-engine qualifying metrics (DOMAIN P3)",
        description=(
            "What qualifies: currency paid, points earned (tier-qualifying, never lowered by "
            "redemptions), or the number of purchases."
        ),
    )
    window_days: int = param(
        365,
        unit="days",
        source="a membership year, the usual qualification period; " + ASSUMPTION,
        description="Qualification window, counted from the day the member joined.",
        ge=1,
    )
    downgrade: Literal["one_level", "recompute"] = param(
        "one_level",
        unit="choice",
        source="common loyalty-engine downgrade policies",
        description=(
            "At each review: fall at most one level (one_level), or take the level the window "
            "qualifies for (recompute)."
        ),
    )
    levels: tuple[Tier, ...] = param(
        ...,
        unit="list",
        source="planner input",
        description="Tiers from the base (threshold 0) upwards, thresholds increasing.",
        min_length=1,
    )

    @model_validator(mode="after")
    def _ordered(self) -> Tiers:
        if self.levels[0].threshold != 0:
            raise ValueError(
                f"levels[0].threshold = {self.levels[0].threshold}; the base tier must have "
                "threshold 0"
            )
        for i in range(1, len(self.levels)):
            if self.levels[i].threshold <= self.levels[i - 1].threshold:
                raise ValueError(
                    f"levels[{i}].threshold = {self.levels[i].threshold} must be above "
                    f"levels[{i - 1}].threshold = {self.levels[i - 1].threshold}"
                )
        return self
