"""Paid membership (DOMAIN P6): a fee per period for benefits, joined and renewed by decision.

A customer offered the membership weighs the fee against what they expect to get in one period
(their expected orders times their basket times the design's deal: discounts, free shipping and
rewards); the choice is a logit with a spread proportional to the fee (McFadden 1974). At
renewal what the member actually received in the period just ended replaces the expectation,
plus an inertia bonus: staying is the default (Samuelson & Zeckhauser 1988). The fee is cash at
once and revenue day by day over its period.
"""

from __future__ import annotations

import math

from sim.money import ledger
from sim.money.programs.mechanic import Mechanic, Sale
from sim.money.programs.member import Member


def expected_savings(
    orders: float, basket: float, discount: float, shipping_value_per_order: float
) -> float:
    """What a member expects to save in a period: ``orders * (basket * discount + shipping)``."""
    return orders * (basket * discount + shipping_value_per_order)


def join_probability(benefit: float, fee: float, noise: float, inertia: float = 0.0) -> float:
    """Chance of paying ``fee`` for ``benefit`` (a logit choice).

    ``1 / (1 + exp(-(benefit + inertia * fee - fee) / (noise * fee)))``; a free membership
    (fee 0) is always taken.
    """
    if fee <= 0.0:
        return 1.0
    z = (benefit + inertia * fee - fee) / (noise * fee)
    if z < -700.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def unused_fee(fee: float, paid_until: float, period_days: int, now: float) -> float:
    """The part of the fee paid for days still to come (what leaving now would waste)."""
    if not paid_until > now:
        return 0.0
    return fee * min(1.0, (paid_until - now) / period_days)


class MembershipMechanic(Mechanic):
    """The fee, its recognition, and the members' benefits."""

    def discount(self, m: Member) -> float:
        return self.terms.discount

    def immediate_rate(self, m: Member, basket: float) -> float:
        return self.terms.shipping_value_per_order / basket if basket > 0 else 0.0

    def stake(self, m: Member, now: float) -> float:
        t = self.terms
        return unused_fee(t.fee, m.paid_until, t.period_days, now)

    def pay_fee(self, m: Member, now: float) -> None:
        """The member pays for one period from ``now``."""
        t = self.terms
        m.paid_until = now + t.period_days
        m.fee_day = int(now)
        m.period_savings = 0.0
        self.books.receive_fee(t.fee, m.fee_day, t.period_days)

    def after_payment(self, m: Member, sale: Sale) -> None:
        t = self.terms
        sale.value_received += t.shipping_value_per_order
        if t.shipping_cost_per_order:
            self.books.post(sale.day, ledger.PRIZES_AND_PERKS, -t.shipping_cost_per_order)

    def renews(self, m: Member, draw: float) -> bool:
        """The renewal decision at the end of a period, on the value the program gave in it.

        ``period_savings`` adds up everything the member received at face value in the period
        (discounts, free shipping, rewards, prizes), as the join decision expects the whole
        design's deal.
        """
        t = self.terms
        return draw < join_probability(m.period_savings, t.fee, t.decision_noise, t.renewal_inertia)
