"""A program's life over time: launch, changes of terms, the end, and its dated work.

:class:`ProgramLifecycle` holds the methods of ``sim.money.programs.runtime.Program`` that run
on dates rather than at purchases: each day's work (``on_day``: launch, term changes, end,
points expiry, fee recognition, re-estimation of the redemption rate, running costs, contests,
payouts, referrals), the daily record and the end of the run. Loops over all members happen
only here, on the rare program dates.
"""

from __future__ import annotations

from typing import Any

from sim.money import ledger
from sim.money.programs.member import Member
from sim.money.programs.referral import refers
from sim.money.programs.revenue_share import is_payout_day
from sim.rules import response
from sim.rules.churn import PROGRAM_ENDED
from sim.rules.ladder import SHOPPER
from sim.rules.relationship import DAYS_PER_MONTH
from sim.scenario.program_terms import ProgramDesign


class ProgramLifecycle:
    """The dated part of a program in a run (mixed into ``Program``, whose state it uses)."""

    def on_day(self, day: int) -> None:
        """The program's dated work, at the start of ``day``."""
        design = self.design
        if day == design.launch_day:
            self._launch(day)
        elif day in self.schedule_of_terms and self.active:
            self._change_terms(self.schedule_of_terms[day], day)
        if design.end_day is not None and day == design.end_day:
            self._end(day)
        due = int(self.expiring[day])
        if due:
            self.expire(due, day, forfeited=False)
        self.fee_rate += self.fee_rate_change[day]
        if self.fee_rate > 1e-12:
            self.transfer(day, ledger.MEMBERSHIP_FEES, ledger.FEE_DEFERRAL, self.fee_rate)
        if not self.active:
            return
        points = self.terms.points
        since = day - design.launch_day
        if points is not None and since:
            if points.stated_redemption_rates:
                stated = points.stated_redemption_rates.get(since)
                if stated is not None:
                    self._restate(day, stated)
            elif since % points.re_estimate_every_days == 0:
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
        acts through the visit elasticity of the customers' response. Paid, invitation-only and
        later-rung programs do not.
        """
        joining = self.terms.joining
        factor = 1.0
        if self.active and self.min_stage == SHOPPER and not joining.min_spend:
            share = {"automatic": 1.0, "opt_in": joining.opt_in_probability}.get(joining.mode)
            if share:
                deal = share * self._newcomer_deal(None, self.host.reference_basket(), 0.0)
                factor = response.frequency_factor(deal, self.reaction.visit_elasticity, 0.0, 0.0)
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
        self._restate(day, liability.redeemed / settled)

    def _restate(self, day: int, expected_redemption_rate: float) -> None:
        """A new expected redemption rate, and the revenue it recognises or takes back now
        (IFRS 15 B39-B43: a change of estimate caught up cumulatively)."""
        recognised = self.liability.re_estimate(expected_redemption_rate)
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
