"""Terms of a points program: the earn rule, the redemption catalogue, expiry (DOMAIN P2)."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from sim.scenario.fields import ASSUMPTION, Section, param


class Reward(Section):
    """One entry of a points program's redemption catalogue (DOMAIN P2)."""

    name: str = param("free item", unit="text", source="planner input", description="Reward.")
    points_cost: int = param(
        50,
        unit="points",
        source="DOMAIN P2: Boloco, one free item per $50 spent at 1 point per dollar",
        description="Points the reward costs the customer.",
        ge=1,
    )
    face_value: float = param(
        8.0,
        unit="currency",
        source="DOMAIN P2 (Boloco's free item, a burrito of about $8); " + ASSUMPTION,
        description="What the reward is worth to the customer, at list price.",
        gt=0,
    )
    cost_to_business: float = param(
        2.4,
        unit="currency",
        source="the free item's cost of goods at 30% of list; " + ASSUMPTION,
        description="What giving the reward costs the business (booked as reward cost).",
        ge=0,
    )


class Points(Section):
    """Cumulative points (DOMAIN P2): earn rule, redemption catalogue, expiry, liability."""

    points_per_currency: float = param(
        1.0,
        unit="points per currency unit",
        source="DOMAIN P2: Boloco, 1 point per dollar",
        description="Points earned per currency unit paid (before tier multipliers).",
        ge=0,
        le=10_000,
    )
    minimum_order: float = param(
        0.0,
        unit="currency",
        source=ASSUMPTION,
        description="Smallest payment that earns points.",
        ge=0,
    )
    bonus_points: int = param(
        0,
        unit="points per order",
        source=ASSUMPTION,
        description="Extra points for an order that includes a bonus product.",
        ge=0,
    )
    bonus_order_share: float = param(
        0.0,
        unit="share of orders",
        source=ASSUMPTION,
        description="Share of orders that include a bonus product.",
        ge=0,
        le=1,
    )
    cap_points_per_period: int | None = param(
        None,
        unit="points per period",
        source=ASSUMPTION,
        description="Most points one member can earn in a cap period (none: no cap).",
        ge=1,
    )
    cap_period_days: int = param(
        30, unit="days", source=ASSUMPTION, description="Length of a cap period.", ge=1
    )
    rewards: tuple[Reward, ...] = param(
        (Reward(),),
        unit="catalogue",
        source="DOMAIN P2 (keep it simple: one reward is the classic stamp card)",
        description=(
            "Redemption catalogue. A member redeems the most valuable reward their balance affords."
        ),
        min_length=1,
    )
    redemption_propensity: float = param(
        1.0,
        unit="probability per purchase",
        source="DOMAIN P2 (high-frequency stamp cards are redeemed as soon as full); " + ASSUMPTION,
        description="Chance that a member who can afford a reward redeems it at a purchase.",
        gt=0,
        le=1,
    )
    expiry: Literal["after_days", "end_of_year", "never"] = param(
        "after_days",
        unit="choice",
        source="common loyalty-engine expiry modes (DOMAIN P2)",
        description="When points expire: a number of days after earning, at year end, or never.",
    )
    expiry_days: int = param(
        365,
        unit="days",
        source=ASSUMPTION,
        description="Days after earning at which points expire (expiry = after_days).",
        ge=1,
    )
    expected_redemption_rate: float = param(
        0.8,
        unit="share of points issued",
        source="IFRS 15 B39-B43 (the estimate behind the deferral); " + ASSUMPTION,
        description=(
            "Initial estimate of the share of points that will ever be redeemed; points' "
            "stand-alone selling price and breakage follow from it."
        ),
        ge=0,
        le=1,
    )
    re_estimate_every_days: int = param(
        90,
        unit="days",
        source="IFRS 15 (estimates updated each reporting period); quarterly, " + ASSUMPTION,
        description=(
            "How often the expected redemption rate is re-estimated from the points settled so "
            "far (redeemed / (redeemed + expired)); unused when stated_redemption_rates are given."
        ),
        ge=1,
    )
    stated_redemption_rates: dict[int, float] = param(
        {},
        unit="days since launch -> share of points issued",
        source="IFRS 15 B39-B43 and IAS 8 (a change of accounting estimate, applied from then on)",
        description=(
            "An accounting policy's own estimates of the share of points that will be redeemed, "
            "from the day each is stated (e.g. {365: 0.9}: 90% from the second year). When "
            "given, these replace the re-estimation from the points settled so far."
        ),
    )
    after_end: Literal["honoured", "forfeited"] = param(
        "honoured",
        unit="choice",
        source="DOMAIN E7 (firms that refused to honour their obligations lost heavily)",
        description=(
            "When the program ends: balances stay redeemable for honour_days, or are forfeited "
            "at once (a broken promise that costs satisfaction)."
        ),
    )
    honour_days: int = param(
        180,
        unit="days",
        source=ASSUMPTION,
        description="Days after the end during which points can still be redeemed.",
        ge=0,
    )

    def value_per_point(self) -> float:
        """Face value of one point in the first reward of the catalogue (currency)."""
        reward = self.rewards[0]
        return reward.face_value / reward.points_cost

    @field_validator("stated_redemption_rates")
    @classmethod
    def _stated_rates(cls, rates: dict[int, float]) -> dict[int, float]:
        for day, rate in rates.items():
            if day < 1:
                raise ValueError(
                    f"stated_redemption_rates: day {day}; allowed: 1 or later (days since the "
                    "launch; the estimate at launch is expected_redemption_rate)"
                )
            if not 0 <= rate <= 1:
                raise ValueError(f"stated_redemption_rates.{day} = {rate}; allowed range 0..1")
        return dict(sorted(rates.items()))
