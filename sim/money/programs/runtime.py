"""A loyalty-program design at work in one run: joining, the mechanics, the books, the dates.

The model owns the customers and SimPy; the program owns its members and its books. The model
calls the program when a non-member buys (``offer``), at a member's purchase (``checkout``),
when a service fails (``repairs``), at a first purchase (``on_first_purchase``), at a loss
(``on_lost``), at the start of each day (``on_day``: launch, term changes, end, points expiry,
fee recognition, re-estimation of the redemption rate, running costs, contests, payouts,
referrals), at the end of each day (``record_day``) and at the end of the run (``finish``).
Between purchases it reads three multipliers off the member, brought up to date at each
purchase: ``rate_factor`` (purchase rate), ``basket_factor`` and ``loyalty_factor`` (dropout
and competitor acceptance). The program calls back through a small host interface:
``now()``, ``schedule(event, delay)``, ``customer_by_id(id)``, ``list_basket(customer)``,
``reference_basket()``, ``expected_orders(customer, days)``, ``set_attraction(factor)``,
``surveyed(customer, day)``, ``leave_program(customer)``,
``lift(customer, satisfaction, attachment)``, ``recommend(sender, day)`` and
``lend_card(member, day)``.

Work per event is constant, as in the rest of the engine; loops over all members happen only on
the rare program dates (an end, a change of terms, a contest, a payout).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.money import ledger
from sim.money.liability import PointsLiability
from sim.money.programs.coalition import CoalitionMechanic
from sim.money.programs.discounts import DiscountMechanic
from sim.money.programs.lifecycle import ProgramLifecycle
from sim.money.programs.lottery import LotteryMechanic
from sim.money.programs.mechanic import Mechanic, Sale
from sim.money.programs.member import Member
from sim.money.programs.membership import MembershipMechanic, join_probability
from sim.money.programs.perks import PerksMechanic
from sim.money.programs.points import PointsMechanic
from sim.money.programs.referral import referral_cost
from sim.money.programs.revenue_share import RevenueShareMechanic
from sim.money.programs.tiers import TiersMechanic
from sim.rules import response
from sim.rules.ladder import STAGES
from sim.scenario.program_terms import ProgramDesign, ProgramResponse

if TYPE_CHECKING:
    from sim.engine.streams import Stream


@dataclass
class ProgramStats:
    """Counters of one run of a program (what the report shows beside the ledger)."""

    joined: int = 0
    left: int = 0
    offers_declined: int = 0
    renewals: int = 0
    lapses: int = 0
    fees_paid: float = 0.0
    rewards: int = 0
    rewards_value: float = 0.0
    points_issued: int = 0
    points_redeemed: int = 0
    points_expired: int = 0
    points_forfeited: int = 0
    partner_points: int = 0
    partner_payments: float = 0.0
    prizes: int = 0
    contest_prizes: int = 0
    perks: int = 0
    upgrades: int = 0
    downgrades: int = 0
    referrals_paid: int = 0
    referral_messages: int = 0
    cards_lent: int = 0
    revenue_share_paid: float = 0.0
    departures_at_end: int = 0
    departures_at_cut: int = 0
    fee_refunds: float = 0.0


class Renewal:
    """A paid membership's period ends: a SimPy event of its own (see ``sim.engine.customer``)."""

    _ok = True
    __slots__ = ("callbacks", "member", "paid_until")

    def __init__(self, member: Member, handler: Callable[[Renewal], None]):
        self.member = member
        self.paid_until = member.paid_until
        self.callbacks: list | None = [handler]


class Program(ProgramLifecycle):
    """One design in place during a run.

    Parameters
    ----------
    design
        The design, with its term changes.
    reaction
        The customers' response to rewards (scenario ``program_response``).
    book
        The run's ledger.
    rng
        The program's own random stream.
    horizon
        Days in the run.
    mean_base_rate
        The market's mean purchase-rate trait per day (``customers.purchase_rate_shape /
        purchase_rate_alpha_days``): the yardstick of a member's prior activity.
    fan_attachment
        Emotional attachment of a raving fan (ladder ``promotion.fan_min_attachment``).
    host
        The model's callbacks (see the module docstring).
    """

    def __init__(
        self,
        design: ProgramDesign,
        reaction: ProgramResponse,
        book: ledger.Ledger,
        rng: Stream,
        horizon: int,
        mean_base_rate: float,
        fan_attachment: float,
        host: Any,
    ):
        self.design = design
        self.reaction = reaction
        self.book = book
        self.rng = rng
        self.horizon = horizon
        self.mean_base_rate = mean_base_rate
        self.fan_attachment = fan_attachment
        self.host = host
        self.stats = ProgramStats()
        self.post = book.post
        self.transfer = book.transfer
        self.schedule_of_terms = dict(design.schedule())
        self.terms = design
        self.active = False
        self.members: list[Member] = []
        # The latest membership of every customer who ever joined, by customer id.
        self.memberships: dict[int, Member] = {}
        self.honour_until = math.inf
        points = design.points
        self.liability = PointsLiability(points.expected_redemption_rate if points else 1.0)
        self.expiring = [0] * (horizon + 1)
        self.fee_rate = 0.0
        self.fee_rate_change = [0.0] * (horizon + 2)
        self.accrued_share = 0.0
        self.members_daily: list[int] = []
        self.points_outstanding_daily: list[float] = []
        self._build(design)

    # ------------------------------------------------------------------ terms
    def _build(self, terms: ProgramDesign) -> None:
        """Mechanics for the terms in force (members' state is kept across changes)."""
        self.terms = terms
        self.min_stage = STAGES.index(terms.joining.min_stage)
        self.points = PointsMechanic(terms.points, self) if terms.points else None
        self.tiers = TiersMechanic(terms.tiers, self) if terms.tiers else None
        self.membership = MembershipMechanic(terms.membership, self) if terms.membership else None
        mechanics: list[Mechanic] = []
        if self.points is not None:
            mechanics.append(self.points)
        if self.tiers is not None:
            mechanics.append(self.tiers)
        if terms.discount is not None:
            mechanics.append(DiscountMechanic(terms.discount, self))
        if self.membership is not None:
            mechanics.append(self.membership)
        if terms.lottery is not None:
            mechanics.append(LotteryMechanic(terms.lottery, self))
        tier_perks = self.tiers.perks if self.tiers is not None else None
        has_tier_perks = terms.tiers is not None and any(t.perks for t in terms.tiers.levels)
        self.perks = None
        if terms.perks or has_tier_perks:
            self.perks = PerksMechanic(terms.perks, self, tier_perks)
            mechanics.append(self.perks)
        self.coalition = None
        if terms.coalition is not None and self.points is not None:
            self.coalition = CoalitionMechanic(terms.coalition, self, self.points)
            mechanics.append(self.coalition)
        if terms.revenue_share is not None:
            mechanics.append(RevenueShareMechanic(terms.revenue_share, self))
        self.mechanics = mechanics
        self.referral = terms.referral
        # Only the hooks a mechanic overrides are called at a purchase.
        self._before = _overridden(mechanics, "before_sale")
        self._discounts = _overridden(mechanics, "discount")
        self._after = _overridden(mechanics, "after_payment")
        self._stakes = _overridden(mechanics, "stake")

    # ------------------------------------------------------------------ books
    # ``post(day, account, amount)`` and ``transfer(day, income, liability, amount)`` are the
    # ledger's own methods, bound in ``__init__`` (one call less per posting).

    def schedule_expiry(self, day: float, points: int) -> None:
        """Points due to expire on ``day`` (negative: no longer due)."""
        if day < self.horizon:
            self.expiring[int(day)] += points

    def expire(self, points: int, day: int, forfeited: bool = True) -> None:
        """Points lapse unused: breakage is recognised (IFRS 15)."""
        recognised = self.liability.expire(points)
        self.transfer(day, ledger.BREAKAGE, ledger.POINTS_LIABILITY, recognised)
        if forfeited:
            self.stats.points_forfeited += points
        else:
            self.stats.points_expired += points

    def receive_fee(self, fee: float, day: int, period_days: int) -> None:
        """A fee paid on ``day`` for ``period_days``: cash now, revenue one day at a time."""
        self.post(day, ledger.FEE_DEFERRAL, fee)
        rate = fee / period_days
        self.transfer(day, ledger.MEMBERSHIP_FEES, ledger.FEE_DEFERRAL, rate)
        self._change_fee_rate(day + 1, rate)
        self._change_fee_rate(day + period_days, -rate)
        self.stats.fees_paid += fee

    def _change_fee_rate(self, day: int, change: float) -> None:
        if day < len(self.fee_rate_change):
            self.fee_rate_change[day] += change

    # ------------------------------------------------------------------ joining
    def offer(self, c: Any, stage: int, now: float) -> Member | None:
        """The program is offered to a non-member at a purchase; returns the membership if taken.

        ``stage`` is the rung the purchase is made at (a first purchase counts as a shopper's).
        """
        if not self.active or stage < self.min_stage or now < c.offer_due:
            return None
        joining = self.terms.joining
        if c.spend < joining.min_spend:
            return None
        if joining.capacity is not None and len(self.members) >= joining.capacity:
            return None
        mode = joining.mode
        if mode == "automatic":
            takes = True
        elif mode == "fee_decision":
            takes = self._decides_to_pay(c, now)
        else:
            takes = self.rng.uniform() < joining.opt_in_probability
        if not takes:
            self.stats.offers_declined += 1
            c.offer_due = now + joining.reoffer_after_days
            return None
        return self.join(c, now)

    def _decides_to_pay(self, c: Any, now: float) -> bool:
        """Fee against expected benefit over one period (DOMAIN P6)."""
        t = self.terms.membership
        basket = self.host.list_basket(c)
        orders = self.host.expected_orders(c, t.period_days)
        benefit = orders * basket * self._newcomer_deal(c, basket, now)
        return self.rng.uniform() < join_probability(benefit, t.fee, t.decision_noise)

    def _newcomer_deal(self, c: Any, basket: float, now: float) -> float:
        """The deal ``c`` would get on joining now (``c`` None: a newcomer not yet known)."""
        trial = Member(c, now)
        for mechanic in self.mechanics:
            mechanic.on_join(trial, now)  # sets starting state only; nothing is booked
        return self._deal(trial, basket)

    def _new_member(self, c: Any, now: float) -> Member:
        """The membership object of a customer joining now."""
        return Member(c, now)

    def join(self, c: Any, now: float) -> Member:
        """Enrol a customer (DOMAIN L1: members are customers who joined)."""
        m = self._new_member(c, now)
        for mechanic in self.mechanics:
            mechanic.on_join(m, now)
        m.slot = len(self.members)
        self.members.append(m)
        self.memberships[c.id] = m
        c.member = m
        c.is_member = True
        self.stats.joined += 1
        if self.membership is not None:
            self.membership.pay_fee(m, now)
            self.host.schedule(Renewal(m, self._on_renewal), m.paid_until - now)
        if self.terms.joining.attachment_on_join:
            self.host.lift(c, 0.0, self.terms.joining.attachment_on_join)
        ref = self.referral
        if ref is not None and ref.paid_on == "sign_up":
            self._pay_referral(c, int(now))
        self._update(m, now)
        return m

    def _on_renewal(self, event: Renewal) -> None:
        m = event.member
        c = m.customer
        if c.member is not m or m.paid_until != event.paid_until or not self.active:
            return
        now = self.host.now()
        if self.membership.renews(m, self.rng.uniform()):
            self.stats.renewals += 1
            self.membership.pay_fee(m, now)
            self.host.schedule(Renewal(m, self._on_renewal), m.paid_until - now)
        else:
            self.stats.lapses += 1
            self.leave(m, int(now))

    def leave(self, m: Member, day: int) -> None:
        """A member leaves the program (lapse, loss): they forfeit what they had not used."""
        for mechanic in self.mechanics:
            mechanic.on_leave(m, day)
        self._unlist(m)
        self.stats.left += 1
        c = m.customer
        c.member = None
        self.host.leave_program(c)

    def _unlist(self, m: Member) -> None:
        m.left = self.host.now()
        members = self.members
        last = members.pop()
        if m.slot < len(members):
            members[m.slot] = last
            last.slot = m.slot
        m.slot = -1

    def on_lost(self, c: Any, day: int) -> None:
        """A member is lost to the business (DOMAIN L4): the membership goes with them."""
        m = c.member
        if m.slot >= 0:
            self.leave(m, day)
        else:  # after the end, keeping honoured points: they lapse now
            if self.points is not None:
                self.points.forfeit(m, day)
            c.member = None

    # ------------------------------------------------------------------ purchases
    def checkout(self, c: Any, list_amount: float, now: float) -> Sale:
        """A member's purchase: discount, then every mechanic acts on the paid sale."""
        m = c.member
        sale = Sale(now, list_amount)
        if m.slot < 0:  # the program has ended: only honoured points can still be redeemed
            if self.points is not None:
                self.points.after_payment(m, sale)
            if m.balance <= 0 or now >= self.honour_until:
                c.member = None
            return sale
        for before_sale in self._before:
            before_sale(m, now)
        best = 0.0
        for discount in self._discounts:
            rate = discount(m)
            if rate > best:
                best = rate
        if best:
            off = list_amount * best
            sale.paid = list_amount - off
            sale.value_received = off
            m.discounts_received += off
            self.post(sale.day, ledger.DISCOUNTS, -off)
        for after_payment in self._after:
            after_payment(m, sale)
        m.period_savings += sale.value_received
        m.spend += sale.paid
        self._update(m, now)
        return sale

    def repairs(self, c: Any, sale: Sale) -> bool:
        """A service failure at a member's purchase: recovered for free by a repair perk?"""
        m = c.member  # None when an ended program's honoured points were used up at the sale
        if self.perks is None or m is None or m.slot < 0:
            return False
        return self.perks.repairs(m, sale)

    def _deal(self, m: Member, basket: float) -> float:
        """The share of spend the program gives ``m`` back, before habituation."""
        best = immediate = delayed = 0.0
        for mechanic in self.mechanics:
            rate = mechanic.discount(m)
            if rate > best:
                best = rate
            immediate += mechanic.immediate_rate(m, basket)
            delayed += mechanic.delayed_rate(m, basket)
        return response.deal(best + immediate, delayed, self.reaction.delayed_reward_weight)

    def _update(self, m: Member, now: float) -> None:
        """Bring the member's deal, stake and their effects up to date after a change.

        The effects hold until the member's next purchase: the purchase rate of the visit now
        being scheduled, the basket of the next visit and the dropout at the next opportunity
        all use what the member saw at this visit.
        """
        basket = self.host.list_basket(m.customer)
        if m.deal < 0.0 or basket != m.basket:
            m.basket = basket
            m.deal = self._deal(m, basket)
            m.stake_status = self._status_stake(m, basket)
        if self.points is not None:
            m.progress = self.points.progress(m)
        m.rate_factor, m.basket_factor, m.loyalty_factor = response.member_effects(
            m.deal,
            now - m.refreshed,
            m.progress,
            self.stake(m, now),
            basket,
            response.activity_weight(
                m.customer.base_rate, self.mean_base_rate, self.reaction.activity_half_ratio
            ),
            self.reaction,
            self.membership is not None and m.paid_until > now,
        )

    def _status_stake(self, m: Member, basket: float) -> float:
        """What a tier's status is worth to the member: a year of its extra deal (DOMAIN P3)."""
        if self.tiers is None or m.tier == 0:
            return 0.0
        tier, multiplier = m.tier, m.earn_multiplier
        m.tier, m.earn_multiplier = 0, self.tiers.multipliers[0]
        base = self._deal(m, basket)
        m.tier, m.earn_multiplier = tier, multiplier
        yearly_spend = self.host.expected_orders(m.customer, 365) * basket
        return max(0.0, m.deal - base) * yearly_spend

    def stake(self, m: Member, now: float) -> float:
        """What leaving would forfeit now (currency)."""
        total = m.stake_status
        for stake in self._stakes:
            total += stake(m, now)
        return total

    def on_first_purchase(self, c: Any, day: int) -> None:
        """A referred customer's first purchase pays the referral rewards (DOMAIN P12)."""
        ref = self.referral
        if ref is not None and self.active and ref.paid_on == "first_purchase":
            self._pay_referral(c, day)

    def _pay_referral(self, c: Any, day: int) -> None:
        if c.referrer < 0:
            return
        referrer = self.host.customer_by_id(c.referrer)
        if referrer.member is None or referrer.member.slot < 0:
            return
        ref = self.referral
        cost = referral_cost(ref.referrer_reward_cost, ref.referred_reward_cost)
        if cost:
            self.post(day, ledger.REFERRAL_REWARDS, -cost)
        self.stats.referrals_paid += 1


def _overridden(mechanics: list[Mechanic], hook: str) -> list[Callable]:
    """The bound ``hook`` of each mechanic that overrides the base's (which does nothing)."""
    base = getattr(Mechanic, hook)
    return [getattr(m, hook) for m in mechanics if getattr(type(m), hook) is not base]
