"""Programs in whole runs: every mechanic books its accounts, the ledger holds together, a
Hoover-style design goes bankrupt and a modest points card does not (DOMAIN P, E6, E7, L6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import assert_same_results, python_and_compiled

import sim
from sim.results.program_tables import participants_vs_non_participants
from sim.rules.relationship import DAYS_PER_MONTH

STAMP_CARD = {
    "name": "stamp card",
    "joining": {"mode": "opt_in"},
    "points": {"rewards": [{"points_cost": 60, "face_value": 6.0, "cost_to_business": 1.8}]},
}
"""One free item (worth 6, costing 1.8) per 60 spent: 10% back (DOMAIN P2)."""


def with_program(scenario: sim.Scenario, design: dict, **extra) -> sim.Scenario:
    return scenario.with_overrides(
        {"programs": [design], "active_program": design["name"], **extra}
    )


def test_a_natural_design_is_the_baseline(small):
    """A design without mechanics (DOMAIN P1) and no design at all give identical runs."""
    plain = sim.simulate(small, seed=4)
    natural = sim.simulate(with_program(small, {"name": "quality only"}), seed=4)
    pd.testing.assert_frame_equal(plain.daily, natural.daily)
    assert natural.summary["program"] == {"name": "quality only", "mechanics": [], "natural": True}


def test_a_program_nobody_joins_changes_nothing_but_its_own_cost(small):
    """The program draws from its own stream: with no members, every customer's history is the
    baseline's, and the only difference in money is the program's running cost."""
    design = {
        **STAMP_CARD,
        "joining": {"mode": "opt_in", "opt_in_probability": 0.0},
        "costs": {"running_cost_per_month": 10.0 * DAYS_PER_MONTH},  # 10 a day
    }
    base = sim.simulate(small, seed=2)
    idle = sim.simulate(with_program(small, design), seed=2)
    assert idle.summary["purchases"] == base.summary["purchases"]
    pd.testing.assert_frame_equal(idle.customers[base.customers.columns], base.customers)
    days = small.horizon_days
    assert idle.summary["profit"] == pytest.approx(base.summary["profit"] - 10.0 * days)


def test_the_ledger_holds_together_with_a_program(small):
    design = {
        **STAMP_CARD,
        "discount": {"levels": [{"percent": 3}]},
        "lottery": {"win_probability": 0.1},
        "costs": {"setup_cost": 500, "cost_per_member_per_year": 2},
    }
    r = sim.simulate(with_program(small, design), seed=5)
    ledger = r.ledger.pivot(index="day", columns="account", values="amount")
    daily = r.daily
    # Cash counts every account; profit every account but the liabilities.
    assert daily["cash"].iloc[-1] == pytest.approx(
        small.business.starting_cash + ledger.to_numpy().sum()
    )
    liabilities = ["points_liability", "fee_deferral", "revenue_share_payable"]
    assert r.summary["profit"] == pytest.approx(ledger.drop(columns=liabilities).to_numpy().sum())
    # The liability in the ledger is the liability on the program's books, every day.
    assert daily["points_liability_outstanding"].iloc[-1] == pytest.approx(
        r.summary["program"]["liabilities_at_end"]["points_liability"]
    )
    assert (daily["points_liability_outstanding"] >= -1e-9).all()
    p = r.summary["program"]
    assert p["costs"]["discounts"] > 0 and p["costs"]["reward_cost"] > 0
    assert p["costs"]["prizes_and_perks"] > 0
    assert p["costs"]["program_costs"] > 500
    points = p["points"]
    assert points["issued"] == (
        points["redeemed"] + points["expired"] + points["forfeited"] + points["outstanding"]
    )
    # The customers table agrees with the members counted each day.
    assert r.customers["program_member"].sum() == daily["members"].iloc[-1] == p["members_at_end"]
    assert (r.customers["points_balance"] >= 0).all()


def test_same_seed_same_program_run(small):
    sc = with_program(small, {**STAMP_CARD, "lottery": {}})
    a, b = sim.simulate(sc, seed=9), sim.simulate(sc, seed=9)
    pd.testing.assert_frame_equal(a.daily, b.daily)
    pd.testing.assert_frame_equal(a.customers, b.customers)


MECHANIC_CASES = {
    "tiers": (
        {
            "joining": {"mode": "automatic"},
            "tiers": {
                "metric": "transactions",
                "levels": [
                    {"name": "blue", "threshold": 0},
                    {"name": "silver", "threshold": 5, "discount": 0.05},
                    {
                        "name": "gold",
                        "threshold": 15,
                        "discount": 0.1,
                        "perks": [{"name": "lounge", "cost_per_use": 1.0}],
                    },
                ],
            },
        },
        lambda p: (
            p["costs"]["discounts"] > 0
            and p["activity"]["upgrades"] > 0
            and p["costs"]["prizes_and_perks"] > 0
        ),
    ),
    "progressive discount": (
        {
            "joining": {"mode": "automatic"},
            "discount": {
                "basis": "cumulative_spend",
                "levels": [
                    {"min_spend": 0, "percent": 2},
                    {"min_spend": 100, "percent": 5},
                    {"min_spend": 400, "percent": 10},
                ],
            },
        },
        lambda p: p["costs"]["discounts"] > 0,
    ),
    "paid membership": (
        {
            "joining": {"mode": "fee_decision"},
            "membership": {"fee": 30, "period_days": 60, "discount": 0.1},
        },
        lambda p: (
            p["income"]["membership_fees"] > 0
            and p["activity"]["fees_paid"] >= p["income"]["membership_fees"]
            and p["activity"]["renewals"] + p["activity"]["lapses"] > 0
        ),
    ),
    "paid membership that ends": (
        {
            "joining": {"mode": "fee_decision"},
            "membership": {"fee": 30, "period_days": 90, "discount": 0.1},
            "end_day": 150,
        },
        # Members at the end get the unused part of their fee back; fees of members lost
        # before the end stay earned over their period. Every fee paid is recognised, refunded
        # or still deferred, and what stays deferred is never negative.
        lambda p: (
            p["activity"]["fee_refunds"] > 0
            and p["liabilities_at_end"]["fee_deferral"] >= -1e-9
            and abs(
                p["income"]["membership_fees"]
                + p["activity"]["fee_refunds"]
                + p["liabilities_at_end"]["fee_deferral"]
                - p["activity"]["fees_paid"]
            )
            < 1e-6
        ),
    ),
    "instant win and a contest": (
        {
            "joining": {"mode": "automatic"},
            "lottery": {"contests": [{"day": 100, "winners": 3, "prize_cost": 50}]},
        },
        lambda p: p["activity"]["prizes"] > 0 and p["activity"]["contest_prizes"] == 3,
    ),
    "free repairs": (
        {
            "joining": {"mode": "automatic"},
            "perks": [
                {
                    "name": "free repair",
                    "trigger": "service_failure",
                    "cost_per_use": 4.0,
                    "attachment_boost": 0.05,
                },
                {"name": "birthday gift", "trigger": "yearly", "cost_per_use": 2.0},
            ],
        },
        lambda p: p["costs"]["prizes_and_perks"] > 0 and p["activity"]["perks"] > 0,
    ),
    "coalition": (
        {**STAMP_CARD, "coalition": {"partner_points_per_member_per_month": 30}},
        lambda p: p["activity"]["partner_payments"] > 0 and p["activity"]["partner_points"] > 0,
    ),
    "referral and card lending": (
        {
            "joining": {"mode": "automatic"},
            "referral": {
                "extra_messages_per_member_per_year": 6,
                "card_lending_per_member_per_year": 2,
            },
        },
        lambda p: p["costs"]["referral_rewards"] > 0 and p["activity"]["cards_lent"] > 0,
    ),
    "revenue share": (
        {"joining": {"mode": "automatic"}, "revenue_share": {"payout_every_days": 60}},
        lambda p: p["costs"]["revenue_share"] > 0 and p["activity"]["revenue_share_paid"] > 0,
    ),
    "exclusive club": (
        {
            "joining": {
                "mode": "invitation",
                "opt_in_probability": 1.0,
                "min_spend": 50,
                "capacity": 20,
                "attachment_on_join": 0.1,
            },
            "perks": [{"name": "private tasting", "trigger": "yearly", "cost_per_use": 5.0}],
        },
        lambda p: 0 < p["members_at_end"] <= 20 and p["activity"]["joined"] >= 20,
    ),
}


@pytest.mark.parametrize("case", list(MECHANIC_CASES))
def test_every_mechanic_books_its_accounts(small, case):
    design, check = MECHANIC_CASES[case]
    r = sim.simulate(with_program(small, {"name": case, **design}), seed=1)
    p = r.summary["program"]
    assert p["activity"]["joined"] > 0
    assert check(p), p
    cash = r.daily["cash"].to_numpy()
    ledger_total = r.ledger["amount"].sum()
    assert cash[-1] == pytest.approx(small.business.starting_cash + ledger_total)
    # What the ledger holds as points liability is what the program owes, partner points too.
    assert p["liabilities_at_end"]["points_liability"] == pytest.approx(
        p["points"]["liability"], abs=1e-6
    )
    assert p["liabilities_at_end"]["fee_deferral"] >= -1e-9


def test_club_members_meet_the_spend_threshold(small):
    design, _ = MECHANIC_CASES["exclusive club"]
    r = sim.simulate(with_program(small, {"name": "club", **design}), seed=1)
    members = r.customers[r.customers["joined_day"].notna()]
    assert (members["spend"] >= 50).all()


def test_when_a_program_ends_rational_members_leave(small):
    """DOMAIN L6: at the end, members without emotional attachment leave (as program_ended);
    the others step down from member to customer."""
    sc = with_program(
        small,
        {
            **STAMP_CARD,
            "joining": {"mode": "automatic"},
            "end_day": 120,
            "points": {**STAMP_CARD["points"], "honour_days": 30},
        },
        **{"program_response.end_departure_probability": 1.0},
    )
    r = sim.simulate(sc, seed=3)
    p = r.summary["program"]
    assert p["activity"]["departures_at_end"] > 0
    assert r.summary["customers_lost"]["program_ended"] > 0
    assert r.daily["members"].iloc[-1] == 0
    assert r.daily["n_member"].iloc[-1] == 0
    left = r.movements[r.movements["reason"] == "left_program"]
    assert len(left) > 0 and (left["time"] >= 120).all()
    # Honoured points lapse 30 days after the end; no balance outlives them.
    assert r.customers["points_balance"].sum() == p["points"]["outstanding"] == 0


def test_a_club_whose_reward_is_belonging_is_a_program(small):
    """DOMAIN P10: a design with no mechanic but exclusivity felt on joining is not natural."""
    club = {
        "name": "inner circle",
        "joining": {
            "mode": "invitation",
            "opt_in_probability": 1.0,
            "min_spend": 40,
            "attachment_on_join": 0.1,
        },
        "costs": {"cost_per_member_per_year": 12},
    }
    r = sim.simulate(with_program(small, club), seed=1)
    p = r.summary["program"]
    assert not p["natural"] and p["members_at_end"] > 0
    assert p["costs"]["program_costs"] > 0


def test_a_cut_disappoints_members(small):
    """DOMAIN L5: halving the reward is felt as a loss; some rational members leave."""
    cut = {
        **STAMP_CARD,
        "joining": {"mode": "automatic"},
        "term_changes": [{"day": 100, "set": {"points.points_per_currency": 0.3}}],
    }
    r = sim.simulate(
        with_program(small, cut, **{"program_response.end_departure_probability": 1.0}), seed=3
    )
    assert r.summary["program"]["activity"]["departures_at_cut"] > 0


def test_forfeited_points_break_a_promise(small):
    """DOMAIN E7: forfeiting balances at the end costs satisfaction against honouring them."""

    def run(after_end: str) -> sim.RunResult:
        design = {
            **STAMP_CARD,
            "joining": {"mode": "automatic"},
            "end_day": 150,
            "points": {**STAMP_CARD["points"], "after_end": after_end},
        }
        return sim.simulate(with_program(small, design), seed=6)

    honoured, forfeited = run("honoured"), run("forfeited")
    day = 151
    assert (
        forfeited.daily["share_very_dissatisfied"].iloc[day]
        + forfeited.daily["share_dissatisfied"].iloc[day]
        > honoured.daily["share_very_dissatisfied"].iloc[day]
        + honoured.daily["share_dissatisfied"].iloc[day]
    )
    assert forfeited.summary["program"]["points"]["forfeited"] > 0


def test_participants_compared_within_segments():
    """E6 on a constructed table: heavy buyers join; within segments the participants spend
    1.2x; the raw comparison would exaggerate it, the same-segment ratio does not."""
    rows = []
    for i in range(1000):
        rate = 0.01 + 0.001 * i
        joined = i % 2 == 0 if i >= 500 else i % 10 == 0  # heavy buyers join more often
        spend = 365 * rate * (1.2 if joined else 1.0)
        rows.append((rate, spend, 0.0 if joined else None))
    customers = pd.DataFrame(rows, columns=["base_rate_per_day", "spend", "joined_day"])
    customers["acquired_day"] = 0.0
    customers["lost_day"] = np.nan
    customers["purchases"] = 10
    e6 = participants_vs_non_participants(customers, 0.0, 365.0)
    assert e6["participants"] == 300 and e6["non_participants"] == 700
    assert e6["spend_per_year_participants"] / e6["spend_per_year_non_participants"] > 1.4
    assert e6["same_segment_ratio"] == pytest.approx(1.2, rel=0.02)


@pytest.mark.slow
def test_a_hoover_style_promotion_bankrupts_the_coffee_shop(coffee_shop):
    """DOMAIN E7: a reward worth more than the margin it stimulates (a free drink worth 8 for
    every 10 spent, costing 8) drives cash below the credit line within the horizon."""
    hoover = {
        "name": "hoover",
        "joining": {"mode": "automatic"},
        "points": {"rewards": [{"points_cost": 10, "face_value": 8.0, "cost_to_business": 8.0}]},
    }
    r = sim.simulate(with_program(coffee_shop, hoover), seed=0)
    assert r.summary["bankrupt"]
    assert r.bankrupt_day < coffee_shop.horizon_days
    assert r.summary["program"]["costs"]["reward_cost"] > r.summary["gross_margin"] * 0.5


@pytest.mark.slow
def test_a_modest_points_card_does_not_bankrupt_the_coffee_shop(coffee_shop):
    """A stamp card giving 10% back, opt-in, with its running costs, keeps the shop solvent."""
    card = {**STAMP_CARD, "costs": {"setup_cost": 2000, "running_cost_per_month": 150}}
    r = sim.simulate(with_program(coffee_shop, card), seed=0)
    assert not r.summary["bankrupt"]
    assert r.summary["lowest_cash"] > -coffee_shop.business.credit_line
    assert r.summary["program"]["members_at_end"] > 0


@pytest.mark.slow
def test_the_paired_lift_sees_what_the_same_segment_ratio_cannot(small):
    """Heavy, loyal buyers join an opt-in card first, so participants out-spend comparable
    non-participants even when the card changes nothing (Leenheer et al. 2007). A card whose
    members buy 10% more often (a stated response) and an inert one have about the same
    same-segment ratio; the paired lift of ``compare`` tells them apart: the working card's 95%
    interval lies above 1 and above the inert card's, whose free drinks replace paid ones, so
    that its lift is at most 1 (12 pairs each of a 6,000-person market over two years)."""
    sc = small.with_overrides(
        {"horizon_days": 730, "market.size": 6000, "market.initial_customers": 600}
    )
    card = {**STAMP_CARD, "joining": {"mode": "opt_in", "opt_in_probability": 0.1}}
    inert = {
        f"program_response.{name}": 0.0
        for name in (
            "delayed_reward_weight",
            "goal_gradient",
            "switching_cost_effect",
            "basket_sensitivity",
        )
    }
    working = {**inert, "program_response.visit_lift": 0.1}
    rows = {}
    for label, response in (("working", working), ("inert", inert)):
        scenario = with_program(sc, card, **response).with_overrides({"active_program": "none"})
        c = sim.compare(scenario, runs=12, seed=0, executor="serial")
        rows[label] = c.table.iloc[0]
    for row in rows.values():  # self-selection alone puts participants well above others
        assert row["participants_ratio_low"] > 1.05
    working, placebo = rows["working"], rows["inert"]
    assert working["participant_spend_lift_low"] > 1.0
    assert placebo["participant_spend_lift_low"] <= 1.0
    assert working["participant_spend_lift_low"] > placebo["participant_spend_lift_high"]


def test_a_stated_redemption_estimate_follows_the_accounting_policy(small, monkeypatch):
    """IFRS 15 B39-B43: an accountant's stated estimate replaces the engine's own re-estimation
    from the day it is stated. Only the books change: the customers' behaviour is the same run
    for run, revenue is the same up to that day, and a higher estimate holds back more revenue
    as liability (breakage is recognised more slowly). Python handlers and the compiled step
    agree to the bit."""

    def run(stated: dict[int, float]) -> sim.RunResult:
        design = {
            **STAMP_CARD,
            "joining": {"mode": "automatic"},
            "points": {**STAMP_CARD["points"], "stated_redemption_rates": stated},
        }
        return sim.simulate(with_program(small, design), seed=3)

    engine, low, high = run({}), run({100: 0.5}), run({100: 0.5, 150: 0.99})
    assert low.summary["program"]["points"]["expected_redemption_rate"] == 0.5
    assert high.summary["program"]["points"]["expected_redemption_rate"] == 0.99
    assert engine.summary["program"]["points"]["expected_redemption_rate"] not in (0.5, 0.99)
    pd.testing.assert_frame_equal(low.customers, engine.customers)
    pd.testing.assert_frame_equal(high.customers, engine.customers)
    revenue = {
        name: r.ledger.query("account == 'revenue'")["amount"].to_numpy()
        for name, r in (("engine", engine), ("low", low), ("high", high))
    }
    # The engine's own first re-estimation is on day 90 (points.re_estimate_every_days).
    assert np.array_equal(revenue["low"][:90], revenue["engine"][:90])
    assert not np.array_equal(revenue["low"][100:], revenue["engine"][100:])
    assert np.array_equal(revenue["high"][:150], revenue["low"][:150])
    owed = {
        name: r.summary["program"]["liabilities_at_end"]["points_liability"]
        for name, r in (("low", low), ("high", high))
    }
    # At 50% the members had already redeemed more than was expected: nothing is left deferred.
    assert owed["high"] > owed["low"] + 100
    assert owed["low"] == pytest.approx(0.0, abs=1e-6)
    design = {
        **STAMP_CARD,
        "joining": {"mode": "automatic"},
        "points": {**STAMP_CARD["points"], "stated_redemption_rates": {100: 0.5}},
    }
    python, compiled = python_and_compiled(with_program(small, design), 3, monkeypatch)
    assert_same_results(compiled, python)


def test_a_stated_redemption_estimate_must_be_a_share_from_day_one(small):
    for stated, words in (({0: 0.9}, "day 0"), ({30: 1.5}, "allowed range 0..1")):
        design = {
            **STAMP_CARD,
            "points": {**STAMP_CARD["points"], "stated_redemption_rates": stated},
        }
        with pytest.raises(sim.ScenarioError, match=words):
            with_program(small, design)
