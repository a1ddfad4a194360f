"""Exact unit tests of the points mechanic (DOMAIN P2): no Environment."""

from __future__ import annotations

import math

import pytest

from sim.money.programs import points


class TestEarning:
    def test_one_point_per_dollar(self):
        assert points.points_earned(12.75, 1.0) == 12

    def test_minimum_order(self):
        assert points.points_earned(9.99, 1.0, minimum_order=10) == 0
        assert points.points_earned(10.0, 1.0, minimum_order=10) == 10

    def test_tier_multiplier_and_product_bonus(self):
        # DOMAIN P3: Gold earns 2x; plus a 5-point bonus item.
        assert points.points_earned(20.0, 1.0, multiplier=2.0, bonus=5) == 45
        assert points.points_earned(20.0, 1.0, multiplier=1.5) == 30

    def test_cap_per_period(self):
        assert points.points_earned(500.0, 1.0, cap_left=120) == 120
        assert points.points_earned(500.0, 1.0, cap_left=0) == 0

    def test_float_representation_does_not_lose_a_point(self):
        # In binary floating point 0.29 * 100 is 28.999999999999996 and 4.35 * 100 is
        # 434.99999999999994: a plain floor would lose a point the customer earned.
        assert points.points_earned(0.29, 100.0) == 29
        assert points.points_earned(4.35, 100.0) == 435


class TestRedeeming:
    def test_buy_ten_get_the_eleventh_free(self):
        assert points.rewards_affordable(10, 10) == 1
        assert points.rewards_affordable(9, 10) == 0
        assert points.rewards_affordable(57, 10, limit=2) == 2

    def test_a_free_reward_is_refused(self):
        with pytest.raises(ValueError, match="cost_in_points = 0"):
            points.rewards_affordable(10, 0)

    def test_boloco_gives_back_sixteen_percent(self):
        assert points.effective_discount(1.0, 50, 8.0) == pytest.approx(0.16)


class TestExpiry:
    def test_after_days(self):
        assert points.expiry_day(100, "after_days", 365) == 465

    def test_end_of_year(self):
        assert points.expiry_day(0, "end_of_year") == 365
        assert points.expiry_day(364, "end_of_year") == 365
        assert points.expiry_day(365, "end_of_year") == 730

    def test_never(self):
        assert points.expiry_day(10, "never") == math.inf

    def test_unknown_mode_is_named(self):
        with pytest.raises(ValueError, match="allowed: after_days, end_of_year, never"):
            points.expiry_day(0, "monthly")
