"""Terms of fixed and progressive discount cards (DOMAIN P4, P5)."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from sim.scenario.fields import ASSUMPTION, Section, param


class DiscountLevel(Section):
    """One level of a discount card (DOMAIN P4, P5)."""

    name: str = param("card", unit="text", source="planner input", description="Card level.")
    min_spend: float = param(
        0.0,
        unit="currency",
        source="planner input",
        description="Spend with the business needed for this level (see basis).",
        ge=0,
    )
    percent: float = param(
        5.0,
        unit="percent of list price",
        source="DOMAIN P4; " + ASSUMPTION,
        description="Discount at checkout.",
        ge=0,
        lt=100,
    )


class Discount(Section):
    """Discount cards: fixed levels (DOMAIN P4) or a progressive scale (P5)."""

    basis: Literal["at_join", "cumulative_spend"] = param(
        "at_join",
        unit="choice",
        source="DOMAIN P4 (a personalised card per category), P5 (grows with cumulative spend)",
        description=(
            "at_join: the level is fixed when the card is issued, from the spend so far (P4); "
            "cumulative_spend: the level rises as total spend grows (P5)."
        ),
    )
    levels: tuple[DiscountLevel, ...] = param(
        (DiscountLevel(),),
        unit="list",
        source="DOMAIN P4",
        description="Levels, lowest spend first (the first at min_spend 0).",
        min_length=1,
    )

    @model_validator(mode="after")
    def _ordered(self) -> Discount:
        if self.levels[0].min_spend != 0:
            raise ValueError("levels[0].min_spend must be 0: every card holder has a level")
        for i in range(1, len(self.levels)):
            if self.levels[i].min_spend <= self.levels[i - 1].min_spend:
                raise ValueError(f"levels[{i}].min_spend must be above levels[{i - 1}].min_spend")
        return self
