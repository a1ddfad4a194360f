"""Terms of a coalition of partner businesses (DOMAIN P9)."""

from __future__ import annotations

from sim.scenario.fields import ASSUMPTION, Section, param


class Coalition(Section):
    """Points earned and spent across partner firms (DOMAIN P9). Needs ``points``."""

    partner_points_per_member_per_month: float = param(
        20.0,
        unit="points per member per month",
        source=ASSUMPTION,
        description="Points a member earns at partners, credited at their next visit.",
        ge=0,
    )
    payment_per_point: float = param(
        0.12,
        unit="currency per point",
        source="partners buy points near their face value; " + ASSUMPTION,
        description=(
            "What a partner pays for each point it issues; deferred as points liability until "
            "the points are redeemed or expire (IFRS 15)."
        ),
        ge=0,
    )
    partner_reach_per_year: float = param(
        0.1,
        unit="share of the anonymous market per year",
        source="DOMAIN P9 (a coalition widens reach); " + ASSUMPTION,
        description="Extra reach into the market through partners' customers.",
        ge=0,
        le=50,
    )
    partner_cost_per_reach: float = param(
        0.1,
        unit="currency per person reached",
        source=ASSUMPTION,
        description="Cost of each person reached through partners.",
        ge=0,
    )
