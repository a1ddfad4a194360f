"""Tiered status (DOMAIN P3): a qualifying metric over a window, thresholds and benefits.

A member qualifies for the highest tier whose threshold their metric (spend, points earned or
purchases) reaches within the current window; an upgrade takes effect at once. At the end of
each window (counted from the day the member joined) the tier is reviewed: it falls at most one
level (``one_level``), or becomes what the window qualified for (``recompute``), and the metric
starts again from zero. Virgin Flying Club (DOMAIN P3): Silver earns +50% points, Gold 2x.
"""

from __future__ import annotations

from sim.money.programs.mechanic import Mechanic, Sale
from sim.money.programs.member import Member

DOWNGRADE_POLICIES = ("one_level", "recompute")
METRICS = ("spend", "points", "transactions")
"""Qualifying metrics: spend paid, points earned (never lowered by redemptions), purchases."""


def qualifying_tier(metric: float, thresholds: list[float]) -> int:
    """Index of the highest tier whose threshold ``metric`` reaches (thresholds increasing)."""
    level = 0
    for i, threshold in enumerate(thresholds):
        if metric >= threshold:
            level = i
    return level


def tier_after_review(current: int, qualified: int, policy: str) -> int:
    """The tier after a review, given the tier the window qualified for.

    ``one_level``: never more than one level below the current tier; ``recompute``: exactly the
    qualified tier.
    """
    if policy not in DOWNGRADE_POLICIES:
        raise ValueError(f"downgrade policy '{policy}'; allowed: {', '.join(DOWNGRADE_POLICIES)}")
    return reviewed_tier(current, qualified, policy == "one_level")


def reviewed_tier(current: int, qualified: int, one_level: bool) -> int:
    """``tier_after_review`` with the policy as a flag: ``one_level`` or ``recompute``."""
    if one_level:
        return max(qualified, current - 1)
    return qualified


def reviews_due(window_start: float, window_days: int, now: float) -> int:
    """How many reviews have fallen due since ``window_start``."""
    if now < window_start:
        return 0
    return int((now - window_start) // window_days)


class TiersMechanic(Mechanic):
    """Tiers on a member: reviews caught up at each visit, upgrades at once, benefits per tier."""

    def __init__(self, terms, books):
        super().__init__(terms, books)
        self.thresholds = [level.threshold for level in terms.levels]
        self.multipliers = [level.earn_multiplier for level in terms.levels]
        self.discounts = [level.discount for level in terms.levels]

    def on_join(self, m: Member, now: float) -> None:
        m.tier = 0
        m.window_start = now
        m.window_metric = 0.0
        m.earn_multiplier = self.multipliers[0]

    def discount(self, m: Member) -> float:
        return self.discounts[m.tier]

    def perks(self, m: Member):
        """The perks of the member's tier."""
        return self.terms.levels[m.tier].perks

    def before_sale(self, m: Member, now: float) -> None:
        due = reviews_due(m.window_start, self.terms.window_days, now)
        for _ in range(due):
            qualified = qualifying_tier(m.window_metric, self.thresholds)
            self.set_tier(m, tier_after_review(m.tier, qualified, self.terms.downgrade), now)
            m.window_metric = 0.0
            m.window_start += self.terms.window_days

    def after_payment(self, m: Member, sale: Sale) -> None:
        metric = self.terms.metric
        if metric == "spend":
            m.window_metric += sale.paid
        elif metric == "transactions":
            m.window_metric += 1
        else:  # tier-qualifying points: earned by this sale, never lowered by redemptions (P2)
            m.window_metric += sale.points
        self.upgrade(m, sale.now)

    def upgrade(self, m: Member, now: float) -> None:
        qualified = qualifying_tier(m.window_metric, self.thresholds)
        if qualified > m.tier:
            self.set_tier(m, qualified, now)

    def set_tier(self, m: Member, tier: int, now: float) -> None:
        if tier > m.tier:
            m.refreshed = now  # a new status is felt afresh (DOMAIN L5)
            self.books.stats.upgrades += 1
        elif tier < m.tier:
            self.books.stats.downgrades += 1
        m.tier = tier
        m.earn_multiplier = self.multipliers[tier]
        m.deal = -1.0
