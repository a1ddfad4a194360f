"""Terms of revenue sharing with members (DOMAIN P11)."""

from __future__ import annotations

from sim.scenario.fields import ASSUMPTION, Section, param


class RevenueShare(Section):
    """Members receive a share of what they spend, paid out periodically (DOMAIN P11)."""

    share_of_spend: float = param(
        0.02,
        unit="share of member spend",
        source="DOMAIN P11 (rare, contractual); " + ASSUMPTION,
        description="Share of each member's payments accrued to them.",
        ge=0,
        lt=1,
    )
    payout_every_days: int = param(
        365, unit="days", source=ASSUMPTION, description="Days between payouts.", ge=1
    )
