"""Exact unit tests of the word-of-mouth rules (DOMAIN W1, W2, W5, L6): no Environment."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.rules import wom
from sim.rules.wom import DETRACTOR, PASSIVE, PROMOTER


class TestLikelihoodToRecommend:
    def test_without_relationship_or_attachment_it_is_ten_times_satisfaction(self):
        assert wom.likelihood_to_recommend(0.7, 0.0, 0.0, 0.4, 0.6) == 7
        assert wom.likelihood_to_recommend(0.7, 0.9, 0.9, 0.0, 0.0) == 7

    def test_relationship_and_attachment_forgive_part_of_the_shortfall(self):
        # shortfall 0.3 * (1 - 0.4*0.5) * (1 - 0.6*0.5) = 0.3 * 0.8 * 0.7 = 0.168 -> 8.32 -> 8
        assert wom.likelihood_to_recommend(0.7, 0.5, 0.5, 0.4, 0.6) == 8
        # shortfall 0.2 * 0.8 * 0.4 = 0.064 -> 9.36 -> 9: very satisfied, close, attached
        assert wom.likelihood_to_recommend(0.8, 0.5, 1.0, 0.4, 0.6) == 9

    def test_half_rounds_up(self):
        assert wom.likelihood_to_recommend(0.85, 0.0, 0.0, 0.4, 0.6) == 9
        assert wom.likelihood_to_recommend(0.849, 0.0, 0.0, 0.4, 0.6) == 8

    @pytest.mark.parametrize("level, score", [(0.0, 0), (1.0, 10)])
    def test_bounds(self, level, score):
        assert wom.likelihood_to_recommend(level, level, level, 0.4, 0.6) == score

    def test_full_forgiveness_makes_a_close_attached_customer_a_ten(self):
        assert wom.likelihood_to_recommend(0.2, 1.0, 0.0, 1.0, 0.0) == 10


class TestCategories:
    @pytest.mark.parametrize(
        "score, category",
        [(10, PROMOTER), (9, PROMOTER), (8, PASSIVE), (7, PASSIVE), (6, DETRACTOR), (0, DETRACTOR)],
    )
    def test_w1_bands(self, score, category):
        assert wom.nps_category(score) == category

    def test_nps_is_share_of_promoters_minus_detractors(self):
        assert wom.net_promoter_score(50, 30, 20) == pytest.approx(30.0)
        assert wom.net_promoter_score(0, 0, 4) == pytest.approx(-100.0)

    def test_nps_of_nobody_is_undefined(self):
        assert math.isnan(wom.net_promoter_score(0, 0, 0))


class TestAttachment:
    def test_moves_part_of_the_way_to_satisfaction_times_relationship(self):
        assert wom.attachment_after_experience(0.2, 0.8, 0.5, 0.1) == pytest.approx(0.22)

    def test_falls_when_satisfaction_and_relationship_are_low(self):
        assert wom.attachment_after_experience(0.6, 0.2, 0.5, 0.5) == pytest.approx(0.35)

    def test_outlasts_one_bad_experience(self):
        # DOMAIN L9: a loyal, attached customer forgives a single slip.
        after = wom.attachment_after_experience(0.8, 0.0, 0.9, 0.05)
        assert after == pytest.approx(0.76)


class TestProspectDecision:
    def test_one_negative_outweighs_five_positives(self):
        # DOMAIN W5
        assert wom.net_heard(5, 1, 5.0) == 0.0
        assert wom.net_heard(6, 1, 5.0) == 1.0

    def test_a_positive_net_convinces_one_time_in_six(self):
        # DOMAIN W2, W6: each positive message to a prospect whose net is positive convinces
        # with probability 1/6, so six win one customer on average.
        assert wom.is_convinced(wom.net_heard(1, 0, 5.0), 6, 0.16)
        assert not wom.is_convinced(wom.net_heard(1, 0, 5.0), 6, 1 / 6)
        assert not wom.is_convinced(wom.net_heard(6, 0, 5.0), 6, 0.5)
        # W5: one negative cancels five positives, so a net of 0 convinces nobody.
        assert not wom.is_convinced(wom.net_heard(5, 1, 5.0), 6, 0.0)
        assert wom.is_convinced(wom.net_heard(6, 1, 5.0), 6, 0.0)
        # One message is enough at positives_to_choose 1 (the Bass special case).
        assert wom.is_convinced(wom.net_heard(1, 0, 5.0), 1, 0.999)
        share = np.mean([wom.is_convinced(1.0, 6, u) for u in np.linspace(0, 1, 6000, False)])
        assert share == pytest.approx(1 / 6, abs=1e-3)


class TestVoices:
    @pytest.mark.parametrize(
        "score, fan, expected",
        [
            (10, False, wom.VOICE_PROMOTER),
            (9, True, wom.VOICE_FAN),
            (8, True, wom.VOICE_PASSIVE),
            (7, False, wom.VOICE_PASSIVE),
            (6, True, wom.VOICE_DETRACTOR),
        ],
    )
    def test_voice_follows_the_w1_category(self, score, fan, expected):
        assert wom.voice(score, fan) == expected

    def test_only_promoters_fans_and_detractors_talk(self):
        assert [wom.TALKS[v] for v in range(len(wom.VOICES))] == [True, True, False, True]

    def test_chance_a_fan_is_a_contact(self):
        # 1 - (1 - 0.1)^10 = 0.6513...
        assert wom.chance_a_fan_is_a_contact(100, 1000, 10) == pytest.approx(1 - 0.9**10)
        assert wom.chance_a_fan_is_a_contact(0, 1000, 10) == 0.0
        assert wom.chance_a_fan_is_a_contact(2000, 1000, 10) == 1.0
