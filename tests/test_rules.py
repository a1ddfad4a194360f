"""Exact unit tests of the pure rules: no SimPy Environment, no randomness."""

from __future__ import annotations

import math

import pytest

from sim.rules import buying, churn, experience, ladder, relationship
from sim.rules.ladder import ADVOCATE, CUSTOMER, MEMBER, PROSPECT, RAVING_FAN, SHOPPER, next_stage

RULES = ladder.PromotionRules(
    advocate_min_promoter_days=90,
    fan_min_promoter_days=180,
    fan_min_score=10,
    fan_min_attachment=0.5,
)


class TestLadderRules:
    # next_stage(stage, purchases, score, promoter_days, attachment, is_member, rules)
    def test_first_purchase_makes_a_shopper(self):
        assert next_stage(PROSPECT, 1, 5, 0, 0.1, False, RULES) == (SHOPPER, "first_purchase")

    def test_repeat_purchase_makes_a_customer(self):
        assert next_stage(SHOPPER, 2, 5, 0, 0.1, False, RULES) == (CUSTOMER, "repeat_purchase")
        # A shopper who joined a program at the first purchase repeats straight into member.
        assert next_stage(SHOPPER, 2, 5, 0, 0.1, True, RULES) == (MEMBER, "repeat_purchase")

    def test_shopper_with_one_purchase_stays(self):
        assert next_stage(SHOPPER, 1, 10, 400, 0.9, False, RULES) == (SHOPPER, None)

    def test_program_membership_hook(self):
        assert next_stage(CUSTOMER, 5, 5, 0, 0.2, True, RULES) == (MEMBER, "joined_program")
        assert next_stage(MEMBER, 5, 5, 0, 0.2, False, RULES) == (CUSTOMER, "left_program")

    def test_advocate_is_a_sustained_promoter(self):
        up = (ADVOCATE, "sustained_promoter")
        assert next_stage(CUSTOMER, 9, 9, 90, 0.0, False, RULES) == up
        assert next_stage(MEMBER, 9, 10, 90, 0.0, True, RULES) == up
        assert next_stage(CUSTOMER, 9, 9, 89.9, 0.0, False, RULES) == (CUSTOMER, None)
        # A passive never becomes an advocate, however long the days count says.
        assert next_stage(CUSTOMER, 9, 8, 1000, 1.0, False, RULES) == (CUSTOMER, None)

    def test_raving_fan_needs_top_score_attachment_and_time(self):
        up = (RAVING_FAN, "enthusiastic_and_attached")
        assert next_stage(ADVOCATE, 9, 10, 180, 0.5, False, RULES) == up
        assert next_stage(ADVOCATE, 9, 9, 180, 0.9, False, RULES) == (ADVOCATE, None)
        assert next_stage(ADVOCATE, 9, 10, 179, 0.9, False, RULES) == (ADVOCATE, None)
        assert next_stage(ADVOCATE, 9, 10, 400, 0.49, False, RULES) == (ADVOCATE, None)

    def test_falling_below_promoter_demotes_with_a_reason(self):
        down = "no_longer_promoter"
        assert next_stage(ADVOCATE, 9, 8, 400, 0.9, False, RULES) == (CUSTOMER, down)
        assert next_stage(RAVING_FAN, 9, 6, 400, 0.9, False, RULES) == (CUSTOMER, down)
        assert next_stage(RAVING_FAN, 9, 8, 400, 0.9, True, RULES) == (MEMBER, down)

    def test_fan_keeps_the_rung_at_nine_but_not_without_attachment(self):
        assert next_stage(RAVING_FAN, 9, 9, 400, 0.6, False, RULES) == (RAVING_FAN, None)
        assert next_stage(RAVING_FAN, 9, 9, 400, 0.4, False, RULES) == (
            ADVOCATE,
            "attachment_faded",
        )

    def test_upper_rung_is_the_rule_applied_when_a_message_lands(self):
        assert ladder.upper_rung(ADVOCATE, 6, 0, 0.9, False, RULES) == (
            CUSTOMER,
            "no_longer_promoter",
        )
        assert ladder.upper_rung(CUSTOMER, 9, 10, 0.9, False, RULES) == (CUSTOMER, None)

    def test_presets_name_seven_stages(self):
        for preset, names in ladder.PRESETS.items():
            assert len(names) == len(ladder.STAGES), preset
        assert ladder.rung_names(ladder.PRESETS["five_step"]) == [
            "potential buyer",
            "buyer",
            "regular customer",
            "loyal buyer",
            "committed buyer",
        ]
        assert ladder.slug("raving fan") == "raving_fan"


class TestExperience:
    def test_levels_are_five_equal_bands(self):
        assert [experience.satisfaction_level(s) for s in (0, 0.19, 0.2, 0.5, 0.79, 0.8, 1)] == [
            0,
            0,
            1,
            2,
            3,
            4,
            4,
        ]

    def test_score_is_half_for_a_middling_expected_experience(self):
        assert experience.experience_score(0.5, 0.5, 8.0, 1.0) == pytest.approx(0.5)
        better = experience.experience_score(0.7, 0.5, 8.0, 1.0)
        assert better == pytest.approx(1 / (1 + math.exp(-8 * (0.2 + 0.2))))

    def test_satisfaction_moves_toward_score(self):
        assert experience.updated_satisfaction(0.4, 0.8, 0.25) == pytest.approx(0.5)

    def test_expectations_ratchet_up_fast_and_down_slowly(self):
        assert experience.updated_expectation(0.5, 0.9, 0.3, 0.05) == pytest.approx(0.62)
        assert experience.updated_expectation(0.5, 0.1, 0.3, 0.05) == pytest.approx(0.48)

    def test_service_failure_and_recovery(self):
        q = experience.experienced_quality
        assert q(0.7, 0.6, False, False, 0.4, 0.1) == 0.7
        assert q(0.7, 0.6, True, False, 0.4, 0.1) == pytest.approx(0.3)
        # A well-recovered failure beats expectation: the recovery paradox (DOMAIN L7).
        assert q(0.5, 0.6, True, True, 0.4, 0.1) == pytest.approx(0.7)


class TestRelationship:
    def test_closed_form_matches_the_differential_equation(self):
        r0, days, tau, g, delta = 0.2, 40.0, 0.1, 0.05, relationship.decay_rate(60)
        r, steps = r0, 40_000
        dt = days / steps
        for _ in range(steps):
            r += dt * (g * tau * (1 - r) - delta * r)
        assert relationship.relationship_after(r0, days, tau, g, delta) == pytest.approx(
            r, abs=1e-5
        )

    def test_pure_decay_halves_in_a_half_life(self):
        d = relationship.decay_rate(60)
        assert relationship.relationship_after(0.8, 60, 0.0, 0.05, d) == pytest.approx(0.4)

    def test_interaction_closes_part_of_the_gap(self):
        assert relationship.after_interaction(0.5, 0.1) == pytest.approx(0.55)


class TestChurn:
    def test_life_event_time_and_reason(self):
        rates = (0.002, 0.001, 0.001)
        assert churn.life_event_time(10.0, rates, 2.0) == pytest.approx(10.0 + 2.0 / 0.004)
        assert churn.life_event_time(10.0, (0, 0, 0), 2.0) == math.inf
        # The event is picked in proportion to the hazards: 50%, 25%, 25%.
        assert churn.life_event_reason(rates, 0.49) == churn.NEEDS_CHANGED
        assert churn.life_event_reason(rates, 0.51) == churn.MOVED_AWAY
        assert churn.life_event_reason(rates, 0.74) == churn.MOVED_AWAY
        assert churn.life_event_reason(rates, 0.76) == churn.WENT_BANKRUPT

    def test_competitor_acceptance_follows_share_of_wallet(self):
        accept = churn.competitor_acceptance
        assert accept(0.4, 1.0, 0.3, 0.5, 0.5, 0.7, 0.2) == pytest.approx(0.4)
        assert accept(0.4, 1.0, 0.8, 0.5, 0.5, 0.7, 0.2) == pytest.approx(0.08)
        assert accept(0.4, 1.0, 0.6, 0.5, 0.5, 0.7, 0.2) == pytest.approx(0.4 * 0.6)
        assert accept(0.4, 0.1, 0.3, 0.5, 0.5, 0.7, 0.2) == pytest.approx(0.04)
        assert accept(0.9, 1.0, 0.0, 0.0, 0.5, 0.7, 0.2) == 1.0

    def test_drift_is_the_propensity_at_reference_levels(self):
        assert churn.drift_probability(0.1, 1.0, 0.6, 0.3, 0.6, 0.3, 3, 3) == pytest.approx(0.1)
        low = churn.drift_probability(0.1, 1.0, 0.6, 0.1, 0.6, 0.3, 3, 3)
        assert low == pytest.approx(0.1 * math.exp(0.6))

    def test_drift_reason(self):
        assert churn.drift_reason(0.2, 0.42) == churn.LOW_INTERACTION
        assert churn.drift_reason(0.5, 0.42) == churn.UNKNOWN


class TestBuying:
    def test_rate_is_plain_at_reference(self):
        assert buying.purchase_rate(0.2, 1.0, 0.6, 0.3, 0.6, 0.3, 1, 1, 1.0) == pytest.approx(0.2)
        assert buying.purchase_rate(0.2, 1.5, 0.6, 0.3, 0.6, 0.3, 1, 1, 1.0) == pytest.approx(0.3)

    def test_price_factor(self):
        assert buying.price_factor(1.0, -1.76) == 1.0
        assert buying.price_factor(1.1, -1.0) == pytest.approx(1 / 1.1)

    def test_gaps(self):
        assert buying.next_gap(0.5, False, 0.0, 2.0) == pytest.approx(4.0)
        assert buying.next_gap(1 / 30, True, 0.0, 1.0) == pytest.approx(30.0)
        assert buying.next_gap(1 / 30, True, 0.1, 1.0) == pytest.approx(33.0)
        assert buying.next_gap(1 / 30, True, 1.0, -5.0) == pytest.approx(3.0)
        assert buying.next_gap(0.0, False, 0.0, 1.0) == math.inf
