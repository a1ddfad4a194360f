"""An instant, deterministic mean-field model of a scenario: ``sim.preview``.

Where ``sim.simulate`` follows every customer and ``sim.replicate`` averages many such runs, the
preview follows the expected numbers directly (``sim.meanfield.day_loop``), from the same rules
and parameters, in milliseconds. It is what a planner looks at while changing a field; a
verdict still comes from paired agent runs (``sim.compare``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from sim.engine.parameters import (
    MarketParameters,
    ShopParameters,
    TalkParameters,
    first_purchase_probability,
)
from sim.meanfield.classes import beta_classes, gamma_classes, normal_nodes, normal_quantiles
from sim.meanfield.day_loop import (
    COLUMNS,
    Experience,
    Market,
    Money,
    Promotion,
    Rungs,
    Shop,
    Talk,
    run_days,
)
from sim.meanfield.program import (
    P_REPAIR_PROBABILITY,
    P_REPAIR_SATISFACTION,
    discount_levels,
    program_plan,
)
from sim.money.ledger import PROGRAM_ACCOUNTS
from sim.rules import churn
from sim.rules.ladder import ADVOCATE, CUSTOMER, MEMBER, RAVING_FAN, SHOPPER, STAGES, slug
from sim.rules.relationship import DAYS_PER_MONTH
from sim.scenario import Scenario

RATE_CLASSES = 12
"""Slices of the purchase-rate distribution (equal probability)."""
DROPOUT_CLASSES = 6
"""Slices of the dropout-propensity distribution."""
QUALITY_NODES = 9
"""Gauss-Hermite nodes of an experience's quality."""
SPREAD_NODES = 16
"""Nodes of the spread of satisfaction between customers of a class, for their NPS answers."""


@dataclass
class Preview:
    """A scenario's expected course, day by day.

    Attributes
    ----------
    scenario
        The scenario previewed.
    daily
        One row per day, columns named as the agent model's ``daily`` table where they mean the
        same (``sim.meanfield.day_loop.COLUMNS``), plus ``day`` and ``nps``.
    summary
        Headline figures over the horizon: ``revenue``, ``profit``, ``final_cash``,
        ``purchases``, ``customers`` (active buyers at the end), ``nps`` (last day),
        ``bankrupt_day`` (first day the expected cash falls below the credit line, or
        ``None``), ``members`` (at the end) and ``program_costs`` (the program accounts of the
        ledger over the horizon: discounts, rewards, prizes and perks, referral rewards,
        revenue share and running costs, as a positive cost).
    caveats
        What the preview leaves out or only approximates for this scenario, in plain words.
    seconds
        Wall time of the computation.
    """

    scenario: Scenario
    daily: pd.DataFrame
    summary: dict
    caveats: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _mean_wallet(sc: Scenario) -> float:
    """The share of wallet whose factor in ``sim.rules.churn.competitor_acceptance`` is the mean
    factor over the customers' beta distribution of shares (200 quantile points), so that the
    rule itself, given that share, accepts offers at the population's mean rate.

    The rule's factor is 1 up to the fickle share, ``committed_acceptance_factor`` from the
    committed share on, and a straight line between; the mean factor lies between the two, so
    one share on that line has it. The wallet factor of each quantile point is the rule's at
    satisfaction 0.5, where its satisfaction factor is 1.
    """
    comp, cust = sc.competition, sc.customers
    shares = stats.beta.ppf(
        (np.arange(200) + 0.5) / 200, cust.share_of_wallet_a, cust.share_of_wallet_b
    )
    factor = float(
        np.mean(
            [
                churn.competitor_acceptance(
                    1.0,
                    1.0,
                    w,
                    0.5,
                    comp.fickle_share_of_wallet,
                    comp.committed_share_of_wallet,
                    comp.committed_acceptance_factor,
                )
                for w in shares
            ]
        )
    )
    if comp.committed_acceptance_factor == 1.0:
        return comp.fickle_share_of_wallet
    along = (1.0 - factor) / (1.0 - comp.committed_acceptance_factor)
    span = comp.committed_share_of_wallet - comp.fickle_share_of_wallet
    return comp.fickle_share_of_wallet + along * span


BUYING_STAGES = ("shopper", "customer", "member", "advocate", "raving_fan")
"""The stages of people who buy (DOMAIN L1: shopper and up)."""


def buying_rungs(sc: Scenario) -> list[str]:
    """The ``daily`` columns of the rungs that hold buyers, in ladder order, as the scenario's
    ladder names them (``n_customer``, or ``n_repeater`` on the Kartajaya ladder)."""
    names = dict(zip(STAGES, sc.ladder.stage_names(), strict=True))
    return list(dict.fromkeys(f"n_{slug(names[stage])}" for stage in BUYING_STAGES))


def _named_rungs(sc: Scenario, daily: pd.DataFrame) -> pd.DataFrame:
    """The rung columns as the agent model's ``daily`` table names them: one ``n_<rung>``
    column per rung of the scenario's ladder, adding up the stages it merges (a rung holding
    the suspects counts the anonymous pool), and ``active``, the buyers on every rung."""
    stages = {
        "suspect": daily["pool"],
        "prospect": daily["n_prospect"],
        "shopper": daily["n_shopper"],
        "customer": daily["n_customer"],
        "member": daily["n_member"],
        "advocate": daily["n_advocate"],
        "raving_fan": daily["n_raving_fan"],
    }
    active = sum(stages[s] for s in BUYING_STAGES)
    rungs: dict[str, pd.Series] = {}
    for stage, name in zip(STAGES, sc.ladder.stage_names(), strict=True):
        column = f"n_{slug(name)}"
        rungs[column] = rungs[column] + stages[stage] if column in rungs else stages[stage]
    canonical = [f"n_{s}" for s in stages if f"n_{s}" in daily]
    out = daily.drop(columns=canonical)
    for i, (column, values) in enumerate(rungs.items()):
        out.insert(1 + i, column, values)
    out.insert(1 + len(rungs), "n_lost", out.pop("n_lost"))
    out["active"] = active
    return out


def caveats(sc: Scenario) -> list[str]:
    """What the preview of ``sc`` leaves out or approximates, in plain words."""
    notes = [
        "Means, not people: a class's satisfaction, relationship and attachment are averages, "
        "so thresholds on them (low interaction, a raving fan's attachment) act on the whole "
        "class at once.",
    ]
    if sc.ladder.mode != "agent":
        notes.append("The preview follows the agent ladder; this scenario uses another mode.")
    design = sc.program()
    if design is not None and not design.is_natural():
        notes.append(
            f"The program {design.name!r}: a class's members share one deal, stake and "
            "novelty (their means), and their points balances are spread over whole-point "
            "buckets; who joins, renews or redeems does so at the class's expected rate."
        )
        if design.tiers is not None:
            notes.append(
                "Tiers: a class's members reach a tier when its expected metric does, so a "
                "class sits on one side of a threshold where people of it would sit on both."
            )
        if design.referral is not None:
            notes.append(
                "Referral rewards are paid when a member's message convinces someone, not at "
                "their first purchase."
            )
        left_out = program_plan(sc, np.ones(1), 1.0).left_out
        if left_out:
            notes.append("Not in the preview yet: " + ", ".join(left_out) + ".")
    if sc.word_of_mouth.enabled:
        notes.append(
            "Word of mouth: a prospect's tally of what they heard is shared out as an average "
            "debt of positive messages, and a convinced prospect or lost customer comes at once."
        )
        if sc.word_of_mouth.network != "well_mixed":
            notes.append(
                f"The {sc.word_of_mouth.network} network is previewed as a well-mixed market: "
                "clusters that hear the same voices again are not in it."
            )
    if sc.competition.offers_per_year or sc.competition.scheduled_offer_days:
        notes.append(
            "Competitor campaigns arrive at their expected rate; in one run a few large "
            "campaigns hit at random."
        )
    notes.append(
        "Bankruptcy ends an agent run; the preview's expected cash does not stop, and its "
        "bankrupt_day is when the expected cash falls below the credit line."
    )
    return notes


def preview(scenario: Scenario) -> Preview:
    """The scenario's expected course by the mean-field model (``sim.meanfield.day_loop``),
    with the design in place (``Scenario.program()``; ``sim.meanfield.member_loop`` for its
    members and books).

    Parameters
    ----------
    scenario
        Any scenario; what of its program, word of mouth and networks the preview leaves out or
        approximates is listed in ``caveats``.

    Returns
    -------
    Preview
    """
    start = time.perf_counter()
    sc = scenario
    shop = ShopParameters.of(sc)
    mk = MarketParameters.of(sc)
    cust = sc.customers
    rates, rate_w = gamma_classes(
        cust.purchase_rate_shape, cust.purchase_rate_alpha_days, RATE_CLASSES
    )
    drops, drop_w = beta_classes(cust.dropout_a, cust.dropout_b, DROPOUT_CLASSES)
    class_rates = np.repeat(rates, DROPOUT_CLASSES)
    class_drops = np.tile(drops, RATE_CLASSES)
    weights = np.repeat(rate_w, DROPOUT_CLASSES) * np.tile(drop_w, RATE_CLASSES)
    reference = cust.basket_mean * shop.spend_mult[SHOPPER] * shop.price_level
    plan = program_plan(sc, class_rates, reference)
    quality_z, quality_w = normal_nodes(QUALITY_NODES)
    spread_z, spread_w = normal_quantiles(SPREAD_NODES)
    horizon = sc.horizon_days
    campaigns = np.full(horizon, sc.competition.offers_per_year / 365.0)
    for d in sc.competition.scheduled_offer_days:
        if 0 <= int(d) < horizon:
            campaigns[int(d)] += 1.0
    buying = (SHOPPER, CUSTOMER, ADVOCATE, RAVING_FAN, SHOPPER, MEMBER, ADVOCATE, RAVING_FAN)
    level, speed = shop.touched
    _, untouched_speed = shop.untouched
    comp, talk, rules = sc.competition, TalkParameters.of(sc), shop.rules
    xp = Experience(
        mean_q=shop.quality_mean,
        sd_q=shop.quality_sd,
        fail=shop.failure_rate,
        recover=shop.recovery_probability,
        severity=shop.failure_severity,
        bonus=shop.recovery_bonus,
        slope=shop.slope,
        weight=shop.performance_weight,
        up=shop.expectation_up,
        down=shop.expectation_down,
        repair=0.0,
        repair_lift=0.0,
    )
    repaired = float(plan.values[P_REPAIR_PROBABILITY])
    repair_lift = float(plan.values[P_REPAIR_SATISFACTION]) / shop.learning_rate
    groups = {
        "market": Market(
            size=float(mk.size),
            initial=float(mk.initial_customers),
            reach_p=float(-np.expm1(-sc.market.reach_rate_per_year / 365.0)),
            cost_per_reach=sc.market.cost_per_reach,
            buy_p=first_purchase_probability(sc),
            delay=sc.market.first_purchase_delay_days,
            init_s=shop.initial_satisfaction,
            init_e=mk.initial_expectation,
            init_r=shop.initial_relationship,
        ),
        "rungs": Rungs(
            *(
                tuple(float(getattr(shop, table)[i]) for i in buying)
                for table in ("spend_mult", "freq_mult", "drop_mult", "accept_mult")
            )
        ),
        "shop": Shop(
            price_factor=shop.price_factor,
            ref_s=shop.ref_satisfaction,
            ref_r=shop.ref_relationship,
            freq_sens_s=shop.freq_satisfaction_sens,
            freq_sens_r=shop.freq_relationship_sens,
            drop_sens_s=shop.drop_satisfaction_sens,
            drop_sens_r=shop.drop_relationship_sens,
            low_threshold=shop.low_interaction_threshold,
            learning=shop.learning_rate,
            touched_level=level,
            touched_speed=speed,
            untouched_speed=untouched_speed,
            gain_purchase=shop.gain_per_purchase,
            attachment_rate=shop.attachment_rate,
            forgive_r=shop.relationship_forgiveness,
            forgive_a=shop.attachment_forgiveness,
            window=float(shop.survey_window),
            life_rate=sum(shop.life_rates),
            accept_base=comp.acceptance_probability,
            reach_share=comp.reach_share,
            wallet=_mean_wallet(sc),
            fickle=comp.fickle_share_of_wallet,
            committed=comp.committed_share_of_wallet,
            committed_factor=comp.committed_acceptance_factor,
            win_back_rate=shop.win_back_rate,
            bgnbd=shop.drift_waits_for_repeat,
        ),
        "xp": xp,
        # a member's failed service is recovered by a free repair first (Program.repairs)
        "member_xp": xp._replace(repair=repaired, repair_lift=repair_lift),
        "money": Money(
            mean_basket=cust.basket_mean,
            price_level=shop.price_level,
            cogs_share=shop.cogs_share,
            recovery_cost=shop.recovery_cost,
            touches_cost=sc.business.touches_per_day * sc.business.cost_per_touch,
            fixed_per_day=sc.business.fixed_costs_per_month / DAYS_PER_MONTH,
            win_back_cost=shop.win_back_cost,
            starting_cash=sc.business.starting_cash,
        ),
        "promotion": Promotion(
            advocate_days=rules.advocate_min_promoter_days,
            fan_days=rules.fan_min_promoter_days,
            fan_score=float(rules.fan_min_score),
            fan_attachment=rules.fan_min_attachment,
        ),
        "talk": Talk(
            talking=sc.word_of_mouth.enabled,
            promoter_rate=talk.promoter_rate,
            detractor_rate=talk.detractor_rate,
            fan_multiplier=talk.fan_multiplier,
            negative_weight=talk.negative_weight,
            choose=talk.positives_to_choose,
            negative_drop=talk.negative_drop,
            defence=talk.defence_probability,
            contacts=float(talk.contacts),
            outside_promoters=float(talk.outside_promoters),
            outside_detractors=float(talk.outside_detractors),
        ),
    }
    table = run_days(
        horizon,
        class_rates,
        class_drops,
        weights,
        quality_z,
        quality_w,
        spread_z,
        spread_w,
        campaigns=campaigns,
        plan=plan.values,
        rewards=plan.rewards,
        tiers=plan.tiers,
        contests=plan.contests,
        earn=plan.earn,
        stated=plan.stated_rates,
        activity=plan.activity,
        levels=discount_levels(sc.program()),
        **groups,
    )
    daily = _named_rungs(sc, pd.DataFrame(table, columns=list(COLUMNS)))
    daily.insert(0, "day", np.arange(horizon))
    answered = daily["promoters"] + daily["passives"] + daily["detractors"]
    daily["nps"] = 100.0 * (daily["promoters"] - daily["detractors"]) / answered.where(answered > 0)
    below = daily.index[daily["cash"] < -sc.business.credit_line]
    last = daily.iloc[-1]
    summary = {
        "revenue": float(daily["revenue"].sum()),
        "profit": float(daily["profit"].sum()),
        "final_cash": float(last["cash"]),
        "purchases": float(daily["purchases"].sum()),
        "customers": float(last["active"]),
        "nps": float(last["nps"]),
        "bankrupt_day": int(below[0]) if len(below) else None,
        "members": float(last["members"]),
        "program_costs": -float(daily[list(PROGRAM_ACCOUNTS)].sum().sum()),
    }
    return Preview(sc, daily, summary, caveats(sc), time.perf_counter() - start)
