"""Degenerate configurations reproduce their textbook closed forms (ARCHITECTURE principle 7).

Each test states its tolerance and checks that the sample is large enough for the tolerance to
be at least three standard errors, so a pass is meaningful and the seeded run never flakes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import NEUTRAL
from scipy.special import hyp2f1

import sim
from sim.engine.migration import (
    analytic_values,
    migration_states,
    next_states,
    period_discount_rate,
    transition_matrix,
)

pytestmark = pytest.mark.slow


def neutral_scenario(n: int, horizon: int, customers: dict, business: dict) -> sim.Scenario:
    """n existing customers, no acquisition, and every modulation switched off."""
    return sim.scenario_from_dict(
        {
            **NEUTRAL,
            "horizon_days": horizon,
            "market": {"size": n, "initial_customers": n, "reach_rate_per_year": 0},
            "customers": customers,
            "business": {
                "fixed_costs_per_month": 0,
                "touches_per_month": 0,
                "starting_cash": 0,
                **business,
            },
        }
    )


COHORT = (0.8, 12.0, 2.5, 8.0, 365, 40_000)
"""The test cohort: BG/NBD r, alpha (days), a, b, the horizon in days and the customers."""


def cohort(dropout_model: str) -> sim.Scenario:
    """The :data:`COHORT` as existing customers with every modulation off, dropping out by the
    model named (``bgnbd`` or ``mbgnbd``)."""
    r, alpha, a, b, t, n = COHORT
    return neutral_scenario(
        n,
        t,
        {
            "purchase_rate_shape": r,
            "purchase_rate_alpha_days": alpha,
            "dropout_a": a,
            "dropout_b": b,
            "dropout_model": dropout_model,
        },
        {},
    )


def bgnbd_expected_purchases(t: float, r: float, alpha: float, a: float, b: float) -> float:
    """E[X(t)] of the BG/NBD model (Fader, Hardie & Lee 2005, eq. 9)."""
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))


def mbgnbd_expected_purchases(t: float, r: float, alpha: float, a: float, b: float) -> float:
    """E[X(t)] of the MBG/NBD model (Batislam, Denizel & Filiztekin 2007).

    Dropout is possible at time 0 too: E[X | lambda, p] = (1-p)/p (1 - exp(-lambda p t)),
    integrated over gamma lambda and beta p.
    """
    z = t / (alpha + t)
    return b / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b + 1, a + b, z))


def bgnbd_p_zero(t: float, r: float, alpha: float) -> float:
    """P(X(t) = 0) of the BG/NBD model: no dropout before the first repeat purchase."""
    return (alpha / (alpha + t)) ** r


def mbgnbd_p_zero(t: float, r: float, alpha: float, a: float, b: float) -> float:
    """P(X(t) = 0) of the MBG/NBD model: dropped at time 0 (mean p) or no purchase by t."""
    mean_p = a / (a + b)
    return mean_p + (1 - mean_p) * (alpha / (alpha + t)) ** r


@pytest.mark.parametrize(
    ("dropout_model", "expected_mean", "expected_p0"),
    [
        ("bgnbd", bgnbd_expected_purchases, lambda t, r, al, a, b: bgnbd_p_zero(t, r, al)),
        ("mbgnbd", mbgnbd_expected_purchases, mbgnbd_p_zero),
    ],
)
def test_heterogeneous_purchases_reproduce_buy_till_you_die_closed_forms(
    dropout_model, expected_mean, expected_p0
):
    """Expected purchases per customer in (0, t] and P(no purchase) match the closed forms.

    Tolerance: 3 standard errors of each sample estimate (n = 40,000 customers), which the
    closed form must lie within if the engine draws gamma rates and beta dropout and thins
    purchase opportunities exactly as the model does; the test also checks that 3 standard
    errors are under 5% of the value, so it can tell the two models apart (they differ by 18%).
    """
    r, alpha, a, b, t, n = COHORT
    result = sim.simulate(cohort(dropout_model), seed=2024)
    purchases = result.customers["purchases"].to_numpy()
    mean, se = purchases.mean(), purchases.std(ddof=1) / math.sqrt(n)
    expected = expected_mean(t, r, alpha, a, b)
    assert 3 * se < 0.05 * expected
    assert abs(mean - expected) < 3 * se, (mean, expected, se)
    p0 = (purchases == 0).mean()
    p0_expected = expected_p0(t, r, alpha, a, b)
    assert abs(p0 - p0_expected) < 3 * math.sqrt(p0_expected * (1 - p0_expected) / n)


def test_constant_retention_reproduces_the_clv_formula():
    """m r / (1 + i - r): margin m each period, retention r, discount i per period (no WOM).

    Customers buy once every 30 days (periodic timing, no heterogeneity) and stay with
    probability r at each purchase opportunity; the discounted value of each customer's future
    margins must average m r / (1 + i - r) within 1%. With n = 150,000 the standard error is
    about 0.3%, so 1% is more than three standard errors.
    """
    n, period, r, basket, cogs, annual = 150_000, 30.0, 0.75, 10.0, 0.4, 0.12
    concentration = 1e6
    sc = neutral_scenario(
        n,
        3000,
        {
            "purchase_rate_shape": concentration,
            "purchase_rate_alpha_days": concentration * period,
            "dropout_a": (1 - r) * concentration,
            "dropout_b": r * concentration,
            "purchase_timing": "periodic",
            "basket_mean": basket,
            "basket_cv_between": 0,
            "basket_cv_within": 0,
        },
        {"discount_rate_per_year": annual},
    ).with_overrides({"product.cost_of_goods_share": cogs})
    result = sim.simulate(sc, seed=99)
    values = result.customers["discounted_value"].to_numpy()
    m = basket * (1 - cogs)
    i = period_discount_rate(annual, period)
    expected = m * r / (1 + i - r)
    se = values.std(ddof=1) / math.sqrt(n)
    assert 3 * se < 0.01 * expected
    assert values.mean() == pytest.approx(expected, rel=0.01)


def test_migration_matrix_reproduces_discounted_values():
    """Simulated discounted value per starting rung matches V = (I - P/(1+d))^-1 R within 1%.

    n = 350,000 customers per starting rung; the test checks that 1% is at least three standard
    errors for each rung. The horizon (240 monthly periods) leaves a truncated tail below 1e-6
    of the value.
    """
    n = 350_000
    sc = sim.scenario_from_dict(
        {
            "horizon_days": 240 * 30,
            "business": {"fixed_costs_per_month": 0, "discount_rate_per_year": 0.1},
            "ladder": {
                "mode": "matrix",
                "migration": {
                    "period_days": 30,
                    "matrix": {
                        "shopper": {"shopper": 0.4, "customer": 0.3, "lost": 0.3},
                        "customer": {"customer": 0.7, "member": 0.15, "lost": 0.15},
                        "member": {"member": 0.85, "customer": 0.05, "lost": 0.1},
                    },
                    "contribution": {"shopper": 5, "customer": 12, "member": 25},
                    "initial": {"shopper": n, "customer": n, "member": n},
                },
            },
        }
    )
    result = sim.simulate(sc, seed=8)
    m = sc.ladder.migration
    states = migration_states(sc)
    p = transition_matrix(m, states)
    v = analytic_values(
        p, np.array([m.contribution.get(s, 0.0) for s in states]), period_discount_rate(0.1, 30)
    )
    by_rung = result.customers.groupby("start_rung")["discounted_value"]
    for rung in ("shopper", "customer", "member"):
        expected = v[states.index(rung)]
        values = by_rung.get_group(rung).to_numpy()
        se = values.std(ddof=1) / math.sqrt(len(values))
        assert 3 * se < 0.01 * expected, rung
        assert values.mean() == pytest.approx(expected, rel=0.01), rung
    # Cash in matrix mode is the contribution earned, booked at period starts.
    assert result.summary["contribution"] == pytest.approx(result.ledger["amount"].sum())
    assert result.summary["revenue"] == 0.0


def test_next_states_follows_the_matrix_exactly():
    p = np.array([[0.2, 0.8, 0.0], [0.0, 0.5, 0.5], [0.0, 0.0, 1.0]])
    states = np.array([0, 0, 0, 1, 1, 2])
    u = np.array([0.1, 0.2, 0.9, 0.49, 0.5, 0.3])
    assert next_states(states, p, u).tolist() == [0, 1, 1, 1, 2, 2]
