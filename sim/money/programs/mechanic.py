"""The small interface every program mechanic implements, and the sale it acts on.

A design combines mechanics (points, tiers, a discount card, ...). At each purchase by a member
the program asks every mechanic for the discount it offers (the best one applies: discounts do
not stack), then lets each act on the paid sale in turn: earn and redeem points, draw a prize,
give a perk. Between purchases the program asks them what the member feels they get back (the
deal) and what leaving would forfeit (the stake). Mechanics post money through the program's
books and never touch SimPy.
"""

from __future__ import annotations

from typing import Any

from sim.money.programs.member import Member


class Sale:
    """One purchase by a member, as the mechanics see it.

    ``list_amount`` is the basket at list price and ``paid`` what the member pays;
    ``points`` are the points the sale earned (tier-qualifying points, DOMAIN P3);
    ``value_received`` is what the program gave the member at this sale at face value (the
    discount, a reward, a prize, free shipping), which a paid member weighs at renewal; the
    boosts are what the purchase's rewards add to satisfaction and emotional attachment,
    applied after the experience.
    """

    __slots__ = (
        "attachment_boost",
        "day",
        "list_amount",
        "now",
        "paid",
        "points",
        "satisfaction_boost",
        "value_received",
    )

    def __init__(self, now: float, list_amount: float):
        self.now = now
        self.day = int(now)
        self.list_amount = list_amount
        self.paid = list_amount
        self.points = 0
        self.value_received = 0.0
        self.satisfaction_boost = 0.0
        self.attachment_boost = 0.0


class Mechanic:
    """Base of the mechanics: every hook does nothing.

    Parameters
    ----------
    terms
        The mechanic's section of the design (e.g. ``Points``).
    books
        The program's books (``sim.money.programs.runtime.Program``): ``post``, ``transfer``, the
        points liability, the random stream and the counters.
    """

    def __init__(self, terms: Any, books: Any):
        self.terms = terms
        self.books = books

    def on_join(self, m: Member, now: float) -> None:
        """A customer has just joined."""

    def discount(self, m: Member) -> float:
        """Share of list price taken off at the till for this member."""
        return 0.0

    def immediate_rate(self, m: Member, basket: float) -> float:
        """Other savings at the till per currency of list spend (e.g. free shipping)."""
        return 0.0

    def delayed_rate(self, m: Member, basket: float) -> float:
        """Rewards received later, per currency of spend (points, prizes, a revenue share)."""
        return 0.0

    def stake(self, m: Member, now: float) -> float:
        """What leaving the program now would forfeit (currency)."""
        return 0.0

    def before_sale(self, m: Member, now: float) -> None:
        """Catch up on what happened since the member's last visit (reviews, partner points)."""

    def after_payment(self, m: Member, sale: Sale) -> None:
        """Act on a paid sale: earn, redeem, draw, give."""

    def on_leave(self, m: Member, day: int) -> None:
        """The member leaves the program (or the business): settle what they forfeit."""
