"""Intangible and service rewards (DOMAIN P8): a cost per use and an effect on feelings.

Patagonia repairs for free instead of giving points; others give VIP service, birthday gifts or
free samples. A perk has a trigger (each order; once a membership year, given at the first visit
after joining and then after each anniversary, each yearly perk on its own clock; or a service
failure, which a free repair always recovers), a chance per trigger, a cost per use, and rises
in satisfaction and emotional attachment instead of a price effect. Tier perks (P3) work the
same way for the tier's members.
"""

from __future__ import annotations

from sim.money import ledger
from sim.money.programs.mechanic import Mechanic, Sale
from sim.money.programs.member import Member

DAYS_PER_YEAR = 365
TRIGGERS = ("order", "yearly", "service_failure")
"""When a perk is given: with an order, once a membership year, at a service failure."""


def yearly_perk_due(next_due: float, now: float) -> bool:
    """Whether a yearly perk is due at a visit on ``now``."""
    return now >= next_due


class PerksMechanic(Mechanic):
    """The design's perks plus those of the member's tier (``tier_perks(m)``)."""

    def __init__(self, terms, books, tier_perks=None):
        super().__init__(terms, books)
        self.tier_perks = tier_perks

    def perks(self, m: Member):
        if self.tier_perks is None:
            return self.terms
        return (*self.terms, *self.tier_perks(m))

    def give(self, perk, sale: Sale) -> None:
        """Book one use of a perk; its effects on feelings go with the sale."""
        books = self.books
        if perk.cost_per_use:
            books.post(sale.day, ledger.PRIZES_AND_PERKS, -perk.cost_per_use)
        books.stats.perks += 1
        sale.satisfaction_boost += perk.satisfaction_boost
        sale.attachment_boost += perk.attachment_boost

    def after_payment(self, m: Member, sale: Sale) -> None:
        rng = self.books.rng
        for perk in self.perks(m):
            if perk.trigger == "order":
                if rng.uniform() < perk.probability:
                    self.give(perk, sale)
            elif perk.trigger == "yearly":
                due = m.yearly_due.get(perk.name, m.joined)
                if yearly_perk_due(due, sale.now):
                    years = 1 + int((sale.now - due) // DAYS_PER_YEAR)
                    m.yearly_due[perk.name] = due + DAYS_PER_YEAR * years
                    if rng.uniform() < perk.probability:
                        self.give(perk, sale)

    def repairs(self, m: Member, sale: Sale) -> bool:
        """A service failure at ``sale``: whether a free-repair perk recovers it (and is booked)."""
        rng = self.books.rng
        for perk in self.perks(m):
            if perk.trigger == "service_failure" and rng.uniform() < perk.probability:
                self.give(perk, sale)
                return True
        return False
