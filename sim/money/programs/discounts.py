"""Discount cards (DOMAIN P4, P5): a fixed level per card, or a scale that grows with spend.

``at_join`` (P4): the card's level is set when it is issued, from the customer's spend with the
business so far, and stays. ``cumulative_spend`` (P5): the level rises as total spend grows.
"""

from __future__ import annotations

from sim.money.programs.mechanic import Mechanic, Sale
from sim.money.programs.member import Member
from sim.money.programs.tiers import qualifying_tier


def discount_level(spend: float, min_spends: list[float]) -> int:
    """The card level a spend reaches (levels by increasing minimum spend)."""
    return qualifying_tier(spend, min_spends)


class DiscountMechanic(Mechanic):
    """A discount card on a member."""

    def __init__(self, terms, books):
        super().__init__(terms, books)
        self.min_spends = [level.min_spend for level in terms.levels]
        self.rates = [level.percent / 100.0 for level in terms.levels]

    def on_join(self, m: Member, now: float) -> None:
        # A newcomer the program advertises to (no customer yet) has spent nothing.
        spend = m.customer.spend if m.customer is not None else 0.0
        m.discount_level = discount_level(spend, self.min_spends)

    def discount(self, m: Member) -> float:
        return self.rates[m.discount_level]

    def after_payment(self, m: Member, sale: Sale) -> None:
        if self.terms.basis == "cumulative_spend":
            level = discount_level(m.customer.spend + sale.paid, self.min_spends)
            if level > m.discount_level:
                m.discount_level = level
                m.refreshed = sale.now  # a better card is felt afresh (DOMAIN L5)
                m.deal = -1.0
