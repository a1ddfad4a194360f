"""Terms of referral rewards and card lending (DOMAIN P12, W9)."""

from __future__ import annotations

from typing import Literal

from sim.scenario.fields import ASSUMPTION, Section, param


class Referral(Section):
    """Rewards for bringing friends, and card lending (DOMAIN P12, W9)."""

    referrer_reward_cost: float = param(
        5.0,
        unit="currency per referral",
        source=ASSUMPTION,
        description="Cost of the reward to the member who referred (0: none).",
        ge=0,
    )
    referred_reward_cost: float = param(
        5.0,
        unit="currency per referral",
        source=ASSUMPTION,
        description="Cost of the welcome reward to the person referred (0: none).",
        ge=0,
    )
    paid_on: Literal["first_purchase", "sign_up"] = param(
        "first_purchase",
        unit="choice",
        source="DOMAIN P12",
        description="Rewards are paid at the referred person's first purchase, or when they join.",
    )
    extra_messages_per_member_per_year: float = param(
        1.0,
        unit="messages per member per year",
        source="DOMAIN W3, P12 (a reward prompts members to recommend); " + ASSUMPTION,
        description=(
            "Extra positive recommendations from members who are promoters or passives "
            "(detractors do not refer, whatever the reward)."
        ),
        ge=0,
        le=365,
    )
    card_lending_per_member_per_year: float = param(
        0.0,
        unit="lendings per member per year",
        source="DOMAIN W9 (a card lent to friends brings in extra customers); " + ASSUMPTION,
        description="How often a member lends the card to someone who then buys.",
        ge=0,
        le=365,
    )
