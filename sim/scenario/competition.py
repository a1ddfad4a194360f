"""Scenario sections of what takes customers away and brings them back: life events, competitor
campaigns and win-back offers (DOMAIN L4)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from sim.scenario.fields import ASSUMPTION, CALIBRATED_L4, PRICE_LIMIT, Section, param


class LifeEvents(Section):
    """Reasons to leave that the business cannot influence (DOMAIN L4)."""

    needs_changed_per_year: float = param(
        0.034,
        unit="1/year",
        source="DOMAIN L4: 5% of losses; " + CALIBRATED_L4,
        description="Hazard that the customer's needs or business change.",
        ge=0,
        le=100,
    )
    moved_away_per_year: float = param(
        0.021,
        unit="1/year",
        source="DOMAIN L4: 3% of losses; " + CALIBRATED_L4,
        description="Hazard that the customer moves to another region.",
        ge=0,
        le=100,
    )
    went_bankrupt_per_year: float = param(
        0.008,
        unit="1/year",
        source="DOMAIN L4: 1% of losses; " + CALIBRATED_L4,
        description="Hazard that the customer goes bankrupt.",
        ge=0,
        le=100,
    )


class Competition(Section):
    """Competitor offers, as market-level events that reach some of our customers (DOMAIN E4)."""

    offers_per_year: float = param(
        2.0,
        unit="1/year",
        source="DOMAIN L4 (9% of losses to better competitor offers); " + ASSUMPTION,
        description="Rate of random competitor campaigns (Poisson).",
        ge=0,
        le=365,
    )
    scheduled_offer_days: tuple[Annotated[int, Field(ge=0)], ...] = param(
        (),
        unit="days",
        source="planner input",
        description="Days on which a competitor campaign certainly starts (0 or later).",
    )
    reach_share: float = param(
        0.3,
        unit="share of our customers",
        source=ASSUMPTION,
        description="Share of our customers that one campaign reaches.",
        ge=0,
        le=1,
    )
    acceptance_probability: float = param(
        0.45,
        unit="probability",
        source="DOMAIN L4: 9% of losses to competitor offers; " + CALIBRATED_L4,
        description=(
            "Probability that a reached, average customer (satisfaction 0.5, share of wallet "
            "below 50%, acceptance multiplier 1) takes the offer and leaves."
        ),
        ge=0,
        le=1,
    )
    committed_share_of_wallet: float = param(
        0.7,
        unit="share",
        source="DOMAIN E4: committed while our share of wallet is 70-80%",
        description="Share of wallet at and above which a customer is committed.",
        ge=0,
        le=1,
    )
    fickle_share_of_wallet: float = param(
        0.5,
        unit="share",
        source="DOMAIN E4: below 50% customers easily accept a competitor's offer",
        description="Share of wallet below which a customer is fully exposed to offers.",
        ge=0,
        le=1,
    )
    committed_acceptance_factor: float = param(
        0.2,
        unit="multiplier",
        source="DOMAIN E4, L9 (loyal customers do not react to competitor promotions)",
        description="Acceptance multiplier for a committed share of wallet.",
        ge=0,
        le=1,
    )

    @model_validator(mode="after")
    def _wallet_order(self) -> Competition:
        if self.fickle_share_of_wallet > self.committed_share_of_wallet:
            raise ValueError(
                "fickle_share_of_wallet must not exceed committed_share_of_wallet "
                f"({self.fickle_share_of_wallet} > {self.committed_share_of_wallet})"
            )
        return self


class WinBack(Section):
    """Lost customers can be won back (DOMAIN L1: people move down and back up)."""

    rate_per_year: float = param(
        0.2,
        unit="1/year",
        source=ASSUMPTION,
        description=(
            "Hazard of winning back a customer lost to low interaction, a competitor offer or "
            "an unknown cause (moved, bankrupt or changed-needs customers do not return)."
        ),
        ge=0,
        le=365,
    )
    cost_per_win_back: float = param(
        0.0,
        unit="currency per customer",
        source=ASSUMPTION,
        description="Marketing cost of each customer won back.",
        ge=0,
        le=PRICE_LIMIT,
    )
