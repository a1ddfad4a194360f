"""The preview of a design in place (``sim.preview`` with a program): it is the baseline when the
design does nothing, its books add up as the agent model's ledger does, and its effect on
profit follows paired agent runs."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import small_scenario

import sim
from sim.meanfield import preview

STAMP_CARD = {
    "name": "stamp card",
    "joining": {"mode": "opt_in", "opt_in_probability": 0.5},
    "costs": {"running_cost_per_month": 50},
    "points": {
        "points_per_currency": 0.2,
        "rewards": [
            {"name": "free coffee", "points_cost": 8, "face_value": 4.0, "cost_to_business": 1.2}
        ],
        "expiry": "after_days",
        "expiry_days": 180,
    },
}
DISCOUNT_CARD = {
    "name": "member discount",
    "joining": {"mode": "automatic"},
    "discount": {"levels": [{"min_spend": 0, "percent": 10}]},
}


def shop_with(design: dict, horizon_days: int = 365) -> sim.Scenario:
    return small_scenario(horizon_days, programs=[design], active_program=design["name"])


def test_a_design_that_does_nothing_previews_as_the_baseline():
    """No mechanics and no costs (the natural baseline, DOMAIN P1): the same daily table as no
    design, to the last digit."""
    baseline = preview(small_scenario(365)).daily
    natural = preview(shop_with({"name": "quality first"})).daily
    assert natural.equals(baseline)


def test_the_books_of_a_previewed_program_add_up():
    """As the ledger: cash is the starting cash plus every posting, profit leaves out the
    liabilities; the points outstanding are those issued less redeemed and expired; the
    points liability stays positive. Stamps that expire after 180 days leave fewer outstanding
    at the end than stamps that never expire, and none lapse before day 180."""
    sc = shop_with(STAMP_CARD)
    daily = preview(sc).daily
    flows = daily["profit"] + daily["points_liability"] + daily["fee_deferral"]
    flows += daily["revenue_share_payable"]
    cash = sc.business.starting_cash + flows.cumsum()
    assert np.allclose(daily["cash"], cash)
    liability = daily["points_liability"].cumsum()
    assert (liability >= -1e-9).all() and liability.iloc[-1] > 0
    assert (daily["points_outstanding"] >= -1e-9).all()
    assert daily["reward_cost"].sum() < 0 and daily["members"].iloc[-1] > 0
    forever = {**STAMP_CARD, "points": {**STAMP_CARD["points"], "expiry": "never"}}
    kept = preview(shop_with(forever)).daily["points_outstanding"]
    assert np.allclose(kept.iloc[:180], daily["points_outstanding"].iloc[:180])
    assert kept.iloc[-1] > daily["points_outstanding"].iloc[-1]


def test_points_honoured_after_the_end_lapse_by_the_honour_date():
    """The Hoover promotion ends on day 150 and honours its points for 365 days: by day 515
    nothing is outstanding and the whole liability has been recognised, as revenue on
    redemption or as breakage; nobody is a member after the end."""
    sc = sim.load_scenario("scenarios/hoover_promotion.yaml").with_overrides(
        {"active_program": "fly free"}
    )
    daily = preview(sc).daily
    assert daily["members"].iloc[150:].max() == 0
    assert daily["points_outstanding"].iloc[515:].abs().max() < 1e-6
    assert abs(daily["points_liability"].iloc[:516].sum()) < 1e-6
    assert preview(sc).summary["bankrupt_day"] is not None


@pytest.mark.parametrize("design", [STAMP_CARD, DISCOUNT_CARD], ids=lambda d: d["name"])
def test_the_previewed_effect_of_a_design_follows_paired_agent_runs(design):
    """The design's effect on a year's profit (profit with it less profit without) and its
    members at the end: the preview against the mean of 12 agent runs paired by seed.
    Tolerance for the effect: 1.5% of the agents' revenue (the largest gap measured on the
    bundled designs whose runs do not go bankrupt is 1.4%, benchmarks/README.md) plus three
    standard errors of the paired mean; for the members, 8% plus three standard errors. A
    preview that charged the discount on every customer, or missed the members' response,
    misses by several times that."""
    sc = shop_with(design)
    base = small_scenario(365)
    effects, members, revenue = [], [], []
    for seed in range(12):
        run = sim.simulate(sc, seed=seed)
        without = sim.simulate(base, seed=seed)
        effects.append(run.daily["profit"].sum() - without.daily["profit"].sum())
        members.append(run.daily["members"].iloc[-1])
        revenue.append(run.daily["revenue"].sum())
    effects, members = np.array(effects), np.array(members)
    se = effects.std(ddof=1) / np.sqrt(len(effects))
    mean_field = preview(sc).summary["profit"] - preview(base).summary["profit"]
    assert abs(mean_field - effects.mean()) <= 0.015 * np.mean(revenue) + 3 * se
    previewed = preview(sc).daily["members"].iloc[-1]
    se_m = members.std(ddof=1) / np.sqrt(len(members))
    assert abs(previewed - members.mean()) <= 0.08 * members.mean() + 3 * se_m


def test_what_the_preview_leaves_out_of_a_design_is_said_on_screen():
    changed = {
        **STAMP_CARD,
        "term_changes": [{"day": 100, "set": {"points.points_per_currency": 0.1}}],
    }
    notes = preview(shop_with(changed)).caveats
    assert any("changes of terms" in note for note in notes)
    assert not any("not in the preview" in note for note in preview(shop_with(STAMP_CARD)).caveats)


def test_a_cap_on_points_and_a_prize_draw_are_in_the_preview():
    """A cap of 2 points per 30 days holds the points issued below the uncapped card's; a draw
    of 5 prizes of 40 on day 100 books 200 that day (fewer only if fewer members)."""
    capped = {**STAMP_CARD, "points": {**STAMP_CARD["points"], "cap_points_per_period": 2}}
    free, held = preview(shop_with(STAMP_CARD)).daily, preview(shop_with(capped)).daily
    assert held["points_outstanding"].iloc[-1] < free["points_outstanding"].iloc[-1]
    assert held["reward_cost"].sum() > free["reward_cost"].sum()  # fewer rewards: less cost
    draw = {
        **DISCOUNT_CARD,
        "lottery": {
            "win_probability": 0.0,
            "contests": [{"day": 100, "winners": 5, "prize_cost": 40.0}],
        },
    }
    daily = preview(shop_with(draw)).daily
    assert daily["prizes_and_perks"].iloc[100] == pytest.approx(-200.0)
    assert daily["prizes_and_perks"].drop(index=100).abs().sum() == 0


EXTREME_DESIGNS = [
    {
        "name": "every purchase a reward, points lapse the next day",
        "joining": {"mode": "automatic"},
        "points": {
            "points_per_currency": 5,
            "rewards": [{"name": "r", "points_cost": 1, "face_value": 1, "cost_to_business": 1}],
            "expiry": "after_days",
            "expiry_days": 1,
            "redemption_propensity": 0.01,
        },
    },
    {
        "name": "one place, a 90% card",
        "joining": {
            "mode": "opt_in",
            "opt_in_probability": 1.0,
            "reoffer_after_days": 0,
            "capacity": 1,
        },
        "discount": {
            "basis": "cumulative_spend",
            "levels": [{"min_spend": 0, "percent": 0}, {"min_spend": 10, "percent": 90}],
        },
    },
    {
        "name": "a free daily membership",
        "joining": {"mode": "fee_decision"},
        "membership": {"fee": 0.0, "period_days": 1, "discount": 0.5},
    },
    {
        "name": "nobody is invited",
        "joining": {"mode": "invitation", "min_spend": 1e9, "min_stage": "raving_fan"},
        "revenue_share": {"share_of_spend": 0.99, "payout_every_days": 1},
    },
    {
        "name": "one day, a reward no one reaches, forfeited",
        "launch_day": 5,
        "end_day": 6,
        "joining": {"mode": "automatic"},
        "points": {
            "points_per_currency": 0.001,
            "rewards": [
                {"name": "r", "points_cost": 100000, "face_value": 1000, "cost_to_business": 10}
            ],
            "expiry": "end_of_year",
            "after_end": "forfeited",
        },
    },
    {
        "name": "a daily tier review",
        "joining": {"mode": "automatic"},
        "points": {
            "points_per_currency": 1,
            "rewards": [{"name": "r", "points_cost": 10, "face_value": 5, "cost_to_business": 1}],
        },
        "tiers": {
            "metric": "transactions",
            "window_days": 1,
            "levels": [
                {"name": "x", "threshold": 0},
                {"name": "y", "threshold": 1, "earn_multiplier": 10, "discount": 0.9},
            ],
        },
    },
    {
        "name": "partners flood the balances",
        "joining": {"mode": "automatic"},
        "points": {
            "points_per_currency": 1,
            "cap_points_per_period": 1,
            "cap_period_days": 1,
            "rewards": [{"name": "r", "points_cost": 3, "face_value": 5, "cost_to_business": 1}],
        },
        "coalition": {
            "partner_points_per_member_per_month": 1e6,
            "payment_per_point": 1.0,
            "partner_reach_per_year": 50,
            "partner_cost_per_reach": 0,
        },
    },
    {
        "name": "everything at its limit",
        "joining": {"mode": "automatic"},
        "lottery": {
            "win_probability": 1.0,
            "prize_value": 1e6,
            "prize_cost": 1e6,
            "win_satisfaction_boost": 1.0,
            "contests": [{"day": 0, "winners": 1000000, "prize_cost": 1}],
        },
        "perks": [
            {
                "name": "p",
                "trigger": "service_failure",
                "satisfaction_boost": 1,
                "attachment_boost": 1,
            },
            {"name": "y", "trigger": "yearly", "satisfaction_boost": 1, "attachment_boost": 1},
        ],
        "referral": {
            "referrer_reward_cost": 1e6,
            "extra_messages_per_member_per_year": 365,
            "card_lending_per_member_per_year": 365,
        },
    },
]


@pytest.mark.parametrize("design", EXTREME_DESIGNS, ids=lambda d: d["name"])
def test_designs_at_the_edges_of_their_terms_preview_to_finite_numbers(design):
    """Terms at the limits the scenario allows (a studio user can type any of them): the
    preview answers with finite numbers, no one on a rung below zero, and members within any
    capacity."""
    sc = shop_with(design)
    daily = preview(sc).daily
    numbers = daily.select_dtypes("number").fillna(0.0)
    assert np.isfinite(numbers.to_numpy()).all()
    rungs = [c for c in daily if c.startswith("n_")] + ["members", "points_outstanding"]
    assert (daily[rungs] >= -1e-6).all().all()
    capacity = design["joining"].get("capacity")
    if capacity is not None:
        assert daily["members"].max() <= capacity + 1e-9
