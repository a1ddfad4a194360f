"""The scenario's business section: its costs, cash and credit line (DOMAIN E7)."""

from __future__ import annotations

from sim.rules.relationship import DAYS_PER_MONTH
from sim.scenario.fields import ASSUMPTION, PRICE_LIMIT, Section, param


class Business(Section):
    """Money and contact policy of the business (DOMAIN E7, L3, L4)."""

    starting_cash: float = param(
        20_000.0,
        unit="currency",
        source=ASSUMPTION,
        description="Cash at day 0.",
    )
    credit_line: float = param(
        10_000.0,
        unit="currency",
        source=ASSUMPTION,
        description=(
            "How far below zero cash may fall. Below -credit_line the business is bankrupt "
            "and stops trading (DOMAIN E7)."
        ),
        ge=0,
    )
    fixed_costs_per_month: float = param(
        6_000.0,
        unit="currency/month",
        source=ASSUMPTION,
        description="Rent, wages and other operating costs, booked daily.",
        ge=0,
    )
    touches_per_month: float = param(
        2.0,
        unit="touches per customer per month",
        source="DOMAIN L3, L4 (communication keeps relationship alive)",
        description="Communication touches sent to every active customer.",
        ge=0,
        le=300,
    )
    cost_per_touch: float = param(
        0.05,
        unit="currency",
        source=ASSUMPTION,
        description="Cost of one communication touch.",
        ge=0,
        le=PRICE_LIMIT,
    )
    discount_rate_per_year: float = param(
        0.10,
        unit="1/year",
        source="common CLV practice (Gupta & Lehmann 2003 use 12%); " + ASSUMPTION,
        description="Annual discount rate for the discounted value of customers.",
        ge=0,
        le=10,
    )

    @property
    def touches_per_day(self) -> float:
        """Touches per day to each active buyer (``touches_per_month`` over an average month)."""
        return self.touches_per_month / DAYS_PER_MONTH
