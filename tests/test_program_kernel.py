"""The compiled program step (``sim.engine.program_kernel``) against the Python handlers.

A run with a program makes its purchase opportunities through ``program_opportunity_step``;
with ``LOYALSIM_COMPILED=0`` the same run goes through ``Shop.opportunity``, ``purchase`` and
``Program.checkout``, which stay the reference. Every table must come out identical, float
bits included, in runs that exercise each branch: expiry of every kind, caps, bonus points,
several rewards, the end of a program with honoured or forfeited points, a cut in the terms,
opt-in, automatic and capped joining, referrals and partner points (other draws of the
program's generator between its uniforms), new mechanics arriving mid-run, tiers on each
metric under each downgrade policy, perks of each trigger on the design and on tiers, paid
memberships, instant wins and revenue shares. The parts are checked on their own too: the
lots, the stream, the yearly perk dues and the liability's catch-up.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_same_results, python_and_compiled

import sim
from sim.engine import kernel, program_kernel
from sim.engine.compiled_program import ProgramStream, TabledLiability
from sim.engine.member_table import MemberTable, TabledMember
from sim.engine.model import AgentModel
from sim.engine.streams import BLOCK, spawn_streams
from sim.money.liability import PointsLiability
from sim.money.programs.member import PointLots
from sim.scenario import load_scenario

pytestmark = pytest.mark.skipif(not kernel.enabled(), reason="numba is not installed")

BUSY = {
    "horizon_days": 500,
    "market.size": 3000,
    "market.initial_customers": 400,
    "product.service_failure_rate": 0.05,
    "competition.offers_per_year": 4,
    "win_back.rate_per_year": 2.0,
    "ladder.promotion.advocate_min_promoter_days": 10,
}


def _card(**overrides):
    """The bundled stamp card, busy, with ``overrides`` of its program (``programs.0.``)."""
    scenario = load_scenario("scenarios/coffee_points_card.yaml").with_overrides(BUSY)
    return scenario.with_overrides({f"programs.0.{k}": v for k, v in overrides.items()})


def _club(program: str, **overrides):
    scenario = load_scenario("scenarios/supermarket_club_card.yaml").with_overrides(
        {**BUSY, "active_program": program, "market.size": 4000}
    )
    index = [p.name for p in scenario.programs].index(program)
    return scenario.with_overrides({f"programs.{index}.{k}": v for k, v in overrides.items()})


def _bundled(name: str, program: str | None = None, **overrides):
    """A bundled scenario, busy, with its ``program`` (default: the first) and ``overrides``."""
    scenario = load_scenario(f"scenarios/{name}.yaml").with_overrides(BUSY)
    names = [p.name for p in scenario.programs]
    index = names.index(program) if program else 0
    scenario = scenario.with_overrides({"active_program": names[index]})
    return scenario.with_overrides({f"programs.{index}.{k}": v for k, v in overrides.items()})


def _flying_club():
    """The bundled flying club with tiers in reach of a busy run: Silver from 600, Gold from
    1,500 spent in a 60-day window."""
    scenario = _bundled("airline_tiers")
    levels = scenario.programs[0].tiers.model_dump()["levels"]
    for level, threshold in zip(levels, (0, 600, 1500), strict=True):
        level["threshold"] = threshold
    return _bundled("airline_tiers", **{"tiers.window_days": 60, "tiers.levels": levels})


YEARLY_GIFT = {
    "name": "yearly gift",
    "trigger": "yearly",
    "cost_per_use": 3.0,
    "satisfaction_boost": 0.02,
    "attachment_boost": 0.03,
}
FREE_REPAIR = {
    "name": "free repair",
    "trigger": "service_failure",
    "probability": 0.7,
    "cost_per_use": 5.0,
    "satisfaction_boost": 0.04,
    "attachment_boost": 0.02,
}
TIERS = [
    {"name": "base", "threshold": 0},
    {"name": "silver", "threshold": 8, "earn_multiplier": 1.5, "perks": [FREE_REPAIR]},
    {"name": "gold", "threshold": 20, "earn_multiplier": 2.0, "discount": 0.05,
     "perks": [{**FREE_REPAIR, "probability": 0.9}, YEARLY_GIFT]},
]  # fmt: skip

TWO_REWARDS = [
    {"name": "coffee", "points_cost": 20, "face_value": 2.5, "cost_to_business": 0.8},
    {"name": "lunch", "points_cost": 60, "face_value": 9.0, "cost_to_business": 3.5},
]

CASES = {
    "stamp card": lambda: _card(),
    "end of year expiry, cap, bonus, two rewards": lambda: _card(
        **{
            "points.expiry": "end_of_year",
            "points.cap_points_per_period": 40,
            "points.cap_period_days": 30,
            "points.bonus_order_share": 0.2,
            "points.bonus_points": 5,
            "points.minimum_order": 3.0,
            "points.rewards": TWO_REWARDS,
            "points.redemption_propensity": 0.6,
        }
    ),
    "short expiry, re-estimated often": lambda: _card(
        **{"points.expiry_days": 30, "points.re_estimate_every_days": 20}
    ),
    "never expiring, ended, honoured": lambda: _card(
        **{
            "points.expiry": "never",
            "end_day": 250,
            "points.after_end": "honoured",
            "points.honour_days": 90,
        }
    ),
    "ended, points forfeited": lambda: _card(**{"end_day": 300, "points.after_end": "forfeited"}),
    "a cut in the terms": lambda: _card(
        term_changes=[{"day": 200, "set": {"points.points_per_currency": 0.5}}]
    ),
    "automatic joining with a capacity, referrals": lambda: _card(
        **{
            "joining.mode": "automatic",
            "joining.capacity": 150,
            "referral": {
                "referrer_reward_cost": 3.0,
                "extra_messages_per_member_per_year": 4.0,
                "card_lending_per_member_per_year": 1.0,
            },
        }
    ),
    "coalition earning from day 150 (new terms mid-run)": lambda: _card(
        term_changes=[
            {
                "day": 150,
                "set": {
                    "coalition": {
                        "partner_points_per_member_per_month": 4,
                        "payment_per_point": 0.01,
                    }
                },
            }
        ]
    ),
    "club card (discount at joining)": lambda: _club("club card"),
    "progressive card (discount by spend), late launch": lambda: _club(
        "progressive card", launch_day=60
    ),
    "instant wins and a contest beside the points": lambda: _card(
        lottery={
            "win_probability": 0.2,
            "prize_value": 3.0,
            "prize_cost": 1.0,
            "win_satisfaction_boost": 0.03,
            "contests": [{"day": 300, "winners": 3, "prize_cost": 50.0}],
        }
    ),
    "paid membership, renewed or lapsed, periodic timing": lambda: load_scenario(
        "scenarios/ecommerce_membership.yaml"
    ).with_overrides(
        {
            **BUSY,
            "programs.0.membership.period_days": 90,
        }
    ),
    "revenue share, paid out yearly": lambda: load_scenario(
        "scenarios/cooperative_dividend.yaml"
    ).with_overrides(BUSY),
    "points and a discount card together": lambda: _club(
        "progressive card",
        points={"points_per_currency": 1.0, "rewards": TWO_REWARDS},
    ),
    "tiers by spend with tier perks, reviewed one level at a time": lambda: _flying_club(),
    "tier discounts, a yearly tier perk, recomputed reviews": lambda: _bundled(
        "b2b_supplier_partners",
        "key-account tiers",
        **{"tiers.window_days": 150, "tiers.downgrade": "recompute"},
    ),
    "tiers on points earned, a yearly perk on the design and a tier": lambda: _card(
        tiers={"metric": "points", "window_days": 90, "levels": TIERS},
        perks=[YEARLY_GIFT],
    ),
    "tiers on purchases": lambda: _card(
        tiers={"metric": "transactions", "window_days": 60, "levels": TIERS}
    ),
    "free repairs and a yearly gift": lambda: _bundled("outdoor_apparel_repairs"),
    "repairs and perks beside honoured points after the end": lambda: _card(
        perks=[FREE_REPAIR, YEARLY_GIFT, {**YEARLY_GIFT, "trigger": "order", "probability": 0.3}],
        end_day=250,
        **{"points.after_end": "honoured", "points.honour_days": 90},
    ),
    "paid membership with yearly and order perks": lambda: _bundled(
        "wine_club", **{"membership.decision_noise": 0.3}
    ).with_overrides({"horizon_days": 800, "market.initial_customers": 1500}),
    "coalition card": lambda: _bundled("coalition_card"),
    "a response stated directly (visit, basket and churn lifts)": lambda: _card().with_overrides(
        {
            "program_response.visit_lift": 0.1,
            "program_response.basket_lift": 0.05,
            "program_response.churn_cut": 0.3,
        }
    ),
}
"""Each case is a bundled design made busy (``BUSY``), with overrides of its own."""


@pytest.mark.parametrize("case", list(CASES))
def test_the_program_step_gives_the_python_handlers_tables_bit_for_bit(case, monkeypatch):
    scenario = CASES[case]()
    monkeypatch.setenv("LOYALSIM_COMPILED", "1")
    assert AgentModel(scenario, 3).table is not None  # the step makes this run's opportunities
    python, compiled = python_and_compiled(scenario, 3, monkeypatch)
    assert_same_results(compiled, python)
    program = python.summary["program"]
    assert program["activity"]["joined"] > 20, "the case must enrol members"


def test_the_cases_reach_every_branch_they_are_meant_to(monkeypatch):
    """Redemptions, expiry, forfeits, departures at a cut and at the end, referrals: each case
    is only a check if the branch it names happens in it."""
    monkeypatch.setenv("LOYALSIM_COMPILED", "1")

    def activity(case):
        return sim.simulate(CASES[case](), 3).summary["program"]["activity"]

    stamp = activity("stamp card")
    assert stamp["rewards"] > 50 and stamp["points_issued"] > 5000 and stamp["offers_declined"]
    assert activity("short expiry, re-estimated often")["points_expired"] > 0
    assert activity("ended, points forfeited")["points_forfeited"] > 0
    assert activity("a cut in the terms")["departures_at_cut"] > 0
    honoured = activity("never expiring, ended, honoured")
    assert honoured["departures_at_end"] > 0 and honoured["rewards"] > 0
    referrals = activity("automatic joining with a capacity, referrals")
    assert referrals["referral_messages"] > 0 and referrals["cards_lent"] > 0
    assert activity("coalition earning from day 150 (new terms mid-run)")["partner_points"] > 0
    assert activity("coalition card")["partner_points"] > 1000
    assert activity("tiers by spend with tier perks, reviewed one level at a time")["upgrades"] > 20
    for case in (
        "tier discounts, a yearly tier perk, recomputed reviews",
        "tiers on points earned, a yearly perk on the design and a tier",
        "tiers on purchases",
    ):
        tiers = activity(case)
        assert tiers["upgrades"] > 20 and tiers["downgrades"] > 5, case
    for case in (
        "free repairs and a yearly gift",
        "repairs and perks beside honoured points after the end",
        "paid membership with yearly and order perks",
    ):
        assert activity(case)["perks"] > 20, case
    lottery = activity("instant wins and a contest beside the points")
    assert lottery["prizes"] > 20 and lottery["contest_prizes"] > 0
    assert activity("revenue share, paid out yearly")["revenue_share_paid"] > 0
    membership = activity("paid membership, renewed or lapsed, periodic timing")
    assert membership["renewals"] > 5 and membership["lapses"] > 5  # each several times


def test_tabled_lots_behave_as_point_lots():
    """Random adds, takes, expiries, caps and clears give the same lots and the same
    unscheduling as ``PointLots``, across a growth of the pool."""
    rng = np.random.default_rng(5)
    table = MemberTable(capacity=1, lot_capacity=2)
    members = [TabledMember(table, None, 0.0) for _ in range(3)]
    plain = [PointLots() for _ in members]
    day = 0.0
    for _ in range(3000):
        k = int(rng.integers(3))
        tabled, lots = members[k].lots, plain[k]
        action = rng.random()
        day += float(rng.integers(0, 3))
        if action < 0.5:
            expires = day + float(rng.choice([5.0, 30.0]))
            expires = max(expires, lots.remaining()[-1][0]) if len(lots) else expires
            points = int(rng.integers(1, 20))
            tabled.add(expires, points)
            lots.add(expires, points)
        elif action < 0.75:
            held = sum(p for _, p in lots.remaining())
            if held:
                take = int(rng.integers(1, held + 1))
                told_tabled, told_plain = [], []
                tabled.take(take, lambda e, n, told=told_tabled: told.append((e, n)))
                lots.take(take, lambda e, n, told=told_plain: told.append((e, n)))
                assert told_tabled == told_plain
        elif action < 0.95:
            assert tabled.drop_expired(day) == lots.drop_expired(day)
        elif action < 0.98:
            assert tabled.cap_expiry(day + 10.0) == lots.cap_expiry(day + 10.0)
        else:
            tabled.clear()
            lots.clear()
        assert tabled.remaining() == lots.remaining()
        assert len(tabled) == len(lots)
    assert len(table.lots) > 3  # the pool grew


def test_the_program_stream_gives_the_reference_draws_with_other_draws_between():
    """Uniforms through the buffer (as the step takes them) and through ``uniform()``, with
    Poisson draws of the same generator in between, equal the reference stream's."""
    reference = spawn_streams(11)["program"]
    shared = ProgramStream(spawn_streams(11)["program"])
    rng = np.random.default_rng(0)
    for step in range(6 * BLOCK):
        if step % 700 == 0:
            assert (
                shared.gen.poisson(3.0, size=5).tolist()
                == reference.gen.poisson(3.0, size=5).tolist()
            )
        if rng.random() < 0.5:
            assert shared.uniform() == reference.uniform()
        else:  # as a compiled step: prepare, take up to MAX_DRAWS from the buffer, settle
            shared.prepare()
            for _ in range(int(rng.integers(program_kernel.MAX_DRAWS + 1))):
                assert program_kernel._draw(shared.draws) == reference.uniform()
            shared.settle()


def test_the_compiled_catch_up_is_the_liabilitys():
    """Issues, redemptions, expiries and re-estimates on the state vector recognise the same
    revenue as ``PointsLiability``, to the bit."""
    rng = np.random.default_rng(2)
    state = np.zeros(program_kernel.STATE)
    tabled, plain = TabledLiability(state, 0.8), PointsLiability(0.8)
    for _ in range(2000):
        action = rng.random()
        outstanding = plain.outstanding
        if action < 0.5:
            points, value = float(rng.integers(1, 50)), float(rng.random() * 10)
            state[program_kernel.S_ISSUED] += points
            state[program_kernel.S_DEFERRED] += value
            assert program_kernel._catch_up(state) == plain.issue(points, value)
        elif action < 0.8 and outstanding >= 1:
            points = float(rng.integers(1, int(outstanding) + 1))
            state[program_kernel.S_REDEEMED] += points
            assert program_kernel._catch_up(state) == plain.redeem(points)
        elif action < 0.95 and outstanding >= 1:
            points = float(rng.integers(1, int(outstanding) + 1))
            assert tabled.expire(points) == plain.expire(points)
        else:
            rate = float(rng.random())
            assert tabled.re_estimate(rate) == plain.re_estimate(rate)
        assert repr(tabled) == repr(plain).replace("PointsLiability", "TabledLiability")


def test_tables_grown_from_one_row_and_one_lot_give_the_same_run(monkeypatch):
    """A member table that starts with one row and one points lot grows all the time: rows at
    every second join, lots each time the step takes the last free one (``LOTS_EMPTY``) or
    Python does. The step's arguments are taken afresh after each growth; the run is the
    Python handlers' to the bit."""
    from sim.engine import member_table

    monkeypatch.setattr(member_table.MemberTable.__init__, "__defaults__", (1, 1, ()))
    for case in ("stamp card", "tiers on points earned, a yearly perk on the design and a tier"):
        python, compiled = python_and_compiled(CASES[case](), 3, monkeypatch)
        assert_same_results(compiled, python)
        assert compiled.summary["program"]["activity"]["points_issued"] > 5000


def test_yearly_perk_dues_in_the_table_behave_as_the_members_dict():
    """``TabledMember.yearly_due`` reads and writes the row's yearly columns as
    ``Member.yearly_due`` does its dict (absent: due at joining), across a growth of the table."""
    table = MemberTable(capacity=1, yearly_perks=("gift", "dinner"))
    first = TabledMember(table, None, 0.0)
    assert dict(first.yearly_due) == {} and first.yearly_due.get("gift", 4.0) == 4.0
    first.yearly_due["gift"] = 365.0
    second = TabledMember(table, None, 2.0)  # the table doubles
    second.yearly_due = {"dinner": 367.0}
    assert dict(first.yearly_due) == {"gift": 365.0}
    assert dict(second.yearly_due) == {"dinner": 367.0} and "gift" not in second.yearly_due
    del first.yearly_due["gift"]
    assert len(first.yearly_due) == 0
    with pytest.raises(KeyError, match="not a yearly perk"):
        first.yearly_due["breakfast"] = 1.0
