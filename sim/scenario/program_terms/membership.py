"""Terms of a paid membership: fee, benefits, renewal (DOMAIN P6)."""

from __future__ import annotations

from sim.scenario.fields import ASSUMPTION, Section, param


class Membership(Section):
    """Paid membership (DOMAIN P6): a fee for a period, with benefits; joining is a decision."""

    fee: float = param(
        99.0,
        unit="currency per period",
        source="DOMAIN P6: Amazon Prime about $99-100 a year",
        description="Fee per membership period, paid in advance.",
        ge=0,
    )
    period_days: int = param(
        365, unit="days", source="DOMAIN P6 (yearly fee)", description="Period.", ge=1
    )
    discount: float = param(
        0.0,
        unit="share of list price",
        source="planner input",
        description="Members' discount at checkout.",
        ge=0,
        lt=1,
    )
    shipping_value_per_order: float = param(
        0.0,
        unit="currency per order",
        source="DOMAIN P6 (free express shipping); " + ASSUMPTION,
        description="What free shipping saves the member per order.",
        ge=0,
    )
    shipping_cost_per_order: float = param(
        0.0,
        unit="currency per order",
        source=ASSUMPTION,
        description="What shipping a member's order costs the business.",
        ge=0,
    )
    decision_noise: float = param(
        0.5,
        unit="share of the fee",
        source="logit choice (McFadden 1974); scale " + ASSUMPTION,
        description=(
            "Spread of the join and renewal decisions: the probability is "
            "1 / (1 + exp(-(benefit - fee) / (decision_noise * fee)))."
        ),
        gt=0,
        le=100,
    )
    renewal_inertia: float = param(
        0.2,
        unit="share of the fee",
        source="status-quo bias (Samuelson & Zeckhauser 1988); " + ASSUMPTION,
        description="Bonus on the benefit side at renewal: staying is the default.",
        ge=0,
        le=100,
    )
