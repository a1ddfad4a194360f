"""Coalition points (DOMAIN P9): members earn points at partner firms, which pay for them.

Partners issue points to our members when they shop there (Plenti; American Express with Macy's,
AT&T, Hulu, Enterprise) and pay us per point; the points land in the member's balance and in our
points liability, since we must honour them (IFRS 15: the payment is deferred until the points
are redeemed or expire). A coalition also widens reach: partners' customers hear of us.
"""

from __future__ import annotations

from sim.money import ledger
from sim.money.programs.mechanic import Mechanic
from sim.money.programs.member import Member
from sim.rules.relationship import DAYS_PER_MONTH


def partner_points_mean(points_per_month: float, days: float) -> float:
    """Expected partner points over ``days``: ``points_per_month * days / days_per_month``."""
    return points_per_month * max(0.0, days) / DAYS_PER_MONTH


class CoalitionMechanic(Mechanic):
    """Credits partner points since the member's last visit (a Poisson count) at each visit."""

    def __init__(self, terms, books, points):
        super().__init__(terms, books)
        self.points = points

    def on_join(self, m: Member, now: float) -> None:
        m.partner_checked = now

    def before_sale(self, m: Member, now: float) -> None:
        books = self.books
        t = self.terms
        mean = partner_points_mean(t.partner_points_per_member_per_month, now - m.partner_checked)
        m.partner_checked = now
        if mean <= 0.0 or not books.active:
            return
        points = int(books.rng.gen.poisson(mean))
        if points:
            payment = points * t.payment_per_point
            books.stats.partner_payments += payment
            books.stats.partner_points += points
            day = int(now)
            books.post(day, ledger.POINTS_LIABILITY, payment)  # cash in, owed as points
            self.points.credit(m, points, payment, day)
