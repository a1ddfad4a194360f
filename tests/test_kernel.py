"""The compiled purchase opportunity (``sim.engine.kernel``) against the engine's Python handlers.

A run with no program and exponential timing makes its purchase opportunities through
``sim.engine.kernel.opportunity_step``; with ``LOYALSIM_COMPILED=0`` the same run goes through
``Shop.opportunity``, ``purchase`` and ``gap``, which stay the reference. Every table must
come out identical, float bits included, in runs that exercise every branch of the step: loss
to competitors, life events and drift, service failures and recoveries, every rung of the
ladder, survey answers that change voice, win-backs, and a social network.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import assert_same_results, python_and_compiled, small_scenario

import sim
from sim.engine import kernel
from sim.engine.customer import Customer, TabledCustomer
from sim.engine.kernel import CustomerTable
from sim.engine.model import AgentModel
from sim.rules.ladder import ADVOCATE, CUSTOMER, MEMBER, PROSPECT, RAVING_FAN, SHOPPER, next_stage
from sim.scenario import load_scenario

pytestmark = pytest.mark.skipif(not kernel.enabled(), reason="numba is not installed")


def _busy(scenario):
    """``scenario`` with every branch of the step frequent: failures, recoveries, competitor
    campaigns, life events, drift, win-backs, word of mouth and the upper rungs."""
    return scenario.with_overrides(
        {
            "product.service_failure_rate": 0.05,
            "product.quality_mean": 0.85,
            "product.recovery_probability": 0.5,
            "competition.offers_per_year": 6,
            "life_events.moved_away_per_year": 0.3,
            "win_back.rate_per_year": 2.0,
            "ladder.promotion.advocate_min_promoter_days": 10,
            "ladder.promotion.fan_min_promoter_days": 20,
            "ladder.promotion.fan_min_attachment": 0.3,
        }
    )


CASES = {
    "coffee shop, natural": lambda: load_scenario("scenarios/coffee_shop.yaml").with_overrides(
        {"active_program": "none", "horizon_days": 400}
    ),
    "busy small shop": lambda: _busy(small_scenario(horizon_days=400)),
    "busy, on a small world": lambda: _busy(small_scenario(horizon_days=400)).with_overrides(
        {"word_of_mouth.network": "small_world"}
    ),
    "MBG/NBD dropout, no touches": lambda: _busy(small_scenario(horizon_days=400)).with_overrides(
        {"customers.dropout_model": "mbgnbd", "business.touches_per_month": 0}
    ),
    "steady market": lambda: load_scenario("scenarios/steady_market.yaml"),
    "busy, periodic timing": lambda: _busy(small_scenario(horizon_days=400)).with_overrides(
        {"customers.purchase_timing": "periodic", "customers.periodic_jitter": 0.3}
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_compiled_step_gives_the_python_handlers_tables_bit_for_bit(case, monkeypatch):
    python, compiled = python_and_compiled(CASES[case](), 7, monkeypatch)
    assert_same_results(compiled, python)
    # The runs were not trivial: the business traded to the end, people bought and left.
    moves = python.movements["reason"].astype(str)
    assert python.summary["bankrupt"] is False
    assert python.daily["purchases"].sum() > 1000
    assert moves.str.startswith("lost:").sum() > 10


def test_the_busy_cases_reach_every_branch(monkeypatch):
    """The cases above exercise what they claim: every loss reason the step can give, failures
    recovered and not, the top rung, and win-backs."""
    monkeypatch.setenv("LOYALSIM_COMPILED", "1")
    result = sim.simulate(CASES["busy small shop"](), 7)
    reasons = set(result.movements["reason"].astype(str))
    for why in (
        "lost:competitor_offer",
        "lost:moved_away",
        "lost:low_interaction",
        "won_back",
        "repeat_purchase",
        "sustained_promoter",
        "no_longer_promoter",
        "enthusiastic_and_attached",
    ):
        assert why in reasons, why
    assert result.ledger.query("account == 'service_recovery'")["amount"].sum() < 0


def test_runs_use_the_step_unless_it_is_switched_off(monkeypatch):
    monkeypatch.setenv("LOYALSIM_COMPILED", "1")
    natural = small_scenario(horizon_days=400)
    assert AgentModel(natural, 0).table is not None
    assert AgentModel(natural, 0, compiled=False).table is None
    periodic = natural.with_overrides({"customers.purchase_timing": "periodic"})
    assert AgentModel(periodic, 0).table is not None
    for name in ("coffee_points_card", "airline_tiers", "coalition_card"):  # with programs
        scenario = load_scenario(f"scenarios/{name}.yaml")
        assert scenario.program() is not None and AgentModel(scenario, 0).table is not None
    monkeypatch.setenv("LOYALSIM_COMPILED", "0")
    assert AgentModel(natural, 0).table is None


def test_the_step_ladder_is_next_stage_for_members_and_everyone_else():
    """``_rung_after_purchase`` gives ``sim.rules.ladder.next_stage``'s rung and reason."""
    rules = AgentModel(small_scenario(horizon_days=400), 0).shop.p.rules
    p = np.zeros(kernel.CONSTANTS)
    p[kernel.P_ADVOCATE_MIN_PROMOTER_DAYS] = rules.advocate_min_promoter_days
    p[kernel.P_FAN_MIN_PROMOTER_DAYS] = rules.fan_min_promoter_days
    p[kernel.P_FAN_MIN_SCORE] = rules.fan_min_score
    p[kernel.P_FAN_MIN_ATTACHMENT] = rules.fan_min_attachment
    stages = (PROSPECT, SHOPPER, CUSTOMER, MEMBER, ADVOCATE, RAVING_FAN)
    days = (0.0, rules.advocate_min_promoter_days, rules.fan_min_promoter_days + 1.0)
    attachments = (0.0, rules.fan_min_attachment, 1.0)
    reasons = set()
    for stage, purchases, score, promoter_days, attachment, member in itertools.product(
        stages, (1, 2, 5), range(11), days, attachments, (False, True)
    ):
        want = next_stage(stage, purchases, score, promoter_days, attachment, member, rules)
        got_stage, got_why = kernel._rung_after_purchase(
            stage, purchases, score, promoter_days, attachment, member, p
        )
        why = None if got_why == kernel.NO_MOVE else kernel.LADDER_REASONS[got_why]
        assert (got_stage, why) == want, (stage, purchases, score, promoter_days, member)
        reasons.add(why)
    assert reasons == {*kernel.LADDER_REASONS, None}  # the grid reaches every move and staying


def test_a_tabled_customer_reads_and_writes_its_table_row():
    table = CustomerTable(capacity=2)
    args = (CUSTOMER, 3.0, 1, 0.1, 0.2, 5.0, 0.3, 2**64 - 5, 0.6, 0.5, 0.4)
    plain = Customer(0, *args)
    tabled = [TabledCustomer(table, i, *args) for i in range(5)]
    assert table.capacity >= 5  # grown past its first two rows
    for c in tabled:
        for name in (*kernel.FLOAT_FIELDS, *kernel.INT_FIELDS):
            if name != "member_row":  # the table's own: the row of the membership object
                assert repr(getattr(c, name)) == repr(getattr(plain, name)), name  # NaN too
        assert c.member is None and c.member_row == -1
    last = tabled[4]
    last.satisfaction = 0.25
    last.fate = 2**63 + 1
    last.fresh = False
    last.stage = RAVING_FAN
    assert table.floats[4, kernel.SATISFACTION] == 0.25
    assert int(table.ints[4, kernel.FATE].view(np.uint64)) == 2**63 + 1
    assert (last.fate, last.fresh, last.stage) == (2**63 + 1, False, RAVING_FAN)
    assert tabled[3].satisfaction == 0.6 and tabled[3].fate == 2**64 - 5
