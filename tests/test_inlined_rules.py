"""The engine's inlined hot path against the pure rules it inlines, bit for bit.

``Shop.purchase``, ``opportunity``, ``gap`` and ``refresh_relationship`` (``sim.engine.shop``)
inline the pure functions of ``sim.rules.buying``, ``sim.rules.churn``, ``sim.rules.experience``,
``sim.rules.relationship``, ``sim.rules.wom`` and ``sim.rules.ladder`` (a function call costs
about as much as the arithmetic it wraps). The functions stay the reference: here the same
customers go once through the engine and once through a reference written with the pure
functions only, and every field of the customer and every counter of the model must come out
identical, float bits included.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import small_scenario

from sim.engine.customer import Customer
from sim.engine.model import AgentModel
from sim.engine.streams import (
    QUANTILE_POINTS,
    own_exponential,
    own_normal,
    own_quantile_index,
    own_seed,
    own_uniform,
)
from sim.money import ledger
from sim.results.recorder import MOVE_CODE
from sim.rules import wom
from sim.rules.buying import next_gap, purchase_rate
from sim.rules.churn import drift_probability, drift_reason
from sim.rules.experience import (
    experience_score,
    experienced_quality,
    updated_expectation,
    updated_satisfaction,
)
from sim.rules.ladder import ADVOCATE, CUSTOMER, LOST, PROSPECT, RAVING_FAN, SHOPPER, next_stage
from sim.rules.relationship import after_interaction, closed_form, relationship_after

CASES = 400


# ------------------------------------------------------------------ the reference
def reference_refresh(m: AgentModel, c: Customer, now: float) -> None:
    c.relationship = relationship_after(
        c.relationship,
        now - c.checked,
        m.shop.p.touch_rate if SHOPPER <= c.stage < LOST else 0.0,
        m.shop.p.gain_per_touch,
        m.shop.p.decay,
    )
    c.checked = now


def reference_gap(m: AgentModel, c: Customer) -> float:
    rate = purchase_rate(
        c.base_rate,
        m.shop.p.freq_mult[c.stage],
        c.satisfaction,
        c.relationship,
        m.shop.p.ref_satisfaction,
        m.shop.p.ref_relationship,
        m.shop.p.freq_satisfaction_sens,
        m.shop.p.freq_relationship_sens,
        m.shop.p.price_factor,
    )
    if m.shop.p.periodic:
        return next_gap(rate, True, m.shop.p.jitter, own_normal(c))
    return next_gap(rate, False, 0.0, own_exponential(c))


def reference_purchase(m: AgentModel, c: Customer, now: float) -> float:
    """``Shop.purchase`` written with the pure rules (no program in these scenarios)."""
    day = int(now)
    stage = c.stage
    spend_stage = stage if stage > PROSPECT else SHOPPER
    basket = (
        c.mean_spend
        * m.shop.p.spend_mult[spend_stage]
        * m.shop.p.basket_quantiles[int(own_uniform(c) * QUANTILE_POINTS)]
    )
    revenue = basket * m.shop.p.price_level
    cost = basket * m.shop.p.cogs_share
    m.shop.revenue_book[day] += revenue
    m.shop.cogs_book[day] -= cost
    c.value += (revenue - cost) * math.exp(m.shop.p.neg_log_discount_per_day * (now - c.acquired))
    c.purchases += 1
    c.spend += revenue
    c.last_purchase = now
    m.recorder.purchases[day] += 1
    failed = own_uniform(c) < m.shop.p.failure_rate
    recovered = failed and own_uniform(c) < m.shop.p.recovery_probability
    if recovered:
        m.ledger.post(day, ledger.SERVICE_RECOVERY, -m.shop.p.recovery_cost)
    expectation = c.expectation
    quality = experienced_quality(
        m.shop.p.quality_mean + m.shop.p.quality_sd * own_normal(c),
        expectation,
        failed,
        recovered,
        m.shop.p.failure_severity,
        m.shop.p.recovery_bonus,
    )
    score = experience_score(quality, expectation, m.shop.p.slope, m.shop.p.performance_weight)
    satisfaction = updated_satisfaction(c.satisfaction, score, m.shop.p.learning_rate)
    if failed and not recovered and stage >= ADVOCATE:
        satisfaction = min(satisfaction, m.shop.p.love_to_hate)
    c.satisfaction = satisfaction
    if not failed:
        c.expectation = updated_expectation(
            expectation, quality, m.shop.p.expectation_up, m.shop.p.expectation_down
        )
    m.survey.set_level(c)
    c.relationship = relationship = after_interaction(c.relationship, m.shop.p.gain_per_purchase)
    c.attachment = attachment = wom.attachment_after_experience(
        c.attachment, satisfaction, relationship, m.shop.p.attachment_rate
    )
    score, promoter_days = m.survey.answer(c, now)
    new_stage, why = next_stage(
        stage, c.purchases, score, promoter_days, attachment, c.is_member, m.shop.p.rules
    )
    if why is not None:
        m.moves.move(c, new_stage, MOVE_CODE[why])
    m.survey.set_voice(c, wom.voice(score, new_stage == RAVING_FAN), day, day)
    return revenue


def reference_opportunity(m: AgentModel, c: Customer, now: float) -> bool:
    """The drift part of ``Shop.opportunity`` (no life event, offer or pending loss)."""
    reference_refresh(m, c, now)
    fresh, c.fresh = c.fresh, False
    if not (fresh and m.shop.p.drift_waits_for_repeat):
        p = drift_probability(
            c.propensity,
            m.shop.p.drop_mult[c.stage],
            c.satisfaction,
            c.relationship,
            m.shop.p.ref_satisfaction,
            m.shop.p.ref_relationship,
            m.shop.p.drop_satisfaction_sens,
            m.shop.p.drop_relationship_sens,
        )
        if own_uniform(c) < p:
            m.moves.lose(c, drift_reason(c.relationship, m.shop.p.low_interaction_threshold))
            return False
    reference_purchase(m, c, now)
    return True


# ------------------------------------------------------------------ random customers
def random_customer(m: AgentModel, rng: np.random.Generator, i: int) -> Customer:
    """A customer in a random state, registered with the model's counters as the engine would."""
    stage = int(rng.integers(SHOPPER, RAVING_FAN + 1))
    c = Customer(
        i,
        stage,
        -float(rng.uniform(0, 400)),
        0,
        float(rng.gamma(1.5, 0.1)),
        float(rng.beta(1, 20)),
        float(rng.gamma(4, 1.5)),
        float(rng.uniform()),
        own_seed(float(rng.uniform())),
        float(rng.uniform()),
        float(rng.uniform()),
        float(rng.uniform()),
    )
    c.acquired = c.created
    c.purchases = int(rng.integers(1, 50))
    c.attachment = float(rng.uniform())
    c.fresh = bool(rng.uniform() < 0.2)
    c.is_member = bool(rng.uniform() < 0.3)  # the ladder's member rules (no program here)
    c.promoter_since = float(rng.uniform(-300, 0)) if rng.uniform() < 0.5 else math.nan
    m.customers.append(c)
    m.moves.stage_counts[stage] += 1
    m.survey.set_level(c)
    if rng.uniform() < 0.7:  # surveyed at some point in the last two windows
        survey_day = int(rng.integers(0, 2 * m.shop.p.survey_window))
        m.survey.set_voice(c, int(rng.integers(0, 4)), survey_day, survey_day)
    return c


def twins(scenario, seed: int) -> tuple[AgentModel, AgentModel, list, list]:
    """Two fresh models of ``scenario`` holding the same random customers."""
    models = (AgentModel(scenario, 0), AgentModel(scenario, 0))
    people = []
    for m in models:
        rng = np.random.default_rng(seed)
        people.append([random_customer(m, rng, i) for i in range(CASES)])
    return models[0], models[1], people[0], people[1]


def assert_same(a: AgentModel, b: AgentModel, xs: list, ys: list) -> None:
    """Every customer slot and every counter the hot path touches, compared bit for bit."""
    for x, y in zip(xs, ys, strict=True):
        for name in Customer.__slots__:
            if name == "callbacks":
                continue
            u, v = getattr(x, name), getattr(y, name)
            if isinstance(u, float):
                assert (math.isnan(u) and math.isnan(v)) or u.hex() == v.hex(), (name, u, v)
            else:
                assert u == v, (name, u, v)
    assert a.moves.stage_counts == b.moves.stage_counts
    for name in ("level_counts", "voice_counts", "voice_expiry"):
        assert getattr(a.survey, name) == getattr(b.survey, name), name
    assert a.recorder.purchases == b.recorder.purchases
    assert a.ledger.amounts == b.ledger.amounts
    for column in ("agent", "time", "origin", "target", "reason"):
        assert getattr(a.recorder.movements, column) == getattr(b.recorder.movements, column)


SCENARIOS = {
    "poisson": small_scenario(),
    "periodic, failures": small_scenario(
        customers={"purchase_timing": "periodic", "periodic_jitter": 0.3},
        product={"service_failure_rate": 0.3, "recovery_probability": 0.5},
    ),
    "no touches, steep": small_scenario(
        business={"touches_per_month": 0.0},
        experience={"disconfirmation_slope": 40.0},
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_inlined_purchase_equals_the_pure_rules(name):
    a, b, xs, ys = twins(SCENARIOS[name], seed=1)
    now = 1.25
    for round_ in range(3):
        for x, y in zip(xs, ys, strict=True):
            assert a.shop.purchase(x, now) == reference_purchase(b, y, now)
        now += 0.5 + round_
    assert_same(a, b, xs, ys)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_inlined_opportunity_and_gap_equal_the_pure_rules(name):
    a, b, xs, ys = twins(SCENARIOS[name], seed=2)
    now = 3.7
    for m in (a, b):
        m.env.run(until=now)  # the engine reads the clock
    for x, y in zip(xs, ys, strict=True):
        assert a.shop.opportunity(x) == reference_opportunity(b, y, now)
        if x.stage != LOST:
            assert a.shop.gap(x).hex() == reference_gap(b, y).hex()
    assert_same(a, b, xs, ys)


def test_the_relationship_closed_form_equals_relationship_after():
    rng = np.random.default_rng(5)
    for touch_rate, gain, decay in [(0.07, 0.05, 0.01), (0.0, 0.05, 0.3), (0.2, 0.0, 1e-4)]:
        steady, rate = closed_form(touch_rate, gain, decay)
        for r, days in rng.uniform([0, 0], [1, 500], size=(200, 2)).tolist():
            inlined = steady + (r - steady) * math.exp(rate * days)
            assert inlined.hex() == relationship_after(r, days, touch_rate, gain, decay).hex()
    assert closed_form(0.0, 0.5, 0.0) == (0.0, 0.0)  # no decay, no touches: nothing changes


def test_the_customer_stage_mix_of_the_cases_covers_the_ladder():
    """The random customers reach every buying rung, so the tests above see each ladder rule."""
    _, _, xs, _ = twins(SCENARIOS["poisson"], seed=1)
    assert {x.stage for x in xs} == {SHOPPER, CUSTOMER, 4, ADVOCATE, RAVING_FAN}


def test_a_quantile_index_is_the_top_bits_of_the_draw():
    """``own_quantile_index``, the shift the engine inlines, equals the reference
    ``int(own_uniform(c) * QUANTILE_POINTS)`` and advances the stream the same way."""
    a = Customer(0, 2, 0.0, 0, 0.1, 0.1, 5.0, 0.5, 0, 0.5, 0.5, 0.5)
    b = Customer(0, 2, 0.0, 0, 0.1, 0.1, 5.0, 0.5, 0, 0.5, 0.5, 0.5)
    for seed in (0.0, 0.3, 0.999999):
        a.fate = b.fate = own_seed(seed)
        for _ in range(5000):
            assert own_quantile_index(a) == int(own_uniform(b) * QUANTILE_POINTS)
        assert a.fate == b.fate
