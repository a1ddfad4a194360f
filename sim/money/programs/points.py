"""Cumulative points (DOMAIN P2): earning, redeeming and expiring, as plain arithmetic.

The vocabulary is that of real loyalty engines: an **earn rule** gives points per currency
unit spent above a minimum order, times a multiplier (a tier's, or a promotion's), plus a fixed
bonus for some products, within a cap per period; a **redemption catalogue** lists rewards with
their cost in points, their face value to the customer and their cost to the business;
**expiry** ends points after N days, at the end of the calendar year of earning, or never.
Spendable points (what a customer can redeem) are kept apart from tier-qualifying points
(what counts for a tier, P3): redeeming lowers the first, never the second.

DOMAIN P2's example: Boloco gives one free item per $50 spent, i.e. 1 point per dollar and a
reward costing 50 points; "buy 10 burgers, the 11th free" is 1 point per burger and a reward of
10 points.
"""

from __future__ import annotations

import math

from sim.money import ledger
from sim.money.liability import allocate_by_standalone_price, points_standalone_price
from sim.money.programs.mechanic import Mechanic, Sale
from sim.money.programs.member import Member

EXPIRY_MODES = ("after_days", "end_of_year", "never")
"""How points expire."""

DAYS_PER_YEAR = 365


def points_earned(
    amount: float,
    points_per_unit: float,
    minimum_order: float = 0.0,
    multiplier: float = 1.0,
    bonus: float = 0.0,
    cap_left: float = math.inf,
) -> int:
    """Whole points earned by one purchase.

    ``floor(amount * points_per_unit * multiplier + bonus)`` if ``amount`` reaches
    ``minimum_order``, else 0; never more than ``cap_left`` (what the period's cap still
    allows). Points are whole, as on every loyalty statement, and fractions are lost.

    Parameters
    ----------
    amount
        Currency spent on the purchase.
    points_per_unit
        Points per currency unit (DOMAIN P2: 1 per dollar at Boloco).
    minimum_order
        Smallest purchase that earns anything.
    multiplier
        Earn multiplier (tier or promotion; DOMAIN P3: Silver +50% is 1.5, Gold 2x is 2).
    bonus
        Fixed points for the products in this purchase that carry a bonus.
    cap_left
        Points the period's cap still allows.
    """
    if amount < minimum_order:
        return 0
    # A billionth of a point absorbs binary rounding (0.29 x 100 must give 29, not 28).
    earned = math.floor(amount * points_per_unit * multiplier + bonus + 1e-9)
    if earned > cap_left:
        earned = math.floor(cap_left)
    return earned if earned > 0 else 0


def rewards_affordable(balance: int, cost_in_points: int, limit: int | None = None) -> int:
    """How many rewards of ``cost_in_points`` a balance pays for (at most ``limit``)."""
    if cost_in_points <= 0:
        raise ValueError(f"cost_in_points = {cost_in_points}; must be at least 1")
    count = balance // cost_in_points
    return count if limit is None else min(count, limit)


def expiry_day(earned_day: int, mode: str, days: int = 365) -> float:
    """Day on which points earned on ``earned_day`` expire (``inf`` if never).

    ``after_days``: ``days`` days after earning; ``end_of_year``: the first day of the next
    calendar year of the run (years of 365 days from day 0); ``never``.
    """
    if mode == "after_days":
        return float(earned_day + days)
    if mode == "end_of_year":
        return float((earned_day // DAYS_PER_YEAR + 1) * DAYS_PER_YEAR)
    if mode == "never":
        return math.inf
    raise ValueError(f"expiry mode '{mode}'; allowed: {', '.join(EXPIRY_MODES)}")


def effective_discount(points_per_unit: float, cost_in_points: int, face_value: float) -> float:
    """Share of spend given back when every point is redeemed: the program's headline rate.

    Boloco (DOMAIN P2): 1 point per dollar, a free item worth about $8 for 50 points: 16%.
    """
    return points_per_unit * face_value / cost_in_points


def best_reward(balance: int, costs: list[int], values: list[float]) -> int:
    """Index of the most valuable reward a balance affords (-1 if none)."""
    best = -1
    for i, cost in enumerate(costs):
        if cost <= balance and (best < 0 or values[i] > values[best]):
            best = i
    return best


class PointsMechanic(Mechanic):
    """Cumulative points (DOMAIN P2) on the books: earn, redeem, expire, as deferred revenue.

    At a purchase the member first redeems the most valuable reward their balance affords
    (with the redemption propensity), then earns points on what they paid. The payment is split
    between the goods and the points by relative stand-alone selling price and the points' share
    is deferred as a liability; redemptions and expiries release it (``sim.money.liability``).
    Points are used oldest first; each lot expires on its day, booked by the program on that day.
    """

    def __init__(self, terms, books):
        super().__init__(terms, books)
        self.costs = [r.points_cost for r in terms.rewards]
        self.values = [r.face_value for r in terms.rewards]
        self.business_costs = [r.cost_to_business for r in terms.rewards]
        self.cheapest = min(self.costs)
        self.value_per_point = terms.value_per_point()

    def delayed_rate(self, m: Member, basket: float) -> float:
        t = self.terms
        return t.points_per_currency * m.earn_multiplier * self.value_per_point

    def stake(self, m: Member, now: float) -> float:
        return m.balance * self.value_per_point

    def progress(self, m: Member) -> float:
        """Progress of the balance towards the cheapest reward, 0..1."""
        balance = m.balance
        return 1.0 if balance >= self.cheapest else balance / self.cheapest

    def after_payment(self, m: Member, sale: Sale) -> None:
        self.drop_expired(m, sale.now)
        books, t = self.books, self.terms
        if m.balance >= self.cheapest and books.rng.uniform() < t.redemption_propensity:
            i = best_reward(m.balance, self.costs, self.values)
            self.redeem(m, self.costs[i], sale.day)
            books.post(sale.day, ledger.REWARD_COST, -self.business_costs[i])
            m.rewards += 1
            m.rewards_value += self.values[i]
            sale.value_received += self.values[i]
            books.stats.rewards += 1
            books.stats.rewards_value += self.values[i]
        if not books.active:  # after the end, honoured points are only redeemed
            return
        cap_left = math.inf
        if t.cap_points_per_period is not None:
            if sale.now - m.cap_start >= t.cap_period_days:
                periods = int((sale.now - m.cap_start) // t.cap_period_days)
                m.cap_start += periods * t.cap_period_days
                m.cap_earned = 0
            cap_left = t.cap_points_per_period - m.cap_earned
        bonus = 0
        if t.bonus_order_share and books.rng.uniform() < t.bonus_order_share:
            bonus = t.bonus_points
        paid = sale.paid
        earned = points_earned(
            paid, t.points_per_currency, t.minimum_order, m.earn_multiplier, bonus, cap_left
        )
        if earned:
            m.cap_earned += earned
            sale.points = earned
            ssp_points = points_standalone_price(
                earned, self.value_per_point, books.liability.expected_redemption_rate
            )
            # IFRS 15: the payment split between the goods and the points it earned.
            deferred = 0.0
            if ssp_points > 0:
                deferred = allocate_by_standalone_price(paid, [paid, ssp_points])[1]
            books.transfer(sale.day, ledger.REVENUE, ledger.POINTS_LIABILITY, -deferred)
            self.credit(m, earned, deferred, sale.day)

    def credit(self, m: Member, points: int, allocated: float, day: int) -> None:
        """Add points to a member's balance, with the consideration deferred for them."""
        books = self.books
        recognised = books.liability.issue(points, allocated)
        if recognised:
            books.transfer(day, ledger.REVENUE, ledger.POINTS_LIABILITY, recognised)
        expires = expiry_day(day, self.terms.expiry, self.terms.expiry_days)
        m.lots.add(expires, points)
        books.schedule_expiry(expires, points)
        m.balance += points
        m.points_earned += points
        books.stats.points_issued += points

    def redeem(self, m: Member, points: int, day: int) -> None:
        """Take ``points`` from the member's oldest lots and release their deferred revenue."""
        books = self.books
        m.lots.take(points, self._unschedule)
        m.balance -= points
        m.points_redeemed += points
        books.stats.points_redeemed += points
        books.transfer(day, ledger.REVENUE, ledger.POINTS_LIABILITY, books.liability.redeem(points))

    def _unschedule(self, expires: float, points: int) -> None:
        self.books.schedule_expiry(expires, -points)

    def drop_expired(self, m: Member, now: float) -> None:
        """Remove lots whose expiry day has come (the program booked them on that day)."""
        m.balance -= m.lots.drop_expired(now)

    def forfeit(self, m: Member, day: int) -> int:
        """The member's unexpired points lapse now (breakage). Returns the points forfeited."""
        self.drop_expired(m, float(day))
        books = self.books
        total = 0
        for expires, points in m.lots.remaining():
            books.schedule_expiry(expires, -points)
            total += points
        m.lots.clear()
        m.balance = 0
        if total:
            books.expire(total, day)
        return total

    def on_leave(self, m: Member, day: int) -> None:
        self.forfeit(m, day)
