"""Whole-run guarantees: determinism, conservation, ledger balance, bankruptcy, explanations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import small_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.money.ledger import ACCOUNTS
from sim.rules.churn import L4_SHARES, LOSS_REASONS


def assert_invariants(result: sim.RunResult) -> None:
    """The model's conservation laws, checked on every day of a run."""
    sc = result.scenario
    daily = result.daily
    rung_cols = [c for c in daily.columns if c.startswith("n_")]
    # Every person in the market is in exactly one state: the pool plus all agents.
    assert (daily[rung_cols].sum(axis=1) == sc.market.size).all()
    assert (daily["pool"] + daily["agents"] == sc.market.size).all()
    assert (daily[rung_cols] >= 0).all().all()
    flows = ["agents_created", "first_purchases", "purchases", "won_back", "losses"]
    assert (daily[flows] >= 0).all().all()
    # The ledger's accounts sum to the change in cash, day by day and overall.
    ledger = result.ledger
    per_day = ledger.groupby("day")["amount"].sum().to_numpy()
    cash = daily["cash"].to_numpy()
    assert np.allclose(np.diff(cash), per_day[1:], atol=1e-6)
    assert cash[-1] - sc.business.starting_cash == pytest.approx(ledger["amount"].sum(), abs=1e-6)
    assert result.summary["profit"] == pytest.approx(ledger["amount"].sum(), abs=1e-6)
    # Revenue is never negative and costs never positive.
    amounts = ledger.pivot(index="day", columns="account", values="amount")
    assert (amounts["revenue"] >= 0).all()
    assert (amounts[[a for a in ACCOUNTS if a != "revenue"]] <= 1e-12).all().all()
    # Shares of satisfaction levels sum to 1 whenever there are buyers.
    shares = daily.filter(like="share_").dropna()
    assert np.allclose(shares.sum(axis=1), 1.0)
    # Customers table agrees with the daily counts at the end.
    last = daily.iloc[-1]
    assert len(result.customers) == last["agents"]
    assert (result.customers["stage"] == "lost").sum() == last["n_lost"]
    assert result.customers["purchases"].sum() == daily["purchases"].sum()
    assert result.customers["spend"].sum() == pytest.approx(daily["revenue"].sum())


def test_same_seed_same_tables(small):
    a, b = sim.simulate(small, seed=11), sim.simulate(small, seed=11)
    for name, table in a.tables().items():
        pd.testing.assert_frame_equal(table, b.tables()[name], check_exact=True)
    c = sim.simulate(small, seed=12)
    assert not a.daily.equals(c.daily)


def test_invariants_on_the_small_scenario(small):
    result = sim.simulate(small, seed=3)
    assert_invariants(result)
    assert result.summary["purchases"] > 1000
    assert sum(result.summary["customers_lost"].values()) > 0


def test_invariants_on_the_coffee_shop():
    sc = sim.load_scenario("scenarios/coffee_shop.yaml").with_overrides({"horizon_days": 400})
    assert_invariants(sim.simulate(sc, seed=0))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(
    size=st.integers(1, 1000),
    initial_share=st.floats(0, 1),
    reach=st.floats(0, 5),
    first_p=st.floats(0, 1),
    shape=st.floats(0.2, 3),
    alpha=st.floats(5, 60),
    dropout_b=st.floats(0.5, 50),
    touches=st.floats(0, 8),
    offers=st.floats(0, 12),
    win_back=st.floats(0, 3),
    fixed=st.floats(0, 20_000),
    horizon=st.integers(1, 150),
    periodic=st.booleans(),
    preset=st.sampled_from(["loyalty_ladder", "kartajaya", "five_step", "three_phases"]),
    seed=st.integers(0, 2**32),
)
def test_invariants_hold_for_any_scenario(
    size,
    initial_share,
    reach,
    first_p,
    shape,
    alpha,
    dropout_b,
    touches,
    offers,
    win_back,
    fixed,
    horizon,
    periodic,
    preset,
    seed,
):
    sc = small_scenario(
        horizon_days=horizon,
        market={
            "size": size,
            "initial_customers": int(initial_share * size),
            "reach_rate_per_year": reach,
            "first_purchase_probability": first_p,
        },
        customers={
            "purchase_rate_shape": shape,
            "purchase_rate_alpha_days": alpha,
            "dropout_b": dropout_b,
            "purchase_timing": "periodic" if periodic else "poisson",
            "periodic_jitter": 0.2,
        },
        business={"touches_per_month": touches, "fixed_costs_per_month": fixed},
        competition={"offers_per_year": offers},
        win_back={"rate_per_year": win_back},
        ladder={"preset": preset},
    )
    result = sim.simulate(sc, seed=seed)
    assert_invariants(result)
    if result.bankrupt_day is None:
        assert len(result.daily) == horizon


def test_bankruptcy_stops_trading_on_the_recorded_day(small):
    sc = small.with_overrides(
        {"business.fixed_costs_per_month": 60_000, "business.credit_line": 5_000}
    )
    result = sim.simulate(sc, seed=1)
    day = result.bankrupt_day
    assert day is not None and result.summary["bankrupt"]
    assert len(result.daily) == day + 1
    cash = result.daily["cash"].to_numpy()
    assert cash[day] < -5_000 <= cash[day - 1]
    assert result.summary["lowest_cash"] == pytest.approx(cash[day])
    assert_invariants(result)


def test_every_loss_and_move_has_a_recorded_reason(small):
    result = sim.simulate(small, seed=5)
    moves = result.movements
    assert moves["reason"].notna().all()
    lost = result.customers[result.customers["stage"] == "lost"]
    assert lost["lost_reason"].isin(LOSS_REASONS).all()
    assert lost["lost_day"].notna().all()
    # The last move of every lost customer is a loss with the same reason.
    last_moves = moves.groupby("agent").tail(1).set_index("agent")
    for agent, reason in lost.set_index("id")["lost_reason"].items():
        assert last_moves.loc[agent, "reason"] == f"lost:{reason}"
    # Replaying the movements reproduces every agent's final stage.
    final = moves.groupby("agent")["to_stage"].last()
    assert (
        final.loc[result.customers["id"]].to_numpy() == result.customers["stage"].to_numpy()
    ).all()


def test_communication_keeps_customers(small):
    """DOMAIN L4: stopping communication loses more customers, mostly to low interaction."""
    base = small.with_overrides({"horizon_days": 365, "business.touches_per_month": 4})
    silent = base.with_overrides({"business.touches_per_month": 0})
    lost_with, lost_without = [], []
    for seed in range(4):
        lost_with.append(sim.simulate(base, seed=seed).summary["customers_lost"])
        lost_without.append(sim.simulate(silent, seed=seed).summary["customers_lost"])
    low_with = sum(x["low_interaction"] for x in lost_with)
    low_without = sum(x["low_interaction"] for x in lost_without)
    assert low_without > 1.2 * low_with


def test_loss_reasons_on_the_default_scenario_resemble_domain_l4():
    """Calibration target: the coffee shop's losses by reason are close to DOMAIN L4.

    Over 6 seeds x 3 years (about 25,000 losses) the sampling error of each share is under half
    a point, but the luck of competitor campaigns (Poisson, about 6 in 3 years) moves the
    competitor share by about 5 points from run to run, about 2 points for a 6-run mean; the
    +-5-point tolerance is 2.5 times that, and still fails a model whose leading reason is not
    low interaction or whose shares are off by more than the L4 table's own rounding allows.
    """
    sc = sim.load_scenario("scenarios/coffee_shop.yaml")
    totals = dict.fromkeys(LOSS_REASONS, 0)
    for seed in range(6):
        for reason, n in sim.simulate(sc, seed=seed).summary["customers_lost"].items():
            totals[reason] += n
    n = sum(totals.values())
    shares = {r: 100 * totals[r] / n for r in LOSS_REASONS}
    for reason, share in L4_SHARES.items():
        assert shares[reason] == pytest.approx(share, abs=5), (reason, shares)
    assert max(shares, key=shares.get) == "low_interaction"


def test_alternative_ladder_reports_its_own_rungs(small):
    sc = small.with_overrides({"ladder.preset": "five_step"})
    result = sim.simulate(sc, seed=2)
    assert "n_potential_buyer" in result.daily and "n_committed_buyer" in result.daily
    assert set(result.summary["rungs_at_end"]) == {
        "potential buyer",
        "buyer",
        "regular customer",
        "loyal buyer",
        "committed buyer",
        "lost",
    }
    assert_invariants(result)


def test_lost_customers_can_be_won_back(small):
    sc = small.with_overrides({"win_back.rate_per_year": 3.0, "horizon_days": 365})
    result = sim.simulate(sc, seed=4)
    assert result.summary["customers_won_back"] > 0
    assert (result.customers["win_backs"] > 0).any()
    assert (result.movements["reason"] == "won_back").sum() == result.summary["customers_won_back"]
