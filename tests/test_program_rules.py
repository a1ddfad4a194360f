"""Exact tests of the program mechanics' arithmetic and of members' response, without SimPy.

Each rule is a pure function (DOMAIN P2-P12, L5, L6); the mechanics are exercised on a bare
set of books (a ledger, a liability and a seeded stream), so every amount can be checked to the
cent.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.streams import spawn_streams
from sim.money import ledger
from sim.money.ledger import Ledger
from sim.money.programs.discounts import discount_level
from sim.money.programs.lottery import expected_prize_rate
from sim.money.programs.member import PointLots
from sim.money.programs.membership import expected_savings, join_probability, unused_fee
from sim.money.programs.points import best_reward
from sim.money.programs.referral import referral_cost, refers
from sim.money.programs.revenue_share import is_payout_day, share_of
from sim.money.programs.runtime import Program
from sim.money.programs.tiers import qualifying_tier, reviews_due, tier_after_review
from sim.rules import response
from sim.rules.wom import VOICE_DETRACTOR, VOICE_FAN, VOICE_PASSIVE, VOICE_PROMOTER
from sim.scenario.program_terms import ProgramDesign, ProgramResponse


class TestTiers:
    thresholds = (0.0, 400.0, 1000.0)  # DOMAIN P3: Red, Silver, Gold

    def test_qualifying_tier(self):
        assert qualifying_tier(0, list(self.thresholds)) == 0
        assert qualifying_tier(399.99, list(self.thresholds)) == 0
        assert qualifying_tier(400, list(self.thresholds)) == 1
        assert qualifying_tier(5000, list(self.thresholds)) == 2

    def test_one_level_downgrade_falls_at_most_one_level(self):
        assert tier_after_review(2, 0, "one_level") == 1
        assert tier_after_review(1, 0, "one_level") == 0
        assert tier_after_review(0, 2, "one_level") == 2

    def test_recompute_takes_the_qualified_tier(self):
        assert tier_after_review(2, 0, "recompute") == 0

    def test_unknown_policy(self):
        with pytest.raises(ValueError, match="downgrade policy"):
            tier_after_review(1, 0, "never")

    def test_reviews_due(self):
        assert reviews_due(10.0, 365, 374.9) == 0
        assert reviews_due(10.0, 365, 375.0) == 1
        assert reviews_due(10.0, 365, 1105.0) == 3


class TestDiscountsMembershipLottery:
    def test_progressive_levels(self):
        assert discount_level(0, [0, 500, 2000]) == 0
        assert discount_level(500, [0, 500, 2000]) == 1
        assert discount_level(2500, [0, 500, 2000]) == 2

    def test_prime_savings(self):
        # 40 orders a year, 50 baskets, no discount, 6.99 of shipping saved per order.
        assert expected_savings(40, 50.0, 0.0, 6.99) == pytest.approx(279.6)
        assert expected_savings(10, 100.0, 0.05, 0.0) == pytest.approx(50.0)

    def test_join_probability_is_a_logit_on_the_fee(self):
        assert join_probability(99.0, 99.0, 0.5) == pytest.approx(0.5)
        # Benefit one noise-width above the fee: 1 / (1 + e^-1).
        assert join_probability(99.0 * 1.5, 99.0, 0.5) == pytest.approx(1 / (1 + math.exp(-1)))
        assert join_probability(0.0, 99.0, 0.5) == pytest.approx(1 / (1 + math.exp(2)))
        assert join_probability(0.0, 0.0, 0.5) == 1.0  # a free membership is always taken
        # Inertia: at renewal, staying is the default.
        assert join_probability(79.2, 99.0, 0.5, inertia=0.2) == pytest.approx(0.5)

    def test_unused_fee(self):
        assert unused_fee(100.0, 365.0, 365, 0.0) == pytest.approx(100.0)
        assert unused_fee(100.0, 365.0, 365, 182.5) == pytest.approx(50.0)
        assert unused_fee(100.0, 365.0, 365, 400.0) == 0.0
        assert unused_fee(100.0, math.nan, 365, 0.0) == 0.0

    def test_grubhub_expected_prize(self):
        # DOMAIN P7: a 25% chance of a 5 dessert on a 20 order gives back 6.25%.
        assert expected_prize_rate(0.25, 5.0, 20.0) == pytest.approx(0.0625)

    def test_best_reward_is_the_most_valuable_affordable(self):
        costs, values = [50, 100, 500], [8.0, 20.0, 150.0]
        assert best_reward(49, costs, values) == -1
        assert best_reward(120, costs, values) == 1
        assert best_reward(10_000, costs, values) == 2

    def test_referral_and_revenue_share(self):
        assert referral_cost(5.0, 10.0) == 15.0
        assert refers(VOICE_PROMOTER) and refers(VOICE_FAN) and refers(VOICE_PASSIVE)
        assert not refers(VOICE_DETRACTOR)
        assert share_of(200.0, 0.02) == pytest.approx(4.0)
        assert not is_payout_day(10, 10, 365)
        assert is_payout_day(375, 10, 365)
        assert not is_payout_day(376, 10, 365)


class TestResponse:
    def test_deal_weighs_delayed_rewards(self):
        # 5% off now plus 16% back in points valued at half: 13%.
        assert response.deal(0.05, 0.16, 0.5) == pytest.approx(0.13)

    def test_novelty_fades_to_the_floor(self):
        assert response.novelty(0.0, 0.5, 180.0) == 1.0
        assert response.novelty(180.0, 0.5, 180.0) == pytest.approx(0.5 + 0.5 * math.exp(-1))
        assert response.novelty(1e6, 0.5, 180.0) == pytest.approx(0.5)

    def test_a_deal_acts_like_a_price_cut(self):
        # With the Tellis elasticity -1.76 a felt 10% deal raises frequency like a 10% price cut.
        assert response.frequency_factor(0.1, -1.76, 0.0, 0.0) == pytest.approx(0.9**-1.76)
        # Goal gradient: 20% faster at a full card (Kivetz, Urminsky & Zheng 2006).
        assert response.frequency_factor(0.0, -1.76, 0.2, 1.0) == pytest.approx(1.2)
        # A runaway deal is capped.
        capped = response.frequency_factor(response.MAX_FELT_DEAL, -1.76, 0.0, 0.0)
        assert response.frequency_factor(5.0, -1.76, 0.0, 0.0) == capped
        assert response.frequency_factor(-1.0, -1.76, 0.0, 0.0) == 1.0

    def test_rational_attachment_and_retention(self):
        assert response.rational_attachment(0.0, 5.0, 2.0) == 0.0
        assert response.rational_attachment(10.0, 5.0, 2.0) == pytest.approx(0.5)
        assert response.retention_factor(0.5, 0.5) == pytest.approx(0.75)

    def test_departure_shrinks_with_emotional_attachment(self):
        assert response.departure_probability(0.3, 0.0, 0.5) == pytest.approx(0.3)
        assert response.departure_probability(0.3, 0.25, 0.5) == pytest.approx(0.15)
        assert response.departure_probability(0.3, 0.6, 0.5) == 0.0

    def test_cut_share(self):
        assert response.cut_share(0.10, 0.05) == pytest.approx(0.5)
        assert response.cut_share(0.10, 0.12) == 0.0
        assert response.cut_share(0.0, 0.0) == 0.0


# ---------------------------------------------------------------------------- the books
class Person:
    """The customer attributes a program reads and writes."""

    def __init__(self, agent_id: int = 0, spend: float = 0.0):
        self.id = agent_id
        self.spend = spend
        self.member = None
        self.is_member = False
        self.referrer = -1
        self.offer_due = 0.0
        self.stage = 3
        self.attachment = 0.0
        self.satisfaction = 0.7
        self.pending_loss = -1
        self.voice = -1
        self.base_rate = 0.2  # the Host's orders per day: an average buyer


class Host:
    """A stand-in for the model: fixed basket and rate, and a record of the calls."""

    def __init__(self, basket: float = 10.0, orders_per_day: float = 0.2):
        self.basket = basket
        self.orders_per_day = orders_per_day
        self.clock = 0.0
        self.scheduled: list = []
        self.left: list = []

    def now(self):
        return self.clock

    def schedule(self, event, delay):
        self.scheduled.append((self.clock + delay, event))

    def list_basket(self, c):
        return self.basket

    def reference_basket(self):
        return self.basket

    def expected_orders(self, c, days):
        return self.orders_per_day * days

    def set_attraction(self, factor):
        self.attraction = factor

    def leave_program(self, c):
        c.is_member = False
        self.left.append(c)

    def lift(self, c, satisfaction, attachment):
        c.satisfaction += satisfaction
        c.attachment += attachment

    def customer_by_id(self, i):
        return self.people[i]


def books(design: dict, horizon: int = 1000, **reaction) -> tuple[Program, Host, Ledger]:
    host = Host()
    book = Ledger(horizon, 0.0, 0.0)
    program = Program(
        ProgramDesign.model_validate({"name": "test", **design}),
        ProgramResponse(**reaction),
        book,
        spawn_streams(3)["program"],
        horizon,
        0.2,  # the market's mean purchase rate: Person is an average buyer
        0.5,
        host,
    )
    return program, host, book


def totals(book: Ledger) -> dict[str, float]:
    return dict(zip(ledger.ACCOUNTS, book.matrix().sum(axis=0).tolist(), strict=True))


class TestPointsOnTheBooks:
    def test_boloco_card_to_the_cent(self):
        """1 point per currency, a free item worth 8 (cost 2.4) for 50 points, all redeemed."""
        program, host, book = books(
            {"joining": {"mode": "automatic"}, "points": {"expected_redemption_rate": 1.0}}
        )
        program.on_day(0)
        c = Person()
        program.join(c, 0.0)
        for visit in range(6):  # 6 visits of 10: 60 points, one reward at the 6th visit
            host.clock = float(visit)
            program.checkout(c, 10.0, host.clock)
        m = c.member
        assert m.points_earned == 60 and m.points_redeemed == 50 and m.balance == 10
        assert m.rewards == 1 and m.rewards_value == 8.0
        t = totals(book)
        assert t["reward_cost"] == pytest.approx(-2.4)
        # IFRS 15: each payment of 10 earns 10 points worth 1.6 -> 10 * 1.6 / 11.6 deferred.
        # The reward is redeemed at the 6th visit before it earns: 50 of the 50 points issued
        # by then, so the first five deferrals are recognised as revenue.
        deferred_each = 10.0 * 1.6 / 11.6
        assert t["points_liability"] == pytest.approx(deferred_each)
        assert program.liability.liability == pytest.approx(deferred_each)
        # The model books the sales at list price; the program moves the deferral out of
        # revenue and back, and pays for the reward: its cash effect is the reward's cost.
        assert t["revenue"] == pytest.approx(-6 * deferred_each + 5 * deferred_each)
        assert book.cash()[-1] == pytest.approx(-2.4)

    def test_points_expire_on_their_day_as_breakage(self):
        program, host, book = books(
            {
                "joining": {"mode": "automatic"},
                "points": {"expiry_days": 30, "expected_redemption_rate": 0.5},
            },
            horizon=100,
        )
        program.on_day(0)
        c = Person()
        program.join(c, 0.0)
        host.clock = 0.5
        program.checkout(c, 10.0, 0.5)  # 10 points, expiring on day 30
        for day in range(1, 40):
            program.on_day(day)
        assert program.stats.points_expired == 10
        assert program.liability.outstanding == 0
        t = totals(book)
        assert t["points_liability"] == pytest.approx(0.0, abs=1e-12)
        # 10 points at 0.16, half expected to be used: ssp 0.8 of a 10.8 total is deferred, and
        # all of it comes back as breakage when the points expire unused.
        deferred = 10.0 * 0.8 / 10.8
        assert t["revenue"] == pytest.approx(-deferred)
        assert t["breakage"] == pytest.approx(deferred)
        # The member's balance catches up at the next visit.
        program.checkout(c, 0.0, 40.0)
        assert c.member.balance == 0

    def test_a_lost_member_forfeits_the_balance(self):
        program, _host, book = books({"joining": {"mode": "automatic"}, "points": {}})
        program.on_day(0)
        c = Person()
        program.join(c, 0.0)
        program.checkout(c, 30.0, 0.0)
        program.on_lost(c, 5)
        assert c.member is None
        assert program.stats.points_forfeited == 30
        assert totals(book)["points_liability"] == pytest.approx(0.0, abs=1e-12)


class TestTiersOnTheBooks:
    def test_silver_doubles_nothing_but_earns_half_again(self):
        design = {
            "joining": {"mode": "automatic"},
            "points": {"rewards": [{"points_cost": 10_000, "face_value": 100.0}]},
            "tiers": {
                "metric": "spend",
                "window_days": 365,
                "levels": [
                    {"name": "Red", "threshold": 0},
                    {"name": "Silver", "threshold": 100, "earn_multiplier": 1.5},
                    {"name": "Gold", "threshold": 300, "earn_multiplier": 2.0, "discount": 0.1},
                ],
            },
        }
        program, _host, book = books(design)
        program.on_day(0)
        c = Person()
        program.join(c, 0.0)
        program.checkout(c, 100.0, 1.0)  # earns 100 at Red, then qualifies for Silver
        assert c.member.tier == 1
        program.checkout(c, 100.0, 2.0)  # earns 150 at Silver
        assert c.member.points_earned == 250
        program.checkout(c, 100.0, 3.0)  # Silver earn, then 300 reaches Gold
        assert c.member.tier == 2
        program.checkout(c, 100.0, 4.0)  # Gold: 10% off, 2x points on the 90 paid
        assert c.member.points_earned == 250 + 150 + 180
        assert totals(book)["discounts"] == pytest.approx(-10.0)
        # The first review (day 365) finds 390 spent in the window: Gold is kept. The second
        # (day 730) finds nothing spent: one level down (one_level), not straight to Red.
        program.checkout(c, 0.0, 366.0)
        assert c.member.tier == 2
        program.checkout(c, 0.0, 731.0)
        assert c.member.tier == 1
        assert program.stats.upgrades == 2 and program.stats.downgrades == 1


class TestMembershipOnTheBooks:
    def test_a_fee_is_cash_at_once_and_revenue_day_by_day(self):
        design = {
            "joining": {"mode": "fee_decision"},
            "membership": {"fee": 100.0, "period_days": 100},
        }
        program, host, book = books(design, horizon=300)
        program.on_day(0)
        c = Person()
        program.join(c, 0.0)
        for day in range(1, 50):
            program.on_day(day)
        t = totals(book)
        assert book.cash()[-1] == pytest.approx(100.0)
        assert t["membership_fees"] == pytest.approx(50.0)  # days 0..49 of 100
        assert t["fee_deferral"] == pytest.approx(50.0)
        for day in range(50, 300):
            program.on_day(day)
        t = totals(book)
        assert t["membership_fees"] == pytest.approx(100.0)
        assert t["fee_deferral"] == pytest.approx(0.0, abs=1e-9)
        assert host.scheduled and host.scheduled[0][0] == 100.0  # the renewal is an event


class TestPerksOnTheBooks:
    def test_each_yearly_perk_keeps_its_own_clock(self):
        design = {
            "joining": {"mode": "automatic"},
            "perks": [
                {"name": "birthday gift", "trigger": "yearly", "cost_per_use": 3.0},
                {"name": "anniversary dinner", "trigger": "yearly", "cost_per_use": 20.0},
            ],
        }
        program, _, book = books(design)
        program.on_day(0)
        c = Person()
        program.join(c, 0.0)
        for day in (1.0, 100.0, 370.0, 371.0):
            program.checkout(c, 10.0, day)
        # Both perks at the first visit and again after the anniversary: 2 x (3 + 20).
        assert program.stats.perks == 4
        assert totals(book)["prizes_and_perks"] == pytest.approx(-46.0)


class TestHabituation:
    def test_the_deal_fades_unless_refreshed(self):
        """DOMAIN L5: the same card is felt less a year on; a tier upgrade refreshes it."""
        design = {
            "joining": {"mode": "automatic"},
            "points": {"rewards": [{"points_cost": 1000, "face_value": 100.0}]},
            "tiers": {
                "metric": "spend",
                "levels": [
                    {"name": "base", "threshold": 0},
                    {"name": "plus", "threshold": 500, "earn_multiplier": 1.0},
                ],
            },
        }
        program, _, _ = books(design, goal_gradient=0.0)
        program.on_day(0)
        c = Person()
        program.join(c, 0.0)
        m = c.member
        fresh = m.rate_factor
        program.checkout(c, 1.0, 365.0)
        assert 1.0 < m.rate_factor < fresh
        program.checkout(c, 600.0, 400.0)  # reaches "plus": a new status is felt afresh
        assert m.refreshed == 400.0
        assert m.rate_factor == pytest.approx(fresh)

    def test_a_stake_lowers_dropout_until_it_is_spent(self):
        program, _, _ = books({"joining": {"mode": "automatic"}, "points": {}})
        program.on_day(0)
        c = Person()
        program.join(c, 0.0)
        assert c.member.loyalty_factor == 1.0  # nothing at stake yet
        program.checkout(c, 49.0, 1.0)  # 49 points worth 7.84, about 0.8 baskets of 10
        held = c.member.loyalty_factor
        assert held < 1.0
        program.checkout(c, 10.0, 2.0)  # 59 points: more at stake
        assert c.member.loyalty_factor < held
        program.checkout(c, 1.0, 3.0)  # redeems 50, earns 1: 10 points left
        assert held < c.member.loyalty_factor < 1.0


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    visits=st.lists(
        st.tuples(st.floats(0.0, 80.0), st.integers(0, 3), st.booleans()),
        min_size=1,
        max_size=60,
    ),
    expiry=st.sampled_from(["after_days", "end_of_year", "never"]),
)
def test_points_are_conserved_and_never_negative(visits, expiry):
    """Every point earned is redeemed, expired, forfeited or outstanding; no balance or
    liability is ever negative; the ledger's liability equals the liability's books."""
    horizon = 800
    program, host, book = books(
        {
            "joining": {"mode": "automatic"},
            "points": {
                "expiry": expiry,
                "expiry_days": 40,
                "redemption_propensity": 0.7,
                "rewards": [
                    {"points_cost": 50, "face_value": 8.0},
                    {"points_cost": 120, "face_value": 25.0, "cost_to_business": 9.0},
                ],
            },
        },
        horizon=horizon,
    )
    people = [Person(i) for i in range(4)]
    host.people = people
    day = 0
    program.on_day(0)
    for amount, who, leaves in visits:
        day += 7
        for d in range(day - 6, day + 1):
            program.on_day(d)
        c = people[who]
        host.clock = day + 0.5
        if c.member is None:
            program.join(c, host.clock)
        program.checkout(c, amount, host.clock)
        if leaves:
            program.on_lost(c, day)
        for p in people:
            assert p.member is None or p.member.balance >= 0
        assert program.liability.liability >= -1e-9
    s = program.stats
    assert s.points_issued == (
        s.points_redeemed + s.points_expired + s.points_forfeited + program.liability.outstanding
    )
    program.finish(day)
    balances = sum(p.member.balance for p in people if p.member is not None)
    assert balances == program.liability.outstanding
    assert totals(book)["points_liability"] == pytest.approx(program.liability.liability, abs=1e-9)


def test_member_effects_put_the_rules_together():
    """A fresh member with a 10% deal, a full card and two baskets at stake."""
    r = ProgramResponse()
    # The lightest buyer (weight 1) shows the whole response.
    rate, spend, loyalty = response.member_effects(0.1, 0.0, 1.0, 20.0, 10.0, 1.0, r)
    assert rate == pytest.approx(0.9**-1.0 * 1.1)  # visit elasticity -1, goal gradient 0.1
    assert spend == pytest.approx(1.05)  # basket: 1 + 0.5 x 0.1
    assert loyalty == pytest.approx(0.875)  # attachment 0.5, switching-cost effect 0.25
    # A buyer at the market's mean rate responds a third as much (0.5 / (0.5 + 1)).
    weight = response.activity_weight(0.2, 0.2, r.activity_half_ratio)
    assert weight == pytest.approx(1 / 3)
    rate, spend, loyalty = response.member_effects(0.1, 0.0, 1.0, 20.0, 10.0, weight, r)
    assert rate == pytest.approx((1 - 0.1 / 3) ** -1.0 * (1 + 0.1 / 3))
    assert spend == pytest.approx(1 + 0.5 * 0.1 / 3)
    assert loyalty == pytest.approx(1 - 0.25 / 3 * 0.5)
    # A year on, the deal is felt at 0.3 + 0.7 exp(-365/120) of its size.
    later, _, _ = response.member_effects(0.1, 365.0, 0.0, 0.0, 10.0, 1.0, r)
    felt = 0.1 * (0.3 + 0.7 * math.exp(-365 / 120))
    assert later == pytest.approx((1 - felt) ** -1.0)
    # A member whose fee is paid up buys 15% more often (Iyengar, Park & Yu 2022).
    paid, _, _ = response.member_effects(0.0, 0.0, 0.0, 0.0, 10.0, 1.0, r, paid=True)
    assert paid == pytest.approx(1.15)
    # A response stated directly multiplies all three, whatever the weight.
    stated = ProgramResponse(visit_lift=0.1, basket_lift=0.2, churn_cut=0.5)
    assert response.member_effects(0.0, 0.0, 0.0, 0.0, 10.0, 0.0, stated) == pytest.approx(
        (1.1, 1.2, 0.5)
    )


def test_heavy_buyers_hardly_respond():
    """Liu (2007): light buyers respond, heavy buyers do not change."""
    half = ProgramResponse().activity_half_ratio
    light, average, heavy = (response.activity_weight(r, 1.0, half) for r in (0.1, 1.0, 10.0))
    assert light > 0.8 > average > heavy
    assert heavy < 0.05
    assert response.activity_weight(0.5, 1.0, 0.5) == pytest.approx(0.5)


def test_point_lots_are_used_oldest_first_and_stay_compact():
    lots = PointLots()
    for day in range(100):
        lots.add(float(day + 365), 10)
    lots.add(464.0, 5)  # same expiry day as the last lot: shares its entry
    assert len(lots) == 100
    told: list[tuple[float, int]] = []
    lots.take(405, lambda expiry, n: told.append((expiry, n)))
    assert told[:2] == [(365.0, 10), (366.0, 10)] and told[-1] == (405.0, 5)
    assert sum(n for _, n in told) == 405
    assert lots.drop_expired(410.0) == 5 + 10 * 5  # day 405's remainder, then 406..410
    assert lots.remaining()[0] == (411.0, 10)
    assert len(lots.points) == 100  # the used front is still under half: kept for now
    assert lots.drop_expired(420.0) == 100  # days 411..420
    assert len(lots.points) == 44  # now over half was used: dropped in bulk
    moved = lots.cap_expiry(430.0)  # days 431..464 move to 430
    assert len(moved) == 34 and lots.remaining()[-1] == (430.0, 15)
    assert sum(n for _, n in lots.remaining()) == 1005 - 405 - 55 - 100
