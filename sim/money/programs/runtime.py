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
from typing import Any

from sim.engine.streams import Stream
from sim.money import ledger
from sim.money.liability import PointsLiability
from sim.money.programs.coalition import CoalitionMechanic
from sim.money.programs.discounts import DiscountMechanic
from sim.money.programs.lottery import LotteryMechanic
from sim.money.programs.mechanic import Mechanic, Sale
from sim.money.programs.member import Member
from sim.money.programs.membership import MembershipMechanic, join_probability
from sim.money.programs.perks import PerksMechanic
from sim.money.programs.points import PointsMechanic
from sim.money.programs.referral import referral_cost, refers
from sim.money.programs.revenue_share import RevenueShareMechanic, is_payout_day
from sim.money.programs.tiers import TiersMechanic
from sim.rules import response
from sim.rules.churn import PROGRAM_ENDED
from sim.rules.ladder import SHOPPER, STAGES
from sim.rules.relationship import DAYS_PER_MONTH
from sim.scenario.program_terms import ProgramDesign, ProgramResponse


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


class Program:
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
    elasticity
        Price elasticity of purchase frequency (scenario ``product.price_elasticity``).
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
        elasticity: float,
        fan_attachment: float,
        host: Any,
    ):
        self.design = design
        self.reaction = reaction
        self.book = book
        self.rng = rng
        self.horizon = horizon
        self.elasticity = elasticity
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

    def join(self, c: Any, now: float) -> Member:
        """Enrol a customer (DOMAIN L1: members are customers who joined)."""
        m = Member(c, now)
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
        m = c.member
        return self.perks is not None and m.slot >= 0 and self.perks.repairs(m, sale)

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
            self.elasticity,
            self.reaction,
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

    # ------------------------------------------------------------------ days
    def on_day(self, day: int) -> None:
        """The program's dated work, at the start of ``day``."""
        design = self.design
        if day == design.launch_day:
            self._launch(day)
        elif day in self.schedule_of_terms and self.active:
            self._change_terms(self.schedule_of_terms[day], day)
        if design.end_day is not None and day == design.end_day:
            self._end(day)
        due = self.expiring[day]
        if due:
            self.expire(due, day, forfeited=False)
        self.fee_rate += self.fee_rate_change[day]
        if self.fee_rate > 1e-12:
            self.transfer(day, ledger.MEMBERSHIP_FEES, ledger.FEE_DEFERRAL, self.fee_rate)
        if not self.active:
            return
        points = self.terms.points
        since = day - design.launch_day
        if points is not None and since and since % points.re_estimate_every_days == 0:
            self._re_estimate(day)
        costs = self.terms.costs
        per_day = costs.running_cost_per_month / DAYS_PER_MONTH
        per_day += costs.cost_per_member_per_year / 365.0 * len(self.members)
        if per_day:
            self.post(day, ledger.PROGRAM_COSTS, -per_day)
        lottery = self.terms.lottery
        if lottery is not None:
            for contest in lottery.contests:
                if contest.day == day:
                    self._draw_contest(contest, day)
        share = self.terms.revenue_share
        if share is not None and is_payout_day(day, design.launch_day, share.payout_every_days):
            self._pay_out_shares(day)
        if self.referral is not None:
            self._referrals(day)

    def record_day(self) -> None:
        """Members and points outstanding at the end of a day (the model's daily snapshot)."""
        self.members_daily.append(len(self.members))
        self.points_outstanding_daily.append(self.liability.outstanding)

    def _launch(self, day: int) -> None:
        self.active = True
        cost = self.design.costs.setup_cost
        if cost:
            self.post(day, ledger.PROGRAM_COSTS, -cost)
        self._advertise()

    def _advertise(self) -> None:
        """How the program changes a reached person's first-purchase probability.

        A program every buyer can join makes the first purchase a better deal: the advertised
        deal of a new member (their joining chance times the deal, DOMAIN P: goal "attract new")
        acts through the price elasticity. Paid, invitation-only and later-rung programs do not.
        """
        joining = self.terms.joining
        factor = 1.0
        if self.active and self.min_stage == SHOPPER and not joining.min_spend:
            share = {"automatic": 1.0, "opt_in": joining.opt_in_probability}.get(joining.mode)
            if share:
                deal = share * self._newcomer_deal(None, self.host.reference_basket(), 0.0)
                factor = response.frequency_factor(deal, self.elasticity, 0.0, 0.0)
        self.host.set_attraction(factor)

    def _change_terms(self, terms: ProgramDesign, day: int) -> None:
        """New terms from ``day``: a cut disappoints and may drive members away (L5, L6)."""
        old = {id(m): m.deal for m in self.members}
        self._build(terms)
        self._advertise()
        r = self.reaction
        for m in list(self.members):
            if self.tiers is not None:
                m.tier = min(m.tier, len(self.tiers.multipliers) - 1)
                m.earn_multiplier = self.tiers.multipliers[m.tier]
            m.discount_level = min(m.discount_level, self._discount_levels() - 1)
            m.deal = -1.0
            self._update(m, float(day))
            cut = response.cut_share(old[id(m)], m.deal)
            if m.deal > old[id(m)]:
                m.refreshed = float(day)
            elif cut > 0.0:
                c = m.customer
                self.host.lift(c, -r.cut_satisfaction_drop * cut, 0.0)
                p = response.departure_probability(
                    r.end_departure_probability * cut, c.attachment, self.fan_attachment
                )
                if self.rng.uniform() < p:
                    c.pending_loss = PROGRAM_ENDED
                    self.stats.departures_at_cut += 1

    def _discount_levels(self) -> int:
        discount = self.terms.discount
        return len(discount.levels) if discount is not None else 1

    def _end(self, day: int) -> None:
        """The program ends: rational loyalty goes, honoured points stay for a while (L6, E7)."""
        r = self.reaction
        points = self.terms.points
        honoured = points is not None and points.after_end == "honoured"
        self.honour_until = day + points.honour_days if honoured else float(day)
        share = self.terms.revenue_share
        if share is not None:
            self._pay_out_shares(day)
        for m in list(self.members):
            c = m.customer
            p = response.departure_probability(
                r.end_departure_probability, c.attachment, self.fan_attachment
            )
            if self.rng.uniform() < p:
                c.pending_loss = PROGRAM_ENDED
                self.stats.departures_at_end += 1
            if self.membership is not None:
                self._refund_fee(m, day)
            if self.points is not None and m.balance > 0:
                if honoured:
                    self._shorten_expiry(m, self.honour_until)
                else:
                    self.points.forfeit(m, day)
                    self.host.lift(c, -r.broken_promise_satisfaction_drop, 0.0)
            self._unlist(m)
            m.rate_factor = m.basket_factor = m.loyalty_factor = 1.0
            self.stats.left += 1
            self.host.leave_program(c)
            if self.points is None or m.balance <= 0:
                c.member = None
        self.active = False
        self.host.set_attraction(1.0)

    def _refund_fee(self, m: Member, day: int) -> None:
        """Refund the unused part of a fee and stop recognising it."""
        t = self.terms.membership
        rate = t.fee / t.period_days
        # The fee is recognised on days fee_day .. fee_day + period - 1; from today on it is not.
        days_left = m.fee_day + t.period_days - day
        if m.fee_day < 0 or days_left <= 0:
            return
        self._change_fee_rate(day, -rate)
        self._change_fee_rate(day + days_left, rate)
        refund = rate * days_left
        self.post(day, ledger.FEE_DEFERRAL, -refund)
        self.stats.fee_refunds += refund

    def _shorten_expiry(self, m: Member, until: float) -> None:
        for expires, points in m.lots.cap_expiry(until):
            self.schedule_expiry(expires, -points)
            self.schedule_expiry(until, points)

    def _re_estimate(self, day: int) -> None:
        """Expected redemption rate from the points settled so far (IFRS 15 re-estimation)."""
        liability = self.liability
        settled = liability.redeemed + liability.expired
        if settled <= 0 or settled < 0.05 * liability.issued:
            return
        recognised = liability.re_estimate(liability.redeemed / settled)
        self.transfer(day, ledger.REVENUE, ledger.POINTS_LIABILITY, recognised)

    def _draw_contest(self, contest: Any, day: int) -> None:
        members = self.members
        if not members:
            return
        winners = min(contest.winners, len(members))
        picks = self.rng.gen.choice(len(members), size=winners, replace=False)
        for i in sorted(int(k) for k in picks):
            self.post(day, ledger.PRIZES_AND_PERKS, -contest.prize_cost)
            self.host.lift(members[i].customer, contest.satisfaction_boost, 0.0)
            self.stats.contest_prizes += 1

    def _pay_out_shares(self, day: int) -> None:
        if self.accrued_share > 0:
            self.post(day, ledger.REVENUE_SHARE_PAYABLE, -self.accrued_share)
            self.stats.revenue_share_paid += self.accrued_share
        self.accrued_share = 0.0
        for m in self.members:
            m.share_accrued = 0.0

    def _referrals(self, day: int) -> None:
        """Members prompted by the reward recommend, and lend their card (DOMAIN P12, W9)."""
        ref = self.referral
        members = self.members
        if not members:
            return
        gen = self.rng.gen
        n = len(members)
        talks = int(gen.poisson(ref.extra_messages_per_member_per_year / 365.0 * n))
        for _ in range(talks):
            c = members[int(self.rng.uniform() * n)].customer
            if refers(c.voice) and self.host.surveyed(c, day):
                self.stats.referral_messages += 1
                self.host.recommend(c, day)
        lent = int(gen.poisson(ref.card_lending_per_member_per_year / 365.0 * n))
        for _ in range(lent):
            c = members[int(self.rng.uniform() * n)].customer
            if self.host.lend_card(c, day):
                self.stats.cards_lent += 1

    # ------------------------------------------------------------------ reach
    def extra_reach(self) -> tuple[float, float]:
        """Extra reach per year through coalition partners, and its cost per person."""
        coalition = self.terms.coalition
        if coalition is None or not self.active:
            return 0.0, 0.0
        return coalition.partner_reach_per_year, coalition.partner_cost_per_reach

    def finish(self, day: int) -> None:
        """At the end of the run: points past their expiry are off every balance."""
        if self.points is None:
            return
        for m in self.memberships.values():
            self.points.drop_expired(m, float(day))


def _overridden(mechanics: list[Mechanic], hook: str) -> list[Callable]:
    """The bound ``hook`` of each mechanic that overrides the base's (which does nothing)."""
    base = getattr(Mechanic, hook)
    return [getattr(m, hook) for m in mechanics if getattr(type(m), hook) is not base]
