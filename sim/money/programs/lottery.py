"""Gamification (DOMAIN P7): an instant-win draw after each order, and prize contests on dates.

GrubHub (P7): a 25% chance of a free dessert or drink after an order. A win costs the prize's
cost and delights a little (an unexpected reward raises satisfaction); a contest draws its
winners among the members of the day.
"""

from __future__ import annotations

from sim.money import ledger
from sim.money.programs.mechanic import Mechanic, Sale
from sim.money.programs.member import Member


def expected_prize_rate(win_probability: float, prize_value: float, basket: float) -> float:
    """Expected prize value per currency of spend: ``p * value / basket``."""
    return win_probability * prize_value / basket if basket > 0 else 0.0


class LotteryMechanic(Mechanic):
    """The instant-win draw at a member's purchase (contests are drawn by the program)."""

    def delayed_rate(self, m: Member, basket: float) -> float:
        t = self.terms
        return expected_prize_rate(t.win_probability, t.prize_value, basket)

    def after_payment(self, m: Member, sale: Sale) -> None:
        t = self.terms
        books = self.books
        if books.rng.uniform() < t.win_probability:
            books.post(sale.day, ledger.PRIZES_AND_PERKS, -t.prize_cost)
            sale.satisfaction_boost += t.win_satisfaction_boost
            sale.value_received += t.prize_value
            books.stats.prizes += 1
