"""Verdict and warning rules on constructed cases, and the interval estimates behind them
(DOMAIN E6, E7, E8). Pure functions: no simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.experiments import verdict as rules
from sim.experiments.estimates import Estimate, mean_interval, proportion_interval, ratio_interval


def interval(mean: float, low: float, high: float, n: int = 30) -> Estimate:
    return Estimate(mean, low, high, n)


@pytest.mark.parametrize(
    ("ruin", "profit", "expected"),
    [
        # ruin first, whatever the profit: the whole interval of the risk above the threshold
        (interval(0.30, 0.12, 0.5), interval(5e4, 1e4, 9e4), "would_bankrupt"),
        (interval(0.10, 0.051, 0.2), interval(-5e4, -9e4, -1e4), "would_bankrupt"),
        # straddling the threshold while the profit does not reject the design: more runs would
        # tell
        (interval(0.06, 0.02, 0.15), interval(5e4, 1e4, 9e4), "ruin_risk_unresolved"),
        (interval(0.0, 0.0, 0.11), interval(1e3, -9e3, 1.1e4), "ruin_risk_unresolved"),
        (interval(0.05, 0.05, 0.2), interval(5e4, 1e4, 9e4), "ruin_risk_unresolved"),  # low at it
        # a loss is a rejection whether or not the ruin is settled (its ruin part stays open)
        (interval(0.0, 0.0, 0.11), interval(-5e4, -9e4, -1e4), "destroys_value"),
        (interval(0.015, 0.001, 0.055), interval(-1e4, -1.4e4, -8e3), "destroys_value"),
        # clear of it (the upper bound at the threshold counts as clear): the profit decides
        (interval(0.0, 0.0, 0.05), interval(-5e4, -9e4, -1e4), "destroys_value"),
        (interval(0.0, 0.0, 0.03), interval(1e3, -9e3, 1.1e4), "marginal"),
        (interval(0.0, 0.0, 0.03), interval(0.0, 0.0, 0.0), "marginal"),  # exactly no effect
        (interval(0.01, 0.0, 0.04), interval(5e4, 1e4, 9e4), "pays_back"),
    ],
)
def test_verdict(ruin, profit, expected):
    assert rules.verdict(ruin, profit, 0.05) == expected
    assert expected in rules.VERDICTS
    assert rules.ruin_verdict(ruin, 0.05) in rules.RUIN_VERDICTS
    assert rules.profit_verdict(profit) in rules.PROFIT_VERDICTS


def test_participants_warning_needs_the_whole_interval_above_the_floor():
    assert rules.participants_not_more_valuable(interval(1.3, 1.1, 1.5), 1.0) is None
    w = rules.participants_not_more_valuable(interval(1.1, 0.95, 1.25), 1.0)
    assert w is not None and w.code == "participants_not_more_valuable"
    assert w.evidence["low"] == 0.95 and w.source == "DOMAIN E6"
    # No participants at all: nothing to judge.
    assert (
        rules.participants_not_more_valuable(Estimate(math.nan, math.nan, math.nan, 0), 1) is None
    )


def test_cost_against_margin():
    assert rules.cost_exceeds_margin(interval(1e4, 9e3, 1.1e4), interval(2e4, 1e4, 3e4)) is None
    w = rules.cost_exceeds_margin(interval(3e4, 2e4, 4e4), interval(2e4, 1e4, 3e4))
    assert w is not None and w.evidence["reward_and_discount_cost"] == 3e4
    # A program that loses margin and gives anything away is caught.
    assert rules.cost_exceeds_margin(interval(10, 5, 15), interval(-50, -90, -10)) is not None
    # A program that gives nothing away is not.
    assert rules.cost_exceeds_margin(interval(0, 0, 0), interval(-50, -90, -10)) is None


def test_liability_growth():
    assert rules.liability_grows(1000.0, 1050.0, 0.10) is None  # levelled off
    w = rules.liability_grows(1000.0, 1500.0, 0.10)
    assert w is not None and w.evidence["growth"] == pytest.approx(0.5)
    assert rules.liability_grows(0.0, 0.0, 0.10) is None  # no liability at all
    assert rules.liability_grows(0.0, 10.0, 0.10) is not None  # appeared late and growing


def test_churn_cause_elsewhere():
    assert rules.churn_cause_elsewhere(0.10, 0.05, 0.25) is None  # customers are content
    assert rules.churn_cause_elsewhere(0.40, 0.0, 0.25) is None  # program buys no retention
    w = rules.churn_cause_elsewhere(0.40, 0.03, 0.25)
    assert w is not None and w.source == "DOMAIN E8"
    assert rules.churn_cause_elsewhere(math.nan, 0.03, 0.25) is None


def test_business_at_risk_without_program():
    """DOMAIN E7: the baseline's own ruin is flagged once a run went bankrupt and the interval
    reaches above the threshold; never when no baseline run went bankrupt."""
    warn = rules.business_at_risk_without_program
    assert warn(proportion_interval(0, 30), 0.05) is None  # no ruin: nothing to tell
    assert warn(proportion_interval(1, 1000), 0.05) is None  # interval wholly below 5%
    w = warn(proportion_interval(3, 30), 0.05)
    assert w is not None and w.source == "DOMAIN E7"
    assert w.evidence["baseline_bankruptcy_probability"] == pytest.approx(0.1)
    assert "10.0% of runs" in w.message


def test_mean_interval_matches_the_t_formula():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    e = mean_interval(x, 0.95)
    half = 2.7764451051977987 * x.std(ddof=1) / math.sqrt(5)  # t(0.975, 4)
    assert (e.mean, e.low, e.high, e.n) == pytest.approx((3.0, 3.0 - half, 3.0 + half, 5))
    assert mean_interval([7.0], 0.95).low == 7.0
    assert math.isnan(mean_interval([], 0.95).mean)
    assert mean_interval([1.0, np.nan, 3.0], 0.95).n == 2


def test_wilson_interval():
    e = proportion_interval(0, 30, 0.95)
    assert e.mean == 0 and e.low == pytest.approx(0.0, abs=1e-12)
    assert e.high == pytest.approx(0.1135, abs=1e-3)  # Wilson 95% upper bound for 0 of 30
    e = proportion_interval(15, 30, 0.95)
    assert (e.low, e.high) == pytest.approx((0.3315, 0.6685), abs=1e-3)
    assert proportion_interval(30, 30, 0.95).high == pytest.approx(1.0)


def test_ratio_interval():
    a = np.array([2.0, 4.0, 6.0])
    e = ratio_interval(a, a / 2, 0.95)
    assert e.mean == pytest.approx(2.0) and e.low == pytest.approx(2.0)  # exact ratio
    assert math.isnan(ratio_interval([1.0], [0.0]).mean)
